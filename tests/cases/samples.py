"""Small but well-formed files for upload tests: the upload check reads their structure, not only
their first bytes, so a test file must be a real (if tiny) PDF, PNG, JPEG or MP4."""

from __future__ import annotations

import io
import struct


def pdf(note: str = "") -> bytes:
    """A one-page PDF with a correct cross-reference table (`note` goes into a comment line)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    if note:
        out += b"% " + note.encode() + b"\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def image(fmt: str) -> bytes:
    """A 4×4 image written by Pillow (a dependency of weasyprint): "PNG" or "JPEG"."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


def mp4() -> bytes:
    """The box layout of an MP4: ftyp, moov (with a movie header), mdat."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    mvhd = box(b"mvhd", bytes(100))
    return box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + box(b"moov", mvhd) + box(b"mdat", bytes(64))

"""What a file really is, read from its content (never trusting the name alone).

`sniff` names the format from the first bytes; `structure_ok` then checks the file is built
like one (a PDF's trailer points at its cross-reference, a PNG's chunks and checksums run to
IEND, a JPEG's segments reach the image data and its end marker, an MP4's boxes tile the
file), so `%PDF-` followed by anything else is not a PDF. `looks_executable` refuses a
program (ELF, Windows PE, Mach-O) hidden in the first kilobyte behind a harmless header.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FORMAT_LABELS = {
    "pdf": "PDF",
    "png": "PNG",
    "jpg": "JPEG",
    "docx": "Word (.docx)",
    "xlsx": "Excel (.xlsx)",
    "zip": "ZIP",
    "mp4": "MP4",
    "webm": "WebM / Matroska",
    "wav": "WAV",
    "mp3": "MP3",
}
# The extensions each format may carry.
EXTENSIONS = {
    "pdf": {"pdf"},
    "png": {"png"},
    "jpg": {"jpg", "jpeg"},
    "docx": {"docx"},
    "xlsx": {"xlsx"},
    "zip": {"zip"},
    "mp4": {"mp4", "m4v", "mov"},
    "webm": {"webm", "mkv"},
    "wav": {"wav"},
    "mp3": {"mp3"},
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
}


def sniff(head: bytes, whole: bytes | None = None) -> str | None:
    """The format of a file from its content, or None when it is none we know."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: WebM and Matroska
        return "webm"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"  # an ID3 tag, or an MPEG audio frame's sync word
    if head.startswith(b"PK\x03\x04"):
        if whole is None:
            return "zip"
        try:
            names = zipfile.ZipFile(io.BytesIO(whole)).namelist()
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
        return "zip"
    return None


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


# ----------------------------------------------------------------------------- executables
_EXECUTABLE_MAGIC = (
    b"\x7fELF",  # Linux and most Unix programs
    b"\xcf\xfa\xed\xfe",  # Mach-O 64-bit
    b"\xce\xfa\xed\xfe",  # Mach-O 32-bit
    b"\xfe\xed\xfa\xcf",
    b"\xfe\xed\xfa\xce",
    b"This program cannot be run in DOS mode",  # the stub of every Windows .exe/.dll
)
_HEAD = 1024


def looks_executable(data: bytes) -> bool:
    """A program's header anywhere in the first kilobyte (e.g. `%PDF-` followed by an ELF file)."""
    head = data[:_HEAD]
    if any(magic in head for magic in _EXECUTABLE_MAGIC):
        return True
    # "MZ" alone is two bytes that compressed data contains by chance; a PE file's MZ header
    # points (at +0x3C) to its "PE\0\0" signature.
    start = head.find(b"MZ")
    while start != -1:
        if start + 0x40 <= len(data):
            (pe_offset,) = struct.unpack_from("<I", data, start + 0x3C)
            if data[start + pe_offset : start + pe_offset + 4] == b"PE\0\0":
                return True
        start = head.find(b"MZ", start + 1)
    return False


# ----------------------------------------------------------------------------- structure
def structure_ok(fmt: str, data: bytes) -> bool:
    """Whether `data` is built like a file of `fmt` (as `sniff` named it), beyond its first bytes."""
    check = _STRUCTURE.get(fmt)
    return True if check is None else check(data)


_PDF_HEADER = re.compile(rb"%PDF-[12]\.[0-9]")
_PDF_STARTXREF = re.compile(rb"startxref[\0\t\n\f\r ]+([0-9]{1,12})[\0\t\n\f\r ]+%%EOF")
_PDF_XREF_STREAM = re.compile(rb"[0-9]+[\0\t\n\f\r ]+[0-9]+[\0\t\n\f\r ]+obj\b")
_PDF_WHITESPACE = b"\0\t\n\f\r "


def _pdf_ok(data: bytes) -> bool:
    """Header, then in the last kilobyte `startxref N %%EOF` with N pointing at the
    cross-reference: an `xref` table or (PDF 1.5+) an `n g obj` cross-reference stream."""
    if not _PDF_HEADER.match(data):
        return False
    tail_start = max(0, len(data) - _HEAD)
    matches = list(_PDF_STARTXREF.finditer(data, tail_start))
    if not matches:
        return False
    offset = int(matches[-1].group(1))
    if not 0 < offset < len(data):
        return False
    target = data[offset : offset + 64].lstrip(_PDF_WHITESPACE)
    return target.startswith(b"xref") or _PDF_XREF_STREAM.match(target) is not None


def _png_ok(data: bytes) -> bool:
    """IHDR first, every chunk's CRC right, IEND last and nothing after it."""
    pos, first = 8, True
    while pos + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if end > len(data) or (first and (kind != b"IHDR" or length != 13)):
            return False
        (crc,) = struct.unpack_from(">I", data, pos + 8 + length)
        if zlib.crc32(data[pos + 4 : pos + 8 + length]) != crc:
            return False
        if kind == b"IEND":
            return end == len(data)
        pos, first = end, False
    return False


_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0–7: markers without a length
_JPEG_FRAMES = {*range(0xC0, 0xD0)} - {0xC4, 0xC8, 0xCC}  # SOFn (not DHT, JPG, DAC)


def _jpeg_ok(data: bytes) -> bool:
    """Segments from SOI through a frame header (SOFn) to the scan (SOS), then an EOI marker.

    Bytes after EOI are tolerated (cameras append thumbnails and maker data there)."""
    pos, frame = 2, False
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _JPEG_STANDALONE:
            pos += 2
            continue
        if marker in (0xD8, 0xD9):  # a second SOI, or EOI before any image data
            return False
        (length,) = struct.unpack_from(">H", data, pos + 2)
        if length < 2 or pos + 2 + length > len(data):
            return False
        frame |= marker in _JPEG_FRAMES
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the end marker
            return frame and data.find(b"\xff\xd9", pos + 2 + length) != -1
        pos += 2 + length
    return False


_MP4_BOX_TYPE = re.compile(rb"[\x20-\x7e\xa9]{4}")  # printable ASCII, and © of iTunes-style tags


def _mp4_ok(data: bytes) -> bool:
    """Top-level boxes (size, type) that tile the file exactly, with a movie header (moov)."""
    pos, seen = 0, set()
    while pos < len(data):
        if pos + 8 > len(data):
            return False
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:  # 64-bit size follows
            if pos + 16 > len(data):
                return False
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif size == 0:  # the last box runs to the end of the file
            size = len(data) - pos
        if size < header or pos + size > len(data) or not _MP4_BOX_TYPE.fullmatch(kind):
            return False
        seen.add(kind)
        pos += size
    return b"ftyp" in seen and b"moov" in seen


_STRUCTURE = {"pdf": _pdf_ok, "png": _png_ok, "jpg": _jpeg_ok, "mp4": _mp4_ok}


# ----------------------------------------------------------------------------- the one check
def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB"


def formats_text(formats: Collection[str]) -> str:
    """The formats as people read them, in one order everywhere: "Word (.docx)、JPEG、PDF"."""
    return "、".join(FORMAT_LABELS[f] for f in sorted(formats))


def file_check(*, filename: str, content: bytes, formats: Collection[str], max_bytes: int) -> str:
    """The format of an uploaded file, read from its content, if it is one of `formats`, within `max_bytes`,
    named as what it is, whole and no program; else a ValidationError on "file" saying which of these it
    failed. Every upload of the site (a case's documents, a registered work's versions) goes through it."""
    if not content:
        raise _refused(_("文件“%(name)s”是空的，请重新选择。"), filename)
    if len(content) > max_bytes:
        raise _refused(_("文件“%(name)s”过大（上限 %(max)s）。"), filename, max=_mb(max_bytes))
    detected = sniff(content[:16], content)
    if detected is None or detected not in formats:
        allowed = formats_text(formats)
        raise _refused(
            _("文件“%(name)s”的内容不是允许的格式（允许：%(allowed)s）。"), filename, allowed=allowed
        )
    if looks_executable(content):
        raise _refused(_("文件“%(name)s”含有可执行程序，不能上传。"), filename)
    real = FORMAT_LABELS[detected]
    if extension(filename) not in EXTENSIONS[detected]:
        raise _refused(_("文件“%(name)s”的扩展名与内容不符：内容是 %(real)s。"), filename, real=real)
    if not structure_ok(detected, content):
        raise _refused(
            _("文件“%(name)s”不是完整有效的 %(real)s 文件（已损坏或被截断），请重新导出后上传。"),
            filename,
            real=real,
        )
    return detected


def _refused(message: str, filename: str, **values: str) -> ValidationError:
    return ValidationError({"file": [message % {"name": filename, **values}]})

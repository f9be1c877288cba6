"""What a file really is, read from its first bytes (never trusting the name alone)."""

from __future__ import annotations

import io
import zipfile

FORMAT_LABELS = {
    "pdf": "PDF",
    "png": "PNG",
    "jpg": "JPEG",
    "docx": "Word (.docx)",
    "xlsx": "Excel (.xlsx)",
    "zip": "ZIP",
    "mp4": "MP4",
}
# The extensions each format may carry.
EXTENSIONS = {
    "pdf": {"pdf"},
    "png": {"png"},
    "jpg": {"jpg", "jpeg"},
    "docx": {"docx"},
    "xlsx": {"xlsx"},
    "zip": {"zip"},
    "mp4": {"mp4", "m4v"},
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "mp4": "video/mp4",
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

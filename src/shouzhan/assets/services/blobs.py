"""Files stored by content: a blob is named by its SHA-256, written once, and read back by path.

Two uploads of the same bytes are one blob (a second episode of identical content, a re-upload, the same
suspect file in two reports). The name on disk is the hash, under two levels of directories
(assets/blobs/ab/cd/abcd…), so a directory never holds more than a few hundred thousand files.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shouzhan.assets.fingerprints.media import MediaError, MediaInfo, ffmpeg_reading, media_probe
from shouzhan.assets.models import Blob, MediaKind
from shouzhan.cases.files import file_check

# The formats a work's version may be, by what they are to the fingerprints.
MEDIA_OF_FORMAT = {
    "mp4": MediaKind.VIDEO,
    "webm": MediaKind.VIDEO,
    "wav": MediaKind.AUDIO,
    "mp3": MediaKind.AUDIO,
    "png": MediaKind.IMAGE,
    "jpg": MediaKind.IMAGE,
    "pdf": MediaKind.DOCUMENT,
    "docx": MediaKind.DOCUMENT,
    "xlsx": MediaKind.DOCUMENT,
    "zip": MediaKind.ARCHIVE,
}
ASSET_FORMATS = frozenset(MEDIA_OF_FORMAT)
# A suspect copy is checked against fingerprints: media only.
SUSPECT_FORMATS = frozenset(
    f for f, m in MEDIA_OF_FORMAT.items() if m in (MediaKind.VIDEO, MediaKind.AUDIO, MediaKind.IMAGE)
)


def max_bytes() -> int:
    return int(settings.ASSETS_MAX_BYTES)


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def blob_path_name(sha256: str, fmt: str) -> str:
    return f"assets/blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}.{fmt}"


@contextmanager
def _probe_file(content: bytes, fmt: str) -> Iterator[str]:
    with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as tmp:
        tmp.write(content)
        tmp.flush()
        yield tmp.name


def media_check(*, filename: str, content: bytes, fmt: str) -> MediaInfo | None:
    """For video and audio, the file must decode (ffprobe): a corrupt video is refused in words."""
    media = MEDIA_OF_FORMAT[fmt]
    if media not in (MediaKind.VIDEO, MediaKind.AUDIO):
        return None
    with _probe_file(content, fmt) as path:
        try:
            info = media_probe(path)
        except MediaError as exc:
            why = _(getattr(exc, "message", str(exc)))  # the media module marks its reasons for translation
            raise ValidationError(
                {"file": [_("文件“%(name)s”：%(why)s") % {"name": filename, "why": why}]}
            ) from None
        if not _decodes(path):
            raise ValidationError(
                {"file": [_("文件“%(name)s”已损坏，无法解码，请重新导出后上传。") % {"name": filename}]}
            )
    if media == MediaKind.VIDEO and not info.has_video:
        raise ValidationError({"file": [_("文件“%(name)s”中没有视频画面。") % {"name": filename}]})
    if info.duration_ms <= 0:
        raise ValidationError({"file": [_("文件“%(name)s”的时长为零，无法登记。") % {"name": filename}]})
    return info


DECODE_CHECK_SECONDS = 10


def _decodes(path: str) -> bool:
    """Whether the first seconds decode without an error: ffprobe reads the headers only, and a file whose
    picture data is garbled (a broken transfer, a scrambled copy) has good headers."""
    try:
        done = subprocess.run(  # noqa: S603 - a fixed program, arguments as a list, no shell
            [*ffmpeg_reading(path, "-xerror"), "-t", str(DECODE_CHECK_SECONDS), "-f", "null", "-"],
            capture_output=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


def blob_store(*, filename: str, content: bytes, formats: frozenset[str] = ASSET_FORMATS) -> Blob:
    """Check a file (format by content, size, name, structure, decodable media) and store it once by its
    hash; the blob already stored is returned as it is."""
    fmt = file_check(filename=filename, content=content, formats=formats, max_bytes=max_bytes())
    digest = sha256_hex(content)
    existing = Blob.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    info = media_check(filename=filename, content=content, fmt=fmt)
    blob = Blob(sha256=digest, size=len(content), format=fmt, media=MEDIA_OF_FORMAT[fmt])
    if info is not None:
        blob.duration_ms, blob.width, blob.height = info.duration_ms, info.width or None, info.height or None
    elif blob.media == MediaKind.IMAGE:
        blob.width, blob.height = _image_size(content)
    name = blob_path_name(digest, fmt)
    if not default_storage.exists(name):
        stored = default_storage.save(name, ContentFile(content))
    else:
        stored = name  # left by a transaction that rolled back: same name, same bytes
    blob.file.name = stored
    try:
        with transaction.atomic():  # a savepoint: the same bytes stored at the same moment by another upload
            blob.save(force_insert=True)
    except IntegrityError:
        return Blob.objects.get(sha256=digest)
    return blob


def _image_size(content: bytes) -> tuple[int | None, int | None]:
    from io import BytesIO

    from PIL import Image

    try:
        with Image.open(BytesIO(content)) as image:
            return image.width, image.height
    except (OSError, ValueError):
        return None, None


def blob_local_path(blob: Blob) -> str:
    """The blob's file on this machine (fingerprints and ffmpeg read from a path)."""
    return str(default_storage.path(blob.file.name))


def blob_read(blob: Blob) -> bytes:
    with default_storage.open(blob.file.name, "rb") as handle:
        data: bytes = handle.read()
    return data


def blob_intact(blob: Blob) -> bool:
    """Whether the stored bytes still hash to the blob's name."""
    digest = hashlib.sha256()
    with default_storage.open(blob.file.name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == blob.sha256


def blob_exists(blob: Blob) -> bool:
    return os.path.exists(blob_local_path(blob))

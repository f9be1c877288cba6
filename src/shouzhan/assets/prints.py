"""From a stored file to the fingerprint rows kept for it (the fingerprints package knows no database).

A video gives its frame hashes in 10-second segments and, when it has sound, its chromaprint as one audio
row; an audio file its chromaprint; an image its two perceptual hashes (plain and mirrored).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from shouzhan.assets.fingerprints.audio import AudioPrint, audio_fingerprint
from shouzhan.assets.fingerprints.phash import image_hashes
from shouzhan.assets.fingerprints.video import segments, video_fingerprint
from shouzhan.assets.models import MediaKind

SEGMENT_MS = 10_000


@dataclass(frozen=True)
class PrintRow:
    kind: str  # MediaKind: video | audio | image
    start_ms: int
    end_ms: int
    step_ms: float
    hashes: bytes


def audio_row(ap: AudioPrint) -> PrintRow:
    return PrintRow(MediaKind.AUDIO, 0, ap.duration_ms, ap.item_ms, ap.values.astype("<u4").tobytes())


def audio_from_row(step_ms: float, end_ms: int, hashes: bytes) -> AudioPrint:
    return AudioPrint(
        item_ms=step_ms, values=np.frombuffer(hashes, dtype="<u4").astype(np.uint32), duration_ms=end_ms
    )


def image_from_row(hashes: bytes) -> tuple[int, int]:
    plain, mirrored = struct.unpack("<QQ", hashes)
    return int(plain), int(mirrored)


def fingerprint_rows(path: str, media: str) -> list[PrintRow]:
    """The rows to store for the file at `path` of this media kind (none for a document or an archive).
    Raises MediaError (in words) for a file that does not decode."""
    if media == MediaKind.VIDEO:
        vp = video_fingerprint(path)
        rows = [
            PrintRow(MediaKind.VIDEO, s, e, vp.step_ms, b) for s, e, b in segments(vp, segment_ms=SEGMENT_MS)
        ]
        ap = audio_fingerprint(path)
        if ap is not None and len(ap.values):
            rows.append(audio_row(ap))
        return rows
    if media == MediaKind.AUDIO:
        ap = audio_fingerprint(path)
        return [audio_row(ap)] if ap is not None and len(ap.values) else []
    if media == MediaKind.IMAGE:
        with open(path, "rb") as handle:
            plain, mirrored = image_hashes(handle.read())
        return [PrintRow(MediaKind.IMAGE, 0, 0, 0, struct.pack("<QQ", plain, mirrored))]
    return []

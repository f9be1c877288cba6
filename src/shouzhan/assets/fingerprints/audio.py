"""Audio fingerprints (Chromaprint's fpcalc, raw values) and matching a query against references by offset.

ffmpeg decodes the sound track to 11,025 Hz mono PCM, fpcalc reads it from its stdin: only ffmpeg, with
its safe-input options, ever opens the uploaded file. Chromaprint gives one 32-bit value every 1365
samples (about 124 ms); a copy of the same sound has values that differ in a few bits at the right offset.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shouzhan.assets.fingerprints.index import Match
from shouzhan.assets.fingerprints.media import (
    FPCALC,
    MediaError,
    ffmpeg_reading,
    gettext_noop,
    media_probe,
)
from shouzhan.assets.fingerprints.media import run_tool as _run
from shouzhan.assets.fingerprints.phash import popcount64

SAMPLE_RATE = 11_025
ITEM_MS = 1365 / SAMPLE_RATE * 1000  # Chromaprint: 4096-sample frames, a third of a frame apart
# An item agrees when at most ITEM_BOUND of its 32 bits differ (copies: mostly under 6; unrelated sound:
# 16 on average, at most 8 for about 1 item in 300).
ITEM_BOUND = 8
AUDIO_THRESHOLD = 0.3
KEY_SHIFT = 12  # offsets are voted for by items whose top 20 bits are equal
OFFSETS_VERIFIED = 5
FULL_SCAN_ITEMS = 1_500  # up to this many items (query + reference, about 3 min) every offset is tried
FPCALC_OUTPUT = [
    "-raw",
    "-json",
    "-length",
    "0",
    "-",
]  # raw values of the whole input, read from stdin  # below this many items (query + reference), every offset is tried


@dataclass
class AudioPrint:
    item_ms: float
    values: npt.NDArray[np.uint32]
    duration_ms: int


def audio_fingerprint(path: str) -> AudioPrint | None:
    """The Chromaprint fingerprint of the file's sound; None when the file has no audio stream."""
    info = media_probe(path)
    if not info.has_audio:
        return None
    timeout = 120 + info.duration_ms / 1000
    pcm = _run(
        [
            *ffmpeg_reading(path),
            "-map",
            "0:a:0",
            "-vn",
            "-ac",
            "1",
            "-ar",
            str(SAMPLE_RATE),
            "-f",
            "s16le",
            "pipe:1",
        ],
        timeout=timeout,
    )
    if pcm.returncode != 0:
        raise MediaError(gettext_noop("音频已损坏或无法解码"))
    values = np.zeros(0, dtype=np.uint32)
    if len(pcm.stdout) >= 2 * SAMPLE_RATE:  # Chromaprint needs a few seconds; under 1 s there is nothing
        proc = _run(
            [FPCALC, "-format", "s16le", "-rate", str(SAMPLE_RATE), "-channels", "1", *FPCALC_OUTPUT],
            timeout=timeout,
            stdin=pcm.stdout,
        )
        try:
            values = np.array(json.loads(proc.stdout or b"{}").get("fingerprint") or [], dtype=np.uint32)
        except ValueError:
            values = np.zeros(0, dtype=np.uint32)
    return AudioPrint(item_ms=ITEM_MS, values=values, duration_ms=info.duration_ms)


def _errors(q: npt.NDArray[np.uint32], r: npt.NDArray[np.uint32], offset: int) -> npt.NDArray[np.int64]:
    """Bit errors of each query item against the reference item `offset` later (33 where none)."""
    out = np.full(len(q), 33, dtype=np.int64)
    lo, hi = max(0, -offset), min(len(q), len(r) - offset)
    if hi > lo:
        x = q[lo:hi].astype(np.uint64) ^ r[lo + offset : hi + offset].astype(np.uint64)
        out[lo:hi] = popcount64(x)
    return out


def _offsets(q: npt.NDArray[np.uint32], r: npt.NDArray[np.uint32]) -> list[int]:
    """Offsets (reference item - query item) worth verifying, most voted first."""
    if len(q) + len(r) <= FULL_SCAN_ITEMS:
        return list(range(-len(q) + 1, len(r)))
    rk = np.sort(r >> KEY_SHIFT)
    rpos = np.argsort(r >> KEY_SHIFT, kind="stable")
    qk = q >> KEY_SHIFT
    lo, hi = np.searchsorted(rk, qk, "left"), np.searchsorted(rk, qk, "right")
    size = hi - lo
    total = int(size.sum())
    if total == 0:
        return []
    ends = np.cumsum(size)
    pos = np.repeat(lo - (ends - size), size) + np.arange(total)
    offsets = rpos[pos] - np.repeat(np.arange(len(q)), size)
    values, votes = np.unique(offsets, return_counts=True)
    best = values[np.argsort(-votes, kind="stable")[:OFFSETS_VERIFIED]]
    return sorted({int(o) + d for o in best for d in (-1, 0, 1)})


def audio_match(
    query: AudioPrint,
    refs: Iterable[tuple[int, AudioPrint]],
    *,
    threshold: float = AUDIO_THRESHOLD,
    max_results: int = 10,
) -> list[Match]:
    """References whose sound the query contains: score = share of query items that agree at the offset."""
    q = query.values
    found: list[Match] = []
    if len(q) == 0:
        return found
    for ref_id, ref in refs:
        r = ref.values
        best: tuple[float, int, npt.NDArray[np.intp]] | None = None
        for offset in _offsets(q, r):
            agree = np.flatnonzero(_errors(q, r, offset) <= ITEM_BOUND)
            score = len(agree) / len(q)
            if best is None or score > best[0]:
                best = (score, offset, agree)
        if best is None or best[0] < threshold:
            continue
        score, offset, agree = best
        q_start = round(int(agree[0]) * query.item_ms)
        q_end = min(round((int(agree[-1]) + 1) * query.item_ms), max(query.duration_ms, q_start + 1))
        shift = round(offset * ref.item_ms)
        found.append(
            Match(
                ref_id=int(ref_id),
                score=round(score, 4),
                query_start_ms=q_start,
                query_end_ms=q_end,
                ref_start_ms=max(0, q_start + shift),
                ref_end_ms=max(0, q_end + shift),
                mirrored=False,
                kind="audio",
            )
        )
    return sorted(found, key=lambda m: (-m.score, m.ref_id))[:max_results]

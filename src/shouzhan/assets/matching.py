"""Matching a suspect file against every registered fingerprint.

The video index (fingerprints.index.VideoIndex) lives in the process and is built from the stored
segments once; it is rebuilt when the stored fingerprints changed since (one cheap query — the count and
the last id of the video rows — tells). Audio and images are compared directly: there are far fewer of
them and each comparison is one numpy operation.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

import numpy as np

from shouzhan.assets.fingerprints.audio import audio_fingerprint, audio_match
from shouzhan.assets.fingerprints.index import MATCH_THRESHOLD, Match, VideoIndex
from shouzhan.assets.fingerprints.phash import image_hashes, popcount64
from shouzhan.assets.fingerprints.video import VideoPrint, hashes_from_bytes, video_fingerprint
from shouzhan.assets.models import Fingerprint, MediaKind
from shouzhan.assets.prints import audio_from_row, image_from_row

IMAGE_MAX_DISTANCE = 10  # of 64 bits: a resized, re-encoded or watermarked copy stays well within
RESULTS = 10


@dataclass
class _Cached:
    key: tuple[int, int]
    index: VideoIndex


_lock = threading.Lock()
_cache: _Cached | None = None


def _video_key() -> tuple[int, int]:
    from django.db.models import Count, Max

    row = Fingerprint.objects.filter(kind=MediaKind.VIDEO).aggregate(n=Count("id"), last=Max("id"))
    return int(row["n"] or 0), int(row["last"] or 0)


def video_index() -> VideoIndex:
    """The index of every stored video segment, built once per change of the stored rows."""
    global _cache
    key = _video_key()
    with _lock:
        if _cache is None or _cache.key != key:
            index = VideoIndex()
            rows = Fingerprint.objects.filter(kind=MediaKind.VIDEO).values_list(
                "version_id", "start_ms", "step_ms", "hashes"
            )
            for version_id, start_ms, step_ms, hashes in rows.iterator(chunk_size=2000):
                index.add(version_id, int(start_ms), int(step_ms), hashes_from_bytes(bytes(hashes)))
            index.freeze()
            _cache = _Cached(key, index)
        return _cache.index


def index_forget() -> None:
    """Drop the cached index (tests that rebuild the database under the same ids)."""
    global _cache
    with _lock:
        _cache = None


def _audio_matches(path: str) -> list[Match]:
    query = audio_fingerprint(path)
    if query is None or not len(query.values):
        return []
    rows = Fingerprint.objects.filter(kind=MediaKind.AUDIO).values_list(
        "version_id", "step_ms", "end_ms", "hashes"
    )
    refs = (
        (vid, audio_from_row(float(step), int(end), bytes(h)))
        for vid, step, end, h in rows.iterator(chunk_size=500)
    )
    return audio_match(query, refs)


def _image_matches(path: str) -> list[Match]:
    with open(path, "rb") as handle:
        plain, _mirrored = image_hashes(handle.read())
    rows = list(Fingerprint.objects.filter(kind=MediaKind.IMAGE).values_list("version_id", "hashes"))
    if not rows:
        return []
    pairs = [image_from_row(bytes(h)) for _vid, h in rows]
    stored = np.array(pairs, dtype=np.uint64)  # (n, 2): plain and mirrored of each registered image
    query = np.uint64(plain)
    distance = popcount64(stored ^ query)  # the suspect's plain hash against both forms of each
    best = distance.min(axis=1)
    found = []
    for i in np.flatnonzero(best <= IMAGE_MAX_DISTANCE):
        mirrored = bool(distance[i, 1] < distance[i, 0])
        score = 1.0 - float(best[i]) / 64.0
        found.append(Match(rows[i][0], score, 0, 0, 0, 0, mirrored, MediaKind.IMAGE))
    return found


# A suspect longer than this is matched in windows: the score is the share of the query's frames that agree,
# so a short pirated excerpt inside a long compilation would score low as a whole.
WINDOW_MS = 60_000


def _windows(vp: VideoPrint) -> list[tuple[int, VideoPrint]]:
    """(first frame, the print of that window): the whole print when short, else 60-second windows every
    30 seconds (the last one ends at the end)."""
    size = max(1, WINDOW_MS // vp.step_ms)
    n = len(vp.hashes)
    if n <= size * 3 // 2:
        return [(0, vp)]
    starts = [*range(0, n - size, size // 2), n - size]
    return [
        (a, VideoPrint(vp.step_ms, vp.hashes[a : a + size], vp.mirrored[a : a + size], size * vp.step_ms))
        for a in sorted(set(starts))
    ]


def video_matches(vp: VideoPrint, *, limit: int = RESULTS) -> list[Match]:
    """The index's matches of a video print, window by window for a long one: windows that agree on a
    version at the same offset are joined into one range, scored by their best window."""
    index = video_index()
    joined: dict[tuple[int, bool, int], Match] = {}
    for first, window in _windows(vp):
        shift = first * vp.step_ms
        for m in index.match(window, threshold=MATCH_THRESHOLD, max_results=limit):
            m = replace(m, query_start_ms=m.query_start_ms + shift, query_end_ms=m.query_end_ms + shift)
            # The same alignment (to the second) in two windows is one copied stretch.
            key = (m.ref_id, m.mirrored, round((m.ref_start_ms - m.query_start_ms) / 1000))
            kept = joined.get(key)
            if kept is None:
                joined[key] = m
            else:
                joined[key] = replace(
                    kept,
                    score=max(kept.score, m.score),
                    query_start_ms=min(kept.query_start_ms, m.query_start_ms),
                    query_end_ms=max(kept.query_end_ms, m.query_end_ms),
                    ref_start_ms=min(kept.ref_start_ms, m.ref_start_ms),
                    ref_end_ms=max(kept.ref_end_ms, m.ref_end_ms),
                )
    return sorted(joined.values(), key=lambda m: (-m.score, m.ref_id))


def suspect_matches(path: str, media: str, *, limit: int = RESULTS) -> list[Match]:
    """The registered versions a suspect file matches, best first: for a video its picture (the index)
    and its sound; for audio its sound; for an image its perceptual hash. One row per version (the best)."""
    found: list[Match] = []
    if media == MediaKind.VIDEO:
        found += video_matches(video_fingerprint(path), limit=limit)
        found += _audio_matches(path)
    elif media == MediaKind.AUDIO:
        found += _audio_matches(path)
    elif media == MediaKind.IMAGE:
        found += _image_matches(path)
    best: dict[int, Match] = {}
    for match in found:
        kept = best.get(match.ref_id)
        # The picture's match before the sound's for the same version: it carries the mirrored flag and
        # is what the frames in the evidence pack show.
        if kept is None or ((match.kind, match.score) > (kept.kind, kept.score) and match.kind == kept.kind):
            best[match.ref_id] = match
        elif kept.kind == MediaKind.AUDIO and match.kind == MediaKind.VIDEO:
            best[match.ref_id] = match
    return sorted(best.values(), key=lambda m: (-m.score, m.ref_id))[:limit]

"""Find which registered videos a query video was cut from: multi-index hashing over frame hashes.

Each stored 64-bit frame hash is split into 4 bands of 16 bits; per band the frames are sorted by the
band's value, so the frames sharing a band value are one slice. A query looks up each band's value and
its 16 one-bit neighbours: two frames within 7 bits always meet (one band is at most 1 bit off), and
near copies mostly do. Candidate frames vote for an alignment (reference, time
offset, mirrored or not); the best alignments are verified frame by frame by Hamming distance, and the
score is the share of the query's frames that agree. brute_force_match does the same with every stored
frame as a candidate: the baseline of the benchmark, and the check that the index misses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shouzhan.assets.fingerprints.phash import BLANK, popcount64
from shouzhan.assets.fingerprints.video import VideoPrint

# A query frame agrees with the reference frame at the same moment when at most FRAME_BOUND of 64 bits
# differ. Measured on tests/assets' synthetic set: transformed copies (resized, low bitrate, watermarked,
# mirrored, padded) differ by a median of 6 bits, 90% by at most 14; unrelated frames by 32 on average.
FRAME_BOUND = 14
# A candidate frame pair found through a band votes only if it is at most this far apart.
CANDIDATE_BOUND = 16
# The share of a query's frames that must agree for a match. On the same set the right episode scores
# at least 0.71 for 90% of the clips; unrelated videos and wrong episodes at most 0.22.
MATCH_THRESHOLD = 0.3
BANDS = 4
BAND_BITS = 16
ALIGNMENTS_VERIFIED = 12
# A band value shared by more frames than this (flat or repetitive pictures) gives no useful candidates.
MAX_BUCKET_FLOOR = 4096
MAX_BUCKET_FACTOR = 64  # ... or than this many times the mean bucket, whichever is larger

_PROBES = np.array([0] + [1 << k for k in range(BAND_BITS)], dtype=np.int64)
Hashes = npt.NDArray[np.uint64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Match:
    ref_id: int
    score: float  # 0..1: share of the query's frames that agree at the chosen offset
    query_start_ms: int
    query_end_ms: int
    ref_start_ms: int
    ref_end_ms: int
    mirrored: bool
    kind: str  # "video" | "audio" | "image"


class _Frames:
    """Stored frames sorted by (reference, time): the reference's frames are one contiguous slice."""

    ref_ids: Ints  # the distinct reference ids, sorted; ref_of[frame] indexes it

    def __init__(self, parts: list[tuple[int, int, int, Hashes]], base: _Frames | None = None) -> None:
        """From segments (ref_id, start_ms, step_ms, hashes), added to the frames of `base`."""
        lens = np.array([len(p[3]) for p in parts], dtype=np.int64)
        within = np.arange(int(lens.sum()), dtype=np.int64) - np.repeat(np.cumsum(lens) - lens, lens)
        refs = np.repeat(np.array([p[0] for p in parts], dtype=np.int64), lens)
        times = np.repeat(np.array([p[1] for p in parts], dtype=np.int64), lens)
        times += within * np.repeat(np.array([p[2] for p in parts], dtype=np.int64), lens)
        del within
        hashes = np.concatenate([p[3] for p in parts]).astype(np.uint64) if parts else np.zeros(0, np.uint64)
        self.max_step = max([p[2] for p in parts], default=0)
        if base is not None and len(base):
            refs = np.concatenate([base.ref_ids[base.ref_of].astype(np.int64), refs])
            times = np.concatenate([base.times, times])
            hashes = np.concatenate([base.hashes, hashes])
            self.max_step = max(self.max_step, base.max_step)
        # Sorted in place of the unsorted arrays, one at a time: the peak stays near one extra copy.
        order = np.lexsort((times, refs))
        self.hashes: Hashes = hashes[order]
        del hashes
        self.times: Ints = times[order]
        del times
        refs = refs[order]
        del order
        ids, first = np.unique(refs, return_index=True)
        self.ref_ids = ids.astype(np.int64)
        self.ref_lo: Ints = first.astype(np.int64)
        self.ref_hi: Ints = np.append(first[1:], len(refs)).astype(np.int64)
        del refs
        self.ref_of: npt.NDArray[np.int32] = np.repeat(
            np.arange(len(self.ref_ids), dtype=np.int32), self.ref_hi - self.ref_lo
        )

    def __len__(self) -> int:
        return len(self.hashes)


def _query_frames(query: VideoPrint) -> tuple[Ints, Hashes, Hashes]:
    """(indices, plain, mirrored) of the query's frames that have a picture."""
    keep = np.flatnonzero(query.hashes != BLANK).astype(np.int64)
    return keep, query.hashes[keep], query.mirrored[keep]


def _vote(
    store: _Frames, step: int, qi: Ints, frame: Ints, mirrored: npt.NDArray[np.bool_]
) -> list[tuple[int, int, bool]]:
    """The alignments (ref index, offset in steps, mirrored) with the most distinct query frames voting."""
    if len(qi) == 0:
        return []
    ref = store.ref_of[frame].astype(np.int64)
    offset = np.rint((store.times[frame] - qi * step) / step).astype(np.int64)
    key = (ref << 33) | ((offset + (1 << 31)) << 1) | mirrored.astype(np.int64)
    pairs = np.unique(np.stack([key, qi]), axis=1)  # one vote per query frame per alignment
    keys, votes = np.unique(pairs[0], return_counts=True)
    best = keys[np.argsort(-votes, kind="stable")[:ALIGNMENTS_VERIFIED]]
    return [(int(k >> 33), int(((k >> 1) & ((1 << 32) - 1)) - (1 << 31)), bool(k & 1)) for k in best]


def _verify(
    store: _Frames, query: VideoPrint, qi: Ints, qh: Hashes, ref: int, offset: int, mirrored: bool
) -> tuple[float, int, int, int] | None:
    """(score, first and last agreeing query frame, offset in ms) of one alignment, or None."""
    lo, hi = int(store.ref_lo[ref]), int(store.ref_hi[ref])
    times = store.times[lo:hi]
    target = qi * query.step_ms + offset * query.step_ms
    j = np.searchsorted(times, target)
    tolerance = max(query.step_ms, store.max_step)
    best_d = np.full(len(qi), 65, dtype=np.int64)
    best_dt = np.zeros(len(qi), dtype=np.int64)
    for cand in (j - 1, j):  # the stored frames just before and after the moment
        ok = (cand >= 0) & (cand < len(times))
        c = np.clip(cand, 0, len(times) - 1)
        dt = times[c] - target
        d = popcount64(store.hashes[lo + c] ^ qh).astype(np.int64)
        d[~ok | (np.abs(dt) > tolerance)] = 65
        better = d < best_d
        best_d[better], best_dt[better] = d[better], dt[better]
    agree = np.flatnonzero(best_d <= FRAME_BOUND)
    if len(agree) == 0:
        return None
    shift = int(np.median(best_dt[agree]))
    return len(agree) / len(qi), int(qi[agree[0]]), int(qi[agree[-1]]), offset * query.step_ms + shift


def _matches(
    store: _Frames,
    query: VideoPrint,
    candidates: list[tuple[Ints, Ints, npt.NDArray[np.bool_]]],
    threshold: float,
    max_results: int,
) -> list[Match]:
    qi, plain, mirror = _query_frames(query)
    if len(qi) == 0 or len(store) == 0:
        return []
    alignments = _vote(
        store,
        query.step_ms,
        np.concatenate([c[0] for c in candidates]),
        np.concatenate([c[1] for c in candidates]),
        np.concatenate([c[2] for c in candidates]),
    )
    best: dict[int, Match] = {}
    best_rank: dict[int, tuple[float, bool, int]] = {}
    # A voted offset and its two neighbours: a clip cut between two sampled moments votes for either;
    # verifying all three finds the same best alignment whichever got the votes.
    tried = {(ref, offset + d, mirrored) for ref, offset, mirrored in alignments for d in (-1, 0, 1)}
    for ref, offset, mirrored in sorted(tried):
        found = _verify(store, query, qi, mirror if mirrored else plain, ref, offset, mirrored)
        if found is None or found[0] < threshold:
            continue
        score, first, last, offset_ms = found
        q_start = first * query.step_ms
        q_end = min((last + 1) * query.step_ms, max(query.duration_ms, q_start + query.step_ms))
        ref_id = int(store.ref_ids[ref])
        m = Match(
            ref_id=ref_id,
            score=round(score, 4),
            query_start_ms=q_start,
            query_end_ms=q_end,
            ref_start_ms=max(0, q_start + offset_ms),
            ref_end_ms=max(0, q_end + offset_ms),
            mirrored=mirrored,
            kind="video",
        )
        rank = (m.score, not mirrored, -offset_ms)  # ties: plain before mirrored, the earlier offset
        if ref_id not in best or rank > best_rank[ref_id]:
            best[ref_id], best_rank[ref_id] = m, rank
    return sorted(best.values(), key=lambda m: (-m.score, m.ref_id))[:max_results]


def _near(
    store: _Frames, qi: Ints, qh: Hashes, frame: Ints, mirrored: bool
) -> tuple[Ints, Ints, npt.NDArray[np.bool_]]:
    """The candidate pairs (query frame, stored frame) that are within CANDIDATE_BOUND bits."""
    close = popcount64(store.hashes[frame] ^ qh) <= CANDIDATE_BOUND
    return qi[close], frame[close], np.full(int(close.sum()), mirrored)


class VideoIndex:
    """Frame hashes of registered videos; add() each stored segment, freeze(), then match() queries."""

    def __init__(self) -> None:
        self._parts: list[tuple[int, int, int, Hashes]] = []
        self._store = _Frames([])
        self._perm: list[npt.NDArray[np.int32]] = []
        self._starts: list[Ints] = []
        self._max_bucket = MAX_BUCKET_FLOOR
        self._frozen = True

    def add(self, ref_id: int, start_ms: int, step_ms: int, hashes: npt.NDArray[Any]) -> None:
        """One stored segment: hashes[i] is the reference's frame at start_ms + i * step_ms."""
        if step_ms <= 0:
            raise ValueError("step_ms must be positive")
        self._parts.append((int(ref_id), int(start_ms), int(step_ms), np.asarray(hashes, dtype=np.uint64)))
        self._frozen = False

    def __len__(self) -> int:
        self.freeze()
        return len(self._store)

    def freeze(self) -> None:
        """Build the sorted bands; match() calls it when segments were added since."""
        if self._frozen:
            return
        self._store = _Frames(self._parts, self._store)
        self._parts = []
        indexed = np.flatnonzero(self._store.hashes != BLANK).astype(np.int32)
        pictures = self._store.hashes[indexed]
        self._perm, self._starts = [], []
        for b in range(BANDS):
            band = ((pictures >> np.uint64(b * BAND_BITS)) & np.uint64(0xFFFF)).astype(np.uint16)
            order = np.argsort(band, kind="stable")
            self._perm.append(indexed[order])
            band = band[order]
            del order
            self._starts.append(np.searchsorted(band, np.arange((1 << BAND_BITS) + 1)).astype(np.int64))
        del pictures
        self._max_bucket = max(MAX_BUCKET_FLOOR, MAX_BUCKET_FACTOR * len(indexed) // (1 << BAND_BITS))
        self._frozen = True

    def _lookup(self, qi: Ints, qh: Hashes, mirrored: bool) -> tuple[Ints, Ints, npt.NDArray[np.bool_]]:
        """Candidate pairs: stored frames equal to a query frame in a band, or one bit away from it."""
        qs, frames = [], []
        for b in range(BANDS):
            exact = ((qh >> np.uint64(b * BAND_BITS)) & np.uint64(0xFFFF)).astype(np.int64)
            # Multi-probe: the band's value and its 16 one-bit neighbours, so any two frames within 7 bits
            # (4 bands, one of them at most 1 bit off) meet; (Q, 17) values flattened query by query.
            values = (exact[:, None] ^ _PROBES[None, :]).ravel()
            owner = np.repeat(np.arange(len(qh)), len(_PROBES))
            lo, hi = self._starts[b][values], self._starts[b][values + 1]
            size = hi - lo
            size[size > self._max_bucket] = 0
            total = int(size.sum())
            if total == 0:
                continue
            # All the slices perm[lo:hi] at once: each slice's start, repeated, plus a running index.
            ends = np.cumsum(size)
            pos = np.repeat(lo - (ends - size), size) + np.arange(total)
            frames.append(self._perm[b][pos].astype(np.int64))
            qs.append(np.repeat(owner, size))
        if not frames:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool)
        q = np.concatenate(qs)
        f = np.concatenate(frames)
        return _near(self._store, qi[q], qh[q], f, mirrored)

    def match(
        self, query: VideoPrint, *, threshold: float = MATCH_THRESHOLD, max_results: int = 10
    ) -> list[Match]:
        """The registered videos the query was taken from, best first (plain and mirrored)."""
        self.freeze()
        qi, plain, mirror = _query_frames(query)
        candidates = [self._lookup(qi, plain, False), self._lookup(qi, mirror, True)]
        return _matches(self._store, query, candidates, threshold, max_results)


def brute_force_match(
    segments: Iterable[tuple[int, int, int, npt.NDArray[Any]]],
    query: VideoPrint,
    *,
    threshold: float = MATCH_THRESHOLD,
    max_results: int = 10,
) -> list[Match]:
    """The same answer as VideoIndex.match, comparing every query frame with every stored frame."""
    store = _Frames([(int(r), int(s), int(st), np.asarray(h, dtype=np.uint64)) for r, s, st, h in segments])
    qi, plain, mirror = _query_frames(query)
    indexed = np.flatnonzero(store.hashes != BLANK).astype(np.int64)
    candidates = []
    for hashes, mirrored in ((plain, False), (mirror, True)):
        for i in range(len(qi)):
            close = indexed[popcount64(store.hashes[indexed] ^ hashes[i]) <= CANDIDATE_BOUND]
            candidates.append((np.full(len(close), qi[i], np.int64), close, np.full(len(close), mirrored)))
    if not candidates:
        return []
    return _matches(store, query, candidates, threshold, max_results)

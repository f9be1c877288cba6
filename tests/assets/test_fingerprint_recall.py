"""Recall of the video fingerprints on synthetic episodes and pirated-style clips (tests/assets/media_fixtures).

All episodes are registered in a VideoIndex the way the registry stores them (10 s segments); every clip
must find its own episode with its start time, no unrelated video may match, and the index must give
the brute-force answer. `pytest -s` prints the recall overall and per transformation.
"""

from __future__ import annotations

import time
from collections import defaultdict

import pytest

from shouzhan.assets.fingerprints import (
    MATCH_THRESHOLD,
    Match,
    VideoIndex,
    brute_force_match,
    hashes_from_bytes,
    segments,
)
from tests.assets.media_fixtures import TRANSFORMS, Clip, MediaSet, build_media_set

START_TOLERANCE_MS = 2_000


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> MediaSet:
    started = time.monotonic()
    media = build_media_set(tmp_path_factory)
    print(f"\nsynthetic set: {len(media.episodes)} episodes, {len(media.clips)} clips, "
          f"{len(media.unrelated)} unrelated, made and fingerprinted in {time.monotonic() - started:.1f} s")  # fmt: skip
    return media


@pytest.fixture(scope="module")
def stored(media: MediaSet) -> list[tuple[int, int, int, object]]:
    """Each episode's segments as the registry keeps them: (episode, start_ms, step_ms, hashes)."""
    out = []
    for ref_id, path in enumerate(media.episodes):
        vp = media.prints[path]
        out += [(ref_id, start, vp.step_ms, hashes_from_bytes(b)) for start, _end, b in segments(vp)]
    return out


@pytest.fixture(scope="module")
def index(stored) -> VideoIndex:
    idx = VideoIndex()
    for ref_id, start, step, hashes in stored:
        idx.add(ref_id, start, step, hashes)
    idx.freeze()
    return idx


def _found(clip: Clip, matches: list[Match]) -> bool:
    """The best match is the clip's episode, at the clip's start (within 2 s)."""
    if not matches:
        return False
    best = matches[0]
    start = best.ref_start_ms - best.query_start_ms
    return best.ref_id == clip.episode and abs(start - clip.start_ms) <= START_TOLERANCE_MS


def test_the_synthetic_set_is_large_enough(media):
    assert len(media.episodes) >= 20
    assert len(media.clips) >= 100
    assert len(media.unrelated) >= 10
    assert {c.transform for c in media.clips} == set(TRANSFORMS)
    assert all(8_000 <= media.prints[c.path].duration_ms <= 31_000 for c in media.clips)


def test_clips_find_their_episode_and_start_time(media, index):
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed = []
    for clip in media.clips:
        ok = _found(clip, index.match(media.prints[clip.path]))
        per[clip.transform][0] += ok
        per[clip.transform][1] += 1
        if not ok:
            missed.append(f"{clip.path.name} ({clip.transform})")
    recall = sum(v[0] for v in per.values()) / len(media.clips)
    print(f"\nrecall {recall:.3f} over {len(media.clips)} clips (threshold {MATCH_THRESHOLD})")
    for transform in TRANSFORMS:
        hit, total = per[transform]
        print(f"  {transform:<30} {hit:>3}/{total:<3} {hit / total:.2f}")
    print("  missed:", ", ".join(missed) or "none")
    assert recall >= 0.9


def test_no_unrelated_video_and_no_other_episode_matches(media, index):
    for path in media.unrelated:
        assert index.match(media.prints[path]) == [], path.name
    wrong = [
        (clip.path.name, m.ref_id, m.score)
        for clip in media.clips
        for m in index.match(media.prints[clip.path])
        if m.ref_id != clip.episode
    ]
    assert wrong == []


def test_the_index_answers_like_brute_force(media, index, stored):
    queries = [*(c.path for c in media.clips), *media.unrelated]
    different = [
        p.name for p in queries if index.match(media.prints[p]) != brute_force_match(stored, media.prints[p])
    ]
    assert different == []

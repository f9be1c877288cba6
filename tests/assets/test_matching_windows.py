"""A long upload that contains a short stretch of a registered episode (a compilation) is matched window by
window: the stretch is found with its ranges, where the whole upload's score would fall under the threshold."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from shouzhan.assets.fingerprints.index import MATCH_THRESHOLD
from shouzhan.assets.fingerprints.video import VideoPrint
from shouzhan.assets.matching import video_index, video_matches
from shouzhan.assets.models import AssetVersion, Blob, Fingerprint, Work

pytestmark = pytest.mark.django_db
STEP = 500


def _episode(enterprise: Any, hashes: np.ndarray) -> AssetVersion:
    blob = Blob.objects.create(sha256="a" * 64, size=1, format="mp4", media="video", file="x.mp4")
    work = Work.objects.create(enterprise=enterprise, kind="episode", title="梧桐来信 第2集")
    version = AssetVersion.objects.create(
        work=work, number=1, blob=blob, filename="2.mp4", code="SZ-TEST-TEST-TT"
    )
    per = 10_000 // STEP
    for i in range(0, len(hashes), per):
        part = hashes[i : i + per]
        Fingerprint.objects.create(
            version=version, kind="video", start_ms=i * STEP, end_ms=(i + len(part)) * STEP, step_ms=STEP,
            hashes=part.astype("<u8").tobytes(),
        )  # fmt: skip
    return version


def test_a_stretch_inside_a_long_compilation_is_found_with_its_ranges(make_enterprise: Any) -> None:
    rng = np.random.default_rng(18)
    enterprise, _owner = make_enterprise(name="光合剧场")
    episode = rng.integers(1, 2**63, size=240, dtype=np.uint64)  # 2 minutes
    version = _episode(enterprise, episode)
    # 3 minutes of other material, then 40 s of the episode from 00:30 (3 bits changed a frame), then 2 minutes more.
    copied = episode[60:140].copy()
    for k in range(3):
        copied ^= np.uint64(1) << rng.integers(0, 64, size=len(copied), dtype=np.uint64)
    frames = np.concatenate(
        [
            rng.integers(1, 2**63, size=360, dtype=np.uint64),
            copied,
            rng.integers(1, 2**63, size=240, dtype=np.uint64),
        ]
    )
    query = VideoPrint(STEP, frames, frames.copy(), len(frames) * STEP)
    whole = video_index().match(query, threshold=0.0, max_results=3)
    assert not whole or whole[0].score < MATCH_THRESHOLD  # as a whole, the stretch is 80 of 680 frames
    (match,) = video_matches(query)
    assert match.ref_id == version.pk
    assert (match.ref_start_ms, match.ref_end_ms) == (30_000, 70_000)
    assert (match.query_start_ms, match.query_end_ms) == (180_000, 220_000)
    assert match.score == 0.6667  # its best window (60 s) holds 40 s of the episode

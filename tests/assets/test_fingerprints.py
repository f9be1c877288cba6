"""Unit tests of the media fingerprints: perceptual hashes, borders, media info, audio, segments, index."""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shouzhan.assets.fingerprints import (
    MediaError,
    VideoIndex,
    VideoPrint,
    audio_fingerprint,
    audio_match,
    brute_force_match,
    dct_hash,
    dct_hashes,
    frame_jpeg,
    hamming,
    hashes_from_bytes,
    image_hashes,
    media_probe,
    popcount64,
    segments,
    video_fingerprint,
)
from shouzhan.assets.fingerprints.phash import BLANK
from shouzhan.assets.fingerprints.video import border_box, crop_borders
from tests.assets.media_fixtures import ffmpeg, melody

MANDEL = "mandelbrot=s=320x240:r=10:maxiter=120:start_x=-0.743644:start_y=-0.131826:start_scale=0.05:end_scale=0.005"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A few small media files, made once for this module."""
    root = tmp_path_factory.mktemp("fingerprint_units")
    f = {
        "video": root / "video.mp4",
        "padded": root / "padded.mp4",
        "silent": root / "silent.mp4",
        "song": root / "song.m4a",
        "song_cut": root / "song_cut.mp3",
        "other_song": root / "other_song.m4a",
        "still": root / "still.png",
        "other_still": root / "other_still.png",
    }
    ffmpeg(
        "-f", "lavfi", "-i", f"{MANDEL}:end_pts=200,format=yuv420p",
        "-f", "lavfi", "-i", melody(random.Random(1), 12), "-t", "12",
        "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", str(f["video"]),
    )  # fmt: skip
    ffmpeg(
        "-i", str(f["video"]), "-vf", "pad=w=iw:h=ceil(ih*1.4/2)*2:x=0:y=(oh-ih)/2:color=black,setsar=1",
        "-c:v", "libx264", "-preset", "ultrafast", "-an", str(f["padded"]),
    )  # fmt: skip
    ffmpeg("-i", str(f["video"]), "-an", "-c:v", "copy", str(f["silent"]))
    ffmpeg("-f", "lavfi", "-i", melody(random.Random(2), 60), "-c:a", "aac", "-b:a", "64k", str(f["song"]))
    ffmpeg(
        "-ss",
        "17.3",
        "-i",
        str(f["song"]),
        "-t",
        "15",
        "-c:a",
        "libmp3lame",
        "-b:a",
        "48k",
        str(f["song_cut"]),
    )
    ffmpeg("-f", "lavfi", "-i", melody(random.Random(3), 60), "-c:a", "aac", str(f["other_song"]))
    ffmpeg("-f", "lavfi", "-i", MANDEL, "-frames:v", "1", str(f["still"]))
    other = "gradients=s=320x240:n=4:c0=black:c1=white:c2=red:c3=blue:type=1:seed=5"
    ffmpeg("-f", "lavfi", "-i", other, "-frames:v", "1", str(f["other_still"]))
    return f


def _gray(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L"), dtype=np.uint8)


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


# --- perceptual hashes ---


def test_dct_hash_is_close_for_a_resized_reencoded_copy_and_far_for_another_picture(files):
    original = Image.open(files["still"])
    copy = Image.open(io.BytesIO(_jpeg(original.resize((160, 120)), quality=30)))
    h = dct_hash(_gray(files["still"]))
    near = hamming(h, dct_hash(np.asarray(copy.convert("L"))))
    far = hamming(h, dct_hash(_gray(files["other_still"])))
    print(f"copy {near} bits, other picture {far} bits")
    assert near <= 4
    assert far >= 20


def test_image_hashes_mirrored_equals_the_plain_hash_of_the_mirrored_image(files):
    original = Image.open(files["still"])
    plain, mirrored = image_hashes(files["still"].read_bytes())
    buf = io.BytesIO()
    original.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(buf, "PNG")
    flipped_plain, flipped_mirrored = image_hashes(buf.getvalue())
    assert hamming(flipped_plain, mirrored) <= 1
    assert hamming(flipped_mirrored, plain) <= 1
    assert hamming(plain, mirrored) >= 16  # the picture is not symmetric: a mirror is another hash


def test_image_hashes_refuses_bytes_that_are_no_image():
    with pytest.raises(MediaError) as err:
        image_hashes(b"this is not a picture at all")
    assert err.value.message == "图片文件已损坏或格式无法识别"


def test_blank_frames_hash_to_blank_and_others_have_32_bits():
    rng = np.random.default_rng(0)
    frames = np.stack([np.full((32, 32), 128.0), rng.uniform(0, 255, (32, 32)), np.full((32, 32), 3.0)])
    hashes = dct_hashes(frames)
    assert [int(hashes[0]), int(hashes[2])] == [BLANK, BLANK]
    assert int(hashes[1]).bit_count() == 32  # bits vs the median of 64 distinct coefficients


def test_vectorised_hashes_equal_one_by_one_and_popcount_equals_python():
    rng = np.random.default_rng(1)
    frames = rng.uniform(0, 255, (20, 32, 32))
    assert [int(h) for h in dct_hashes(frames)] == [dct_hash(f) for f in frames]
    values = rng.integers(0, 2**63, 1000, dtype=np.int64).astype(np.uint64) * np.uint64(2) + np.uint64(1)
    assert popcount64(values).tolist() == [int(v).bit_count() for v in values]
    assert hamming(0b1011, 0b0110) == 3
    assert hamming(values[:3], values[:3]).tolist() == [0, 0, 0]


# --- borders ---


def _moving(n: int, h: int, w: int, seed: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(30, 230, (n, h, w), dtype=np.uint8)


def test_border_box_finds_even_padding_also_under_a_watermark():
    picture = _moving(20, 60, 80)
    padded = np.full((20, 120, 160), 16, dtype=np.uint8)
    padded[:, 30:90, 40:120] = picture
    assert border_box(padded) == (30, 90, 40, 120)
    padded[:, 5:20, 10:70] = 250  # a static watermark written over the top-left padding
    assert border_box(padded) == (30, 90, 40, 120)
    assert np.array_equal(crop_borders(padded), picture)


def test_border_box_keeps_a_flat_stripe_along_one_edge_and_a_picture_without_border():
    frames = _moving(20, 120, 160)
    assert border_box(frames) == (0, 120, 0, 160)
    frames[:, :, 120:] = 255  # a white sky at the right only: a picture, not padding
    assert border_box(frames) == (0, 120, 0, 160)


def test_a_padded_video_hashes_like_the_original(files):
    original = video_fingerprint(str(files["video"]))
    padded = video_fingerprint(str(files["padded"]))
    assert len(original.hashes) == len(padded.hashes) == 24
    distances = hamming(original.hashes, padded.hashes)
    print("padded vs original, bits per frame:", distances.tolist())
    assert int(np.median(distances)) <= 4
    assert int(distances.max()) <= 12


# --- media info ---


def test_media_probe_reports_kind_duration_size_and_codec(files):
    assert media_probe(str(files["video"])) == media_probe(str(files["video"]))
    info = media_probe(str(files["video"]))
    assert (info.kind, info.width, info.height, info.has_video, info.has_audio, info.codec) == (
        "video", 320, 240, True, True, "h264",
    )  # fmt: skip
    assert 11_900 <= info.duration_ms <= 12_100
    song = media_probe(str(files["song"]))
    assert (song.kind, song.has_video, song.has_audio, song.codec, song.width) == (
        "audio",
        False,
        True,
        "aac",
        0,
    )
    still = media_probe(str(files["still"]))
    assert (still.kind, still.duration_ms, still.width, still.height) == ("image", 0, 320, 240)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("truncated", "文件已损坏或格式无法识别"),
        ("text", "文件已损坏或格式无法识别"),
        ("empty", "文件为空"),
        ("missing", "找不到媒体文件"),
        ("playlist", "文件已损坏或格式无法识别"),
    ],
)
def test_media_probe_refuses_a_broken_file_in_words(files, tmp_path, make, message):
    path = tmp_path / "upload.mp4"
    if make == "truncated":  # the index (moov) of an ffmpeg mp4 is at its end: cut off
        path.write_bytes(files["video"].read_bytes()[: files["video"].stat().st_size // 3])
    elif make == "text":
        path.write_text("这不是视频，只是一段文字。\n" * 50, encoding="utf-8")
    elif make == "empty":
        path.write_bytes(b"")
    elif make == "playlist":  # an HLS playlist that would make ffmpeg read another file
        path.write_text(
            "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
        )
    with pytest.raises(MediaError) as err:
        media_probe(str(path))
    assert err.value.message == message
    assert str(err.value) == message


def test_video_fingerprint_of_a_sound_file_has_no_picture(files):
    with pytest.raises(MediaError) as err:
        video_fingerprint(str(files["song"]))
    assert err.value.message == "文件中没有视频画面"


def test_frame_jpeg_is_a_thumbnail_of_the_requested_width(files):
    data = frame_jpeg(str(files["video"]), 5_000, width=200)
    img = Image.open(io.BytesIO(data))
    assert (img.format, img.size) == ("JPEG", (200, 150))


# --- audio ---


def test_audio_fingerprint_is_none_without_a_sound_track(files):
    assert audio_fingerprint(str(files["silent"])) is None


def test_audio_match_finds_a_cut_clip_with_its_offset(files):
    song = audio_fingerprint(str(files["song"]))
    cut = audio_fingerprint(str(files["song_cut"]))
    other = audio_fingerprint(str(files["other_song"]))
    assert song is not None and cut is not None and other is not None
    matches = audio_match(cut, [(7, other), (3, song)])
    assert [(m.ref_id, m.kind, m.mirrored) for m in matches] == [(3, "audio", False)]
    m = matches[0]
    assert m.score >= 0.9
    assert abs((m.ref_start_ms - m.query_start_ms) - 17_300) <= 150
    assert m.query_start_ms <= 500 and m.query_end_ms >= 12_000
    assert audio_match(other, [(3, song)]) == []


# --- segments and the index ---


def test_segments_round_trip_and_cover_the_duration():
    hashes = np.arange(1, 46, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    vp = VideoPrint(step_ms=500, hashes=hashes, mirrored=hashes[::-1].copy(), duration_ms=22_400)
    parts = segments(vp)
    assert [(s, e, len(b)) for s, e, b in parts] == [
        (0, 10_000, 160),
        (10_000, 20_000, 160),
        (20_000, 22_400, 40),
    ]
    assert np.array_equal(np.concatenate([hashes_from_bytes(b) for _, _, b in parts]), hashes)
    with pytest.raises(ValueError):
        hashes_from_bytes(b"1234567")


def _random_hashes(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(1, 2**63, n, dtype=np.int64).astype(np.uint64) | np.uint64(1 << 63)


def _noisy(rng: np.random.Generator, hashes: np.ndarray, bits: int) -> np.ndarray:
    flips = np.zeros(len(hashes), dtype=np.uint64)
    for _ in range(bits):
        flips |= np.uint64(1) << rng.integers(0, 64, len(hashes)).astype(np.uint64)
    return hashes ^ flips


def test_video_index_finds_the_reference_offset_and_mirror_like_brute_force():
    rng = np.random.default_rng(3)
    refs = {ref_id: _random_hashes(rng, 240) for ref_id in (11, 12, 13)}
    index = VideoIndex()
    stored = []
    for ref_id, hashes in refs.items():
        for start in range(0, 240, 20):  # segments of 10 s, added out of order across references
            index.add(ref_id, start * 500, 500, hashes[start : start + 20])
            stored.append((ref_id, start * 500, 500, hashes[start : start + 20]))
    index.freeze()
    assert len(index) == 720
    # a 30 s clip of reference 12 from 41 s, with ~5 bits of noise per frame, played mirrored
    clip = _noisy(rng, refs[12][82:142], 5)
    query = VideoPrint(step_ms=500, hashes=_random_hashes(rng, 60), mirrored=clip, duration_ms=30_000)
    found = index.match(query)
    assert [(m.ref_id, m.mirrored, m.kind) for m in found] == [(12, True, "video")]
    m = found[0]
    assert m.score >= 0.95
    assert (m.query_start_ms, m.query_end_ms, m.ref_start_ms, m.ref_end_ms) == (0, 30_000, 41_000, 71_000)
    assert brute_force_match(stored, query) == found
    unrelated = VideoPrint(500, _random_hashes(rng, 60), _random_hashes(rng, 60), 30_000)
    assert index.match(unrelated) == [] == brute_force_match(stored, unrelated)
    # a reference added after freeze() is found too
    index.add(14, 0, 500, refs[13][::-1].copy())
    late = VideoPrint(500, refs[13][::-1][100:140].copy(), _random_hashes(rng, 40), 20_000)
    assert [(m.ref_id, m.ref_start_ms) for m in index.match(late)] == [(14, 50_000)]


def test_blank_query_frames_do_not_count_and_an_all_blank_query_matches_nothing():
    rng = np.random.default_rng(4)
    ref = _random_hashes(rng, 100)
    index = VideoIndex()
    index.add(1, 0, 500, ref)
    half_blank = ref[20:60].copy()
    half_blank[::2] = BLANK
    q = VideoPrint(500, half_blank, _random_hashes(rng, 40), 20_000)
    assert [(m.ref_id, m.score, m.ref_start_ms) for m in index.match(q)] == [(1, 1.0, 10_500)]
    blank = np.zeros(40, dtype=np.uint64)
    assert index.match(VideoPrint(500, blank, blank, 20_000)) == []


def test_video_index_at_scale_finds_noisy_clips_among_fifty_hours():
    """360,000 stored frames (50 hours at 500 ms) in 10 s segments; correctness only, no timing."""
    rng = np.random.default_rng(5)
    index = VideoIndex()
    refs = [_random_hashes(rng, 7_200) for _ in range(50)]
    for ref_id, hashes in enumerate(refs):
        for start in range(0, 7_200, 20):
            index.add(ref_id, start * 500, 500, hashes[start : start + 20])
    assert len(index) == 360_000
    for ref_id, start in [(0, 0), (17, 3_333), (49, 7_080)]:
        clip = _noisy(rng, refs[ref_id][start : start + 120], 6)
        found = index.match(VideoPrint(500, clip, _random_hashes(rng, len(clip)), len(clip) * 500))
        assert [(m.ref_id, m.ref_start_ms - m.query_start_ms) for m in found] == [(ref_id, start * 500)]


def test_a_still_image_fingerprints_as_one_frame_like_image_hashes(files):
    vp = video_fingerprint(str(files["still"]))
    assert (len(vp.hashes), vp.step_ms) == (1, 500)
    assert (int(vp.hashes[0]), int(vp.mirrored[0])) == image_hashes(files["still"].read_bytes())


def test_audio_match_by_voted_offsets_finds_the_same_offset(files, monkeypatch):
    from shouzhan.assets.fingerprints import audio

    monkeypatch.setattr(audio, "FULL_SCAN_ITEMS", 0)  # long references: only the voted offsets are tried
    song = audio_fingerprint(str(files["song"]))
    cut = audio_fingerprint(str(files["song_cut"]))
    assert song is not None and cut is not None
    [m] = audio_match(cut, [(3, song)])
    assert m.ref_id == 3 and m.score >= 0.9
    assert abs((m.ref_start_ms - m.query_start_ms) - 17_300) <= 150

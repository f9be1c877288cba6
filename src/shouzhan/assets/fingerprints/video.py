"""A video's fingerprint: one perceptual hash every step_ms, for the picture without its static borders.

ffmpeg decodes grey frames at 1000/step_ms frames a second and a modest width; borders that pirated copies
add (letterbox, pillarbox, coloured padding) are removed before hashing, so a padded clip hashes like the
original. A border is found from the content itself: rows or columns at the edges that stay one flat
value across the whole clip, in space and in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shouzhan.assets.fingerprints.media import (
    MediaError,
    MediaInfo,
    ffmpeg_reading,
    gettext_noop,
    media_probe,
    run_tool,
)
from shouzhan.assets.fingerprints.phash import HASH_SIZE, area_resize, dct_hashes

DECODE_WIDTH = 160
# Border detection. Over the sampled frames, a pixel is "static" when it stays within BORDER_TOLERANCE grey
# levels of its own median for BORDER_STATIC of the time. A border line (row or column) is static for
# BORDER_STATIC of its pixels and flat (the pixels' medians within BORDER_TOLERANCE of the line's) for at
# least BORDER_WEAK of them: a watermark drawn over the padding is static but not flat. The edge's first
# lines must include one flat for BORDER_STRONG of its pixels: the padding itself.
BORDER_TOLERANCE = 10
BORDER_STATIC = 0.8
BORDER_STRONG = 0.97
BORDER_WEAK = 0.5
# A border is narrower than this share of the height (width) at each edge (a vertical phone video
# pillarboxed in 16:9 has 34%); flat lines reaching it are a flat picture, not a border, and stay.
BORDER_MAX = 0.4
BORDER_SAMPLE = 200  # frames looked at to find the borders (evenly spread)


@dataclass
class VideoPrint:
    step_ms: int
    hashes: npt.NDArray[np.uint64]  # one per step; phash.BLANK for a frame without picture
    mirrored: npt.NDArray[np.uint64]  # the same frames mirrored left-right
    duration_ms: int


def _edge_width(static: npt.NDArray[np.float64], flat: npt.NDArray[np.float64], limit: int) -> int:
    """How many lines from the edge in are border, given each line's static and flat shares."""
    width, strong = 0, False
    for i in range(min(limit, len(flat))):
        if static[i] < BORDER_STATIC or flat[i] < BORDER_WEAK:
            break
        strong = strong or flat[i] >= BORDER_STRONG
        width = i + 1
    return 0 if width >= limit or not strong else width


def _line_shares(
    still: npt.NDArray[np.bool_], median: npt.NDArray[np.float64], axis: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Per row (axis=1) or column (axis=0): the share of static pixels and the share of flat pixels."""
    static: npt.NDArray[np.float64] = still.mean(axis=axis)
    line = np.median(median, axis=axis, keepdims=True)
    flat: npt.NDArray[np.float64] = (np.abs(median - line) <= BORDER_TOLERANCE).mean(axis=axis)
    return static, flat


def border_box(frames: npt.NDArray[np.uint8]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the picture inside static borders of frames (N, H, W)."""
    n, h, w = frames.shape
    if n == 0 or h < 4 or w < 4:
        return 0, h, 0, w
    sample = frames[np.unique(np.linspace(0, n - 1, min(n, BORDER_SAMPLE)).round().astype(int))]
    median = np.median(sample, axis=0)
    still = (np.abs(sample.astype(np.int16) - median) <= BORDER_TOLERANCE).mean(axis=0) >= BORDER_STATIC
    static, flat = _line_shares(still, median, axis=1)
    # Padding is added evenly (letterbox, pillarbox, a frame): the narrower side is the border on both;
    # a flat picture along one edge only (a white sky) is not cut away.
    edge = min(
        _edge_width(static, flat, int(h * BORDER_MAX)),
        _edge_width(static[::-1], flat[::-1], int(h * BORDER_MAX)),
    )
    edge = edge if _same_padding(median[:edge], median[h - edge :]) else 0
    top, bottom = edge, h - edge
    static, flat = _line_shares(still[top:bottom], median[top:bottom], axis=0)
    edge = min(
        _edge_width(static, flat, int(w * BORDER_MAX)),
        _edge_width(static[::-1], flat[::-1], int(w * BORDER_MAX)),
    )
    inner = median[top:bottom]
    edge = edge if _same_padding(inner[:, :edge], inner[:, w - edge :]) else 0
    return top, bottom, edge, w - edge


def _same_padding(one: npt.NDArray[np.float64], other: npt.NDArray[np.float64]) -> bool:
    """Padding is one colour on both sides (black bars, a frame): static flat edges of different values are
    the picture's own (the colour bars of a test card, a red curtain left and a blue wall right)."""
    if one.size == 0 or other.size == 0:
        return True  # no border found: nothing to compare
    return bool(abs(float(np.median(one)) - float(np.median(other))) <= BORDER_TOLERANCE)


def crop_borders(frames: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The frames (N, H, W) without their static borders (a view)."""
    top, bottom, left, right = border_box(frames)
    return frames[:, top:bottom, left:right]


def frames_print(frames: npt.NDArray[np.uint8], *, step_ms: int, duration_ms: int) -> VideoPrint:
    """The fingerprint of decoded grey frames (N, H, W), one every step_ms."""
    picture = crop_borders(frames)
    small = area_resize(picture, HASH_SIZE, HASH_SIZE)
    return VideoPrint(
        step_ms=step_ms,
        hashes=dct_hashes(small),
        mirrored=dct_hashes(small[:, :, ::-1]),
        duration_ms=duration_ms,
    )


def decode_size(info: MediaInfo, width: int = DECODE_WIDTH) -> tuple[int, int]:
    """The decoded frame size: `width` wide, the file's aspect ratio, an even height."""
    height = max(2, round(width * info.height / max(1, info.width) / 2) * 2)
    return width, min(height, 4 * width)


def decode_gray(path: str, *, step_ms: int, info: MediaInfo | None = None) -> npt.NDArray[np.uint8]:
    """Grey frames (N, H, W) sampled every step_ms, decoded by ffmpeg to raw bytes on its stdout."""
    info = info or media_probe(path)
    if not info.has_video:
        raise MediaError(gettext_noop("文件中没有视频画面"))
    w, h = decode_size(info)
    sampling = "" if info.kind == "image" else f"fps=1000/{step_ms},"  # a still has one frame, no time
    proc = run_tool(
        [
            *ffmpeg_reading(path),
            "-map",
            "0:v:0",
            "-an",
            "-sn",
            "-dn",
            "-vf",
            f"{sampling}scale={w}:{h}:flags=area,format=gray",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "pipe:1",
        ],
        timeout=120 + info.duration_ms / 1000,
    )
    n = len(proc.stdout) // (w * h)
    if proc.returncode != 0 or n == 0:
        raise MediaError(gettext_noop("视频文件已损坏或无法解码"))
    return np.frombuffer(proc.stdout, dtype=np.uint8, count=n * w * h).reshape(n, h, w)


def video_fingerprint(path: str, *, step_ms: int = 500) -> VideoPrint:
    """The fingerprint of a video (or a still image: one frame); MediaError when it has no picture."""
    if not 40 <= step_ms <= 10_000:
        raise ValueError("step_ms must be between 40 and 10000")
    info = media_probe(path)
    frames = decode_gray(path, step_ms=step_ms, info=info)
    duration = info.duration_ms or len(frames) * step_ms
    return frames_print(frames, step_ms=step_ms, duration_ms=duration)


def segments(vp: VideoPrint, *, segment_ms: int = 10_000) -> list[tuple[int, int, bytes]]:
    """(start_ms, end_ms, hashes as little-endian uint64 bytes) for each stretch of segment_ms."""
    per = max(1, segment_ms // vp.step_ms)
    out: list[tuple[int, int, bytes]] = []
    for i in range(0, len(vp.hashes), per):
        chunk = vp.hashes[i : i + per]
        start = i * vp.step_ms
        end = min(start + len(chunk) * vp.step_ms, max(vp.duration_ms, start + vp.step_ms))
        out.append((start, end, chunk.astype("<u8").tobytes()))
    return out


def hashes_from_bytes(b: bytes) -> npt.NDArray[np.uint64]:
    """The hashes stored by segments()."""
    if len(b) % 8:
        raise ValueError("hash bytes must be a multiple of 8 long")
    out: npt.NDArray[Any] = np.frombuffer(b, dtype="<u8").astype(np.uint64)
    return out

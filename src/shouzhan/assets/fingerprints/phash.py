"""64-bit perceptual hashes (DCT pHash) of small grayscale images, vectorised with numpy.

A frame is reduced to 32x32 grey levels; its 2-D DCT keeps the low frequencies, which survive resizing,
re-encoding and light overlays. The hash has one bit per low-frequency coefficient: above or below their
median. Near-uniform frames (black screens, fades) carry no picture: they hash to BLANK, which the index
skips, because they would otherwise match every other blank frame.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from shouzhan.assets.fingerprints.media import MediaError, gettext_noop

HASH_SIZE = 32
BLANK = 0  # a real hash has 32 bits set (bits vs the median), so 0 never occurs otherwise
# A 32x32 frame whose grey levels vary less than this (standard deviation, 0..255) is blank.
BLANK_STD = 2.0
MAX_IMAGE_PIXELS = 50_000_000  # an image is bounded before it is decoded (decompression bombs)


def _dct_matrix(n: int) -> npt.NDArray[np.float64]:
    # Orthonormal DCT-II: D = C @ X @ C.T.
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    c = np.cos(np.pi * (2 * i + 1) * k / (2 * n)) * np.sqrt(2.0 / n)
    c[0, :] = np.sqrt(1.0 / n)
    out: npt.NDArray[np.float64] = c.astype(np.float64)
    return out


_C = _dct_matrix(HASH_SIZE)
_C8 = np.ascontiguousarray(_C[:9])  # rows 0..8: the 8x8 block plus the (8, 0) coefficient
# The 64 coefficients hashed: the top-left 8x8 block with the DC term (plain brightness, no shape)
# replaced by (8, 0), the next vertical frequency; (8, 0) keeps its sign under a horizontal mirror.
_ROWS = np.array([r for r in range(8) for c in range(8) if (r, c) != (0, 0)] + [8])
_COLS = np.array([c for r in range(8) for c in range(8) if (r, c) != (0, 0)] + [0])
_BITS = (np.uint64(1) << np.arange(64, dtype=np.uint64)).astype(np.uint64)


def dct_hashes(frames: npt.NDArray[Any]) -> npt.NDArray[np.uint64]:
    """Hashes of N frames of 32x32 grey levels (N, 32, 32) -> (N,) uint64; blank frames hash to BLANK."""
    f = np.asarray(frames, dtype=np.float64)
    if f.ndim != 3 or f.shape[1:] != (HASH_SIZE, HASH_SIZE):
        raise ValueError(f"frames must be (N, {HASH_SIZE}, {HASH_SIZE}), not {f.shape}")
    if len(f) == 0:
        return np.zeros(0, dtype=np.uint64)
    # Only the low-frequency rows and columns of C are needed: (9x32) @ X @ (32x9).
    d = _C8 @ f @ _C8.T
    coeffs = d[:, _ROWS, _COLS]  # (N, 64)
    med = np.median(coeffs, axis=1, keepdims=True)
    bits = coeffs > med
    hashes = (bits.astype(np.uint64) * _BITS).sum(axis=1, dtype=np.uint64)
    blank = f.reshape(len(f), -1).std(axis=1) < BLANK_STD
    hashes[blank] = BLANK
    out: npt.NDArray[np.uint64] = hashes.astype(np.uint64)
    return out


def dct_hash(gray: npt.NDArray[Any]) -> int:
    """The hash of one grayscale image of any size (resized to 32x32 by area mean)."""
    g = np.asarray(gray, dtype=np.float32)
    if g.ndim != 2 or g.size == 0:
        raise ValueError("gray must be a non-empty 2-D array")
    small = area_resize(g[None, :, :], HASH_SIZE, HASH_SIZE)
    return int(dct_hashes(small)[0])


def _area_matrix(src: int, dst: int) -> npt.NDArray[np.float32]:
    """(dst, src) weights: output cell j is the mean of input [j*src/dst, (j+1)*src/dst), fractions included."""
    edges = np.arange(dst + 1, dtype=np.float64) * src / dst
    lo, hi = edges[:-1, None], edges[1:, None]
    px = np.arange(src, dtype=np.float64)[None, :]
    overlap = np.clip(np.minimum(hi, px + 1) - np.maximum(lo, px), 0.0, None)
    m: npt.NDArray[np.float32] = (overlap / overlap.sum(axis=1, keepdims=True)).astype(np.float32)
    return m


def area_resize(frames: npt.NDArray[Any], height: int, width: int) -> npt.NDArray[np.float32]:
    """Resize (N, h, w) frames to (N, height, width) by exact area mean (vectorised, no per-frame loop)."""
    f = np.asarray(frames, dtype=np.float32)
    rows = _area_matrix(f.shape[1], height)
    cols = _area_matrix(f.shape[2], width)
    out: npt.NDArray[np.float32] = (rows @ f @ cols.T).astype(np.float32, copy=False)
    return out


def popcount64(arr: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
    """Number of set bits of each uint64, vectorised."""
    a = np.asarray(arr, dtype=np.uint64)
    if hasattr(np, "bitwise_count"):  # numpy >= 2.0
        counted: npt.NDArray[np.uint8] = np.bitwise_count(a).astype(np.uint8)
        return counted
    by = np.ascontiguousarray(a).view(np.uint8).reshape(*a.shape, 8)
    total: npt.NDArray[np.uint8] = _BYTE_POP[by].sum(axis=-1, dtype=np.uint8)
    return total


_BYTE_POP = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def hamming(a: int | npt.NDArray[Any], b: int | npt.NDArray[Any]) -> Any:
    """Hamming distance of two hashes (ints -> int) or of arrays of hashes (broadcast -> uint8 array)."""
    if isinstance(a, int) and isinstance(b, int):
        return (a ^ b).bit_count()
    return popcount64(np.bitwise_xor(np.asarray(a, dtype=np.uint64), np.asarray(b, dtype=np.uint64)))


def image_gray(data: bytes, *, max_side: int = 320) -> npt.NDArray[np.uint8]:
    """Decode an image (any format Pillow reads) to grey levels, at most max_side wide or high."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
            if opened.width * opened.height > MAX_IMAGE_PIXELS:
                raise MediaError(gettext_noop("图片尺寸过大"))
            opened.draft("L", (max_side, max_side))  # JPEG: decode at a reduced scale, much faster
            img = opened.convert("L")
            img.thumbnail((max_side, max_side), Image.Resampling.BOX)
            return np.asarray(img, dtype=np.uint8)
    except MediaError:
        raise
    except (
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise MediaError(gettext_noop("图片文件已损坏或格式无法识别")) from exc


def image_hashes(data: bytes) -> tuple[int, int]:
    """(plain, horizontally mirrored) hashes of an encoded image; MediaError when it cannot be decoded."""
    from shouzhan.assets.fingerprints.video import crop_borders  # video imports this module

    gray = crop_borders(image_gray(data)[None, :, :])
    small = area_resize(gray, HASH_SIZE, HASH_SIZE)
    both = dct_hashes(np.concatenate([small, small[:, :, ::-1]]))
    return int(both[0]), int(both[1])

"""A track's geometry, vectorised with numpy: lengths (haversine), speeds, and how far points lie from a route.

Coordinates are WGS-84 degrees as a phone's `watchPosition` reports them; distances are metres on a sphere
of the mean Earth radius (IUGG, 6,371,008.8 m). Distances from a route use a local equirectangular
projection around the route, which within a district (a few km) is exact to well under a metre.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_M = 6_371_008.8

Array = npt.NDArray[np.float64]


def haversine_m(lat1: Array | float, lon1: Array | float, lat2: Array | float, lon2: Array | float) -> Array:
    """Great-circle distance in metres between points (arrays broadcast)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=np.float64)


def track_arrays(track: Sequence[Sequence[float]]) -> tuple[Array, Array, Array]:
    """Latitudes, longitudes and times (unix seconds) of a track of [lat, lon, t, …] points."""
    if not len(track):
        empty = np.zeros(0, dtype=np.float64)
        return empty, empty, empty
    data = np.asarray([p[:3] for p in track], dtype=np.float64)
    return data[:, 0], data[:, 1], data[:, 2]


def segment_lengths_m(lat: Array, lon: Array) -> Array:
    """The length of each step between consecutive points (one fewer than the points)."""
    if lat.size < 2:
        return np.zeros(0, dtype=np.float64)
    return haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])


def track_length_m(track: Sequence[Sequence[float]]) -> float:
    lat, lon, _t = track_arrays(track)
    return float(segment_lengths_m(lat, lon).sum())


def segment_speeds_kmh(lat: Array, lon: Array, t: Array) -> Array:
    """Speed of each step in km/h; a step with no time between its points counts as infinitely fast when it
    moved (a jump) and as standing still when it did not."""
    lengths = segment_lengths_m(lat, lon)
    dt = np.diff(t) if t.size >= 2 else np.zeros(0, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        speeds = np.where(
            dt > 0, lengths / np.where(dt > 0, dt, 1.0) * 3.6, np.where(lengths > 0, np.inf, 0.0)
        )
    return np.asarray(speeds, dtype=np.float64)


def distances_from_path_m(lat: Array, lon: Array, path: Sequence[Sequence[float]]) -> Array:
    """Each point's distance in metres from the nearest point of a polyline path (one point: from it)."""
    if lat.size == 0 or not len(path):
        return np.zeros(lat.size, dtype=np.float64)
    route = np.asarray([p[:2] for p in path], dtype=np.float64)
    lat0 = float(np.radians(route[:, 0].mean()))
    scale = np.radians(1.0) * EARTH_RADIUS_M  # metres per degree of latitude

    def xy(la: Array, lo: Array) -> Array:
        return np.stack([np.asarray(lo) * scale * np.cos(lat0), np.asarray(la) * scale], axis=-1)

    points = xy(lat, lon)  # (n, 2)
    nodes = xy(route[:, 0], route[:, 1])  # (m, 2)
    if len(nodes) == 1:
        return np.asarray(np.linalg.norm(points - nodes[0], axis=1), dtype=np.float64)
    a, b = nodes[:-1], nodes[1:]  # (m-1, 2) each
    ab = b - a
    length2 = (ab**2).sum(axis=1)  # (m-1,)
    ap = points[:, None, :] - a[None, :, :]  # (n, m-1, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(length2 > 0, (ap * ab[None]).sum(axis=2) / np.where(length2 > 0, length2, 1.0), 0.0)
    share = np.clip(share, 0.0, 1.0)
    nearest = a[None] + share[..., None] * ab[None]
    return np.asarray(np.linalg.norm(points[:, None, :] - nearest, axis=2).min(axis=1), dtype=np.float64)


def within_m(lat: float, lon: float, point_lat: float, point_lon: float, radius_m: float) -> bool:
    return float(haversine_m(lat, lon, point_lat, point_lon)) <= radius_m

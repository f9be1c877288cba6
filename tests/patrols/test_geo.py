"""A track's geometry with exact figures, each expected value worked out here by the textbook formula
(never by calling geo.py twice): haversine on R = 6,371,008.8 m, speeds in km/h, distances from a route."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shouzhan.patrols import geo

R = 6_371_008.8
M_PER_DEG = R * math.pi / 180  # 111,195.0797… m: one degree of a great circle


def hav(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The haversine formula written out with the math module."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * R * math.asin(math.sqrt(a))


def arr(*values: float) -> geo.Array:
    return np.asarray(values, dtype=np.float64)


def test_one_degree_of_latitude_is_111195_08_metres() -> None:
    assert round(M_PER_DEG, 2) == 111_195.08
    assert round(float(geo.haversine_m(31.0, 121.0, 32.0, 121.0)), 2) == 111_195.08
    assert round(float(geo.haversine_m(0.0, 0.0, 0.0, 1.0)), 2) == 111_195.08  # on the equator too


def test_known_pairs() -> None:
    # 人民广场 → 徐家汇 (about 5.3 km): by the formula above
    pairs = [(31.2304, 121.4737, 31.1950, 121.4365), (31.17, 121.44, 31.17, 121.45), (0.0, 0.0, 0.0, 180.0)]
    for pair in pairs:
        assert float(geo.haversine_m(*pair)) == pytest.approx(hav(*pair), abs=1e-6)
    assert round(float(geo.haversine_m(*pairs[0]))) == round(hav(*pairs[0])) == 5292
    # half the world along the equator is π R
    assert float(geo.haversine_m(0.0, 0.0, 0.0, 180.0)) == pytest.approx(math.pi * R, abs=1e-6)
    # 0.01° of longitude at 31.17° N is shorter than 0.01° of latitude by cos(31.17°) (nearly exactly)
    assert float(geo.haversine_m(31.17, 121.44, 31.17, 121.45)) == pytest.approx(
        0.01 * M_PER_DEG * math.cos(math.radians(31.17)), abs=0.001
    )
    # vectorised: arrays broadcast against one point
    out = geo.haversine_m(arr(31.0, 31.5), arr(121.0, 121.0), 32.0, 121.0)
    assert [round(float(x), 2) for x in out] == [111_195.08, 55_597.54]


def test_the_length_of_a_track_along_a_meridian() -> None:
    track = [[31.17, 121.44, 0.0], [31.18, 121.44, 60.0], [31.20, 121.44, 120.0], [31.20, 121.44, 180.0]]
    assert geo.track_length_m(track) == pytest.approx(0.03 * M_PER_DEG, abs=1e-6)
    assert round(geo.track_length_m(track), 2) == 3335.85
    lat, lon, t = geo.track_arrays(track)
    steps = geo.segment_lengths_m(lat, lon)
    assert [round(float(s), 3) for s in steps] == [
        round(0.01 * M_PER_DEG, 3),
        round(0.02 * M_PER_DEG, 3),
        0.0,
    ]
    assert list(t) == [0.0, 60.0, 120.0, 180.0]


def test_a_track_of_no_point_or_one_point_has_no_length() -> None:
    assert geo.track_length_m([]) == 0.0
    assert geo.track_length_m([[31.17, 121.44, 0.0]]) == 0.0
    lat, lon, t = geo.track_arrays([])
    assert (lat.size, lon.size, t.size) == (0, 0, 0)
    assert geo.segment_speeds_kmh(lat, lon, t).size == 0


def test_speeds_between_points_in_km_per_hour() -> None:
    metres = 100.0
    dlat = metres / M_PER_DEG
    lat = arr(31.17, 31.17 + dlat, 31.17 + 2 * dlat, 31.17 + 12 * dlat)
    lon = arr(121.44, 121.44, 121.44, 121.44)
    t = arr(0.0, 60.0, 90.0, 126.0)  # 100 m in 60 s, 100 m in 30 s, 1 km in 36 s
    speeds = geo.segment_speeds_kmh(lat, lon, t)
    assert [round(float(s), 6) for s in speeds] == [6.0, 12.0, 100.0]


def test_a_step_with_no_time_is_a_jump_when_it_moved_and_still_when_it_did_not() -> None:
    lat = arr(31.17, 31.18, 31.18)
    lon = arr(121.44, 121.44, 121.44)
    t = arr(0.0, 0.0, 0.0)
    speeds = geo.segment_speeds_kmh(lat, lon, t)
    assert math.isinf(float(speeds[0])) and float(speeds[0]) > 0
    assert float(speeds[1]) == 0.0


def _east(metres: float, lat_mean: float) -> float:
    """Degrees of longitude that are `metres` east in the route's local projection (around its mean latitude)."""
    return metres / (M_PER_DEG * math.cos(math.radians(lat_mean)))


def test_distance_from_a_polyline_perpendicular_beyond_the_ends_and_one_point() -> None:
    lat0, lon0 = 31.17, 121.44
    path = [
        [lat0, lon0],
        [lat0 + 0.01, lon0],
        [lat0 + 0.02, lon0],
    ]  # 2.22 km north; mean latitude lat0 + 0.01
    mean = lat0 + 0.01
    d100 = 100 / M_PER_DEG
    lat = arr(lat0 + 0.005, lat0 + 0.015, lat0 + 0.02 + d100, lat0 - 2 * d100, lat0 + 0.01)
    lon = arr(lon0 + _east(100, mean), lon0 - _east(250, mean), lon0, lon0 + _east(150, mean), lon0)
    out = geo.distances_from_path_m(lat, lon, path)
    # perpendicular to a segment (east 100 m, west 250 m), beyond the north end (100 m), beyond the
    # south end (√(200² + 150²) = 250 m), and on the route (0)
    assert [round(float(d), 6) for d in out] == [100.0, 250.0, 100.0, 250.0, 0.0]


def test_distance_from_a_one_point_path_is_from_that_point() -> None:
    lat0, lon0 = 31.17, 121.44
    lat = arr(lat0 + 300 / M_PER_DEG, lat0)
    lon = arr(lon0 + _east(400, lat0), lon0)
    out = geo.distances_from_path_m(lat, lon, [[lat0, lon0]])
    assert [round(float(d), 6) for d in out] == [500.0, 0.0]  # 3-4-5


def test_distance_from_no_path_or_of_no_point() -> None:
    assert list(geo.distances_from_path_m(arr(31.17), arr(121.44), [])) == [0.0]
    assert geo.distances_from_path_m(arr(), arr(), [[31.17, 121.44]]).size == 0


def test_within_a_radius() -> None:
    assert geo.within_m(31.17 + 49.9 / M_PER_DEG, 121.44, 31.17, 121.44, 50.0) is True
    assert geo.within_m(31.17 + 50.1 / M_PER_DEG, 121.44, 31.17, 121.44, 50.0) is False

"""The edges of the honesty checks: which fixes are measured (accuracy, a track of mixed shapes), the fastest
minute of a short track, the rounding of what a flag stores, and where a check starts to trip."""

from __future__ import annotations

from typing import Any

import pytest

from shouzhan.patrols import honesty
from tests.patrols.test_honesty import at, legs, run


def point(metres: float, t: float, *accuracy: Any) -> list[Any]:
    return [*at(metres), t, *accuracy]


def test_fixes_less_precise_than_100_m_are_kept_out_of_the_measure() -> None:
    """100 m is precise enough; 100.5 m is not (it would add a 500 m detour); no accuracy given counts as
    precise; an empty track measures nothing."""
    track = [point(0, 0, 5.0), point(500, 60, 100.5), point(100, 120, 100.0), point(200, 180, 3.0)]
    m = honesty.measure(track)
    assert (m.points, m.distance_m) == (3, 200)
    assert [round(x) for x in m.t] == [0, 120, 180]
    mixed = [point(0, 0), point(500, 60, None), point(600, 120, 150.0), point(700, 180, 20.0)]
    assert (honesty.measure(mixed).points, honesty.measure(mixed).distance_m) == (3, 700)
    empty = honesty.measure([])
    assert (empty.points, empty.distance_m, empty.jumps.size, empty.lat.size) == (0, 0, 0, 0)


def test_the_fastest_minute_of_a_track_shorter_than_a_minute_is_its_average() -> None:
    """250 m in 30 s = 30 km/h from the start; one fix: standing still."""
    assert honesty.fastest_minute_kmh(honesty.measure([point(0, 0, 5.0), point(250, 30, 5.0)])) == (
        pytest.approx(30.0),
        0.0,
    )
    assert honesty.fastest_minute_kmh(honesty.measure([point(0, 0, 5.0)])) == (0.0, 0.0)


def test_the_fastest_minute_is_found_where_it_begins() -> None:
    """Two minutes at 4.5 km/h (fixes every 10 s), one at 36 km/h, one at 4.5 again: the fastest minute is the
    driven one, 120 s after the start, and a jump left out is no speed."""
    track = legs((150, 120, 10), (750, 60, 10), (825, 60, 10), t0=0.0)
    speed, start = honesty.fastest_minute_kmh(honesty.measure(track))
    assert (round(speed, 6), start) == (36.0, 120.0)
    jumped = [point(0, 0, 5.0), point(50, 40, 5.0), point(2050, 45, 5.0), point(2100, 85, 5.0)]
    m = honesty.measure(jumped)
    assert m.jumps.tolist() == [1] and m.distance_m == 100
    assert honesty.fastest_minute_kmh(m)[0] == pytest.approx(100 / 85 * 3.6, abs=1e-6)  # never the 2 km jump


def test_what_a_flag_stores_is_rounded_as_it_is_read() -> None:
    """Speed to 0.1 km/h, the share of far fixes to 0.001, at most five places for a photo used again."""
    fast = legs((700, 60, 10), t0=0.0)  # 700 m in a minute: 42 km/h
    (speed,) = [f for f in run(fast, duration_s=1800, min_distance_m=100) if f["check"] == "speed"]
    assert speed == {"check": "speed", "kmh": 42.0, "at_s": 0, "limit": 25.0}
    odd = legs((601, 60, 10), t0=0.0)  # 36.06 km/h → 36.1
    assert [f["kmh"] for f in run(odd, duration_s=1800, min_distance_m=100) if f["check"] == "speed"] == [
        36.1
    ]
    east = [[*at(100 * i, 1000.0 if i % 3 == 0 else 0.0), 60.0 * i, 5.0] for i in range(24)]  # 8 of 24 off
    (far,) = [f for f in run(east, duration_s=1800, min_distance_m=0) if f["check"] == "far"]
    assert far == {"check": "far", "share": 0.333, "limit_m": 200.0}
    photos = [f"2026-11-0{i} 蒲汇塘" for i in range(1, 8)]
    (photo,) = [f for f in run(legs((2400, 2400, 12)), reused_photos=photos) if f["check"] == "photo"]
    assert photo == {"check": "photo", "count": 7, "where": photos[:5]}


def test_the_checks_trip_past_their_limits_not_at_them() -> None:
    """Exactly 30 minutes is long enough; exactly a fifth of the fixes off the route is not a track elsewhere."""
    exact = legs((2400, 1800, 12))
    assert [f["check"] for f in run(exact, duration_s=1800)] == []
    fifth = [[*at(200 * i, 1000.0 if i % 5 == 0 else 0.0), 200.0 * i, 5.0] for i in range(10)]
    assert [f["check"] for f in run(fifth, duration_s=1800, min_distance_m=0)] == []  # 2 of 10 = 0.2


def test_kilometres_are_written_without_trailing_zeros() -> None:
    assert [honesty.kilometres(m) for m in (2400, 2000, 2345, 105, 0, 12_000)] == [
        "2.4", "2", "2.35", "0.1", "0", "12",
    ]  # fmt: skip

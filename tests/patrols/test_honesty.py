"""Honest patrols: each fake-patrol check tripped by a track made for it (a car, a jump, ten minutes, a
checkpoint skipped or claimed from afar, a track somewhere else, a photo used again), the honest walk
tripping none; the exact flag data and the sentences a reviewer reads."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from django.utils import timezone

from shouzhan.core.models import Notification
from shouzhan.patrols import honesty
from shouzhan.patrols.models import Patrol, Target
from tests.patrols.conftest import LAT0, LENGTH_M, LON0, north, walk

M_PER_DEG = 6_371_008.8 * math.pi / 180
PATH = [[LAT0, LON0], [north(1200), LON0], [north(LENGTH_M), LON0]]
NAMES = ["漕溪北路桥", "中段泵站", "宜山路桥"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def at(metres: float, east: float = 0.0) -> tuple[float, float]:
    """A point `metres` north of the section's start and `east` metres east of it (unrounded)."""
    lon = LON0 + east / (M_PER_DEG * math.cos(math.radians(LAT0)))
    return LAT0 + metres / M_PER_DEG, lon


def legs(*parts: tuple[float, float, float], t0: float = 1_780_000_000.0) -> list[list[float]]:
    """A track from legs of (metres north at the end, seconds taken, seconds per fix), starting at 0 m."""
    track = [[*at(0.0), t0, 5.0]]
    here, now = 0.0, t0
    for to_m, seconds, every in parts:
        steps = max(1, round(seconds / every))
        for i in range(1, steps + 1):
            track.append([*at(here + (to_m - here) * i / steps), now + seconds * i / steps, 5.0])
        here, now = to_m, now + seconds
    return track


def run(track: list[list[float]], **kw: Any) -> list[dict[str, Any]]:
    m = honesty.measure(track)
    duration = int(track[-1][2] - track[0][2])
    defaults: dict[str, Any] = dict(path=PATH, duration_s=duration, min_minutes=30, min_distance_m=2000,
                                    checkpoints=NAMES, checked_in=NAMES, reused_photos=[])  # fmt: skip
    defaults.update(kw)
    return honesty.checks_run(m, **defaults)


def test_the_honest_walk_trips_no_check() -> None:
    _start, _end, track = walk()
    m = honesty.measure(track)
    assert (m.points, m.distance_m, m.jumps.size) == (200, 2400, 0)
    assert honesty.fastest_minute_kmh(m)[0] == pytest.approx(3.6, abs=0.01)  # 2.4 km in 40 minutes
    assert run(track) == []


def test_a_car_at_40_km_per_hour() -> None:
    # 10 minutes' walk at 5 km/h (833.3 m), then exactly one minute by car at 40 km/h (666.7 m), then walking
    track = legs((5000 / 6, 600, 5), (5000 / 6 + 2000 / 3, 60, 5), (2400, 1320, 5))
    flags = run(track)
    assert flags == [{"check": "speed", "kmh": 40.0, "at_s": 600, "limit": 25.0}]
    assert (
        honesty.flag_words(flags[0])
        == "开始后第 11 分钟起的一分钟内平均时速 40.0 公里，超过步行或骑行的 25 公里。"
    )
    # a whole drive of 10 minutes along the section is too fast from its first minute
    car = legs((2400, 216, 5))  # 2.4 km in 3.6 minutes = 40 km/h
    speed = run(car, min_minutes=0)[0]
    assert (speed["check"], speed["kmh"], speed["limit"]) == ("speed", 40.0, 25.0)  # every minute alike


def test_a_single_step_of_2_km_in_5_seconds_is_a_jump_left_out_of_the_distance() -> None:
    # 200 m walked in 10 minutes, a step of 2 km in 5 s, 200 m walked in 10 minutes more
    track = legs((200, 600, 10), (2200, 5, 5), (2400, 600, 10))
    m = honesty.measure(track)
    assert m.jumps.tolist() == [60]
    assert m.distance_m == 400
    flags = run(track, min_minutes=20, min_distance_m=400)
    assert flags == [{"check": "jump", "count": 1, "m": 2000, "s": 5}]
    assert honesty.flag_words(flags[0]) == "轨迹有 1 处跳点：相邻两个定位相距 2000 米，只隔 5 秒。"
    # a fast step shorter than 200 m is GPS noise, not a jump
    assert honesty.measure(legs((100, 600, 10), (250, 1, 1), (2400, 1800, 10))).jumps.size == 0


def test_ten_minutes_is_too_short() -> None:
    track = legs((800, 600, 5))
    flags = run(track)
    assert flags == [{"check": "short", "s": 600, "m": 800, "min_minutes": 30, "min_m": 2000}]
    assert honesty.flag_words(flags[0]) == "巡查 10 分钟、0.8 公里，不足规定的 30 分钟、2 公里。"


def test_a_checkpoint_missed() -> None:
    _s, _e, track = walk()
    flags = run(track, checked_in=["漕溪北路桥", "中段泵站"])
    assert flags == [{"check": "checkpoints", "missed": ["宜山路桥"], "of": 3}]
    assert honesty.flag_words(flags[0]) == "3 个打卡点漏了 1 个：宜山路桥。"
    two = run(track, checked_in=["中段泵站"])[0]
    assert honesty.flag_words(two) == "3 个打卡点漏了 2 个：漕溪北路桥、宜山路桥。"


def test_a_track_1_km_east_of_the_section_is_far() -> None:
    track = [
        [*at(p[0], 1000.0), p[1], 5.0] for p in ((m * 12.0, 1_780_000_000.0 + m * 12.0) for m in range(201))
    ]
    flags = run(track)
    assert flags == [{"check": "far", "share": 1.0, "limit_m": 200.0}]
    assert honesty.flag_words(flags[0]) == "100% 的轨迹点离巡查线路超过 200 米。"
    # the last quarter of the points 300 m off: more than a fifth, flagged; the last tenth: not
    _s, _e, honest = walk(points=200)
    quarter = [
        [*at((p[0] - LAT0) * M_PER_DEG, 300.0), *p[2:]] if i >= 150 else p for i, p in enumerate(honest)
    ]
    assert run(quarter) == [{"check": "far", "share": 0.25, "limit_m": 200.0}]
    tenth = [[*at((p[0] - LAT0) * M_PER_DEG, 300.0), *p[2:]] if i >= 180 else p for i, p in enumerate(honest)]
    assert run(tenth) == []


def test_imprecise_fixes_are_kept_but_not_measured() -> None:
    _s, _e, track = walk()
    far_off = [*at(1200, 5000.0), track[100][2], 500.0]  # 5 km east, accuracy 500 m
    m = honesty.measure([*track[:100], far_off, *track[100:]])
    assert (m.points, m.distance_m) == (200, 2400)


def test_flag_words_of_a_reused_photo_and_of_an_unknown_flag() -> None:
    flag = {"check": "photo", "count": 2, "where": ["2026-11-30 蒲汇塘（徐家汇段）", "本次巡查中重复"]}
    assert (
        honesty.flag_words(flag)
        == "2 张照片与以前的巡查记录中的照片相同（2026-11-30 蒲汇塘（徐家汇段）；本次巡查中重复）。"
    )
    assert honesty.flag_words({"check": "moon"}) == "其他异常。"


# ----------------------------------------------------------------------------- through the service
@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def test_a_near_check_in_claimed_far_from_the_point_is_not_counted(record: Any, section: Target) -> None:
    start, end, track = walk(timezone.now() - dt.timedelta(hours=2), metres=2000)  # stops 400 m short
    codes = [p.code for p in section.checkpoints.all()]
    when = (start + dt.timedelta(minutes=5)).isoformat()
    patrol = record(
        start=start, started_at=start, ended_at=end, track=track,
        checkins=[{"code": codes[0], "at": when, "method": "near"}, {"code": codes[1], "at": when, "method": "near"},
                  {"code": codes[2], "at": when, "method": "near"}],
    )  # fmt: skip
    assert [(c.checkpoint.name, c.method) for c in patrol.checkins.all()] == [
        ("漕溪北路桥", "near"),
        ("中段泵站", "near"),
    ]
    assert patrol.flags == [{"check": "checkpoints", "missed": ["宜山路桥"], "of": 3}]
    assert patrol.review == Patrol.Review.FLAGGED
    assert patrol.meets_rules is True  # the rules are met; the missed checkpoint is for the reviewer


def test_a_flagged_patrol_tells_the_office_supervisor(record: Any, supervisor: Any, section: Target) -> None:
    start, end, track = walk(timezone.now() - dt.timedelta(hours=2), seconds=600)
    patrol = record(start=start, started_at=start, ended_at=end, track=track)
    assert [f["check"] for f in patrol.flags] == ["short"]
    assert patrol.flags[0] == {"check": "short", "s": 600, "m": 2400, "min_minutes": 30, "min_m": 2000}
    assert patrol.review == Patrol.Review.FLAGGED
    assert patrol.meets_rules is False
    note = Notification.objects.get(user=supervisor)
    assert note.message == f"“蒲汇塘（徐家汇段）”{patrol.on.isoformat()} 的巡查有 1 项异常，待复核。"


def test_the_same_photo_on_two_patrols_and_twice_in_one(record: Any, media: None) -> None:
    first = record(photos=[("桥下.png", PNG + b"1")])
    assert first.flags == []
    second = record(photos=[("桥下.png", PNG + b"1"), ("泵站.png", PNG + b"2")])
    where = f"{first.on.isoformat()} 蒲汇塘（徐家汇段）"
    assert second.flags == [{"check": "photo", "count": 1, "where": [where]}]
    assert honesty.flag_words(second.flags[0]) == f"1 张照片与以前的巡查记录中的照片相同（{where}）。"
    twice = record(photos=[("一.png", PNG + b"3"), ("二.png", PNG + b"3")])
    assert twice.flags == [{"check": "photo", "count": 1, "where": ["本次巡查中重复"]}]
    assert twice.review == Patrol.Review.FLAGGED

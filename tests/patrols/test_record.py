"""Recording a patrol: each bad input refused with its exact message and nothing saved; the same patrol sent
twice is one patrol with one ticket per hazard; only a chief records; each hazard a ticket of 区水务局 with
its working-day limits; photos judged by their content."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shouzhan.core.roles import Role
from shouzhan.core.workdays import add_working_days
from shouzhan.frontline.models import Demand
from shouzhan.patrols.models import Chief, Hazard, Patrol, PatrolPhoto, Target
from shouzhan.patrols.services import track_clean
from tests.patrols.conftest import LON0, walk

SECTION = "蒲汇塘（徐家汇段）"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HAZARD = {"category": "water", "description": "宜山路桥下有大量漂浮垃圾"}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def other_route(office: Any) -> Target:
    """A second target with its own checkpoint."""
    target = Target.objects.create(
        code="lhg-lh", name="龙华港（龙华段）", street="龙华街道", path=[[31.16, 121.45], [31.17, 121.45]],
        office=office,
    )  # fmt: skip
    target.checkpoints.create(
        order=1, name="龙华港桥", latitude=31.16, longitude=121.45, code="XC-OTHERROUTE"
    )
    return target


def refused(record: Any, **kw: Any) -> Any:
    """The record is refused: nothing saved (no patrol, no ticket, no photo); its messages."""
    counts = (
        Patrol.objects.count(),
        Demand.objects.count(),
        Hazard.objects.count(),
        PatrolPhoto.objects.count(),
    )
    with pytest.raises(ValidationError) as err:
        record(**kw)
    after = (
        Patrol.objects.count(),
        Demand.objects.count(),
        Hazard.objects.count(),
        PatrolPhoto.objects.count(),
    )
    assert after == counts
    return err.value.message_dict if hasattr(err.value, "error_dict") else err.value.messages


def test_a_track_with_no_points(record: Any) -> None:
    words = "轨迹没有定位点：请打开手机定位后再巡查，本次记录已保留在手机上。"
    assert refused(record, track=[], hazards=[HAZARD]) == {"track": [words]}
    assert refused(record, track="none") == {"track": [words]}


def test_coordinates_outside_the_valid_range(record: Any) -> None:
    start, end, track = walk()
    for i, (lat, lon) in ((3, (91.0, LON0)), (5, (31.17, -180.5))):
        bad = [list(p) for p in track]
        bad[i - 1][0], bad[i - 1][1] = lat, lon
        assert refused(record, start=start, started_at=start, ended_at=end, track=bad) == {
            "track": [f"第 {i} 个定位点的坐标超出范围（纬度 -90 至 90，经度 -180 至 180）。"]
        }


def test_a_malformed_point_and_points_out_of_time(record: Any) -> None:
    start, end, track = walk()
    cases = {
        2: [track[0], [31.17, "东经", track[1][2]], *track[2:]],
        3: [track[0], track[1], [31.17], *track[3:]],
        4: [*track[:3], {"lat": 31.17}, *track[4:]],
        5: [*track[:4], [31.17, float("nan"), track[4][2]], *track[5:]],
    }
    for n, bad in cases.items():
        assert refused(record, start=start, started_at=start, ended_at=end, track=bad) == {
            "track": [f"第 {n} 个定位点格式不正确。"]
        }
    late = [*track[:-1], [track[-1][0], LON0, track[-1][2] + 3600]]
    assert refused(record, start=start, started_at=start, ended_at=end, track=late) == {
        "track": ["第 200 个定位点的时间不在巡查起止时间内。"]
    }
    back = [track[0], track[2], track[1], *track[3:]]
    assert refused(record, start=start, started_at=start, ended_at=end, track=back) == {
        "track": ["第 3 个定位点的时间早于前一个点。"]
    }


def test_too_many_points(record: Any) -> None:
    start, end, track = walk(points=20_001)
    assert refused(record, start=start, started_at=start, ended_at=end, track=track) == {
        "track": ["轨迹点过多（最多 20000 个）。"]
    }


def test_a_checkpoint_code_of_another_route_and_an_unknown_code(record: Any, other_route: Target) -> None:
    assert refused(record, checkins=[{"code": "XC-OTHERROUTE", "method": "qr"}], hazards=[HAZARD]) == {
        "checkins": [f"打卡码属于“龙华港（龙华段）”的线路，不是本次巡查的“{SECTION}”。"]
    }
    assert refused(record, checkins=[{"code": "XC-NOPE", "method": "qr"}]) == {
        "checkins": [f"打卡码“XC-NOPE”不是“{SECTION}”的打卡点。"]
    }
    assert refused(record, checkins="all") == {"checkins": ["打卡记录格式不正确。"]}


def test_a_patrol_ending_before_it_starts_or_lasting_more_than_12_hours(record: Any) -> None:
    start, end, track = walk()
    assert refused(record, started_at=end, ended_at=start, track=track) == {
        "ended_at": ["结束时间早于开始时间。"]
    }
    early = start - dt.timedelta(hours=13)
    assert refused(record, started_at=early, ended_at=end, track=track) == {
        "ended_at": ["一次巡查不能超过 12 小时。"]
    }


def test_a_time_in_the_future_or_not_a_time(record: Any) -> None:
    future = timezone.now() + dt.timedelta(hours=1)
    start, end, track = walk(future)
    assert refused(record, start=future, started_at=start, ended_at=end, track=track) == {
        "started_at": ["开始时间不在合理范围内（不能晚于现在）。"]
    }
    start, end, track = walk()
    assert refused(
        record, started_at=start, ended_at=timezone.now() + dt.timedelta(hours=1), track=track
    ) == {"ended_at": ["结束时间不在合理范围内（不能晚于现在）。"]}
    assert refused(record, started_at="昨天", ended_at=end, track=track) == {
        "started_at": ["开始时间格式不正确。"]
    }
    assert refused(record, started_at=None, ended_at=end, track=track) == {"started_at": ["请填写开始时间。"]}


def test_unknown_observation_items_and_values(record: Any) -> None:
    assert refused(record, observations={"smell": "bad"}) == {"observations": ["没有“smell”这一巡查项目。"]}
    assert refused(record, observations={"colour": "purple"}) == {
        "observations": ["“水体颜色”的选项不正确。"]
    }
    assert refused(record, observations=["colour"]) == {"observations": ["巡查情况格式不正确。"]}


def test_a_bad_hazard_saves_nothing(record: Any) -> None:
    assert refused(record, hazards=[HAZARD, {"category": "water", "description": " "}]) == {
        "hazards": ["第 2 个隐患：请描述看到的情况。"]
    }
    assert refused(record, hazards=["垃圾"]) == {"hazards": ["第 1 个隐患格式不正确。"]}
    assert refused(record, hazards=[{**HAZARD, "latitude": 95}]) == {"hazards": ["隐患位置坐标超出范围。"]}
    assert refused(record, hazards=[HAZARD] * 21) == {"hazards": ["一次巡查最多上报 20 个隐患。"]}


def test_photos_are_judged_by_their_content(record: Any) -> None:
    assert refused(record, photos=[("桥下.jpg", b"this is a text file")]) == {
        "photos": ["“桥下.jpg”不是照片（只接受 JPEG、PNG）。"]
    }
    assert refused(record, photos=[(f"{i}.png", PNG + bytes([i])) for i in range(13)]) == {
        "photos": ["一次巡查最多上传 12 张照片。"]
    }
    patrol = record(photos=[("桥下.jpg", PNG)], hazards=[{**HAZARD, "photos": [0, 7, "x"]}])
    photo = patrol.photos.get()
    assert (photo.content_type, photo.size, photo.hazard_id) == ("image/png", 40, patrol.hazards.get().pk)
    assert photo.file.name.endswith(".png")


def test_the_same_client_key_twice_is_one_patrol_with_one_ticket_per_hazard(record: Any) -> None:
    hazards = [HAZARD, {"category": "water", "description": "排口有异常排放", "urgent": True}]
    first = record(client_key="phone-1", hazards=hazards)
    again = record(client_key="phone-1", hazards=hazards)
    assert again.pk == first.pk
    assert Patrol.objects.count() == 1
    assert Demand.objects.count() == 2 and Hazard.objects.count() == 2
    assert refused(record, client_key="k" * 65) == {"client_key": ["记录标识过长（最多64个字符）。"]}


def test_another_users_key_is_refused(record: Any, make_user: Any, section: Target) -> None:
    record(client_key="phone-1")
    other = make_user(Role.OFFICER, name="街镇河长王")
    Chief.objects.create(target=section, user=other, level="street", from_on=dt.date(2026, 1, 1))
    assert refused(record, actor=other, client_key="phone-1") == {
        "client_key": ["这个记录标识已被其他记录使用，请重新生成后再发送。"]
    }


def test_only_a_chief_on_the_day_records(record: Any, make_user: Any, section: Target, chief: Any) -> None:
    start, _end, _track = walk()
    day = timezone.localdate(start).isoformat()
    words = f"您在 {day} 不是“{SECTION}”的河长或巡查员，不能登记这次巡查。"
    for actor in (make_user(Role.OFFICER), make_user(Role.LEADER)):
        with pytest.raises(PermissionDenied) as err:
            record(actor=actor, start=start)
        assert str(err.value) == words
    # a chief whose post ended before the day
    Chief.objects.filter(user=chief).update(to_on=timezone.localdate(start) - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        record(start=start)
    assert Patrol.objects.count() == 0


@pytest.fixture
def before_national_day() -> Iterator[None]:
    """Wednesday 30 September 2026, 15:00 in Shanghai: the next working days come after the holiday."""
    with time_machine.travel(dt.datetime(2026, 9, 30, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


def test_hazards_are_tickets_of_the_water_bureau_with_working_day_limits(
    before_national_day: None, record: Any
) -> None:
    patrol = record(hazards=[HAZARD, {"category": "water", "description": "防汛墙渗漏", "urgent": True}])
    today = dt.date(2026, 9, 30)
    next_working_day = add_working_days(today, 1).date
    assert next_working_day > dt.date(2026, 10, 7)  # after the National Day holiday
    normal, urgent = (h.demand for h in patrol.hazards.all())
    assert (normal.source, normal.department.name, normal.received_on) == ("patrol", "区水务局", today)
    assert (normal.accept_due_on, normal.resolve_due_on) == (
        next_working_day,
        add_working_days(today, 5).date,
    )
    assert (urgent.urgency, urgent.accept_due_on, urgent.resolve_due_on) == ("urgent", next_working_day,
                                                                             next_working_day)  # fmt: skip
    assert (normal.place, normal.requester_name) == (SECTION, "村居河长陈平")
    hazard = patrol.hazards.first()
    assert hazard is not None and (hazard.reported_on, hazard.urgent) == (today, False)


def test_the_track_is_kept_as_sent_rounded(chief: Any) -> None:
    start = timezone.now() - dt.timedelta(hours=1)
    end = start + dt.timedelta(minutes=30)
    t = start.timestamp()
    clean = track_clean([[31.1700004, 121.44, t, 8.04], (31.18, 121.44, t + 60), [31.19, 121.44, t + 120, -1]],
                        start, end)  # fmt: skip
    assert clean == [[31.17, 121.44, round(t, 1), 8.0], [31.18, 121.44, round(t + 60, 1)],
                     [31.19, 121.44, round(t + 120, 1)]]  # fmt: skip

"""Fixtures of patrols' tests: the frequency rules of patrols/data, the frontline catalogue (区水务局 as the
river office), a river section 2.4 km long running north with three checkpoints, its village chief (an
officer), the office's supervisor, and `walk()`: an honest track along the section."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from shouzhan.core.actors import system_actor
from shouzhan.core.roles import Role
from shouzhan.frontline import services as frontline
from shouzhan.frontline.models import Department, DepartmentMember
from shouzhan.patrols import services
from shouzhan.patrols.models import Chief, River, Target

SYSTEM = system_actor("patrols")
LAT0, LON0 = 31.170000, 121.440000
DEG_PER_M = 1 / 111_195.0  # degrees of latitude per metre on the sphere geo.py uses
LENGTH_M = 2400


def north(metres: float) -> float:
    return round(LAT0 + metres * DEG_PER_M, 6)


@pytest.fixture
def rules(db: Any) -> Any:
    frontline.frontline_data_load(actor=SYSTEM)
    return services.frequency_load(actor=SYSTEM)


@pytest.fixture
def office(rules: Any) -> Department:
    return Department.objects.get(key="water")


@pytest.fixture
def supervisor(make_user: Callable[..., Any], office: Department) -> Any:
    user = make_user(Role.OFFICER, name="河长办周主任")
    DepartmentMember.objects.create(department=office, user=user, role=DepartmentMember.Role.SUPERVISOR)
    return user


@pytest.fixture
def section(office: Department) -> Target:
    river = River.objects.create(code="phtang", name="蒲汇塘", level="district", length_m=9000, office=office)
    target = Target.objects.create(
        code="phtang-xjh",
        name="蒲汇塘（徐家汇段）",
        river=river,
        level="street",
        street="徐家汇街道",
        start_label="漕溪北路",
        end_label="宜山路",
        length_m=LENGTH_M,
        path=[[LAT0, LON0], [north(1200), LON0], [north(LENGTH_M), LON0]],
        checkin_radius_m=50,
        office=office,
    )
    for order, (name, at) in enumerate((("漕溪北路桥", 0), ("中段泵站", 1200), ("宜山路桥", LENGTH_M)), 1):
        target.checkpoints.create(
            order=order,
            name=name,
            latitude=north(at),
            longitude=LON0,
            code=services.checkpoint_code(target.code, order),
        )
    return target


@pytest.fixture
def chief(make_user: Callable[..., Any], section: Target) -> Any:
    user = make_user(Role.OFFICER, name="村居河长陈平")
    Chief.objects.create(
        target=section, user=user, level="village", title="居委主任", from_on=dt.date(2026, 1, 1)
    )
    return user


def walk(
    start: dt.datetime | None = None, *, points: int = 200, metres: float = LENGTH_M, seconds: float = 2400
) -> tuple[dt.datetime, dt.datetime, list[list[float]]]:
    """An honest walk north along the section: `points` fixes evenly spread over `metres` and `seconds`."""
    start = start or timezone.now() - dt.timedelta(hours=2)
    t0 = start.timestamp()
    track = [
        [north(metres * i / (points - 1)), LON0, round(t0 + seconds * i / (points - 1), 1), 8.0]
        for i in range(points)
    ]
    return start, start + dt.timedelta(seconds=seconds), track


@pytest.fixture
def record(chief: Any, section: Target) -> Callable[..., Any]:
    """Record a patrol by the chief: an honest walk checked in at every checkpoint, unless told otherwise."""

    def make(**kw: Any) -> Any:
        start, end, track = walk(kw.pop("start", None))
        codes = [p.code for p in section.checkpoints.all()]
        kw.setdefault(
            "checkins",
            [{"code": c, "at": (start + dt.timedelta(minutes=5)).isoformat(), "method": "qr"} for c in codes],
        )
        return services.patrol_record(
            actor=kw.pop("actor", chief),
            target=kw.pop("target", section),
            started_at=kw.pop("started_at", start),
            ended_at=kw.pop("ended_at", end),
            track=kw.pop("track", track),
            **kw,
        )

    return make

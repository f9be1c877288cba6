"""Spaces fixtures: a second live room beside the shared `live_room` (tests/conftest.py), a 创业首站 with desks
and offices, a filming site."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from shouzhan.spaces.models import Resource, Site

TZ = timezone.get_current_timezone()


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


@pytest.fixture
def day() -> dt.date:
    """A day next week (always in the future, always bookable)."""
    return timezone.localdate() + dt.timedelta(days=7)


@pytest.fixture
def catalogue(db: Any) -> Any:
    from shouzhan.policies.services import catalogue_sync

    return catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)


@pytest.fixture
def live_room_b(live_room: Resource) -> Resource:
    return Resource.objects.create(
        site=live_room.site,
        floor=live_room.floor,
        kind=Resource.Kind.LIVE_ROOM,
        unit=Resource.Unit.HOUR,
        name="直播间 B",
        capacity=4,
        opens_at=dt.time(8, 0),
        closes_at=dt.time(22, 0),
        price_hour_fen=10000,
    )


@pytest.fixture
def first_stop(db: Any) -> Site:
    return Site.objects.create(name="徐汇创业首站", kind=Site.Kind.FIRST_STOP, district="徐汇")


@pytest.fixture
def desk(first_stop: Site) -> Resource:
    return Resource.objects.create(
        site=first_stop,
        kind=Resource.Kind.DESK,
        unit=Resource.Unit.MONTH,
        name="工位 D-01",
        price_month_fen=80000,
    )


@pytest.fixture
def office(first_stop: Site) -> Resource:
    return Resource.objects.create(
        site=first_stop,
        kind=Resource.Kind.OFFICE,
        unit=Resource.Unit.MONTH,
        name="办公室 201",
        capacity=6,
        price_month_fen=600000,
    )


@pytest.fixture
def filming_site(db: Any) -> Resource:
    site = Site.objects.create(name="徐汇滨江取景地", kind=Site.Kind.OUTDOOR, district="徐汇")
    return Resource.objects.create(
        site=site,
        kind=Resource.Kind.FILMING_LOCATION,
        unit=Resource.Unit.DAY,
        name="龙腾大道江景段",
        capacity=30,
        opens_at=dt.time(7, 0),
        closes_at=dt.time(19, 0),
        price_day_fen=200000,
        needs_approval=True,
        approval_days=3,
        owner_rules="不得封闭公共通道；22:00 后禁止灯光作业",
        required_documents=["拍摄许可申请表", "剧组人员名单", "公众责任保险单"],
    )

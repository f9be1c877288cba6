"""Query counts pinned on the spaces pages people open most: the site's week and my bookings (#12).

`site_week` used to run one query per resource per day (85 for the demo base's week); it is two now,
whatever the number of resources, days and bookings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shouzhan.core.roles import Role
from shouzhan.spaces import selectors, services
from shouzhan.spaces.demo import load_demo
from shouzhan.spaces.models import Resource, Site
from tests.spaces.conftest import at

pytestmark = pytest.mark.django_db


def _book_week(owner: Any, enterprise: Any, resource: Resource, monday: dt.date) -> None:
    for i in range(7):
        day = monday + dt.timedelta(days=i)
        for hour in (9, 14):
            services.booking_create(
                actor=owner,
                resource=resource,
                enterprise=enterprise,
                start_at=at(day, hour),
                end_at=at(day, hour + 2),
            )


def test_the_demo_bases_week_is_two_queries(django_assert_num_queries: Any, day: dt.date) -> None:
    load_demo()
    demo_base = Site.objects.get(name="中船科技园直播孵化基地")
    with django_assert_num_queries(2):
        rows = selectors.site_week(site=demo_base, monday=selectors.week_of(day))
    assert len(rows) == 12  # the base's live rooms and studio: 85 queries before (1 + 12 × 7)


def test_site_week_is_two_queries_whatever_the_site_holds(
    django_assert_num_queries: Any,
    make_enterprise: Any,
    live_room: Resource,
    live_room_b: Resource,
    day: dt.date,
) -> None:
    monday = selectors.week_of(day)
    enterprise, owner = make_enterprise()
    _book_week(owner, enterprise, live_room, monday)
    _book_week(owner, enterprise, live_room_b, monday)
    with django_assert_num_queries(2):
        rows = selectors.site_week(site=live_room.site, monday=monday)
    assert [r["resource"].name for r in rows] == ["直播间 A", "直播间 B"]
    assert [d["hours"] for d in rows[0]["days"]] == [4.0] * 7
    assert rows[0]["days"][0]["pct"] == 29  # 4 of the 14 opening hours


def test_site_week_page_and_my_bookings_page_are_bounded(
    django_assert_max_num_queries: Any,
    make_enterprise: Any,
    make_user: Any,
    login_client: Any,
    live_room: Resource,
    live_room_b: Resource,
    day: dt.date,
) -> None:
    enterprise, owner = make_enterprise()
    monday = selectors.week_of(day)
    _book_week(owner, enterprise, live_room, monday)
    _book_week(owner, enterprise, live_room_b, monday)
    client = login_client(owner)
    leader = login_client(make_user(role=Role.LEADER))
    for c in (client, leader):  # warm: the session, the calendar cache
        c.get(f"/spaces/site/{live_room.site_id}/?week={monday.isoformat()}")
        c.get("/spaces/mine/")
    with django_assert_max_num_queries(7):  # 6, and the patrols menu asks whether the leader is a river chief
        page = leader.get(f"/spaces/site/{live_room.site_id}/?week={monday.isoformat()}")
    assert page.status_code == 200 and "直播间 B" in page.content.decode()
    with django_assert_max_num_queries(8):
        mine = client.get("/spaces/mine/")
    assert mine.status_code == 200 and mine.content.decode().count("直播间 A") >= 14

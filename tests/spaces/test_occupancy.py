"""Occupancy over time: per kind and week (8 weeks back, this week, 4 ahead) — exact percentages, the
server-side SVG line chart with axis labels, and its table fallback on the leaders' page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shouzhan.core.roles import Role
from shouzhan.spaces import charts, selectors
from shouzhan.spaces.models import Booking, Tenancy
from tests.spaces.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(make_enterprise, live_room, live_room_b, desk, office, filming_site):  # type: ignore[no-untyped-def]
    """Bookings and tenancies in the past and the future, written directly (the services refuse the past)."""
    ent, _owner = make_enterprise()
    monday = selectors.week_of(timezone.localdate())
    week = [monday + dt.timedelta(weeks=i) for i in range(-8, 5)]

    def booking(resource, start, end, status="confirmed"):  # type: ignore[no-untyped-def]
        Booking.objects.create(
            resource=resource, enterprise=ent, start_at=start, end_at=end, blocked_until=end, status=status
        )

    booking(live_room, at(week[0], 8), at(week[0], 22))  # a full opening day: 14 h of 98 h in the week
    booking(live_room, at(week[7], 10), at(week[7], 18), status="cancelled")  # holds nothing
    booking(live_room, at(week[9], 10), at(week[9], 12))
    booking(live_room_b, at(week[9], 14), at(week[9], 16), status="pending")  # pending holds the slot
    sat, sun = week[10] + dt.timedelta(days=5), week[10] + dt.timedelta(days=6)
    booking(filming_site, at(sat, 7), at(sun, 19))  # two 12-hour days; the night between does not count
    last_sunday = week[11] + dt.timedelta(days=6)
    booking(filming_site, at(last_sunday, 7), at(week[12], 19))  # across a week boundary
    Tenancy.objects.create(
        enterprise=ent,
        resource=desk,
        start_on=week[0] + dt.timedelta(days=3),  # Thursday: 4 of 7 days in the first week
        end_on=monday + dt.timedelta(days=2),  # Monday and Tuesday of this week
        months=2,
        monthly_fee_fen=80000,
    )
    return week


def test_weekly_occupancy_per_kind_exact(make_user, history):  # type: ignore[no-untyped-def]
    leader = make_user(role=Role.LEADER)
    series = selectors.occupancy_by_week(actor=leader)
    assert series.weeks == history and series.current == 8
    assert series.series == [
        ("desk", "工位", [57, 100, 100, 100, 100, 100, 100, 100, 29, 0, 0, 0, 0]),
        ("office", "办公室", [0] * 13),
        ("live_room", "直播间", [7, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0]),
        ("filming_location", "协拍取景地", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 29, 14, 14]),
    ]


def test_only_the_centres_staff_see_it(make_user, make_enterprise, login_client, history):  # type: ignore[no-untyped-def]
    _ent, owner = make_enterprise()
    # A staff page: a logged-in enterprise user may know it exists, and is refused plainly (403).
    with pytest.raises(PermissionDenied):
        selectors.occupancy_by_week(actor=owner)
    assert login_client(owner).get("/spaces/insight/").status_code == 403
    assert login_client(make_user(role=Role.AUDITOR)).get("/spaces/insight/").status_code == 200


def test_line_chart_geometry() -> None:
    chart = charts.line_chart(
        x_labels=["a", "b", "c"], series=[("k", "K", [0, 50, 100])], marker=1, marker_label="本周"
    )
    assert (chart.left, chart.right, chart.top, chart.bottom) == (44, 666, 14, 240)
    assert chart.y_ticks == [(240, "0%"), (183.5, "25%"), (127, "50%"), (70.5, "75%"), (14, "100%")]
    assert chart.x_ticks == [(44, "a"), (355, "b"), (666, "c")]
    assert chart.lines[0].path == "44,240 355,127 666,14"
    assert (chart.marker_x, chart.marker_label) == (355, "本周")
    assert charts.line_chart(x_labels=[], series=[]).lines == []


def test_leader_page_draws_the_svg_and_the_table(make_user, login_client, history):  # type: ignore[no-untyped-def]
    html = login_client(make_user(role=Role.LEADER)).get("/spaces/insight/").content.decode()
    trend = html[html.index('id="occupancy-trend"') :]
    assert trend.count("<polyline ") == 4
    assert re.findall(r'<g class="series" data-kind="([a-z_]+)"', trend) == [
        "desk",
        "office",
        "live_room",
        "filming_location",
    ]
    for monday in history:  # x axis: every Monday
        assert f">{monday:%m-%d}</text>" in trend
    for tick in ("0%", "25%", "50%", "75%", "100%"):  # y axis
        assert f">{tick}</text>" in trend
    assert ">本周</text>" in trend and "<title>工位 · " in trend
    # The table fallback: one row per week, this week marked, the same numbers as the chart.
    rows = re.findall(r"<tr( class=\"current\")?><th scope=\"row\">(\d{4}-\d\d-\d\d)", trend)
    assert [d for _c, d in rows] == [m.isoformat() for m in history]
    assert [d for c, d in rows if c] == [history[8].isoformat()]
    first = trend[trend.index(f'<th scope="row">{history[0].isoformat()}') :].split("</tr>")[0]
    assert re.findall(r'<td class="num">(\d+)%</td>', first) == ["57", "0", "7", "0"]


def test_occupancy_api(make_user, make_enterprise, login_client, history):  # type: ignore[no-untyped-def]
    body = login_client(make_user(role=Role.LEADER)).get("/api/v1/spaces/occupancy").json()
    assert body["weeks"] == [m.isoformat() for m in history] and body["current"] == 8
    assert body["series"][0] == {
        "kind": "desk",
        "label": "工位",
        "percent": [57, 100, 100, 100, 100, 100, 100, 100, 29, 0, 0, 0, 0],
    }
    _ent, owner = make_enterprise()
    assert login_client(owner).get("/api/v1/spaces/occupancy").status_code == 403

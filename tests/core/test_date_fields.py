"""One bound for every date typed into a page: core.forms.CalendarDateField, within the working-day
calendar's range 1900-01-01 … 2200-12-31 (issue #11, defect 9 follow-up).

Before, each form had its own forms.DateField: 9999-12-31 on the spaces booking form overflowed into
a 500, and an administrator could override a day in year 9999 of the calendar.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

import shouzhan
from shouzhan.core.forms import CalendarDateField
from shouzhan.core.models import WorkdayOverride
from shouzhan.core.roles import Role
from shouzhan.spaces.models import Booking, Resource

RANGE = "日期应在 1900-01-01 至 2200-12-31 之间。"
SOURCE = Path(shouzhan.__file__).parent


def test_every_form_date_field_is_the_calendar_date_field() -> None:
    """No form declares a date field of its own kind (forms.DateField, or one imported bare), also in
    fields made at run time — the only DateField( left in the source is a model's column."""
    offenders = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts or path == SOURCE / "core" / "forms.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"(?<![\w.])(forms\.)?DateField\(", line) and "models.DateField(" not in line:
                offenders.append(f"{path.relative_to(SOURCE)}:{n}: {line.strip()}")
    assert offenders == []


def test_the_field_refuses_dates_outside_the_calendar_and_keeps_its_ends() -> None:
    field = CalendarDateField(required=False)
    assert field.clean("1900-01-01") == dt.date(1900, 1, 1)
    assert field.clean("2200-12-31") == dt.date(2200, 12, 31)
    assert field.clean("") is None
    for outside in ("1899-12-31", "2201-01-01", "9999-12-31", "0001-01-01"):
        with pytest.raises(Exception) as info:
            field.clean(outside)
        assert info.value.messages == [RANGE]  # type: ignore[attr-defined]
    with pytest.raises(Exception) as info:
        field.clean("明天")
    assert info.value.messages == ["请输入有效日期，如 2026-05-06。"]  # type: ignore[attr-defined]
    html = field.widget.render("d", None)
    assert html == '<input type="date" name="d" min="1900-01-01" max="2200-12-31">'


@pytest.mark.django_db
def test_a_booking_on_9999_12_31_is_a_form_error_not_a_500(
    make_enterprise: Any, login_client: Any, live_room: Resource
) -> None:
    enterprise, owner = make_enterprise()
    room = live_room
    desk = Resource.objects.create(
        site=room.site,
        kind=Resource.Kind.DESK,
        unit=Resource.Unit.DAY,
        name="工位 1",
        capacity=1,
        price_day_fen=5000,
    )
    client = login_client(owner)
    client.raise_request_exception = False
    hour = client.post(
        f"/spaces/r/{room.pk}/book/",
        {"enterprise": enterprise.pk, "date": "9999-12-31", "start": "10:00", "minutes": "60", "people": 1},
    )
    day = client.post(
        f"/spaces/r/{desk.pk}/book/",
        {"enterprise": enterprise.pk, "date": "9999-12-31", "days": 3, "people": 1},
    )
    for r in (hour, day):
        assert r.status_code == 422
        assert r.context["form"].errors == {"date": [RANGE]}
    assert Booking.objects.count() == 0


@pytest.mark.django_db
def test_the_calendar_refuses_an_override_outside_its_range(make_user: Any, login_client: Any) -> None:
    admin = login_client(make_user(role=Role.ADMIN))
    r = admin.post("/calendar/", {"ov-date": "9999-12-31", "ov-is_workday": "1", "ov-reason": "测试"})
    assert r.status_code == 200  # the page again, with the refusal on the field
    assert r.context["override_form"].errors == {"date": [RANGE]}
    assert WorkdayOverride.objects.count() == 0


@pytest.mark.django_db
def test_api_dates_are_bounded_by_the_same_range(
    make_enterprise: Any, login_client: Any, live_room: Resource
) -> None:
    """The API reads every date it is sent as core.workdays.IsoDate: YYYY-MM-DD within the range, a 422
    otherwise (a week of 9999-12-31 overflowed into a 500; a calculation 'on' year 1 was answered)."""
    enterprise, owner = make_enterprise()
    room = live_room
    client = login_client(owner)
    client.raise_request_exception = False
    message = "date must be YYYY-MM-DD between 1900-01-01 and 2200-12-31 / 日期应为 YYYY-MM-DD 格式，且在 1900-01-01 至 2200-12-31 之间"
    for day in ("9999-12-31", "0001-01-01", "20260101"):
        for r in (
            client.get(f"/api/v1/spaces/resources/{room.pk}/availability", {"week": day}),
            client.get("/api/v1/policies", {"on": day}),
            client.post("/api/v1/calculator", {"facts": {}, "on": day}, content_type="application/json"),
            client.patch(
                f"/api/v1/enterprises/{enterprise.pk}",
                {"expected_version": enterprise.version, "registered_on": day},
                content_type="application/json",
            ),
        ):
            assert r.status_code == 422, (day, r.request["PATH_INFO"], r.content)
            assert message in str(r.json()["detail"]), r.json()
    assert (
        client.get(f"/api/v1/spaces/resources/{room.pk}/availability", {"week": "2200-12-29"}).status_code
        == 200
    )
    # Within the range, the same requests are answered (the 422s above were the dates').
    assert client.get("/api/v1/policies", {"on": "2026-05-06"}).status_code == 200
    assert (
        client.post(
            "/api/v1/calculator", {"facts": {}, "on": "2026-05-06"}, content_type="application/json"
        ).status_code
        == 200
    )
    patched = client.patch(
        f"/api/v1/enterprises/{enterprise.pk}",
        {"expected_version": enterprise.version, "registered_on": "1900-01-01"},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["registered_on"] == "1900-01-01"


@pytest.mark.django_db
def test_a_week_outside_the_calendar_shows_this_week(
    make_enterprise: Any, login_client: Any, live_room: Resource
) -> None:
    """The spaces week views read ?week= like a date field: outside the range, or not a date (2026-02-30),
    they show the current week instead of overflowing into a 500 (floors read ?on= the same way)."""
    from django.utils import timezone

    _enterprise, owner = make_enterprise()
    room, site = live_room, live_room.site
    client = login_client(owner)
    client.raise_request_exception = False
    today = timezone.localdate()
    this_monday = today - dt.timedelta(days=today.weekday())
    for week in ("9999-12-31", "0001-01-01", "2026-02-30", "2200-12-31"):  # 2200-12-31's next week is past
        for url in (f"/spaces/r/{room.pk}/", f"/spaces/site/{site.pk}/"):
            r = client.get(url, {"week": week})
            assert r.status_code == 200, (url, week)
            assert (r.context.get("monday") or r.context["week"].monday) == this_monday

"""Issue #13 item 9, door check-in: a ticket is accepted only while the door is open, from
EVENT_CHECK_IN_OPENS_MINUTES_BEFORE the start to EVENT_CHECK_IN_CLOSES_MINUTES_AFTER the end."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from shouzhan.community import selectors, services
from shouzhan.community.models import Registration

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2031, 6, 10, 14, 0, tzinfo=SH)
END = dt.datetime(2031, 6, 10, 17, 0, tzinfo=SH)
NOT_OPEN = "签到尚未开始：本场活动 2031-06-10 12:00 起可签到（开始前 120 分钟）。"
CLOSED = "签到已结束：本场活动的签到于 2031-06-10 17:00 截止。"


@pytest.fixture
def ticket(make_event: Any, make_user: Any) -> tuple[Any, Registration]:
    event = make_event(starts_at=START, ends_at=END)
    return event, services.registration_create(actor=make_user(name="林晓"), event=event)


def _check_in(caseworker: Any, ticket: tuple[Any, Registration], at: dt.datetime) -> Registration:
    event, reg = ticket
    with time_machine.travel(at, tick=False):
        return services.registration_check_in(actor=caseworker, event=event, code=reg.code)


def test_the_default_window_is_two_hours_before_the_start_to_the_end(ticket: Any) -> None:
    assert selectors.check_in_window(ticket[0]) == (START - dt.timedelta(hours=2), END)


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (START - dt.timedelta(days=10), NOT_OPEN),  # what the new user did
        (START - dt.timedelta(hours=2, seconds=1), NOT_OPEN),
        (END + dt.timedelta(seconds=1), CLOSED),
        (END + dt.timedelta(days=1), CLOSED),
    ],
)
def test_outside_the_window_the_ticket_is_refused(
    ticket: Any, caseworker: Any, at: dt.datetime, message: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        _check_in(caseworker, ticket, at)
    assert exc.value.messages == [message]
    ticket[1].refresh_from_db()
    assert ticket[1].checked_in_at is None


@pytest.mark.parametrize("at", [START - dt.timedelta(hours=2), START, END])
def test_inside_the_window_the_ticket_is_accepted(ticket: Any, caseworker: Any, at: dt.datetime) -> None:
    done = _check_in(caseworker, ticket, at)
    assert done.checked_in_at == at


def test_the_window_is_configurable(ticket: Any, caseworker: Any, settings: Any) -> None:
    settings.EVENT_CHECK_IN_OPENS_MINUTES_BEFORE = 30
    settings.EVENT_CHECK_IN_CLOSES_MINUTES_AFTER = 60
    assert selectors.check_in_window(ticket[0]) == (
        START - dt.timedelta(minutes=30),
        END + dt.timedelta(hours=1),
    )
    with pytest.raises(ValidationError) as exc:
        _check_in(caseworker, ticket, START - dt.timedelta(minutes=31))
    assert exc.value.messages == ["签到尚未开始：本场活动 2031-06-10 13:30 起可签到（开始前 30 分钟）。"]
    assert _check_in(caseworker, ticket, END + dt.timedelta(hours=1)).checked_in_at == END + dt.timedelta(
        hours=1
    )


def test_the_door_page_refuses_early_with_422_and_says_when_it_opens(
    ticket: Any, caseworker: Any, login_client: Any
) -> None:
    event, reg = ticket
    url = f"/community/events/{event.pk}/checkin/"
    with time_machine.travel(START - dt.timedelta(days=10), tick=False):
        door = login_client(caseworker)  # a session of that day (the event is years ahead)
        page = door.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "签到时间：2031-06-10 12:00 至 2031-06-10 17:00（现在不在签到时间内，签到码会被拒绝）" in html
        refused = door.post(url, {"code": reg.code})
        assert refused.status_code == 422
        assert NOT_OPEN in refused.content.decode()
    with time_machine.travel(START - dt.timedelta(hours=1), tick=False):
        door = login_client(caseworker)
        ok = door.post(url, {"code": reg.code})
        assert ok.status_code == 200
        assert "签到成功：林晓" in ok.content.decode()
        assert "现在不在签到时间内" not in door.get(url).content.decode()


def test_the_api_refuses_late_with_422(ticket: Any, caseworker: Any, login_client: Any) -> None:
    event, reg = ticket
    with time_machine.travel(END + dt.timedelta(minutes=1), tick=False):
        r = login_client(caseworker).post(
            f"/api/v1/community/events/{event.pk}/check-in",
            json.dumps({"code": reg.code}),
            content_type="application/json",
        )
    assert (r.status_code, r.json()) == (422, {"error": "invalid input / 输入有误", "detail": [CLOSED]})
    reg.refresh_from_db()
    assert reg.checked_in_at is None

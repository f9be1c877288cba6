"""Booking services: clashes (overlapping and touching, with buffers), bad input, cancellation, waitlist."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404

from shouzhan.core.models import AuditEntry
from shouzhan.spaces import services
from shouzhan.spaces.models import Booking, WaitlistEntry
from tests.spaces.conftest import at

pytestmark = pytest.mark.django_db


def book(owner, enterprise, resource, start, end, people=1):  # type: ignore[no-untyped-def]
    return services.booking_create(
        actor=owner, resource=resource, enterprise=enterprise, start_at=start, end_at=end, people=people
    )


def test_booking_fee_status_and_audit(make_enterprise, live_room, day):  # type: ignore[no-untyped-def]
    ent, owner = make_enterprise()
    b = book(owner, ent, live_room, at(day, 10), at(day, 12, 30))
    assert b.status == Booking.Status.CONFIRMED
    assert b.fee_fen == 30000  # 120.00 yuan × 2.5 h
    assert b.blocked_until == at(day, 12, 45)
    entry = AuditEntry.objects.get(action="spaces.booking_create", target_id=str(b.pk))
    assert entry.enterprise_id == ent.pk and entry.after["status"] == "confirmed"


@pytest.mark.parametrize(
    ("start", "end", "clash"),
    [
        ((10, 0), (12, 0), True),  # identical
        ((11, 0), (11, 30), True),  # inside
        ((9, 0), (10, 30), True),  # overlaps the start
        ((11, 30), (13, 0), True),  # overlaps the end
        ((12, 0), (13, 0), True),  # touches the end: inside the 15-minute buffer
        ((12, 30), (13, 0), False),  # after the buffer
        ((9, 0), (9, 30), False),  # its own buffer ends 09:45, before 10:00
        ((9, 0), (10, 0), True),  # touches the start: its own buffer runs to 10:15
    ],
)
def test_overlapping_and_touching_with_buffer(make_enterprise, live_room, day, start, end, clash):  # type: ignore[no-untyped-def]
    a, owner_a = make_enterprise()
    b, owner_b = make_enterprise()
    book(owner_a, a, live_room, at(day, 10), at(day, 12))
    if clash:
        with pytest.raises(services.BookingConflict) as info:
            book(owner_b, b, live_room, at(day, *start), at(day, *end))
        assert info.value.message.startswith(f"该时段已被占用：直播间 A {day.isoformat()} 10:00–12:00")
        assert "含 15 分钟间隔，至 12:15" in info.value.message
        assert info.value.alternatives
    else:
        assert book(owner_b, b, live_room, at(day, *start), at(day, *end)).pk


def test_touching_ranges_without_buffer_are_allowed(make_enterprise, live_room_b, day):  # type: ignore[no-untyped-def]
    a, owner_a = make_enterprise()
    book(owner_a, a, live_room_b, at(day, 10), at(day, 12))
    book(owner_a, a, live_room_b, at(day, 12), at(day, 14))
    book(owner_a, a, live_room_b, at(day, 8), at(day, 10))
    with pytest.raises(services.BookingConflict):
        book(owner_a, a, live_room_b, at(day, 11, 30), at(day, 12, 30))
    assert Booking.objects.filter(resource=live_room_b).count() == 3


def test_conflict_offers_alternatives(make_enterprise, live_room, live_room_b, day):  # type: ignore[no-untyped-def]
    a, owner_a = make_enterprise()
    b, owner_b = make_enterprise()
    book(owner_a, a, live_room, at(day, 10), at(day, 12))
    with pytest.raises(services.BookingConflict) as info:
        book(owner_b, b, live_room, at(day, 10), at(day, 12))
    labels = [s.label for s in info.value.alternatives]
    d = day.isoformat()
    assert labels == [
        f"直播间 A · {d} 12:30–14:30",
        f"直播间 A · {d} 15:00–17:00",
        f"直播间 A · {d} 17:30–19:30",
        f"直播间 B · {d} 10:00–12:00",
    ]


@pytest.mark.parametrize(
    ("start", "end", "people", "field", "message"),
    [
        ((12, 0), (10, 0), 1, "end_at", "结束时间必须晚于开始时间"),
        ((12, 0), (12, 0), 1, "end_at", "结束时间必须晚于开始时间"),
        ((6, 0), (8, 0), 1, "start_at", "超出开放时间：直播间 A 每天 08:00–22:00 开放"),
        ((21, 0), (23, 0), 1, "start_at", "超出开放时间：直播间 A 每天 08:00–22:00 开放"),
        ((10, 0), (12, 0), 5, "people", "人数超过容纳上限：直播间 A 最多容纳 4 人"),
        ((10, 10), (12, 0), 1, "start_at", "请按半小时为单位预约（如 10:00、10:30）"),
    ],
)
def test_bad_input_gets_a_clear_message(make_enterprise, live_room, day, start, end, people, field, message):  # type: ignore[no-untyped-def]
    ent, owner = make_enterprise()
    with pytest.raises(ValidationError) as info:
        book(owner, ent, live_room, at(day, *start), at(day, *end), people=people)
    assert message in info.value.message_dict[field]
    assert not Booking.objects.exists()


def test_past_is_refused(make_enterprise, live_room):  # type: ignore[no-untyped-def]
    ent, owner = make_enterprise()
    past = dt.date.today() - dt.timedelta(days=2)
    with pytest.raises(ValidationError) as info:
        book(owner, ent, live_room, at(past, 10), at(past, 12))
    assert info.value.message_dict["start_at"] == ["不能预约已经过去的时间"]


def test_desk_cannot_be_booked_by_the_hour(make_enterprise, desk, day):  # type: ignore[no-untyped-def]
    ent, owner = make_enterprise()
    with pytest.raises(ValidationError) as info:
        book(owner, ent, desk, at(day, 10), at(day, 12))
    assert "工位、办公室和整层按月租用，请联系营商专员办理入驻" in info.value.messages


def test_another_enterprise_cannot_book_or_cancel_for_you(make_enterprise, live_room, day):  # type: ignore[no-untyped-def]
    a, owner_a = make_enterprise()
    _b, owner_b = make_enterprise()
    with pytest.raises(Http404):
        book(owner_b, a, live_room, at(day, 10), at(day, 12))
    mine = book(owner_a, a, live_room, at(day, 10), at(day, 12))
    with pytest.raises(Http404):
        services.booking_cancel(actor=owner_b, booking=mine)


def test_cancellation_rules(make_enterprise, live_room):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    ent, owner = make_enterprise()
    far = timezone.localdate() + dt.timedelta(days=3)
    early = book(owner, ent, live_room, at(far, 10), at(far, 12))
    services.booking_cancel(actor=owner, booking=early, reason="档期调整")
    early.refresh_from_db()
    assert (early.status, early.cancellation_fee_fen, early.cancel_reason) == ("cancelled", 0, "档期调整")
    # Late: less than 24 hours ahead → 50% of the fee (the clock is pinned to 09:00 that day, so
    # the booking three hours later is inside opening hours whenever the test runs).
    soon = timezone.localdate() + dt.timedelta(days=10)
    with time_machine.travel(at(soon, 9), tick=False):
        late = book(owner, ent, live_room, at(soon, 12), at(soon, 13))
        services.booking_cancel(actor=owner, booking=late)
    late.refresh_from_db()
    assert late.cancellation_fee_fen == 6000
    with pytest.raises(ValidationError, match="无需取消"):
        services.booking_cancel(actor=owner, booking=late)
    assert AuditEntry.objects.filter(action="spaces.booking_cancel").count() == 2


def test_cancel_frees_the_slot_and_offers_it_to_the_waitlist(make_enterprise, live_room, day):  # type: ignore[no-untyped-def]
    a, owner_a = make_enterprise()
    b, owner_b = make_enterprise()
    first = book(owner_a, a, live_room, at(day, 10), at(day, 12))
    entry = services.waitlist_join(
        actor=owner_b, resource=live_room, enterprise=b, start_at=at(day, 10), end_at=at(day, 12)
    )
    services.booking_cancel(actor=owner_a, booking=first)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    booking = services.waitlist_accept(actor=owner_b, entry=entry)
    assert (booking.enterprise, booking.start_at, booking.status) == (b, at(day, 10), "confirmed")
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.BOOKED


def test_filming_location_is_pending_by_the_day(make_enterprise, filming_site, day):  # type: ignore[no-untyped-def]
    ent, owner = make_enterprise()
    start, end = services.day_slot(filming_site, day, 2)
    assert (start, end) == (at(day, 7), at(day + dt.timedelta(days=1), 19))
    b = book(owner, ent, filming_site, start, end, people=12)
    assert b.status == Booking.Status.PENDING
    assert b.fee_fen == 400000
    with pytest.raises(ValidationError) as info:
        book(owner, ent, filming_site, at(day, 9), at(day, 12))
    assert info.value.message_dict["start_at"] == ["该空间按天预约：每天 07:00–19:00，请选择日期和天数"]
    services.booking_reject(actor="system:test", booking=b, note="当日有市政活动")
    b.refresh_from_db()
    assert b.status == "rejected"
    assert book(owner, ent, filming_site, start, end).status == "pending"


# Issue #11, defect 9: an enterprise could join the waitlist for a slot it had booked itself; the
# wish could never be offered (its own booking holds the slot) and it sat in the queue forever.
def test_no_waitlist_for_a_slot_you_already_hold(make_enterprise, live_room, day, login_client):  # type: ignore[no-untyped-def]
    a, owner_a = make_enterprise()
    b, owner_b = make_enterprise()
    book(owner_a, a, live_room, at(day, 10), at(day, 12))
    for start, end in ((at(day, 10), at(day, 12)), (at(day, 11), at(day, 13)), (at(day, 9), at(day, 10, 30))):
        with pytest.raises(ValidationError) as info:
            services.waitlist_join(
                actor=owner_a, resource=live_room, enterprise=a, start_at=start, end_at=end
            )
        assert info.value.messages == [
            f"贵企业已预约该空间 {day:%Y-%m-%d} 10:00–12:00，与候补时段重叠，无需候补。"
        ]
    api = login_client(owner_a).post(
        "/api/v1/spaces/waitlist",
        {"resource_id": live_room.pk, "start_at": at(day, 10).isoformat(), "end_at": at(day, 12).isoformat()},
        content_type="application/json",
    )
    assert api.status_code == 422
    assert api.json()["detail"] == [
        f"贵企业已预约该空间 {day:%Y-%m-%d} 10:00–12:00，与候补时段重叠，无需候补。"
    ]
    assert WaitlistEntry.objects.count() == 0
    # Another enterprise may wait for it; and A may wait for a slot it does not hold.
    services.waitlist_join(
        actor=owner_b, resource=live_room, enterprise=b, start_at=at(day, 10), end_at=at(day, 12)
    )
    services.waitlist_join(
        actor=owner_a, resource=live_room, enterprise=a, start_at=at(day, 14), end_at=at(day, 15)
    )
    assert WaitlistEntry.objects.count() == 2

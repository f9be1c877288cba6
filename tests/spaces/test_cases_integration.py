"""协拍预约 through the real cases module: a filming-location booking opens a `service.filming_location`
case; the caseworker's decisions (shouzhan.cases.services.case_transition) confirm the booking, or refuse
it — freeing the days and offering them to the waitlist; an applicant's withdrawal does the same."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from shouzhan.cases.selectors import case_for
from shouzhan.cases.services import case_transition
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.spaces import services
from shouzhan.spaces.models import Booking, WaitlistEntry
from tests.spaces.conftest import at

pytestmark = pytest.mark.django_db


def _audit(target_type: str, pk: int) -> list[tuple[str, str]]:
    return list(
        AuditEntry.objects.filter(target_type=target_type, target_id=str(pk))
        .order_by("id")
        .values_list("action", "note")
    )


def _book(owner, enterprise, resource, day, days=1):  # type: ignore[no-untyped-def]
    start, end = services.day_slot(resource, day, days)
    return services.booking_create(
        actor=owner, resource=resource, enterprise=enterprise, start_at=start, end_at=end, people=12
    )


@pytest.fixture
def caseworker(make_user):  # type: ignore[no-untyped-def]
    return make_user(role=Role.CASEWORKER, name="王专员")


def test_approved_case_confirms_the_booking(make_enterprise, caseworker, filming_site, day):  # type: ignore[no-untyped-def]
    crew, owner = make_enterprise(name="光合剧场")
    booking = _book(owner, crew, filming_site, day, days=2)
    assert booking.status == Booking.Status.PENDING
    case = case_for(related=booking)
    assert case is not None
    assert (case.case_type, case.state, case.version, case.enterprise_id) == (
        "service.filming_location",
        "submitted",
        1,
        crew.pk,
    )
    assert (
        case.title == f"协拍预约：龙腾大道江景段 {day.isoformat()} 07:00 – {day + dt.timedelta(days=1)} 19:00"
    )
    assert case.data["location"] == "徐汇滨江取景地 · 龙腾大道江景段"
    assert case.data["shoot_date"] == day.isoformat()
    assert "需携带材料：拍摄许可申请表、剧组人员名单、公众责任保险单" in case.data["need"]

    # The applicant may not approve their own request.
    with pytest.raises(PermissionDenied):
        case_transition(actor=owner, case=case, action="accept", expected_version=1)

    case = case_transition(actor=caseworker, case=case, action="accept", expected_version=1)
    case = case_transition(actor=caseworker, case=case, action="start", expected_version=2)
    booking.refresh_from_db()
    assert (case.state, booking.status) == ("in_progress", "pending")  # only a decision moves the booking
    case = case_transition(actor=caseworker, case=case, action="complete", expected_version=3, note="已协调")
    booking.refresh_from_db()
    assert (case.state, case.version) == ("approved", 4)
    assert booking.status == Booking.Status.CONFIRMED
    assert [a for a, _n in _audit("cases.case", case.pk)] == [
        "cases.case_submit",
        "cases.case_accept",
        "cases.case_start",
        "cases.case_complete",
    ]
    assert _audit("spaces.booking", booking.pk) == [
        ("spaces.booking_create", ""),
        ("spaces.booking_confirm", f"case #{case.pk}"),
    ]
    confirm = AuditEntry.objects.get(action="spaces.booking_confirm", target_id=str(booking.pk))
    assert (confirm.actor_id, confirm.before["status"], confirm.after["status"], confirm.enterprise_id) == (
        caseworker.pk,
        "pending",
        "confirmed",
        crew.pk,
    )


def test_rejected_case_frees_the_days_and_offers_them_to_the_waitlist(
    make_enterprise, caseworker, filming_site, day
):  # type: ignore[no-untyped-def]
    crew, owner = make_enterprise(name="光合剧场")
    other, other_owner = make_enterprise(name="青橙影视")
    booking = _book(owner, crew, filming_site, day)
    start, end = services.day_slot(filming_site, day)
    with pytest.raises(services.BookingConflict):
        _book(other_owner, other, filming_site, day)
    entry = services.waitlist_join(
        actor=other_owner, resource=filming_site, enterprise=other, start_at=start, end_at=end, people=8
    )
    case = case_for(related=booking)
    assert case is not None
    case = case_transition(actor=caseworker, case=case, action="accept", expected_version=1)
    case = case_transition(
        actor=caseworker, case=case, action="reject", expected_version=2, note="当日有市政活动"
    )
    booking.refresh_from_db()
    entry.refresh_from_db()
    assert (case.state, case.version, case.decision_reasons) == ("rejected", 3, "当日有市政活动")
    assert (booking.status, booking.cancel_reason) == ("rejected", f"case #{case.pk} 当日有市政活动")
    assert entry.status == WaitlistEntry.Status.OFFERED
    assert [a for a, _n in _audit("cases.case", case.pk)] == [
        "cases.case_submit",
        "cases.case_accept",
        "cases.case_reject",
    ]
    assert _audit("spaces.booking", booking.pk) == [
        ("spaces.booking_create", ""),
        ("spaces.booking_reject", f"case #{case.pk} 当日有市政活动"),
    ]
    assert _audit("spaces.waitlistentry", entry.pk) == [
        ("spaces.waitlist_join", ""),
        ("spaces.waitlist_offer", f"预约 #{booking.pk} 释放了该时段"),
    ]
    # The waiting crew takes the days: a new pending booking and a new case of its own.
    taken = services.waitlist_accept(actor=other_owner, entry=entry)
    assert (taken.enterprise_id, taken.status, taken.start_at, taken.end_at) == (
        other.pk,
        "pending",
        at(day, 7),
        at(day, 19),
    )
    second = case_for(related=taken)
    assert second is not None and (second.state, second.enterprise_id) == ("submitted", other.pk)


def test_withdrawn_case_cancels_the_pending_booking(make_enterprise, caseworker, filming_site, day):  # type: ignore[no-untyped-def]
    crew, owner = make_enterprise()
    booking = _book(owner, crew, filming_site, day)
    case = case_for(related=booking)
    assert case is not None
    case = case_transition(actor=owner, case=case, action="withdraw", expected_version=1)
    booking.refresh_from_db()
    assert (case.state, booking.status, booking.cancellation_fee_fen) == ("withdrawn", "cancelled", 0)
    assert [a for a, _n in _audit("spaces.booking", booking.pk)] == [
        "spaces.booking_create",
        "spaces.booking_withdraw",
    ]
    # The days are free again.
    assert _book(owner, crew, filming_site, day).status == "pending"

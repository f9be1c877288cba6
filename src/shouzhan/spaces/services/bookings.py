"""Bookings: create (with the 协拍 case when the resource needs approval), cancel, and the case's decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.cases.services import case_submit
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record, audited_update, snapshot
from shouzhan.registry.models import Enterprise
from shouzhan.spaces import fees, permissions
from shouzhan.spaces.models import Booking, Resource
from shouzhan.spaces.services.slots import (
    blocked_until_for,
    blocking,
    booking_fee,
    conflict_for,
    lock_resource,
    offer_freed_slot,
    span_text,
    validate_slot,
)

FILMING_CASE_TYPE = "service.filming_location"
BOOKING_FIELDS = ["status", "start_at", "end_at", "blocked_until", "fee_fen", "cancellation_fee_fen"]


@transaction.atomic
def booking_create(
    *,
    actor: Actor,
    resource: Resource,
    enterprise: Enterprise,
    start_at: dt.datetime,
    end_at: dt.datetime,
    people: int = 1,
    purpose: str = "",
) -> Booking:
    """Book a time slot. Raises ValidationError for bad input, BookingConflict when the slot is taken."""
    permissions.require_booker(actor, enterprise.pk)
    validate_slot(resource=resource, start_at=start_at, end_at=end_at, people=people)
    blocked_until = blocked_until_for(resource, end_at)
    lock_resource(resource.pk)
    clash = blocking(resource.pk, start_at, blocked_until).first()
    if clash is not None:
        raise conflict_for(resource, start_at, end_at, (clash.start_at, clash.end_at, clash.blocked_until))
    booking = Booking(
        resource=resource,
        enterprise=enterprise,
        booked_by=actor_user(actor),
        start_at=start_at,
        end_at=end_at,
        blocked_until=blocked_until,
        people=people,
        purpose=(purpose or "")[:200],
        status=Booking.Status.PENDING if resource.needs_approval else Booking.Status.CONFIRMED,
        fee_fen=booking_fee(resource=resource, start_at=start_at, end_at=end_at),
    )
    try:
        with transaction.atomic():  # a savepoint: the constraint's refusal must not poison the transaction
            booking.save()
    except IntegrityError as exc:
        if "no_overlap" not in str(exc):
            raise
        raise conflict_for(resource, start_at, end_at, (start_at, end_at, blocked_until)) from exc
    audit_record(
        actor=actor,
        action="spaces.booking_create",
        target=booking,
        before=None,
        after=snapshot(booking, [*BOOKING_FIELDS, "resource_id", "people"]),
        enterprise_id=enterprise.pk,
    )
    if resource.needs_approval:
        _submit_filming_case(actor=actor, booking=booking)
    return booking


def _submit_filming_case(*, actor: Actor, booking: Booking) -> None:
    """协拍预约: the request is a case in the cases module, with its own working-day limit."""
    resource = booking.resource
    span = span_text(booking.start_at, booking.end_at)
    case_submit(
        actor=actor,
        case_type=FILMING_CASE_TYPE,
        enterprise=booking.enterprise,
        title=_("协拍预约：%(name)s %(span)s") % {"name": resource.name, "span": span},
        data={
            "location": f"{resource.site.name} · {resource.name}",
            "shoot_date": timezone.localtime(booking.start_at).date().isoformat(),
            "need": _("%(span)s，%(people)s 人。%(purpose)s 场地方规定：%(rules)s 需携带材料：%(docs)s")
            % {
                "span": span,
                "people": booking.people,
                "purpose": booking.purpose,
                "rules": resource.owner_rules or "—",
                "docs": "、".join(resource.required_documents or []) or "—",
            },
        },
        related=booking,
    )


def _set_status(*, actor: Actor, booking: Booking, action: str, note: str = "", **changes: Any) -> Booking:
    return audited_update(
        actor=actor,
        instance=booking,
        action=action,
        changes=changes,
        fields=BOOKING_FIELDS,
        note=note,
        enterprise_id=booking.enterprise_id,
        clean=False,
    )


@transaction.atomic
def booking_cancel(*, actor: Actor, booking: Booking, reason: str = "") -> Booking:
    """Cancel: free until CANCEL_FREE_HOURS before the start, then CANCEL_LATE_PERCENT of the fee; staff
    cancel without a fee; nobody cancels a booking that has started."""
    permissions.require_booker(actor, booking.enterprise_id)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status not in Booking.HOLDING:
        raise ValidationError(
            _("该预约已是“%(status)s”状态，无需取消") % {"status": booking.get_status_display()}
        )
    now = timezone.now()
    if booking.start_at <= now:
        raise ValidationError(_("预约已开始或已结束，不能取消"))
    fee = 0
    if (
        not permissions.cancels_without_fee(actor)
        and booking.status == Booking.Status.CONFIRMED
        and booking.start_at - now < dt.timedelta(hours=fees.CANCEL_FREE_HOURS)
    ):
        fee = fees.percent_of(booking.fee_fen, fees.CANCEL_LATE_PERCENT)
    booking = _set_status(
        actor=actor,
        booking=booking,
        action="spaces.booking_cancel",
        note=reason,
        status=Booking.Status.CANCELLED,
        cancelled_at=now,
        cancel_reason=(reason or "")[:255],
        cancellation_fee_fen=fee,
    )
    offer_freed_slot(booking)
    return booking


def _decide_pending(
    *, actor: Actor, booking: Booking, action: str, note: str, frees: bool, **changes: Any
) -> Booking:
    """A 协拍 case decided its pending booking; a booking no longer pending is left as it is."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != Booking.Status.PENDING:
        return booking
    booking = _set_status(actor=actor, booking=booking, action=action, note=note, **changes)
    if frees:
        offer_freed_slot(booking)
    return booking


@transaction.atomic
def booking_confirm(*, actor: Actor, booking: Booking, note: str = "") -> Booking:
    """Approval of a pending booking (the filming-location case reached `approved`)."""
    return _decide_pending(
        actor=actor,
        booking=booking,
        action="spaces.booking_confirm",
        note=note,
        frees=False,
        status=Booking.Status.CONFIRMED,
    )


@transaction.atomic
def booking_reject(*, actor: Actor, booking: Booking, note: str = "") -> Booking:
    """Refusal of a pending booking: the slot frees and is offered to the waitlist."""
    return _decide_pending(
        actor=actor,
        booking=booking,
        action="spaces.booking_reject",
        note=note,
        frees=True,
        status=Booking.Status.REJECTED,
        cancel_reason=(note or "")[:255],
    )


@transaction.atomic
def booking_withdraw(*, actor: Actor, booking: Booking, note: str = "") -> Booking:
    """The applicant withdrew the 协拍 request: the pending booking is cancelled (no fee) and the slot is
    offered to the waitlist."""
    return _decide_pending(
        actor=actor,
        booking=booking,
        action="spaces.booking_withdraw",
        note=note,
        frees=True,
        status=Booking.Status.CANCELLED,
        cancelled_at=timezone.now(),
        cancel_reason=(note or "")[:255],
    )

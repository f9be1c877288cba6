"""The waitlist: wait for a taken slot, take it when it is offered, or leave."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record, audited_update, snapshot
from shouzhan.registry.models import Enterprise
from shouzhan.spaces import permissions
from shouzhan.spaces.models import Booking, Resource, WaitlistEntry
from shouzhan.spaces.services.bookings import booking_create
from shouzhan.spaces.services.slots import lock_resource, span_text, validate_slot


def _refuse_own_booking(
    *, resource: Resource, enterprise: Enterprise, start_at: dt.datetime, end_at: dt.datetime
) -> None:
    own = (
        Booking.objects.filter(
            resource=resource,
            enterprise=enterprise,
            status__in=Booking.HOLDING,
            start_at__lt=end_at,
            end_at__gt=start_at,
        )
        .order_by("start_at")
        .first()
    )
    if own is not None:
        # Its own booking holds the slot, so the wish could never be offered: it would wait forever.
        raise ValidationError(
            _("贵企业已预约该空间 %(span)s，与候补时段重叠，无需候补。")
            % {"span": span_text(own.start_at, own.end_at)}
        )


def _refuse_repeat_wish(
    *, resource: Resource, enterprise: Enterprise, start_at: dt.datetime, end_at: dt.datetime
) -> None:
    """The enterprise already waits (or has been offered) this very slot: the same wish twice is refused,
    naming its place in the queue (open wishes for the resource overlapping it, first come first)."""
    open_entries = WaitlistEntry.objects.filter(resource=resource, status__in=WaitlistEntry.OPEN)
    same = open_entries.filter(enterprise=enterprise, start_at=start_at, end_at=end_at).first()
    if same is None:
        return
    ahead = open_entries.filter(start_at__lt=same.end_at, end_at__gt=same.start_at).filter(
        Q(created_at__lt=same.created_at) | Q(created_at=same.created_at, pk__lt=same.pk)
    )
    raise ValidationError(
        _("贵企业已在候补该空间 %(span)s（第 %(place)s 位），不能重复候补。")
        % {"span": span_text(same.start_at, same.end_at), "place": ahead.count() + 1}
    )


@transaction.atomic
def waitlist_join(
    *,
    actor: Actor,
    resource: Resource,
    enterprise: Enterprise,
    start_at: dt.datetime,
    end_at: dt.datetime,
    people: int = 1,
) -> WaitlistEntry:
    permissions.require_booker(actor, enterprise.pk)
    validate_slot(resource=resource, start_at=start_at, end_at=end_at, people=people)
    lock_resource(resource.pk)  # serialised with booking_create: the checks below cannot go stale
    wish: dict[str, Any] = {
        "resource": resource,
        "enterprise": enterprise,
        "start_at": start_at,
        "end_at": end_at,
    }
    _refuse_own_booking(**wish)
    _refuse_repeat_wish(**wish)
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(**wish, requested_by=actor_user(actor), people=people)
    except IntegrityError:  # the database's own check (spaces_waitlist_once_per_slot), should a race pass
        _refuse_repeat_wish(**wish)
        raise
    audit_record(
        actor=actor,
        action="spaces.waitlist_join",
        target=entry,
        after=snapshot(entry),
        enterprise_id=enterprise.pk,
    )
    return entry


@transaction.atomic
def waitlist_accept(*, actor: Actor, entry: WaitlistEntry) -> Booking:
    permissions.require_booker(actor, entry.enterprise_id)
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != WaitlistEntry.Status.OFFERED:
        raise ValidationError(_("该候补没有可接受的空档"))
    booking = booking_create(
        actor=actor,
        resource=entry.resource,
        enterprise=entry.enterprise,
        start_at=entry.start_at,
        end_at=entry.end_at,
        people=entry.people,
    )
    entry.status = WaitlistEntry.Status.BOOKED
    entry.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="spaces.waitlist_accept",
        target=entry,
        before={"status": "offered"},
        after={"status": "booked", "booking_id": booking.pk},
        enterprise_id=entry.enterprise_id,
    )
    return booking


@transaction.atomic
def waitlist_withdraw(*, actor: Actor, entry: WaitlistEntry) -> WaitlistEntry:
    permissions.require_booker(actor, entry.enterprise_id)
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status in (WaitlistEntry.Status.BOOKED, WaitlistEntry.Status.WITHDRAWN):
        raise ValidationError(_("该候补已结束"))
    return audited_update(
        actor=actor,
        instance=entry,
        action="spaces.waitlist_withdraw",
        changes={"status": WaitlistEntry.Status.WITHDRAWN},
        fields=["status"],
        enterprise_id=entry.enterprise_id,
        clean=False,
    )

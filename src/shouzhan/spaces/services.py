"""Writes to spaces: bookings, the waitlist and tenancies. Keyword-only, atomic, each with its audit entry.

Serialising the clash check (why two mechanisms):
- Every booking write first UPDATEs its resource row (`_lock_resource`). On PostgreSQL that is a
  row lock: concurrent requests for one resource queue, and the check that follows sees the
  committed winner (READ COMMITTED takes a fresh snapshot per statement), so the loser gets a
  clear refusal naming the conflicting slot. On SQLite the UPDATE takes the database write lock,
  which serialises the whole check-then-insert the same way.
- On PostgreSQL the exclusion constraint (migration 0002) is the guarantee of last resort: if
  anything ever bypasses this service, the database still refuses the overlap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.audit import audit_record, snapshot
from shouzhan.core.permissions import has_role
from shouzhan.core.roles import Role
from shouzhan.registry.permissions import require_enterprise_write
from shouzhan.spaces import fees
from shouzhan.spaces.models import Booking, Resource, Tenancy, WaitlistEntry

SLOT_MINUTES = 30  # hourly bookings start and end on the half hour
MAX_DAYS_AHEAD = 180
MAX_DAILY_DAYS = 31
TENANCY_ROLES = (Role.CASEWORKER, Role.ADMIN)  # the centre's staff run the incubator's tenancies
FILMING_CASE_TYPE = "service.filming_location"
BOOKING_FIELDS = ["status", "start_at", "end_at", "blocked_until", "fee_fen", "cancellation_fee_fen"]


def _fmt(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _span(start: dt.datetime, end: dt.datetime) -> str:
    s, e = timezone.localtime(start), timezone.localtime(end)
    return (
        f"{s:%Y-%m-%d %H:%M}–{e:%H:%M}"
        if s.date() == e.date()
        else f"{s:%Y-%m-%d %H:%M} – {e:%Y-%m-%d %H:%M}"
    )


@dataclass(frozen=True)
class Slot:
    resource: Resource
    start_at: dt.datetime
    end_at: dt.datetime

    @property
    def label(self) -> str:
        return f"{self.resource.name} · {_span(self.start_at, self.end_at)}"


@dataclass
class BookingConflict(Exception):
    """The slot is taken: the conflicting slot (no other enterprise's name) and alternatives."""

    resource: Resource
    start_at: dt.datetime
    end_at: dt.datetime
    conflict_start: dt.datetime
    conflict_end: dt.datetime
    conflict_blocked_until: dt.datetime
    alternatives: list[Slot] = field(default_factory=list)

    @property
    def message(self) -> str:
        text = _("该时段已被占用：%(resource)s %(span)s") % {
            "resource": self.resource.name,
            "span": _span(self.conflict_start, self.conflict_end),
        }
        if self.conflict_blocked_until > self.conflict_end:
            text += _("（含 %(minutes)s 分钟间隔，至 %(until)s）") % {
                "minutes": self.resource.buffer_minutes,
                "until": f"{timezone.localtime(self.conflict_blocked_until):%H:%M}",
            }
        return text

    def __str__(self) -> str:
        return self.message


# ------------------------------------------------------------------------------------------ checks
def _lock_resource(resource_id: int) -> None:
    Resource.objects.filter(pk=resource_id).update(lock_counter=F("lock_counter") + 1)


def _blocking(
    resource_id: int, start: dt.datetime, blocked_until: dt.datetime, exclude: int | None = None
) -> Any:
    qs = Booking.objects.filter(
        resource_id=resource_id,
        status__in=Booking.HOLDING,
        start_at__lt=blocked_until,
        blocked_until__gt=start,
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("start_at")


def _blocked_until(resource: Resource, end: dt.datetime) -> dt.datetime:
    return end + dt.timedelta(minutes=resource.buffer_minutes)  # clock time, not a deadline


def day_slot(resource: Resource, day: dt.date, days: int = 1) -> tuple[dt.datetime, dt.datetime]:
    """A daily booking: from opening on `day` to closing on the last day (00:00–24:00 when always open)."""
    tz = timezone.get_current_timezone()
    opens = resource.opens_at or dt.time(0, 0)
    start = dt.datetime.combine(day, opens, tzinfo=tz)
    last = day + dt.timedelta(days=days - 1)
    if resource.closes_at is None:
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
    else:
        end = dt.datetime.combine(last, resource.closes_at, tzinfo=tz)
    return start, end


def _hours_text(resource: Resource) -> str:
    return (
        f"{resource.opens_at:%H:%M}–{resource.closes_at:%H:%M}"
        if resource.opens_at and resource.closes_at
        else ""
    )


def validate_slot(*, resource: Resource, start_at: dt.datetime, end_at: dt.datetime, people: int) -> None:
    """Refuse bad input with clear Chinese messages (collected per field)."""
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    if not resource.is_active:
        errors.setdefault("__all__", []).append(_("该空间暂停开放预约"))
    if resource.is_tenancy:
        errors.setdefault("__all__", []).append(_("工位、办公室和整层按月租用，请联系营商专员办理入驻"))
    if end_at <= start_at:
        errors.setdefault("end_at", []).append(_("结束时间必须晚于开始时间"))
    if start_at < now:
        errors.setdefault("start_at", []).append(_("不能预约已经过去的时间"))
    if start_at > now + dt.timedelta(days=MAX_DAYS_AHEAD):
        errors.setdefault("start_at", []).append(_("最多可提前 %(days)s 天预约") % {"days": MAX_DAYS_AHEAD})
    if people < 1:
        errors.setdefault("people", []).append(_("人数至少为 1"))
    elif people > resource.capacity:
        errors.setdefault("people", []).append(
            _("人数超过容纳上限：%(name)s 最多容纳 %(capacity)s 人")
            % {"name": resource.name, "capacity": resource.capacity}
        )
    if end_at > start_at and not errors.get("__all__"):
        s, e = timezone.localtime(start_at), timezone.localtime(end_at)
        if resource.unit == Resource.Unit.HOUR:
            if (s.minute % SLOT_MINUTES or s.second or s.microsecond) or (
                e.minute % SLOT_MINUTES or e.second
            ):
                errors.setdefault("start_at", []).append(_("请按半小时为单位预约（如 10:00、10:30）"))
            same_day = s.date() == e.date() or (
                e.time() == dt.time(0) and e.date() == s.date() + dt.timedelta(1)
            )
            if not same_day:
                errors.setdefault("end_at", []).append(_("按小时预约须在同一天内，跨天请分开预约"))
            elif (
                resource.opens_at
                and resource.closes_at
                and (s.time() < resource.opens_at or e.time() > resource.closes_at or e.date() != s.date())
            ):
                errors.setdefault("start_at", []).append(
                    _("超出开放时间：%(name)s 每天 %(hours)s 开放")
                    % {"name": resource.name, "hours": _hours_text(resource)}
                )
        else:
            days = (e.date() - s.date()).days + (1 if resource.closes_at else 0)
            expected = day_slot(resource, s.date(), max(days, 1))
            if (start_at, end_at) != expected:
                errors.setdefault("start_at", []).append(
                    _("该空间按天预约：每天 %(hours)s，请选择日期和天数")
                    % {"hours": _hours_text(resource) or "00:00–24:00"}
                )
            elif days > MAX_DAILY_DAYS:
                errors.setdefault("end_at", []).append(
                    _("一次最多预约 %(days)s 天") % {"days": MAX_DAILY_DAYS}
                )
    if errors:
        raise ValidationError(errors)


def booking_fee(*, resource: Resource, start_at: dt.datetime, end_at: dt.datetime) -> int:
    if resource.unit == Resource.Unit.DAY:
        s, e = timezone.localtime(start_at).date(), timezone.localtime(end_at).date()
        days = (e - s).days + (1 if resource.closes_at else 0)
        return resource.price_day_fen * max(days, 1)
    minutes = int((end_at - start_at).total_seconds() // 60)
    return fees.hourly_fee(resource.price_hour_fen, minutes)


def _ceil_to_slot(moment: dt.datetime) -> dt.datetime:
    step = SLOT_MINUTES * 60
    seconds = int(moment.timestamp())
    return moment + dt.timedelta(seconds=(-seconds) % step) - dt.timedelta(microseconds=moment.microsecond)


def _is_free(resource: Resource, start: dt.datetime, end: dt.datetime) -> bool:
    return not _blocking(resource.pk, start, _blocked_until(resource, end)).exists()


def alternatives_for(
    *, resource: Resource, start_at: dt.datetime, end_at: dt.datetime, limit: int = 3
) -> list[Slot]:
    """Free slots of the same length: later the same day and following days on this resource,
    then the same time on other resources of the same kind at the same site."""
    found: list[Slot] = []
    length = end_at - start_at
    now = timezone.now()
    if resource.unit == Resource.Unit.HOUR:
        step = dt.timedelta(minutes=SLOT_MINUTES)
        candidate = start_at + step
        for _i in range(14 * 48):
            if len(found) >= limit:
                break
            c_end = candidate + length
            try:
                validate_slot(resource=resource, start_at=candidate, end_at=c_end, people=1)
            except ValidationError:
                candidate += step
                continue
            if _is_free(resource, candidate, c_end):
                found.append(Slot(resource, candidate, c_end))
                candidate = _ceil_to_slot(_blocked_until(resource, c_end))
                continue
            candidate += step
    else:
        day = timezone.localtime(start_at).date()
        days = max(1, (timezone.localtime(end_at).date() - day).days + (1 if resource.closes_at else 0))
        for offset in range(1, 60):
            if len(found) >= limit:
                break
            s, e = day_slot(resource, day + dt.timedelta(days=offset), days)
            if s > now and _is_free(resource, s, e):
                found.append(Slot(resource, s, e))
    others = Resource.objects.filter(site_id=resource.site_id, kind=resource.kind, is_active=True).exclude(
        pk=resource.pk
    )
    for other in others:
        if len(found) >= limit * 2:
            break
        try:
            validate_slot(resource=other, start_at=start_at, end_at=end_at, people=1)
        except ValidationError:
            continue
        if _is_free(other, start_at, end_at):
            found.append(Slot(other, start_at, end_at))
    return found


# ------------------------------------------------------------------------------------------ bookings
def _require_booker(actor: Any, enterprise: Any) -> None:
    require_enterprise_write(actor, enterprise.pk)


@transaction.atomic
def booking_create(
    *,
    actor: Any,
    resource: Resource,
    enterprise: Any,
    start_at: dt.datetime,
    end_at: dt.datetime,
    people: int = 1,
    purpose: str = "",
) -> Booking:
    """Book a time slot. Raises ValidationError for bad input, BookingConflict when the slot is taken."""
    _require_booker(actor, enterprise)
    validate_slot(resource=resource, start_at=start_at, end_at=end_at, people=people)
    blocked_until = _blocked_until(resource, end_at)
    _lock_resource(resource.pk)
    clash = _blocking(resource.pk, start_at, blocked_until).first()
    if clash is not None:
        raise _conflict(resource, start_at, end_at, clash.start_at, clash.end_at, clash.blocked_until)
    booking = Booking(
        resource=resource,
        enterprise=enterprise,
        booked_by=actor if getattr(actor, "is_authenticated", False) else None,
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
        raise _conflict(resource, start_at, end_at, start_at, end_at, blocked_until) from exc
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


def _conflict(
    resource: Resource, start: Any, end: Any, c_start: Any, c_end: Any, c_until: Any
) -> BookingConflict:
    return BookingConflict(
        resource=resource,
        start_at=start,
        end_at=end,
        conflict_start=c_start,
        conflict_end=c_end,
        conflict_blocked_until=c_until,
        alternatives=alternatives_for(resource=resource, start_at=start, end_at=end),
    )


def _submit_filming_case(*, actor: Any, booking: Booking) -> None:
    """协拍预约: the request is a case in the cases module, with its own working-day limit."""
    try:
        from shouzhan.cases.services import case_submit
    except ImportError:  # the cases module is not there yet: the booking stays pending for staff
        return
    resource = booking.resource
    case_submit(
        actor=actor,
        case_type=FILMING_CASE_TYPE,
        enterprise=booking.enterprise,
        title=_("协拍预约：%(name)s %(span)s")
        % {"name": resource.name, "span": _span(booking.start_at, booking.end_at)},
        data={
            "location": f"{resource.site.name} · {resource.name}",
            "shoot_date": timezone.localtime(booking.start_at).date().isoformat(),
            "need": _("%(span)s，%(people)s 人。%(purpose)s 场地方规定：%(rules)s 需携带材料：%(docs)s")
            % {
                "span": _span(booking.start_at, booking.end_at),
                "people": booking.people,
                "purpose": booking.purpose,
                "rules": resource.owner_rules or "—",
                "docs": "、".join(resource.required_documents or []) or "—",
            },
        },
        related=booking,
    )


def _set_status(
    *, actor: Any, booking: Booking, status: str, action: str, note: str = "", **changes: Any
) -> Booking:
    before = snapshot(booking, BOOKING_FIELDS)
    booking.status = status
    for key, value in changes.items():
        setattr(booking, key, value)
    booking.save()
    audit_record(
        actor=actor,
        action=action,
        target=booking,
        before=before,
        after=snapshot(booking, BOOKING_FIELDS),
        note=note,
        enterprise_id=booking.enterprise_id,
    )
    return booking


@transaction.atomic
def booking_cancel(*, actor: Any, booking: Booking, reason: str = "") -> Booking:
    """Cancel: free until CANCEL_FREE_HOURS before the start, then CANCEL_LATE_PERCENT of the fee; staff
    cancel without a fee; nobody cancels a booking that has started."""
    _require_booker(actor, booking.enterprise)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status not in Booking.HOLDING:
        raise ValidationError(
            _("该预约已是“%(status)s”状态，无需取消") % {"status": booking.get_status_display()}
        )
    now = timezone.now()
    if booking.start_at <= now:
        raise ValidationError(_("预约已开始或已结束，不能取消"))
    fee = 0
    staff = has_role(actor, *TENANCY_ROLES)
    if (
        not staff
        and booking.status == Booking.Status.CONFIRMED
        and booking.start_at - now < dt.timedelta(hours=fees.CANCEL_FREE_HOURS)
    ):
        fee = fees.percent_of(booking.fee_fen, fees.CANCEL_LATE_PERCENT)
    _set_status(
        actor=actor,
        booking=booking,
        status=Booking.Status.CANCELLED,
        action="spaces.booking_cancel",
        note=reason,
        cancelled_at=now,
        cancel_reason=(reason or "")[:255],
        cancellation_fee_fen=fee,
    )
    _offer_waitlist(booking)
    return booking


@transaction.atomic
def booking_confirm(*, actor: Any, booking: Booking, note: str = "") -> Booking:
    """Approval of a pending booking (the filming-location case reached `approved`)."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != Booking.Status.PENDING:
        return booking
    return _set_status(
        actor=actor,
        booking=booking,
        status=Booking.Status.CONFIRMED,
        action="spaces.booking_confirm",
        note=note,
    )


@transaction.atomic
def booking_reject(*, actor: Any, booking: Booking, note: str = "") -> Booking:
    """Refusal of a pending booking: the slot frees and is offered to the waitlist."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != Booking.Status.PENDING:
        return booking
    _set_status(
        actor=actor,
        booking=booking,
        status=Booking.Status.REJECTED,
        action="spaces.booking_reject",
        note=note,
        cancel_reason=(note or "")[:255],
    )
    _offer_waitlist(booking)
    return booking


@transaction.atomic
def booking_withdraw(*, actor: Any, booking: Booking, note: str = "") -> Booking:
    """The applicant withdrew the 协拍 request: the pending booking is cancelled (no fee) and the slot is
    offered to the waitlist."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != Booking.Status.PENDING:
        return booking
    _set_status(
        actor=actor,
        booking=booking,
        status=Booking.Status.CANCELLED,
        action="spaces.booking_withdraw",
        note=note,
        cancelled_at=timezone.now(),
        cancel_reason=(note or "")[:255],
    )
    _offer_waitlist(booking)
    return booking


# ------------------------------------------------------------------------------------------ waitlist
@transaction.atomic
def waitlist_join(
    *,
    actor: Any,
    resource: Resource,
    enterprise: Any,
    start_at: dt.datetime,
    end_at: dt.datetime,
    people: int = 1,
) -> WaitlistEntry:
    _require_booker(actor, enterprise)
    validate_slot(resource=resource, start_at=start_at, end_at=end_at, people=people)
    _lock_resource(resource.pk)  # serialised with booking_create: the check below cannot go stale
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
            % {"span": _span(own.start_at, own.end_at)}
        )
    _refuse_repeat_wish(resource=resource, enterprise=enterprise, start_at=start_at, end_at=end_at)
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                resource=resource,
                enterprise=enterprise,
                requested_by=actor if getattr(actor, "is_authenticated", False) else None,
                start_at=start_at,
                end_at=end_at,
                people=people,
            )
    except IntegrityError:  # the database's own check (spaces_waitlist_once_per_slot), should a race pass
        _refuse_repeat_wish(resource=resource, enterprise=enterprise, start_at=start_at, end_at=end_at)
        raise
    audit_record(
        actor=actor,
        action="spaces.waitlist_join",
        target=entry,
        after=snapshot(entry),
        enterprise_id=enterprise.pk,
    )
    return entry


def _refuse_repeat_wish(
    *, resource: Resource, enterprise: Any, start_at: dt.datetime, end_at: dt.datetime
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
        % {"span": _span(same.start_at, same.end_at), "place": ahead.count() + 1}
    )


def _offer_waitlist(booking: Booking) -> WaitlistEntry | None:
    """Offer the freed slot to the first waiting enterprise whose wish overlaps it and now fits."""
    waiting = WaitlistEntry.objects.select_for_update().filter(
        resource_id=booking.resource_id,
        status=WaitlistEntry.Status.WAITING,
        start_at__lt=booking.blocked_until,
        end_at__gt=booking.start_at,
    )
    for entry in waiting.order_by("created_at", "id"):
        if entry.start_at > timezone.now() and _is_free(booking.resource, entry.start_at, entry.end_at):
            before = snapshot(entry, ["status"])
            entry.status = WaitlistEntry.Status.OFFERED
            entry.offered_at = timezone.now()
            entry.save(update_fields=["status", "offered_at"])
            audit_record(
                actor="system:spaces",
                action="spaces.waitlist_offer",
                target=entry,
                before=before,
                after=snapshot(entry, ["status", "offered_at"]),
                note=_("预约 #%(id)s 释放了该时段") % {"id": booking.pk},
                enterprise_id=entry.enterprise_id,
            )
            return entry
    return None


@transaction.atomic
def waitlist_accept(*, actor: Any, entry: WaitlistEntry) -> Booking:
    _require_booker(actor, entry.enterprise)
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
def waitlist_withdraw(*, actor: Any, entry: WaitlistEntry) -> WaitlistEntry:
    _require_booker(actor, entry.enterprise)
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status in (WaitlistEntry.Status.BOOKED, WaitlistEntry.Status.WITHDRAWN):
        raise ValidationError(_("该候补已结束"))
    before = snapshot(entry, ["status"])
    entry.status = WaitlistEntry.Status.WITHDRAWN
    entry.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="spaces.waitlist_withdraw",
        target=entry,
        before=before,
        after={"status": entry.status},
        enterprise_id=entry.enterprise_id,
    )
    return entry


# ------------------------------------------------------------------------------------------ tenancies
def relief_decide(*, enterprise: Any, resource: Resource, on: dt.date) -> fees.Relief:
    """Desk-fee relief, decided by the rules engine (clause xuhui.desk_fee_relief); desks only."""
    if resource.kind != Resource.Kind.DESK:
        return fees.NO_RELIEF
    from shouzhan.policies.selectors import calculate
    from shouzhan.registry.selectors import enterprise_facts

    result = calculate(facts=enterprise_facts(enterprise=enterprise), on=on)
    clause = next((r for r in result.results if r.id == fees.DESK_FEE_RELIEF_CLAUSE), None)
    if clause is None or clause.status != "eligible":
        return fees.NO_RELIEF
    return fees.Relief(
        percent=fees.DESK_FEE_RELIEF_PERCENT,
        months=fees.DESK_FEE_RELIEF_MONTHS,
        clause=clause.id,
        reason=fees.relief_reason(clause),
    )


def _require_staff(actor: Any) -> None:
    if not has_role(actor, *TENANCY_ROLES):
        raise PermissionDenied(_("只有营商专员可以办理入驻、换租和退租"))


def _validate_tenancy(resource: Resource, start_on: dt.date, months: int) -> None:
    errors: dict[str, list[str]] = {}
    if not resource.is_tenancy:
        errors["resource"] = [_("该空间按时段预约，不能按月租用")]
    if not 1 <= months <= 60:
        errors["months"] = [_("租期须为 1 至 60 个月")]
    if start_on < timezone.localdate() - dt.timedelta(days=31):
        errors["start_on"] = [_("起租日期不能早于一个月前")]
    if errors:
        raise ValidationError(errors)


def _tenancy_create(
    *,
    actor: Any,
    enterprise: Any,
    resource: Resource,
    start_on: dt.date,
    months: int,
    previous: Tenancy | None,
) -> Tenancy:
    _lock_resource(resource.pk)
    end_on = fees.add_months(start_on, months)
    clash = (
        Tenancy.objects.filter(resource=resource, start_on__lt=end_on, end_on__gt=start_on)
        .select_related("enterprise")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _("%(name)s 在 %(begin)s 至 %(end)s 已有租用，请选择其他空间或日期")
            % {"name": resource.name, "begin": clash.start_on, "end": clash.end_on - dt.timedelta(days=1)}
        )
    relief = relief_decide(enterprise=enterprise, resource=resource, on=start_on)
    tenancy = Tenancy(
        enterprise=enterprise,
        resource=resource,
        start_on=start_on,
        end_on=end_on,
        months=months,
        monthly_fee_fen=resource.price_month_fen,
        relief_percent=relief.percent,
        relief_months=relief.months,
        relief_clause=relief.clause,
        relief_reason=relief.reason,
        previous=previous,
    )
    try:
        with transaction.atomic():
            tenancy.save()
    except IntegrityError as exc:
        raise ValidationError(_("%(name)s 在该期间已有租用") % {"name": resource.name}) from exc
    audit_record(
        actor=actor,
        action="spaces.tenancy_start",
        target=tenancy,
        after=snapshot(tenancy),
        note=relief.reason,
        enterprise_id=enterprise.pk,
    )
    return tenancy


@transaction.atomic
def tenancy_start(
    *, actor: Any, enterprise: Any, resource: Resource, start_on: dt.date, months: int
) -> Tenancy:
    """Move in: a desk, an office or a whole floor from a date for whole months."""
    _require_staff(actor)
    _validate_tenancy(resource, start_on, months)
    return _tenancy_create(
        actor=actor, enterprise=enterprise, resource=resource, start_on=start_on, months=months, previous=None
    )


def _close(*, actor: Any, tenancy: Tenancy, on: dt.date, status: str, action: str) -> None:
    if tenancy.status != Tenancy.Status.ACTIVE:
        raise ValidationError(_("该租用已结束"))
    if not tenancy.start_on < on <= tenancy.end_on:
        raise ValidationError(
            _("日期须在 %(begin)s 之后、%(end)s 之前（含）")
            % {"begin": tenancy.start_on, "end": tenancy.end_on}
        )
    before = snapshot(tenancy, ["status", "end_on"])
    tenancy.status = status
    tenancy.end_on = on
    tenancy.save(update_fields=["status", "end_on"])
    audit_record(
        actor=actor,
        action=action,
        target=tenancy,
        before=before,
        after=snapshot(tenancy, ["status", "end_on"]),
        enterprise_id=tenancy.enterprise_id,
    )


@transaction.atomic
def tenancy_move(*, actor: Any, tenancy: Tenancy, resource: Resource, on: dt.date, months: int) -> Tenancy:
    """Grow: from desk to office to a floor. The old tenancy ends on `on` and the new one points back to
    it, so the chain is kept as the enterprise's incubation history."""
    _require_staff(actor)
    tenancy = Tenancy.objects.select_for_update().get(pk=tenancy.pk)
    if resource.pk == tenancy.resource_id:
        raise ValidationError({"resource": [_("请选择另一处空间")]})
    _validate_tenancy(resource, on, months)
    _close(actor=actor, tenancy=tenancy, on=on, status=Tenancy.Status.MOVED, action="spaces.tenancy_move_out")
    return _tenancy_create(
        actor=actor,
        enterprise=tenancy.enterprise,
        resource=resource,
        start_on=on,
        months=months,
        previous=tenancy,
    )


@transaction.atomic
def tenancy_end(*, actor: Any, tenancy: Tenancy, on: dt.date) -> Tenancy:
    _require_staff(actor)
    tenancy = Tenancy.objects.select_for_update().get(pk=tenancy.pk)
    _close(actor=actor, tenancy=tenancy, on=on, status=Tenancy.Status.ENDED, action="spaces.tenancy_end")
    return tenancy

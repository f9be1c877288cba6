"""A slot on a resource: is it valid, is it free, what it costs, what else is free — and the conflict error.

Serialising the clash check (why two mechanisms):
- Every booking write first UPDATEs its resource row (`lock_resource`). On PostgreSQL that is a
  row lock: concurrent requests for one resource queue, and the check that follows sees the
  committed winner (READ COMMITTED takes a fresh snapshot per statement), so the loser gets a
  clear refusal naming the conflicting slot. On SQLite the UPDATE takes the database write lock,
  which serialises the whole check-then-insert the same way.
- On PostgreSQL the exclusion constraint (migration 0002) is the guarantee of last resort: if
  anything ever bypasses the services, the database still refuses the overlap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.audit import audit_record, snapshot
from shouzhan.core.errors import Conflict
from shouzhan.spaces import fees
from shouzhan.spaces.models import Booking, Resource, WaitlistEntry

SLOT_MINUTES = 30  # hourly bookings start and end on the half hour
MAX_DAYS_AHEAD = 180
MAX_DAILY_DAYS = 31
SLOT_TAKEN = "slot taken"  # the API's words before the Chinese message


def span_text(start: dt.datetime, end: dt.datetime) -> str:
    s, e = timezone.localtime(start), timezone.localtime(end)
    return (
        f"{s:%Y-%m-%d %H:%M}–{e:%H:%M}"
        if s.date() == e.date()
        else f"{s:%Y-%m-%d %H:%M} – {e:%Y-%m-%d %H:%M}"
    )


def _iso(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat()


@dataclass(frozen=True)
class Slot:
    resource: Resource
    start_at: dt.datetime
    end_at: dt.datetime

    @property
    def label(self) -> str:
        return f"{self.resource.name} · {span_text(self.start_at, self.end_at)}"


class BookingConflict(Conflict):
    """The slot is taken: the conflicting slot (no other enterprise's name) and free alternatives.

    A `Conflict`, so the API's one 409 handler answers it: ``{"error": "slot taken / …", "detail":
    {"conflict": …, "alternatives": […]}}``; pages show the message and the alternatives to book instead.
    """

    def __init__(
        self,
        *,
        resource: Resource,
        start_at: dt.datetime,
        end_at: dt.datetime,
        conflict_start: dt.datetime,
        conflict_end: dt.datetime,
        conflict_blocked_until: dt.datetime,
        alternatives: list[Slot] | None = None,
    ) -> None:
        self.resource, self.start_at, self.end_at = resource, start_at, end_at
        self.conflict_start, self.conflict_end = conflict_start, conflict_end
        self.conflict_blocked_until = conflict_blocked_until
        self.alternatives = list(alternatives or [])
        super().__init__(self._text(), detail=self._detail(), api_error=SLOT_TAKEN)

    def _text(self) -> str:
        text = _("该时段已被占用：%(resource)s %(span)s") % {
            "resource": self.resource.name,
            "span": span_text(self.conflict_start, self.conflict_end),
        }
        if self.conflict_blocked_until > self.conflict_end:
            text += _("（含 %(minutes)s 分钟间隔，至 %(until)s）") % {
                "minutes": self.resource.buffer_minutes,
                "until": f"{timezone.localtime(self.conflict_blocked_until):%H:%M}",
            }
        return text

    def _detail(self) -> dict[str, Any]:
        return {
            "conflict": {
                "resource_id": self.resource.pk,
                "start_at": _iso(self.conflict_start),
                "end_at": _iso(self.conflict_end),
                "blocked_until": _iso(self.conflict_blocked_until),
            },
            "alternatives": [
                {
                    "resource_id": alt.resource.pk,
                    "resource_name": alt.resource.name,
                    "start_at": _iso(alt.start_at),
                    "end_at": _iso(alt.end_at),
                    "label": alt.label,
                }
                for alt in self.alternatives
            ],
        }

    def __str__(self) -> str:
        return self.message_text


def conflict_for(
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    clash: tuple[dt.datetime, dt.datetime, dt.datetime],
) -> BookingConflict:
    """The refusal for a wish (start, end) that clashes with (start, end, blocked until), with alternatives."""
    c_start, c_end, c_until = clash
    return BookingConflict(
        resource=resource,
        start_at=start,
        end_at=end,
        conflict_start=c_start,
        conflict_end=c_end,
        conflict_blocked_until=c_until,
        alternatives=alternatives_for(resource=resource, start_at=start, end_at=end),
    )


# ------------------------------------------------------------------------------------------ checks
def lock_resource(resource_id: int) -> None:
    Resource.objects.filter(pk=resource_id).update(lock_counter=F("lock_counter") + 1)


def blocking(
    resource_id: int, start: dt.datetime, blocked_until: dt.datetime, exclude: int | None = None
) -> QuerySet[Booking]:
    qs = Booking.objects.filter(
        resource_id=resource_id,
        status__in=Booking.HOLDING,
        start_at__lt=blocked_until,
        blocked_until__gt=start,
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("start_at")


def blocked_until_for(resource: Resource, end: dt.datetime) -> dt.datetime:
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


Errors = dict[str, list[str]]


def _check_general(
    errors: Errors, resource: Resource, start_at: dt.datetime, end_at: dt.datetime, people: int
) -> None:
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


def _check_hourly(errors: Errors, resource: Resource, s: dt.datetime, e: dt.datetime) -> None:
    if (s.minute % SLOT_MINUTES or s.second or s.microsecond) or (e.minute % SLOT_MINUTES or e.second):
        errors.setdefault("start_at", []).append(_("请按半小时为单位预约（如 10:00、10:30）"))
    same_day = s.date() == e.date() or (e.time() == dt.time(0) and e.date() == s.date() + dt.timedelta(1))
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


def _check_daily(
    errors: Errors,
    resource: Resource,
    start_at: dt.datetime,
    end_at: dt.datetime,
    s: dt.datetime,
    e: dt.datetime,
) -> None:
    days = (e.date() - s.date()).days + (1 if resource.closes_at else 0)
    if (start_at, end_at) != day_slot(resource, s.date(), max(days, 1)):
        errors.setdefault("start_at", []).append(
            _("该空间按天预约：每天 %(hours)s，请选择日期和天数")
            % {"hours": _hours_text(resource) or "00:00–24:00"}
        )
    elif days > MAX_DAILY_DAYS:
        errors.setdefault("end_at", []).append(_("一次最多预约 %(days)s 天") % {"days": MAX_DAILY_DAYS})


def validate_slot(*, resource: Resource, start_at: dt.datetime, end_at: dt.datetime, people: int) -> None:
    """Refuse bad input with clear Chinese messages (collected per field)."""
    errors: Errors = {}
    _check_general(errors, resource, start_at, end_at, people)
    if end_at > start_at and not errors.get("__all__"):
        s, e = timezone.localtime(start_at), timezone.localtime(end_at)
        if resource.unit == Resource.Unit.HOUR:
            _check_hourly(errors, resource, s, e)
        else:
            _check_daily(errors, resource, start_at, end_at, s, e)
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


def is_free(resource: Resource, start: dt.datetime, end: dt.datetime) -> bool:
    return not blocking(resource.pk, start, blocked_until_for(resource, end)).exists()


def _fits(resource: Resource, start: dt.datetime, end: dt.datetime) -> bool:
    try:
        validate_slot(resource=resource, start_at=start, end_at=end, people=1)
    except ValidationError:
        return False
    return True


# ------------------------------------------------------------------------------------------ alternatives
def _later_hours(resource: Resource, start_at: dt.datetime, end_at: dt.datetime, limit: int) -> list[Slot]:
    """Free slots of the same length later on the same resource, half hour by half hour (two weeks at most)."""
    found: list[Slot] = []
    length = end_at - start_at
    step = dt.timedelta(minutes=SLOT_MINUTES)
    candidate = start_at + step
    for _i in range(14 * 48):
        if len(found) >= limit:
            break
        c_end = candidate + length
        if _fits(resource, candidate, c_end) and is_free(resource, candidate, c_end):
            found.append(Slot(resource, candidate, c_end))
            candidate = _ceil_to_slot(blocked_until_for(resource, c_end))
            continue
        candidate += step
    return found


def _later_days(resource: Resource, start_at: dt.datetime, end_at: dt.datetime, limit: int) -> list[Slot]:
    """The same number of days on following days of the same resource."""
    found: list[Slot] = []
    now = timezone.now()
    day = timezone.localtime(start_at).date()
    days = max(1, (timezone.localtime(end_at).date() - day).days + (1 if resource.closes_at else 0))
    for offset in range(1, 60):
        if len(found) >= limit:
            break
        s, e = day_slot(resource, day + dt.timedelta(days=offset), days)
        if s > now and is_free(resource, s, e):
            found.append(Slot(resource, s, e))
    return found


def alternatives_for(
    *, resource: Resource, start_at: dt.datetime, end_at: dt.datetime, limit: int = 3
) -> list[Slot]:
    """Free slots of the same length: later the same day and following days on this resource,
    then the same time on other resources of the same kind at the same site."""
    later = _later_hours if resource.unit == Resource.Unit.HOUR else _later_days
    found = later(resource, start_at, end_at, limit)
    others = Resource.objects.filter(site_id=resource.site_id, kind=resource.kind, is_active=True).exclude(
        pk=resource.pk
    )
    for other in others:
        if len(found) >= limit * 2:
            break
        if _fits(other, start_at, end_at) and is_free(other, start_at, end_at):
            found.append(Slot(other, start_at, end_at))
    return found


# ------------------------------------------------------------------------------------------ a freed slot
def offer_freed_slot(booking: Booking) -> WaitlistEntry | None:
    """Offer the freed slot to the first waiting enterprise whose wish overlaps it and now fits."""
    waiting = WaitlistEntry.objects.select_for_update().filter(
        resource_id=booking.resource_id,
        status=WaitlistEntry.Status.WAITING,
        start_at__lt=booking.blocked_until,
        end_at__gt=booking.start_at,
    )
    for entry in waiting.order_by("created_at", "id"):
        if entry.start_at > timezone.now() and is_free(booking.resource, entry.start_at, entry.end_at):
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

"""Core writes: the administrator's calendar overrides and a year's State Council notice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shouzhan.core import audit_actions
from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record
from shouzhan.core.calendar import clear_calendar_cache
from shouzhan.core.models import ConfirmedYear, WorkdayOverride
from shouzhan.core.permissions import require_role
from shouzhan.core.roles import Role
from shouzhan.core.workdays import MAX_DATE, MIN_DATE, package_years


@transaction.atomic
def workday_override_set(
    *, actor: Actor, date: dt.date, is_workday: bool, reason: str = ""
) -> WorkdayOverride:
    require_role(actor, Role.ADMIN)
    existing = WorkdayOverride.objects.select_for_update().filter(date=date).first()
    before = None if existing is None else {"is_workday": existing.is_workday, "reason": existing.reason}
    if existing is None:
        override = WorkdayOverride.objects.create(date=date, is_workday=is_workday, reason=reason)
    else:
        existing.is_workday, existing.reason = is_workday, reason
        existing.save()
        override = existing
    audit_record(
        actor=actor,
        action=audit_actions.WORKDAY_OVERRIDE_SET,
        target=override,
        before=before,
        after={"is_workday": is_workday, "reason": reason},
    )
    return override


@transaction.atomic
def workday_override_delete(*, actor: Actor, date: dt.date) -> None:
    require_role(actor, Role.ADMIN)
    override = WorkdayOverride.objects.filter(date=date).first()
    if override is None:
        return
    before = {"is_workday": override.is_workday, "reason": override.reason}
    audit_record(actor=actor, action=audit_actions.WORKDAY_OVERRIDE_DELETE, target=override, before=before)
    override.delete()


@transaction.atomic
def calendar_year_confirm(*, actor: Actor, year: int, note: str = "") -> ConfirmedYear:
    require_role(actor, Role.ADMIN)
    confirmed, _ = ConfirmedYear.objects.get_or_create(year=year, defaults={"note": note})
    audit_record(
        actor=actor,
        action=audit_actions.CALENDAR_YEAR_CONFIRM,
        target=confirmed,
        after={"year": year, "note": note},
    )
    return confirmed


@transaction.atomic
def calendar_notice_enter(
    *,
    actor: Actor,
    year: int,
    days_off: Mapping[dt.date, str],
    working_days: Mapping[dt.date, str],
    note: str = "",
) -> ConfirmedYear:
    """Enter the State Council's notice for a year the calendar package does not know, and confirm it.

    `days_off` are the holidays (each day with its name, e.g. 春节), `working_days` the 调休 working
    weekends. The notice replaces the year's earlier overrides; once confirmed, deadlines in the year
    are no longer provisional (the `holidays` package's guess is set aside for it).
    """
    require_role(actor, Role.ADMIN)
    errors: dict[str, list[str]] = {}
    if year in package_years() or not MIN_DATE.year <= year <= MAX_DATE.year:
        errors.setdefault("year", []).append(
            _("%(year)s 年不需要录入：日历数据包已有该年的安排，或年份超出 %(min)s–%(max)s。")
            % {"year": year, "min": MIN_DATE.year, "max": MAX_DATE.year}
        )
    if not days_off:
        errors.setdefault("days_off", []).append(_("请至少填写一个放假日期。"))
    for field, days in (("days_off", days_off), ("working_days", working_days)):
        outside = sorted(day for day in days if day.year != year)
        if outside:
            errors.setdefault(field, []).append(
                _("这些日期不在 %(year)s 年：%(days)s。") % {"year": year, "days": _days_text(outside)}
            )
    weekdays = sorted(day for day in working_days if day.weekday() < 5)
    if weekdays:
        errors.setdefault("working_days", []).append(
            _("调休上班日应为周六或周日：%(days)s 是工作日。") % {"days": _days_text(weekdays)}
        )
    both = sorted(set(days_off) & set(working_days))
    if both:
        errors.setdefault("working_days", []).append(
            _("这些日期既是放假又是调休上班：%(days)s。") % {"days": _days_text(both)}
        )
    if errors:
        raise ValidationError(errors)
    earlier = WorkdayOverride.objects.select_for_update().filter(date__year=year)
    confirmed_before = ConfirmedYear.objects.filter(year=year).first()
    before = {
        "days_off": {o.date.isoformat(): o.reason for o in earlier if not o.is_workday},
        "working_days": {o.date.isoformat(): o.reason for o in earlier if o.is_workday},
        "confirmed": confirmed_before is not None,
        "note": "" if confirmed_before is None else confirmed_before.note,
    }
    earlier.delete()
    WorkdayOverride.objects.bulk_create(
        [
            WorkdayOverride(date=day, is_workday=False, reason=reason[:200])
            for day, reason in sorted(days_off.items())
        ]
        + [
            WorkdayOverride(date=day, is_workday=True, reason=reason[:200])
            for day, reason in sorted(working_days.items())
        ]
    )
    confirmed, _created = ConfirmedYear.objects.update_or_create(year=year, defaults={"note": note[:200]})
    audit_record(
        actor=actor,
        action=audit_actions.CALENDAR_NOTICE_ENTER,
        target=confirmed,
        before=before,
        after={
            "days_off": {day.isoformat(): reason for day, reason in sorted(days_off.items())},
            "working_days": {day.isoformat(): reason for day, reason in sorted(working_days.items())},
            "confirmed": True,
            "note": note,
        },
    )
    # Bulk writes send no signals: every worker's cached calendar is dropped once this commits.
    transaction.on_commit(clear_calendar_cache)
    return confirmed


def _days_text(days: list[dt.date]) -> str:
    return "、".join(day.isoformat() for day in days)

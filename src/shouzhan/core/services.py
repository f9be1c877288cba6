"""Core writes: the administrator's calendar overrides."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from shouzhan.core import audit_actions
from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record
from shouzhan.core.models import ConfirmedYear, WorkdayOverride
from shouzhan.core.permissions import require_role
from shouzhan.core.roles import Role


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

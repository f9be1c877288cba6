"""What frontline's services share: input bounds, locking a demand, recording a move, telling a department."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_label, system_actor
from shouzhan.core.errors import Conflict
from shouzhan.core.limits import SHORT_TEXT, TEXT, check_length
from shouzhan.core.notifications import notify
from shouzhan.core.workdays import DateOutOfRange, check_date
from shouzhan.frontline.models import Demand, Department, DepartmentMember, TicketMove

FRONTLINE = system_actor("frontline")  # the worker's passes: closing unanswered tickets, 未诉先办
DESCRIPTION_MAX = TEXT
NAME_MAX = 80
PLACE_MAX = 120
REASON_MAX = 500


def optional_text(value: Any, *, field: str, limit: int = SHORT_TEXT) -> str:
    text = str(value or "").strip()
    check_length(field=field, text=text, limit=limit)
    return text


def day_check(value: dt.date | None, *, field: str, label: str) -> dt.date:
    """A date a person recorded: not in the future, within the calendar's range."""
    today = timezone.localdate()
    day = value or today
    try:
        check_date(day)
    except DateOutOfRange:
        raise ValidationError({field: [_("%(label)s超出日历范围。") % {"label": label}]}) from None
    if day > today:
        raise ValidationError({field: [_("%(label)s不能晚于今天。") % {"label": label}]})
    return day


def demand_lock(demand: Demand, *, expected_version: int | None = None) -> Demand:
    locked = Demand.objects.select_for_update().select_related("case").get(pk=demand.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("这条诉求已被其他人处理过，请刷新后再操作。"),
            detail={"current_version": locked.version, "state": locked.case.state},
            api_error="demand_changed",
        )
    return locked


def move_record(
    *,
    demand: Demand,
    action: str,
    actor: Actor,
    on: dt.date,
    department: Department | int | None = None,
    due_on: dt.date | None = None,
    note: str = "",
) -> TicketMove:
    on_time = None if due_on is None or action not in ("accept", "reply") else on <= due_on
    department_id = department.pk if isinstance(department, Department) else department
    return TicketMove.objects.create(
        demand=demand,
        action=action,
        department_id=department_id,
        actor_label=actor_label(actor)[:120],
        on=on,
        due_on=due_on,
        on_time=on_time,
        note=note,
    )


def department_users(department_id: int | None, *, supervisors_only: bool = False) -> QuerySet[Any]:
    from shouzhan.accounts.models import User

    members = DepartmentMember.objects.filter(department_id=department_id or 0)
    if supervisors_only:
        members = members.filter(role=DepartmentMember.Role.SUPERVISOR)
    return User.objects.filter(pk__in=members.values("user_id"), is_active=True)


def department_tell(demand: Demand, message: str, *, actor: Actor) -> None:
    from django.urls import reverse

    notify(
        users=department_users(demand.department_id),
        message=message,
        kind="ticket",
        target=demand.case,
        url=reverse("frontline:demand", args=[demand.pk]),
        skip=actor,
    )

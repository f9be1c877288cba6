"""Deadlines (the worker's pass): a reminder one working day before, an alert once a deadline has passed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.cases import audit_actions
from shouzhan.cases.models import Case
from shouzhan.cases.selectors import Clock, case_clock, case_queue
from shouzhan.cases.services.common import case_audit
from shouzhan.cases.services.notify import notify_staff
from shouzhan.core.actors import Actor, system_actor
from shouzhan.core.roles import Role

if TYPE_CHECKING:
    from shouzhan.accounts.models import User

WORKER = system_actor("worker")


def case_deadlines_notify(*, actor: Actor = WORKER, today: dt.date | None = None) -> dict[str, int]:
    """Remind the caseworker one working day before a deadline and alert when it has passed.

    Idempotent: each due date is reminded and alerted once (a moved due date is a new one).
    """
    today = today or timezone.localdate()
    counts = {"reminded": 0, "alerted": 0}
    for case in case_queue(actor=actor).filter(clock_stopped_on__isnull=True, due_on__isnull=False):
        clock = case_clock(case, today=today)
        with transaction.atomic():
            locked = Case.objects.select_for_update().get(pk=case.pk)
            if clock.status == "overdue" and locked.overdue_alerted_for != locked.due_on:
                _deadline_tell(locked, actor, clock, overdue=True)
                counts["alerted"] += 1
            elif clock.status in ("today", "soon") and locked.reminded_for != locked.due_on:
                _deadline_tell(locked, actor, clock, overdue=False)
                counts["reminded"] += 1
    return counts


def _deadline_tell(case: Case, actor: Actor, clock: Clock, *, overdue: bool) -> None:
    """Tell the caseworkers, remember that this due date was told, and audit it."""
    if overdue:
        message = _("办件「%(title)s」已超过办理期限 %(due)s，请尽快处理。") % {
            "title": case.title,
            "due": case.due_on,
        }
    else:
        message = _("办件「%(title)s」将于 %(due)s 到期（%(left)s）。") % {
            "title": case.title,
            "due": case.due_on,
            "left": clock.label,
        }
    notify_staff(
        users=_staff_to_alert(case), case=case, message=message, kind="overdue" if overdue else "reminder"
    )
    told = "overdue_alerted_for" if overdue else "reminded_for"
    Case.objects.filter(pk=case.pk).update(**{told: case.due_on})
    code = audit_actions.OVERDUE_ALERT if overdue else audit_actions.DEADLINE_REMIND
    case_audit(actor=actor, case=case, action=code, note=message)


def _staff_to_alert(case: Case) -> list[User]:
    """The assignee; a case nobody took yet goes to every active caseworker."""
    from shouzhan.accounts.models import User

    if case.assignee_id is not None and case.assignee is not None and case.assignee.is_active:
        return [case.assignee]
    return list(User.objects.filter(role=Role.CASEWORKER, is_active=True))

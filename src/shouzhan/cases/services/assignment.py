"""Assigning (指派) and reassigning a case to the caseworker in charge of it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shouzhan.cases import audit_actions
from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case
from shouzhan.cases.permissions import can_be_assigned, require_assign, require_case_read
from shouzhan.cases.services.common import case_audit, case_lock, event_record, keep_in_step, note_clean
from shouzhan.cases.services.notify import notify_staff
from shouzhan.core.actors import Actor, actor_label, actor_user

if TYPE_CHECKING:
    from shouzhan.accounts.models import User


@transaction.atomic
def case_assign(
    *,
    actor: Actor,
    case: Case,
    assignee: User | None,
    expected_version: int,
    note: str = "",
    on: dt.date | None = None,
) -> Case:
    """Assign (指派) or reassign an open case to a caseworker; `assignee=None` puts it back as unassigned.

    The assignee is the one reminded before the deadline and alerted when it passes. Until someone is
    assigned, the first caseworker who acts on the case becomes the assignee.
    """
    if actor_user(actor) is None:  # a person assigns, not a system actor
        raise PermissionDenied(_("请先登录。"))
    require_case_read(actor, case)
    require_assign(actor)
    if assignee is not None and not can_be_assigned(assignee):
        raise ValidationError({"assignee": [_("只能指派给在岗的营商专员。")]})
    note = note_clean(note)
    locked = case_lock(case, expected_version=expected_version, related=("assignee",))
    if wf.case_type_get(locked.case_type).state(locked.state).final:
        raise ValidationError({"assignee": [_("办件已办结，不能再指派。")]}, code="state")
    new_id = assignee.pk if assignee is not None else None
    if locked.assignee_id == new_id:
        raise ValidationError({"assignee": [_("该办件已由这位专员承办。")]})
    before = _assignee_record(locked.assignee)
    locked.assignee = assignee
    locked.reminded_for = None  # the new assignee gets the reminder for the current deadline
    locked.overdue_alerted_for = None
    locked.version += 1
    locked.save()
    after = _assignee_record(assignee)
    event_record(case=locked, action="assign", actor=actor, note=note, data={"from": before, "to": after})
    case_audit(
        actor=actor, case=locked, action=audit_actions.CASE_ASSIGN, before=before, after=after, note=note
    )
    if assignee is not None and assignee.pk != getattr(actor_user(actor), "pk", None):
        _assignee_tell(locked, actor, assignee, note)
    keep_in_step(case, locked)
    return locked


def _assignee_record(user: User | None) -> dict[str, Any]:
    return {
        "assignee_id": user.pk if user is not None else None,
        "assignee": actor_label(user) if user else "",
    }


def _assignee_tell(case: Case, actor: Actor, assignee: User, note: str) -> None:
    message = _("%(who)s 将办件「%(title)s」指派给您，办理期限 %(due)s。") % {
        "who": actor_label(actor),
        "title": case.title,
        "due": case.due_on or "—",
    }
    if note:
        message += _("说明：%(note)s") % {"note": note}
    notify_staff(users=[assignee], case=case, message=message, kind="assign")

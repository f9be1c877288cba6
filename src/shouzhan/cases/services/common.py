"""What every write to a case shares: the conflict, the lock, the history entry, the caller's copy."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shouzhan.cases.models import Case, CaseEvent
from shouzhan.core.actors import Actor, actor_label, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.core.errors import Conflict

CONFLICT_MESSAGE = gettext_noop("该办件已被他人处理，请刷新后重试")  # translated where raised
CONFLICT_API_ERROR = "the case was changed by someone else; reload and retry"
NOTE_MAX = 5000


class CaseConflict(Conflict):
    """The case changed since the caller read it (optimistic locking): nothing was written.

    `detail` carries the case's current version and state, what a client needs to reload and retry.
    """


def case_conflict(case: Case) -> CaseConflict:
    return CaseConflict(
        _(CONFLICT_MESSAGE),
        detail={"current_version": case.version, "state": case.state},
        api_error=CONFLICT_API_ERROR,
    )


def case_lock(case: Case, *, expected_version: int, related: Iterable[str] = ()) -> Case:
    """The case's row locked for this transaction, still at the version the caller read."""
    try:
        locked = Case.objects.select_for_update(of=("self",)).select_related(*related).get(pk=case.pk)
    except Case.DoesNotExist:
        raise Http404(_("没有找到该办件。")) from None
    if locked.version != expected_version:
        raise case_conflict(locked)
    return locked


def note_clean(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [_("说明最多5000字。")]})
    return note


def event_record(
    *,
    case: Case,
    action: str,
    actor: Actor,
    from_state: str | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    amount_fen: int | None = None,
) -> CaseEvent:
    """One step of the case's history, ending in its current state and due date."""
    return CaseEvent.objects.create(
        case=case,
        action=action,
        from_state=case.state if from_state is None else from_state,
        to_state=case.state,
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        note=note,
        amount_fen=amount_fen,
        data=data or {},
        due_on=case.due_on,
    )


def case_audit(
    *,
    actor: Actor,
    case: Case,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    """The audit entry of a write to a case (a declared action of cases.audit_actions), in its enterprise's history."""
    audit_record(
        actor=actor,
        action=action,
        target=case,
        before=before,
        after=after,
        note=note,
        enterprise_id=case.enterprise_id,
    )


def keep_in_step(case: Case, locked: Case) -> None:
    """The caller's object takes the saved values, so it can act again with the new version."""
    case.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})

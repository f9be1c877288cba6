"""Moving a case along one transition of its type: checks, the change, the record, the effects, the news."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.cases import audit_actions
from shouzhan.cases import workflow as wf
from shouzhan.cases.events import CaseTransitioned, effects_run
from shouzhan.cases.models import Case
from shouzhan.cases.permissions import (
    relations,
    require_case_read,
    require_fields_editable,
    require_login,
    require_transition,
)
from shouzhan.cases.services.checks import answers_clean, data_changes, data_clean, rule_result
from shouzhan.cases.services.common import case_audit, case_lock, event_record, keep_in_step, note_clean
from shouzhan.cases.services.notify import notify_applicant
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.money import format_yuan
from shouzhan.core.workdays import add_working_days, working_days_between

# What the audit entry of a transition shows before and after.
AUDIT_FIELDS = ("state", "version", "due_on", "due_provisional", "amount_approved_fen", "assignee_id")


@transaction.atomic
def case_transition(
    *,
    actor: Actor,
    case: Case,
    action: str,
    expected_version: int,
    note: str = "",
    amount_fen: int | None = None,
    data: dict[str, Any] | None = None,
    on: dt.date | None = None,
    answers: dict[str, Any] | None = None,
) -> Case:
    """Move a case along one transition of its type, if the actor may and the version still matches.

    `answers` are what the step asks the staff for (`Transition.asks`): checked, kept in the case's data and
    handed to the effects."""
    require_login(actor)
    require_case_read(actor, case)
    ct = wf.case_type_get(case.case_type)
    t = transition_get(ct, action)
    locked = case_lock(case, expected_version=expected_version, related=("enterprise", "project"))
    note = _transition_check(ct, t, locked, actor, note)
    answered = answers_clean(t, answers)
    from_state = locked.state
    before = {f: getattr(locked, f) for f in AUDIT_FIELDS}
    changes = _transition_apply(
        ct, t, locked, actor, data=data, amount_fen=amount_fen, note=note, on=on, answers=answered
    )
    event_record(
        case=locked,
        action=action,
        actor=actor,
        from_state=from_state,
        note=note,
        amount_fen=amount_fen if t.needs_amount else None,
        data={**(data or {}), **answered, **({"changes": changes} if changes else {})},
    )
    _transition_audit(locked, actor, action, before, changes, note)
    target = ct.state(t.target)
    effects_run(
        CaseTransitioned(
            case=locked,
            case_type=locked.case_type,
            action=action,
            from_state=from_state,
            to_state=locked.state,
            outcome=target.outcome if target.final else "",
            actor=actor,
            note=note,
            at=timezone.now(),
            on=on or timezone.localdate(),
            answers=answered,
        ),
        t.effects,
    )
    _transition_notify(t, target, locked, actor, note)
    keep_in_step(case, locked)
    return locked


def transition_get(ct: wf.CaseType, action: str) -> wf.Transition:
    try:
        return ct.transition(action)
    except KeyError:
        raise ValidationError(
            {"action": [_("“%(type)s”没有“%(action)s”这个操作。") % {"type": ct.label, "action": action}]}
        ) from None


def _transition_check(ct: wf.CaseType, t: wf.Transition, case: Case, actor: Actor, note: str) -> str:
    """The transition starts from the case's state, the actor may take it, the note is there if needed."""
    if case.state not in t.sources:
        raise ValidationError(
            {
                "action": [
                    _("办件当前状态为“%(state)s”，不能进行“%(action)s”。")
                    % {"state": ct.state(case.state).staff_label, "action": t.label}
                ]
            },
            code="state",
        )
    require_transition(actor, case, t)
    note = (note or "").strip()
    if t.needs_note and not note:
        raise ValidationError({"note": [_("请填写“%(action)s”的理由或说明。") % {"action": t.label}]})
    return note_clean(note)


def _transition_apply(
    ct: wf.CaseType,
    t: wf.Transition,
    case: Case,
    actor: Actor,
    *,
    data: dict[str, Any] | None,
    amount_fen: int | None,
    note: str,
    on: dt.date | None,
    answers: dict[str, Any],
) -> list[dict[str, Any]]:
    """Change the locked case (data, amount, clock, state, assignee) and save it; the data changed."""
    today = on or timezone.localdate()
    changes: list[dict[str, Any]] = []
    if data:
        require_fields_editable(ct, actor, data)
        old_data = dict(case.data)
        case.data = data_clean(ct, {**case.data, **data})
        changes = data_changes(ct, old_data, case.data)
    if answers:
        case.data = {**case.data, **answers}
    target = ct.state(t.target)
    if t.needs_amount:
        _decide_amount(case, amount_fen, today)
        case.decision_reasons = note
    elif target.final and target.outcome == "bad" and note:
        case.decision_reasons = note
    _move_clock(case, ct.state(case.state), target, today)
    due = ct.due_for(case, t, today) if ct.due_for is not None and not target.final else None
    if due is not None:  # after the clock moved: the owner's new deadline is not stretched by waiting
        case.due_on, case.due_provisional = due.date, due.provisional
    case.state = t.target
    if case.assignee_id is None and wf.CASEWORKER in relations(actor, case):
        case.assignee = actor_user(actor)  # the first caseworker to act takes the case
    if target.final and target.outcome == "bad":
        case.dedupe_key = ""  # a refused or withdrawn application may be made again
    case.version += 1
    case.save()
    return changes


def _transition_audit(
    case: Case,
    actor: Actor,
    action: str,
    before: dict[str, Any],
    changes: list[dict[str, Any]],
    note: str,
) -> None:
    after = {f: getattr(case, f) for f in AUDIT_FIELDS}
    if changes:
        before = {**before, "data": {c["field"]: c["before"] for c in changes}}
        after["data"] = {c["field"]: c["after"] for c in changes}
    code = audit_actions.transition_action(action)
    if code == audit_actions.TRANSITION_OTHER:
        after["action"] = action  # the one generic code: the entry names the action
    case_audit(actor=actor, case=case, action=code, before=before, after=after, note=note)


def _transition_notify(t: wf.Transition, target: wf.State, case: Case, actor: Actor, note: str) -> None:
    """The applicant hears of every step but their own."""
    mine = relations(actor, case)
    if mine == {wf.APPLICANT}:
        return
    message = _("您的办件「%(title)s」%(label)s。") % {"title": case.title, "label": target.applicant_label}
    if t.needs_amount and case.amount_approved_fen is not None:
        message += _("核定金额 %(amount)s。") % {"amount": format_yuan(case.amount_approved_fen)}
    if note and (t.needs_note or t.action == "request_info"):
        message += _("说明：%(note)s") % {"note": note}
    notify_applicant(case=case, message=message)


def _decide_amount(case: Case, amount_fen: int | None, today: dt.date) -> None:
    """An approval carries an amount; the rules engine is run again and its maximum is enforced."""
    if amount_fen is None or isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise ValidationError({"amount_fen": [_("请填写核定金额。")]})
    if amount_fen <= 0:
        raise ValidationError({"amount_fen": [_("核定金额必须大于0。")]})
    if wf.case_type_get(case.case_type).group == "policy" and case.clause_id:
        result = rule_result(case=case, on=today)
        case.decision_rule_result = result
        if result["status"] == "not_eligible":
            raise ValidationError(
                {
                    "amount_fen": [
                        _("按决定日的规则核算，该企业不符合条款“%(title)s”的条件，不能批准。")
                        % {"title": result["title"]}
                    ]
                }
            )
        limit = result["max_amount_fen"] if result["max_amount_fen"] is not None else result["cap_fen"]
        if limit is not None and amount_fen > limit:
            raise ValidationError(
                {
                    "amount_fen": [
                        _("核定金额 %(amount)s 超过条款“%(title)s”的上限 %(limit)s，不能批准。")
                        % {
                            "amount": format_yuan(amount_fen),
                            "title": result["title"],
                            "limit": format_yuan(limit),
                        }
                    ]
                }
            )
    case.amount_approved_fen = amount_fen


def _move_clock(case: Case, source: wf.State, target: wf.State, today: dt.date) -> None:
    """Stop, restart, reset or close the working-day clock as the case changes state."""
    if source.stops_clock and case.clock_stopped_on is not None and case.due_on is not None:
        waited = max(0, working_days_between(case.clock_stopped_on, today))
        case.clock_waited_days = (case.clock_waited_days or 0) + waited
        due = add_working_days(case.due_on, waited)
        case.due_on, case.due_provisional = due.date, case.due_provisional or due.provisional
        case.clock_stopped_on = None
    if target.stops_clock:
        case.clock_stopped_on = today
    if target.limit_days is not None:
        due = add_working_days(today, target.limit_days)
        case.due_on, case.due_provisional = due.date, due.provisional
    if target.final:
        case.closed_on = today
        case.closed_on_time = case.due_on is None or today <= case.due_on
    else:
        case.closed_on = None
        case.closed_on_time = None

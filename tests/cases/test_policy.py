"""Policy applications: the rules at submission and at decision, the maximum, duplicates, 公示 and disbursement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from shouzhan.cases.events import CaseTransitioned
from shouzhan.cases.models import Case
from shouzhan.cases.services import case_submit, case_transition

pytestmark = pytest.mark.django_db


def _apply(owner: Any, enterprise: Any, project: Any, **kw: Any) -> Case:
    return case_submit(
        actor=owner,
        case_type="policy_application",
        enterprise=enterprise,
        title="优质短剧作品奖励申报",
        clause_id="xuhui.excellent_work",
        project=project,
        data={"summary": "获评优秀作品"},
        amount_requested_fen=100_000_000,
        **kw,
    )


def test_rules_run_at_submission(catalogue: Any, studio: Any, drama: Any) -> None:
    enterprise, owner = studio
    case = _apply(owner, enterprise, drama, submitted_on=dt.date(2026, 3, 2))
    assert case.year == 2026
    assert case.rule_result is not None
    assert case.rule_result["status"] == "eligible"
    assert case.rule_result["max_amount_fen"] == 100_000_000
    assert case.rule_result["cap_fen"] == 100_000_000
    assert case.due_on == dt.date(2026, 3, 30)  # 20 working days


def test_duplicate_application_refused_until_the_first_ends(catalogue: Any, studio: Any, drama: Any) -> None:
    enterprise, owner = studio
    first = _apply(owner, enterprise, drama)
    with pytest.raises(ValidationError) as exc:
        _apply(owner, enterprise, drama)
    assert exc.value.message_dict["clause_id"] == [
        "该企业已就同一条款、项目和年度提交过申报，不能重复申报（可在原办件中补正或撤回后重新申报）。"
    ]
    case_transition(actor=owner, case=first, action="withdraw", expected_version=1)
    again = _apply(owner, enterprise, drama)
    assert again.pk != first.pk
    other_year = _apply(owner, enterprise, drama, year=2025)
    assert other_year.year == 2025


def test_unknown_clause_refused(catalogue: Any, studio: Any, drama: Any) -> None:
    enterprise, owner = studio
    with pytest.raises(ValidationError):
        case_submit(
            actor=owner,
            case_type="policy_application",
            enterprise=enterprise,
            title="x",
            clause_id="nope.x",
            project=drama,
        )
    assert Case.objects.count() == 0


def test_approval_above_maximum_refused_then_within(
    catalogue: Any, studio: Any, drama: Any, caseworker: Any, effect_handlers: dict[str, Any]
) -> None:
    enterprise, owner = studio
    case = _apply(owner, enterprise, drama)
    case_transition(actor=caseworker, case=case, action="accept", expected_version=1)
    case_transition(actor=caseworker, case=case, action="start_review", expected_version=2)
    with pytest.raises(ValidationError) as exc:
        case_transition(
            actor=caseworker,
            case=case,
            action="approve",
            expected_version=3,
            amount_fen=100_000_001,
            note="优秀",
        )
    assert exc.value.message_dict["amount_fen"] == [
        "核定金额 1,000,000.01 元 超过条款“优质短剧作品、获奖作品奖励”的上限 1,000,000.00 元，不能批准。"
    ]
    case.refresh_from_db()
    assert (case.state, case.version, case.amount_approved_fen) == ("in_review", 3, None)
    events: list[str] = []

    def recorded(effect: Any, handler: Any) -> Any:
        def wrapper(event: CaseTransitioned) -> None:
            events.append(f"{event.action}:{event.to_state}:{event.case.amount_approved_fen}:{event.note}")
            handler(event)

        return (effect, wrapper)

    for key, (effect, handler) in list(effect_handlers.items()):
        effect_handlers[key] = recorded(effect, handler)
    case_transition(
        actor=caseworker,
        case=case,
        action="approve",
        expected_version=3,
        amount_fen=80_000_000,
        note="作品优秀，酌定80万元",
    )
    case_transition(actor=caseworker, case=case, action="publish", expected_version=4)
    case_transition(actor="system:ledger", case=case, action="disburse", expected_version=5)
    case.refresh_from_db()
    # Publishing has no effect on another module; approving and disbursing have one each (the ledger's).
    assert events == [
        "approve:approved:80000000:作品优秀，酌定80万元",
        "disburse:disbursed:80000000:",
    ]
    assert case.state == "disbursed"
    assert case.decision_reasons == "作品优秀，酌定80万元"
    assert case.decision_rule_result is not None
    assert case.decision_rule_result["status"] == "eligible"


def test_not_eligible_at_decision_refused(catalogue: Any, studio: Any, drama: Any, caseworker: Any) -> None:
    enterprise, owner = studio
    case = _apply(owner, enterprise, drama)
    for action, v in (("accept", 1), ("start_review", 2)):
        case_transition(actor=caseworker, case=case, action=action, expected_version=v)
    enterprise.district = "杨浦"
    enterprise.save()
    with pytest.raises(ValidationError) as exc:
        case_transition(actor=caseworker, case=case, action="approve", expected_version=3, amount_fen=1)
    assert "不符合条款" in exc.value.message_dict["amount_fen"][0]

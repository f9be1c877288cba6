"""What moves offers between runs: a changed clause, a profile change, an answered prompt, a grant, an
exclusion; and the enterprise's answers (confirm, decline) with their refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from shouzhan.cases.models import Case
from shouzhan.core.roles import Role
from shouzhan.core.workdays import add_working_days
from shouzhan.ledger.models import Reservation
from shouzhan.ledger.services import clause_budget_set
from shouzhan.offers import services
from shouzhan.offers.models import Offer
from shouzhan.offers.selectors import offer_missing_facts
from shouzhan.policies.services import policy_version_publish, policy_version_upload
from shouzhan.registry.services import enterprise_update, project_update
from tests.offers.conftest import ON, run_push
from tests.offers.test_push import current_offers, interpreter_offers

pytestmark = pytest.mark.django_db


def key(enterprise: Any, project: Any, clause: str, period: str = "") -> str:
    return f"{enterprise.pk}:{project.pk if project else 0}:{clause}:{period}"


def offer(enterprise: Any, project: Any, clause: str, period: str = "") -> Offer:
    return Offer.objects.get(key=key(enterprise, project, clause, period), current=True)


def publish_changed_xuhui(make_user: Any) -> None:
    """The 徐汇 rule file with 优质短剧作品奖励 widened (market-recognised works too) and its cap raised."""
    text = (Path(settings.CATALOGUE_DIR) / "xuhui.yaml").read_text(encoding="utf-8")
    old = 'condition: project.kind == "micro_drama" and (project.excellent or project.award_winning)'
    assert old in text
    changed = text.replace(
        old,
        'condition: project.kind == "micro_drama" and (project.excellent or project.award_winning '
        "or project.market_recognized)",
    ).replace(
        "amount: 1000000\n    decision: caseworker\n    cap: {yuan: 1000000, per: work}",
        "amount: 1500000\n    decision: caseworker\n    cap: {yuan: 1500000, per: work}",
        1,
    )
    officer = make_user(role=Role.POLICY_OFFICER)
    version = policy_version_upload(actor=officer, text=changed, filename="xuhui.yaml")
    policy_version_publish(actor=officer, version=version, effective_from=ON)


def test_after_a_changed_clause_is_published_the_offers_equal_the_interpreter(
    register: dict[str, Any], make_user: Any, make_enterprise: Any
) -> None:
    run_push(on=ON - dt.timedelta(days=3))
    # An enterprise whose work is only market-recognised: nothing before the change, an offer after.
    recognised, _owner = make_enterprise("市场认可工作室", district="徐汇", sector="micro_drama")
    work = recognised.projects.create(
        kind="micro_drama", title="爆款短剧", year=2026, market_recognized=True, excellent=False
    )
    publish_changed_xuhui(make_user)
    run = run_push(on=ON)
    assert current_offers() == interpreter_offers(ON)
    new = offer(recognised, work, "xuhui.excellent_work")
    assert (new.state, new.max_amount_fen) == ("offered", 150_000_000)
    # The studio's excellent drama: the old offer withdrawn because the clause changed, a new one made.
    studio, drama = register["studio"], register["drama"]
    rows = Offer.objects.filter(key=key(studio, drama, "xuhui.excellent_work")).order_by("id")
    assert [(o.state, o.current, o.withdraw_cause, o.max_amount_fen) for o in rows] == [
        ("withdrawn", False, "clause_changed", 100_000_000),
        ("offered", True, "", 150_000_000),
    ]
    assert run.offers_withdrawn >= 1 and run.offers_new >= 2


def test_a_profile_change_adds_and_withdraws_exactly_the_right_offers(register: dict[str, Any]) -> None:
    run_push()
    before = current_offers()
    outside, outside_drama = register["outside"], register["outside_drama"]
    # The 浦东 company moves to 徐汇: its excellent drama now gets the 徐汇 offer.
    enterprise_update(actor=register["outside_owner"], enterprise=outside, data={"district": "徐汇"})
    run = services.enterprise_reevaluate(enterprise_id=outside.pk)
    after = current_offers()
    added = set(after) - set(before)
    assert added == {k for k in interpreter_offers(ON) if k.startswith(f"{outside.pk}:") and ":xuhui." in k}
    assert key(outside, outside_drama, "xuhui.excellent_work") in added
    assert run.offers_new == len(added) and run.offers_withdrawn == 0
    # The studio's drama is no longer excellent nor anything else: its drama offers are withdrawn.
    studio, drama = register["studio"], register["drama"]
    project_update(actor=register["studio_owner"], project=drama, data={"excellent": False})
    run = services.enterprise_reevaluate(enterprise_id=studio.pk)
    gone = offer(studio, drama, "xuhui.excellent_work")
    assert (gone.state, gone.withdraw_cause) == ("withdrawn", "not_eligible")
    assert current_offers() == interpreter_offers(ON)
    assert run.offers_withdrawn >= 1


def test_answering_a_prompt_turns_it_into_an_offer(register: dict[str, Any]) -> None:
    run_push()
    gaps, work, owner = register["gaps"], register["unknown_drama"], register["gaps_owner"]
    prompt = offer(gaps, work, "xuhui.excellent_work")
    assert prompt.state == "prompt"
    assert offer_missing_facts(prompt) == ["project.award_winning", "project.excellent"]
    now = services.prompt_answer(actor=owner, offer=prompt, answers={"project.excellent": "是"})
    assert (now.pk, now.state, now.max_amount_fen) == (prompt.pk, "offered", 100_000_000)
    assert now.expires_on == add_working_days(dt.date.today(), 30).date
    work.refresh_from_db()
    assert work.excellent is True  # written to the project, through the registry's own service


def test_answering_a_prompt_no_makes_it_not_eligible(register: dict[str, Any]) -> None:
    run_push()
    gaps, work, owner = register["gaps"], register["unknown_drama"], register["gaps_owner"]
    prompt = offer(gaps, work, "xuhui.excellent_work")
    now = services.prompt_answer(
        actor=owner, offer=prompt, answers={"project.excellent": "否", "project.award_winning": "否"}
    )
    assert (now.pk, now.state, now.withdraw_cause) == (prompt.pk, "withdrawn", "not_eligible")


def test_a_prompt_answer_of_the_wrong_type_is_refused_in_words(register: dict[str, Any]) -> None:
    run_push()
    prompt = offer(register["gaps"], register["unknown_drama"], "xuhui.excellent_work")
    with pytest.raises(ValidationError) as exc:
        services.prompt_answer(
            actor=register["gaps_owner"], offer=prompt, answers={"project.excellent": "maybe"}
        )
    assert exc.value.message_dict == {"project.excellent": ["“是否优秀/精品作品”请选择“是”或“否”。"]}
    with pytest.raises(ValidationError) as exc:
        services.prompt_answer(
            actor=register["gaps_owner"], offer=prompt, answers={"enterprise.employees": "3"}
        )
    assert "不在本次需要补充的范围内" in exc.value.messages[0]
    prompt.refresh_from_db()
    assert prompt.state == "prompt"


def test_confirm_opens_a_fast_track_case_and_reserves_the_budget(register: dict[str, Any]) -> None:
    clause_budget_set(
        actor="system:test", clause_id="xuhui.excellent_work", year=ON.year, amount_fen=500_000_000
    )
    run_push()
    studio, drama, owner = register["studio"], register["drama"], register["studio_owner"]
    o = offer(studio, drama, "xuhui.excellent_work")
    done = services.offer_confirm(
        actor=owner, offer=o, contact="林晓 13800000001", declaration_accepted=True, today=ON
    )
    case = done.case
    assert (done.state, case.case_type, case.clause_id, case.amount_requested_fen) == (
        "confirmed",
        "policy_fast_track",
        "xuhui.excellent_work",
        100_000_000,
    )
    assert case.due_on == add_working_days(ON, 5).date
    assert Reservation.objects.get(case_id=case.pk).amount_fen == 100_000_000
    # Twice is once.
    again = services.offer_confirm(actor=owner, offer=o, contact="林晓", declaration_accepted=True, today=ON)
    assert again.case_id == case.pk and Case.objects.filter(clause_id="xuhui.excellent_work").count() == 1
    # Confirmed is kept by the next run; granted once, never offered again.
    run = run_push()
    assert offer(studio, drama, "xuhui.excellent_work").state == "confirmed"
    assert run.offers_new == 0


def test_a_confirm_beyond_the_remaining_budget_is_refused_and_leaves_nothing(
    register: dict[str, Any],
) -> None:
    clause_budget_set(
        actor="system:test", clause_id="xuhui.excellent_work", year=ON.year, amount_fen=50_000_000
    )
    run_push()
    o = offer(register["studio"], register["drama"], "xuhui.excellent_work")
    with pytest.raises(ValidationError) as exc:
        services.offer_confirm(
            actor=register["studio_owner"], offer=o, contact="林晓", declaration_accepted=True, today=ON
        )
    assert exc.value.messages == [
        "“优质短剧作品、获奖作品奖励”2026 年度预算余额不足：剩余 500,000.00 元，本次需要 1,000,000.00 元。"
        "确认未生效，请联系服务中心。"
    ]
    o.refresh_from_db()
    assert o.state == "offered" and o.case_id is None
    assert not Case.objects.filter(case_type="policy_fast_track").exists()


def test_confirm_needs_the_declaration_and_a_contact(register: dict[str, Any]) -> None:
    run_push()
    o = offer(register["studio"], register["drama"], "xuhui.excellent_work")
    with pytest.raises(ValidationError) as exc:
        services.offer_confirm(
            actor=register["studio_owner"], offer=o, contact=" ", declaration_accepted=False
        )
    assert exc.value.message_dict == {
        "contact": ["请填写联系人和联系电话。"],
        "declaration": ["请阅读并同意申报承诺。"],
    }


def test_a_withdrawn_or_expired_offer_cannot_be_confirmed(register: dict[str, Any]) -> None:
    run_push()
    studio, drama, owner = register["studio"], register["drama"], register["studio_owner"]
    project_update(actor=owner, project=register["voucher"], data={"voucher_item": "model"})
    services.enterprise_reevaluate(enterprise_id=studio.pk)
    gone = offer(studio, register["voucher"], "xuhui.compute_voucher", str(ON.year))
    assert gone.state == "withdrawn"
    with pytest.raises(ValidationError) as exc:
        services.offer_confirm(actor=owner, offer=gone, contact="林晓", declaration_accepted=True, today=ON)
    assert exc.value.messages == [
        "该推送已撤回，不能再确认或放弃（按最新信息已不符合条件，或已就该条款申报）。"
    ]
    o = offer(studio, drama, "xuhui.excellent_work")
    late = o.expires_on + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.offer_confirm(actor=owner, offer=o, contact="林晓", declaration_accepted=True, today=late)
    assert exc.value.messages == [
        f"该推送已于 {o.expires_on.isoformat()} 过期，不能再确认。如仍需申报，请通过政策计算器提交申报。"
    ]
    assert services.offers_expire(today=late) == Offer.objects.filter(state="expired").count() >= 1
    o.refresh_from_db()
    assert o.state == "expired"
    run = run_push()
    assert run.offers_new == 0 and offer(studio, drama, "xuhui.excellent_work").state == "expired"


def test_declining_needs_a_reason_and_is_kept_by_the_next_run(register: dict[str, Any]) -> None:
    run_push()
    o = offer(register["agent"], register["agent_rd"], "xuhui.agent_rd")
    with pytest.raises(ValidationError) as exc:
        services.offer_decline(actor=register["agent_owner"], offer=o, reason="")
    assert exc.value.message_dict == {"reason": ["请说明放弃的原因。"]}
    services.offer_decline(actor=register["agent_owner"], offer=o, reason="已通过市级渠道申报")
    run = run_push()
    o.refresh_from_db()
    assert (o.state, o.reason, o.current) == ("declined", "已通过市级渠道申报", True)
    assert run.offers_new == 0


def test_a_clause_granted_once_is_not_offered_again(register: dict[str, Any]) -> None:
    agent, rd = register["agent"], register["agent_rd"]
    Case.objects.create(
        case_type="policy_application",
        state="disbursed",
        enterprise=agent,
        project=rd,
        title="往年已获支持",
        clause_id="xuhui.agent_rd",
        year=2025,
        amount_approved_fen=300_000_000,
        submitted_on=dt.date(2025, 9, 1),
    )
    run_push()
    keys = set(current_offers())
    assert key(agent, rd, "xuhui.agent_rd") not in keys  # per project: granted in 2025, the cap is used up
    assert key(agent, register["settle"], "xuhui.settlement", str(ON.year)) in keys


def test_what_remains_under_a_yearly_cap_is_the_offer(register: dict[str, Any]) -> None:
    agent, settle = register["agent"], register["settle"]
    other = settle.enterprise.projects.create(kind="settlement", title="第二个落户项目", year=2026)
    Case.objects.create(
        case_type="policy_application",
        state="approved",
        enterprise=agent,
        project=settle,
        title="落户支持",
        clause_id="xuhui.settlement",
        year=ON.year,
        amount_approved_fen=1_000_000_000,
        submitted_on=dt.date(2026, 3, 2),
    )
    run_push()
    assert key(agent, settle, "xuhui.settlement", str(ON.year)) not in current_offers()
    left = offer(agent, other, "xuhui.settlement", str(ON.year))
    assert (left.max_amount_fen, left.cap_remaining_fen) == (2_000_000_000, 2_000_000_000)


def test_an_excluded_enterprise_gets_nothing_and_staff_see_why(
    register: dict[str, Any], make_user: Any
) -> None:
    run_push()
    studio = register["studio"]
    officer = make_user(role=Role.POLICY_OFFICER)
    exclusion = services.exclusion_add(
        actor=officer,
        enterprise_id=studio.pk,
        reason="严重失信主体",
        source="信用中国（上海）认定文书 2026-118 号",
        valid_from=dt.date(2026, 1, 1),
    )
    assert not Offer.objects.filter(enterprise=studio, current=True, state__in=["offered", "prompt"]).exists()
    assert set(
        Offer.objects.filter(enterprise=studio, current=True).values_list("withdraw_cause", flat=True)
    ) == {"excluded"}
    run = run_push()
    assert run.offers_new == 0
    assert not Offer.objects.filter(enterprise=studio, current=True, state__in=["offered", "prompt"]).exists()
    services.exclusion_revoke(actor=officer, exclusion=exclusion, reason="信用修复完成")
    services.enterprise_reevaluate(enterprise_id=studio.pk)
    assert Offer.objects.filter(enterprise=studio, current=True, state="offered").exists()


def test_the_members_are_told_of_new_offers_once(register: dict[str, Any]) -> None:
    from shouzhan.core.models import Notification

    run_push()
    owner = register["studio_owner"]
    notes = list(Notification.objects.filter(user=owner, kind="offer"))
    assert len(notes) == 1 and notes[0].message.startswith("政策直达：")
    run_push()
    assert Notification.objects.filter(user=owner, kind="offer").count() == 1

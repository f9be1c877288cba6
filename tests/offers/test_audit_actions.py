"""Every public service of offers writes exactly its declared audit entries, in order (#12, #14)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from shouzhan.core.audit import audit_action_get
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.offers import services
from shouzhan.offers.models import Offer, PushRun
from tests.offers.conftest import ON, run_push

pytestmark = pytest.mark.django_db


def _offer(w: dict[str, Any], clause: str = "xuhui.excellent_work") -> Offer:
    return Offer.objects.get(enterprise=w["studio"], project=w["drama"], clause_id=clause, current=True)


def _prompt(w: dict[str, Any]) -> Offer:
    return Offer.objects.get(
        enterprise=w["gaps"], project=w["unknown_drama"], clause_id="xuhui.excellent_work"
    )


def _officer(w: dict[str, Any]) -> Any:
    return w["officer"]


def _exclusion(w: dict[str, Any]) -> Any:
    return services.exclusion_add(
        actor=_officer(w),
        enterprise_id=w["studio"].pk,
        reason="严重失信主体",
        source="认定文书",
        valid_from=ON,
    )


def _person_offer(w: dict[str, Any]) -> tuple[Any, Offer]:
    """A composite talent working for the studio (徐汇), offered the housing support by a new run."""
    from shouzhan.registry.models import SkillCertificate, TalentTitle
    from shouzhan.registry.services.people import person_for_user
    from shouzhan.registry.talent.services import talent_record_for, talent_record_update

    owner = w["studio_owner"]
    person = person_for_user(actor=owner)
    record = talent_record_for(actor=owner, person=person)
    record = talent_record_update(actor=owner, record=record, data={"field": "micro_drama"})
    TalentTitle.objects.create(record=record, series="art", level=2, granted_on=dt.date(2024, 6, 1))
    SkillCertificate.objects.create(
        record=record, kind="ai_av", name="AI视听内容创作", number="Y310000202600012345678", issued_on=ON
    )
    run_push()
    return owner, Offer.objects.get(person=person, clause_id="xuhui.talent_housing", current=True)


def _person_apply(w: dict[str, Any]) -> Callable[[], Any]:
    owner, offer = _person_offer(w)
    data = {"kind": "rental_subsidy", "address": "徐汇区漕溪北路", "need": "租房"}
    return lambda: services.person_offer_apply(actor=owner, offer=offer, data=data)


CASES: dict[str, tuple[Callable[[dict[str, Any]], Callable[[], Any]], list[str]]] = {
    # The new case answers the offer as it is saved (offers' receiver), before the case's own entry.
    "person_offer_apply": (_person_apply, ["offers.offer_confirm", "cases.case_submit"]),
    "push_run_start": (
        lambda w: lambda: services.push_run_start(actor=_officer(w), on=ON),
        ["offers.push_run_start"],
    ),
    "push_run_execute": (
        lambda w: (lambda run: lambda: services.push_run_execute(run_id=run.pk))(
            services.push_run_start(actor=_officer(w), on=ON)
        ),
        ["offers.push_run_finish"],
    ),
    "push_run_scheduled": (lambda w: lambda: services.push_run_scheduled(on=ON), ["offers.push_run_start"]),
    "enterprise_reevaluate, a change": (
        lambda w: (
            (lambda: services.enterprise_reevaluate(enterprise_id=w["outside"].pk))
            if w["outside"]
            .__class__.objects.filter(pk=w["outside"].pk)
            .update(district="徐汇", updated_at=timezone.now())
            else None
        ),
        ["offers.push_run_finish"],
    ),
    "enterprise_reevaluate, nothing changed": (
        lambda w: lambda: services.enterprise_reevaluate(enterprise_id=w["studio"].pk),
        [],
    ),
    "push_runs_recover": (
        lambda w: (lambda run: lambda: services.push_runs_recover())(
            PushRun.objects.create(
                trigger="manual",
                on=ON,
                status="running",
                run_token="dead",
                heartbeat_at=timezone.now() - dt.timedelta(hours=1),
            )
        ),
        ["offers.push_run_resume"],
    ),
    "offer_confirm": (
        lambda w: (
            lambda: services.offer_confirm(
                actor=w["studio_owner"], offer=_offer(w), contact="林晓", declaration_accepted=True, today=ON
            )
        ),
        ["cases.case_submit", "offers.offer_confirm"],
    ),
    "offer_decline": (
        lambda w: lambda: services.offer_decline(actor=w["studio_owner"], offer=_offer(w), reason="暂不申报"),
        ["offers.offer_decline"],
    ),
    "prompt_answer": (
        lambda w: (
            lambda: services.prompt_answer(
                actor=w["gaps_owner"], offer=_prompt(w), answers={"project.excellent": "是"}
            )
        ),
        ["registry.project_update", "offers.prompt_answer", "offers.push_run_finish"],
    ),
    "offers_expire": (
        lambda w: lambda: services.offers_expire(today=_offer(w).expires_on + dt.timedelta(days=1)),
        None,  # one entry per expired offer: checked below
    ),
    "offer_outcome_record": (
        lambda w: (
            lambda o: (
                lambda: services.offer_outcome_record(actor="system:test", case_id=o.case_id, state="granted")
            )
        )(
            services.offer_confirm(
                actor=w["studio_owner"], offer=_offer(w), contact="林晓", declaration_accepted=True, today=ON
            )
        ),
        ["offers.offer_outcome_record"],
    ),
    "exclusion_add": (lambda w: lambda: _exclusion(w), ["offers.exclusion_add"]),
    "offers_export": (lambda w: lambda: services.offers_export(actor=_officer(w)), ["offers.offers_export"]),
    "exclusion_revoke": (
        lambda w: (
            lambda e: lambda: services.exclusion_revoke(actor=_officer(w), exclusion=e, reason="已修复")
        )(_exclusion(w)),
        ["offers.exclusion_revoke"],
    ),
}


@pytest.fixture
def world(register: dict[str, Any], make_user: Any) -> dict[str, Any]:
    run_push()
    return {**register, "officer": make_user(role=Role.POLICY_OFFICER)}


@pytest.mark.parametrize("name", list(CASES))
def test_each_service_writes_exactly_its_declared_entries(world: dict[str, Any], name: str) -> None:
    prepare, expected = CASES[name]
    call = prepare(world)
    mark = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    result = call()
    written = list(AuditEntry.objects.filter(id__gt=mark).order_by("id").values_list("action", flat=True))
    if expected is None:
        expected = ["offers.offer_expire"] * result
        assert result > 0
    assert written == expected
    assert all(audit_action_get(code) is not None for code in written), written


def test_every_public_write_is_covered() -> None:
    writes = set(services.__all__) - {"PUSHER"}
    assert writes == {name.split(",")[0] for name in CASES}

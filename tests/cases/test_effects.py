"""The case-effects contract (cases/events.py): what each handler relies on exists in the workflow, effects
run inside the transition or after its commit as declared, and an introduction's outcome carries its note."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from shouzhan.cases import workflow as wf
from shouzhan.cases.events import (
    CaseTransitioned,
    Effect,
    EffectNotDeclared,
    When,
    effect_handler,
    effect_handler_register,
)
from shouzhan.cases.models import Case
from shouzhan.cases.services import case_submit, case_transition
from shouzhan.community import services as community
from shouzhan.community.models import ContactRequest
from shouzhan.core.roles import Role
from shouzhan.registry.models import Person

pytestmark = pytest.mark.django_db


def _carrying(effect: Effect) -> list[tuple[wf.CaseType, wf.Transition]]:
    return [(ct, t) for ct in wf.case_types() for t in ct.transitions if effect in t.effects]


def test_every_declared_effect_has_its_owning_modules_handler() -> None:
    owners = {key: effect_handler(effect).__module__ for key, effect in wf.declared_effects().items()}  # type: ignore[union-attr]
    assert owners == {
        "ledger.approved_amount_grant": "shouzhan.ledger.effects",
        "ledger.reserved_budget_consume": "shouzhan.ledger.effects",
        "ledger.grant_revoke": "shouzhan.ledger.effects",
        "spaces.booking_confirm": "shouzhan.spaces.effects",
        "spaces.booking_refuse": "shouzhan.spaces.effects",
        "spaces.booking_withdraw": "shouzhan.spaces.effects",
        "community.introduction_outcome_record": "shouzhan.community.effects",
        "offers.offer_grant": "shouzhan.offers.effects",
        "offers.offer_refuse": "shouzhan.offers.effects",
        "offers.offer_decline": "shouzhan.offers.effects",
        "frontline.ticket_move": "shouzhan.frontline.effects",
        "assets.rights_outcome_record": "shouzhan.assets.effects",
        "assets.licence_outcome_record": "shouzhan.assets.effects",
        "talent.support_outcome_record": "shouzhan.talent.effects",
    }
    # Money and bookings must not be lost: all of today's effects run inside the transition.
    assert {e.when for e in wf.declared_effects().values()} == {When.IN_TRANSACTION}


def test_ledger_handlers_rely_on_an_amount_and_on_leaving_the_approved_states() -> None:
    # The grant reads the approved amount: only a transition that decides one carries it — in the policy
    # application and in its fast track (the same review, opened by a confirmed offer).
    assert [(ct.key, t.action, t.needs_amount) for ct, t in _carrying(wf.GRANT_APPROVED_AMOUNT)] == [
        ("policy_application", "approve", True),
        ("policy_fast_track", "approve", True),
    ]
    for ct, disburse in _carrying(wf.CONSUME_RESERVED_BUDGET):
        assert (disburse.sources, ct.state(disburse.target).outcome) == (("published",), "ok")
        # Revoking happens from exactly the states the grant leads to (approved, then published).
        [cancel] = [t for t in ct.transitions if wf.REVOKE_GRANT in t.effects]
        granted = {t.target for t in ct.transitions if wf.GRANT_APPROVED_AMOUNT in t.effects}
        published = {
            t.target for t in ct.transitions if set(t.sources) & granted and t.target != cancel.target
        }
        assert set(cancel.sources) == granted | (published - {disburse.target})
        assert ct.state(cancel.target).outcome == "bad"
    assert [ct.key for ct, _t in _carrying(wf.CONSUME_RESERVED_BUDGET)] == [
        "policy_application",
        "policy_fast_track",
    ]


def test_offers_handlers_rely_on_the_fast_track_decisions() -> None:
    carried = {
        effect.key: [(ct.key, t.action, ct.state(t.target).outcome) for ct, t in _carrying(effect)]
        for effect in (wf.OFFER_GRANT, wf.OFFER_REFUSE, wf.OFFER_DECLINE)
    }
    assert carried == {
        "offers.offer_grant": [("policy_fast_track", "approve", "")],  # approved: granted, not yet final
        "offers.offer_refuse": [
            ("policy_fast_track", "decline", "bad"),
            ("policy_fast_track", "not_support", "bad"),
            ("policy_fast_track", "cancel", "bad"),
        ],
        "offers.offer_decline": [("policy_fast_track", "withdraw", "bad")],
    }


def test_spaces_handlers_rely_on_the_filming_case_type_only() -> None:
    carried = {
        effect.key: [(ct.key, ct.state(t.target).outcome) for ct, t in _carrying(effect)]
        for effect in (wf.BOOKING_CONFIRM, wf.BOOKING_REFUSE, wf.BOOKING_WITHDRAW)
    }
    assert carried == {
        "spaces.booking_confirm": [("service.filming_location", "ok")],
        "spaces.booking_refuse": [("service.filming_location", "bad")],
        "spaces.booking_withdraw": [("service.filming_location", "bad")],
    }


def test_introduction_handler_relies_on_final_outcomes() -> None:
    carried = [(ct.key, t.action, ct.state(t.target)) for ct, t in _carrying(wf.INTRODUCTION_OUTCOME_RECORD)]
    assert [(key, action, s.final, s.outcome) for key, action, s in carried] == [
        ("service.introduction", "complete", True, "ok"),
        ("service.introduction", "reject", True, "bad"),
        ("service.introduction", "withdraw", True, "bad"),
    ]


def test_a_handler_for_an_effect_no_case_type_declares_is_refused() -> None:
    with pytest.raises(EffectNotDeclared):
        effect_handler_register(Effect("ledger.nothing_declares_this", "x"), lambda event: None)


def test_introduction_outcome_note_is_recorded(make_user: Any, make_enterprise: Any) -> None:
    user = make_user(name="周老先生")
    person = Person.objects.create(name="周老先生", user=user, title="发明人")
    offer = community.listing_create(
        actor=user,
        direction="offer",
        owner_person=person,
        data={
            "title": "一种节能型保温墙体材料",
            "abstract": "发泡陶瓷",
            "field": "新材料",
            "seeking": ["licence"],
        },
    )
    _ent, owner = make_enterprise(name="上海绿筑建材科技有限公司")
    contact = community.contact_request_create(actor=owner, listing=offer, message="希望获得许可")
    worker = make_user(role=Role.CASEWORKER)
    case = Case.objects.get(pk=contact.case_id)
    for action in ("accept", "start", "complete"):
        case = case_transition(
            actor=worker, case=case, action=action, expected_version=case.version, note="已安排双方见面"
        )
    contact.refresh_from_db()
    assert (contact.outcome, contact.outcome_note) == (ContactRequest.Outcome.INTRODUCED, "已安排双方见面")


def test_after_commit_effect_waits_for_the_commit(
    studio: Any, caseworker: Any, effect_handlers: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    enterprise, owner = studio
    case = case_submit(
        actor=owner,
        case_type="service.ip_design",
        enterprise=enterprise,
        title="IP设计",
        data={"need": "形象"},
    )
    told = Effect("spaces.booking_confirm", "tell", when=When.AFTER_COMMIT)  # a declared key, told later
    seen: list[CaseTransitioned] = []
    effect_handlers[told.key] = (told, seen.append)
    ct = wf.case_type_get("service.ip_design")
    accept = ct.transition("accept")
    object.__setattr__(accept, "effects", (told,))
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            case_transition(actor=caseworker, case=case, action="accept", expected_version=1, note="受理")
        assert seen == [] and len(callbacks) >= 1
        for callback in callbacks:
            callback()
    finally:
        object.__setattr__(accept, "effects", ())
    [event] = seen
    assert (event.action, event.from_state, event.to_state, event.outcome, event.note, event.actor) == (
        "accept",
        "submitted",
        "accepted",
        "",
        "受理",
        caseworker,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):  # what a handler receives, it cannot change
        event.note = "x"  # type: ignore[misc]

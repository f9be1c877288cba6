"""A push run over the register: the offers equal what the one-case interpreter gives, subject by subject;
a second run changes nothing; profile changes, grants and exclusions move exactly the right offers."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from shouzhan import rules
from shouzhan.offers.models import Offer, PushRun
from shouzhan.policies.selectors import catalogue_in_force
from shouzhan.registry.models import Enterprise
from shouzhan.registry.selectors import enterprise_facts
from tests.offers.conftest import ON, run_push

pytestmark = pytest.mark.django_db


def interpreter_offers(on: dt.date) -> dict[str, tuple[str, int | None]]:
    """key → (status, amount) by the one-case interpreter, for every enterprise and project."""
    catalogue = catalogue_in_force(on=on)
    expected: dict[str, tuple[str, int | None]] = {}
    for enterprise in Enterprise.objects.prefetch_related("projects"):
        subjects: list[Any] = [None, *enterprise.projects.all()]
        for project in subjects:
            facts = enterprise_facts(enterprise=enterprise, project=project)
            for r in rules.explain(catalogue, facts, on):
                clause = catalogue.clause(r.id)
                if clause.reads_project() != (project is not None) or r.status == "not_eligible":
                    continue
                if clause.reads_person():  # decided per talent record (test_person_offers.py), never here
                    continue
                period = str(on.year) if clause.cap and clause.cap.per in ("year", "item_per_year") else ""
                key = f"{enterprise.pk}:{project.pk if project else 0}:{r.id}:{period}"
                # An eligible formula clause whose amount is unknown asks for the facts it needs.
                unpriced = r.status == "eligible" and r.max_amount_fen is None and r.decision == "formula"
                expected[key] = ("unknown" if unpriced else r.status, r.max_amount_fen)
    return expected


def current_offers() -> dict[str, tuple[str, int | None]]:
    return {
        o.key: (o.rule_status, o.max_amount_fen)
        for o in Offer.objects.filter(current=True, state__in=["prompt", "offered"])
    }


def test_a_run_offers_what_the_interpreter_gives(register: dict[str, Any]) -> None:
    run = run_push()
    assert run.status == PushRun.Status.DONE, run.error
    expected = interpreter_offers(ON)
    assert current_offers() == expected
    assert run.offers_new == len(expected) > 0
    assert (run.offers_changed, run.offers_withdrawn) == (0, 0)
    # The outside enterprise (浦东) has no 徐汇 offer; the studio's excellent drama has the 沪8条 one.
    studio, drama = register["studio"], register["drama"]
    assert f"{studio.pk}:{drama.pk}:xuhui.excellent_work:" in expected
    assert not any(k.startswith(f"{register['outside'].pk}:") and ":xuhui." in k for k in expected)


def test_a_second_run_changes_nothing(register: dict[str, Any]) -> None:
    first = run_push()
    before = {o.pk: (o.state, o.max_amount_fen, o.facts, o.updated_at) for o in Offer.objects.all()}
    second = run_push()
    assert (second.offers_new, second.offers_changed, second.offers_withdrawn) == (0, 0, 0)
    assert second.offers_kept == first.offers_new
    after = {o.pk: (o.state, o.max_amount_fen, o.facts, o.updated_at) for o in Offer.objects.all()}
    assert after == before


def test_facts_snapshot_is_what_the_clause_read(register: dict[str, Any]) -> None:
    run_push()
    studio, drama = register["studio"], register["drama"]
    offer = Offer.objects.get(key=f"{studio.pk}:{drama.pk}:xuhui.excellent_work:")
    facts = json.loads(offer.facts)
    assert facts["enterprise.district"] == "徐汇"
    assert facts["project.kind"] == "micro_drama"
    assert facts["project.excellent"] is True
    assert offer.state == "offered"
    assert offer.max_amount_fen == 100_000_000  # caseworker clause: its cap, 1,000,000 yuan


def test_a_bonus_above_the_cap_is_offered_in_full(register: dict[str, Any]) -> None:
    """沪8条: a national selection promoting the city's image gets +50 % — above the clause's cap."""
    studio = register["studio"]
    work = studio.projects.create(
        kind="micro_drama",
        title="《外滩十二时辰》",
        year=2026,
        national_selection=True,
        promotes_city_image=True,
    )
    run_push()
    assert current_offers() == interpreter_offers(ON)
    offer = Offer.objects.get(key=f"{studio.pk}:{work.pk}:hu8.national_selection:")
    assert (offer.max_amount_fen, offer.cap_remaining_fen) == (7_500_000, 7_500_000)

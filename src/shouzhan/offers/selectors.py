"""Reads of offers: an enterprise's offers, one offer explained (the clause's text, the trace in words,
the facts used, what is missing), and the runs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan import rules
from shouzhan.core.actors import Actor
from shouzhan.offers import permissions
from shouzhan.offers.models import Offer, PushRun
from shouzhan.registry.permissions import member_enterprise_ids
from shouzhan.rules.money import fen_to_yuan
from shouzhan.rules.vocabulary import FACTS, VALUE_LABELS, fact_label, value_label

SHOWN_STATES = ("prompt", "offered", "confirmed", "granted", "refused")
# Offers to confirm first, then the questions to answer, then what became of the confirmed ones.
_OPEN_FIRST = Case(
    When(state="offered", then=Value(0)), When(state="prompt", then=Value(1)), default=Value(2)
)


def offer_get(*, actor: Actor, pk: int) -> Offer:
    offer = (
        Offer.objects.select_related("enterprise", "project", "person", "policy_version__document", "case")
        .filter(pk=pk)
        .first()
    )
    if offer is None:
        raise Http404(_("没有找到该推送。"))
    permissions.require_offer_read(actor, offer)
    return offer


def enterprise_offers(
    *, actor: Actor, enterprise_id: int, states: tuple[str, ...] = SHOWN_STATES
) -> QuerySet[Offer]:
    """An enterprise's current offers and prompts (and what became of the ones it confirmed), the
    open ones first, larger amounts first."""
    if not (permissions.can_see_all(actor) or enterprise_id in member_enterprise_ids(actor)):
        raise Http404(_("没有找到该企业。"))
    offers = Offer.objects.filter(enterprise_id=enterprise_id, current=True, state__in=states)
    if not permissions.can_see_all(actor):
        offers = offers.filter(_people_seen(actor))
    return offers.select_related("project", "person", "policy_version__document", "case").order_by(
        _OPEN_FIRST, F("max_amount_fen").desc(nulls_last=True), "clause_id", "id"
    )


def _people_seen(actor: Actor) -> Q:
    """The offers an enterprise member sees among their enterprise's: its own, and a person's only where
    they keep the person's record or it is shared in full with one of their enterprises (as
    permissions.person_offer_access decides for one offer)."""
    from shouzhan.registry.talent.models import TalentShare
    from shouzhan.registry.talent.permissions import FULL

    mine = member_enterprise_ids(actor)
    user_id = getattr(actor, "pk", None) or 0
    shared = TalentShare.objects.filter(
        record__person_id=OuterRef("person_id"), enterprise_id__in=mine, level=FULL
    )
    return (
        Q(person__isnull=True)
        | Q(person__user_id=user_id)
        | Q(person__user__isnull=True, person__enterprise_id__in=mine)
        | Q(Exists(shared))
    )


def person_offers(*, actor: Actor, states: tuple[str, ...] = SHOWN_STATES) -> QuerySet[Offer]:
    """The actor's own offers as a person (a talent clause about them), open ones first."""
    return (
        Offer.objects.filter(person__user_id=getattr(actor, "pk", None) or 0, current=True, state__in=states)
        .select_related("project", "person", "policy_version__document", "case")
        .order_by(_OPEN_FIRST, "clause_id", "id")
    )


def snapshot_facts(offer: Offer) -> dict[str, Any]:
    """The offer's facts as the rules read them: {"enterprise": {...}, "project": {...}}."""
    try:
        flat = json.loads(offer.facts or "{}")
    except ValueError:
        flat = {}
    nested: dict[str, dict[str, Any]] = {"enterprise": {}, "project": {}, "person": {}}
    for name, value in flat.items():
        fact = FACTS.get(name)
        if fact is None:
            continue
        entity, short = name.split(".", 1)
        if fact.type == "money" and value is not None:
            value = fen_to_yuan(int(value))
        nested[entity][short] = value
    if not nested["person"]:
        del nested["person"]  # an enterprise's offer: no person (selectors of policies read the key)
    return nested


@dataclass
class Explained:
    offer: Offer
    policy: rules.Policy
    clause: rules.Clause
    result: rules.ClauseResult
    facts: list[dict[str, Any]] = field(default_factory=list)  # label, value shown, known
    missing: list[dict[str, Any]] = field(default_factory=list)  # name, label, type, choices


def _clause_catalogue(offer: Offer) -> tuple[rules.Policy, rules.Clause, rules.Catalogue]:
    import dataclasses

    from shouzhan.policies.selectors import version_policy

    policy = version_policy(offer.policy_version)
    clause = next((c for c in policy.clauses if c.id == offer.clause_id), None)
    if clause is None:
        raise Http404(_("该推送的条款已不在其政策版本中。"))
    return policy, clause, rules.Catalogue((dataclasses.replace(policy, clauses=(clause,)),))


def offer_explain(offer: Offer) -> Explained:
    """The clause run again by the one-case interpreter over the offer's own snapshot of facts: the same
    answer the run gave, with its reasons clause by clause."""
    policy, clause, catalogue = _clause_catalogue(offer)
    nested = snapshot_facts(offer)
    result = rules.explain(catalogue, nested, offer.evaluated_on)[0]
    flat = json.loads(offer.facts or "{}")
    facts = []
    for name in sorted(flat):
        if name not in FACTS:
            continue
        entity, short = name.split(".", 1)
        value = nested.get(entity, {}).get(short)
        facts.append(
            {
                "name": name,
                "label": fact_label(name, english=_english()),
                "value": None if value is None else fact_value_text(name, value),
                "known": value is not None,
                "entity": entity,
            }
        )
    missing = [_question(name) for name in result.missing_facts]
    return Explained(offer=offer, policy=policy, clause=clause, result=result, facts=facts, missing=missing)


def offer_missing_facts(offer: Offer) -> list[str]:
    """The facts a prompt asks for (those that would decide its clause)."""
    if offer.state != Offer.State.PROMPT:
        return []
    return [m["name"] for m in offer_explain(offer).missing]


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "zh-hans").startswith("en")


def fact_value_text(name: str, value: Any) -> str:
    """A fact's value as people read it: 是 / 否, an amount in yuan, a coded value in words."""
    fact = FACTS[name]
    if fact.type == "bool":
        return _("是") if value else _("否")
    if fact.type == "money":
        return _("%(y)s 元") % {"y": value}
    return value_label(name, str(value), english=_english())


def _question(name: str) -> dict[str, Any]:
    """One question of a prompt: the fact in words, its type, and its choices when it has a fixed list."""
    fact = FACTS[name]
    codes = list(fact.choices) or list(VALUE_LABELS.get(name, {}))
    choices = [(code, value_label(name, code, english=_english())) for code in codes]
    return {
        "name": name,
        "label": fact_label(name, english=_english()),
        "type": fact.type,
        "choices": choices,
    }


def runs_list(*, actor: Actor, limit: int = 50) -> QuerySet[PushRun]:
    permissions.require_staff(actor)
    return PushRun.objects.exclude(scope=PushRun.Scope.ENTERPRISE).select_related("started_by")[:limit]


def run_get(*, actor: Actor, pk: int) -> PushRun:
    permissions.require_staff(actor)
    run = PushRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404(_("没有找到该推送批次。"))
    return run

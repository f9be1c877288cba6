"""How an offer is shown: the card of one offer on the enterprise's pages (heading, amount in words, the
reasons through the one trace presenter, the facts used), and the offers card on an enterprise's page
(registry.panels) — which is also an enterprise member's home: how many offers wait for the enterprise's
confirmation, what they add up to, the three largest, and how many prompts need an answer. The card is
declared in OffersConfig.ready(), before the policy matches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from shouzhan import rules
from shouzhan.offers import selectors
from shouzhan.offers.models import Offer
from shouzhan.policies.trace import TraceView, trace_present
from shouzhan.registry.models import Enterprise
from shouzhan.registry.panels import EnterprisePanel, enterprise_panel_declare

TOP = 3
BADGES = {
    "prompt": "badge-warn",
    "offered": "badge-ok",
    "confirmed": "",
    "granted": "badge-ok",
    "refused": "badge-bad",
    "declined": "badge-muted",
    "withdrawn": "badge-muted",
    "expired": "badge-muted",
}


def offer_heading(offer: Offer) -> tuple[str, str]:
    """(policy · clause, the clause's original text) of an offer, from its own policy version (parsed once
    per process): no query, never the clause's id."""
    from shouzhan.policies.selectors import version_policy

    policy = version_policy(offer.policy_version)
    clause = next((c for c in policy.clauses if c.id == offer.clause_id), None)
    if clause is None:
        return policy.short_title or policy.title, ""
    return f"{policy.short_title or policy.title} · {clause.title}", clause.text


def amount_words(offer: Offer) -> str:
    """An offer without an amount in words: a fee relief, or an amount the caseworker decides."""
    from shouzhan.policies.selectors import version_policy

    if offer.max_amount_fen is not None:
        return ""
    policy = version_policy(offer.policy_version)
    clause = next((c for c in policy.clauses if c.id == offer.clause_id), None)
    if clause is not None and clause.decision == "in_kind":
        return _("人才配套服务，不计金额") if offer.person_id is not None else _("费用减免，不计金额")
    return _("金额由经办人核定")


@dataclass
class OfferCard:
    offer: Offer
    heading: str
    text: str
    subject: str
    badge: str
    trace: TraceView | None
    fact_groups: list[dict[str, Any]] = field(default_factory=list)  # {title, facts, url}
    questions: list[dict[str, Any]] = field(default_factory=list)
    cause: str = ""
    fast_track_days: int = 5
    amount_note: str = ""  # for an offer without an amount: a fee relief, or decided by the caseworker
    capped: bool = False  # part of the clause's cap was granted before: the offer is what remains


_catalogues: dict[int, tuple[rules.Policy, rules.Catalogue]] = {}


def _catalogue(policy: rules.Policy) -> rules.Catalogue:
    """A catalogue of the offer's own policy version (parsed once per process), for the trace's words."""
    hit = _catalogues.get(id(policy))
    if hit is not None and hit[0] is policy:
        return hit[1]
    catalogue = rules.Catalogue.from_policies([policy])
    if len(_catalogues) > 64:
        _catalogues.clear()
    _catalogues[id(policy)] = (policy, catalogue)
    return catalogue


def offer_card(offer: Offer, *, can_correct: bool) -> OfferCard:
    """One offer as its pages show it: heading and the clause's words, the reasons (the one trace presenter,
    with the offer's own policy version), the facts used by entity with where to correct them, the questions
    of a prompt, and why it ended."""
    explained = selectors.offer_explain(offer)
    heading, text = offer_heading(offer)
    trace = trace_present(
        explained.result.trace,
        catalogue=_catalogue(explained.policy),
        facts=selectors.snapshot_facts(offer),
        missing=explained.result.missing_facts,
    )
    groups = []
    for entity, title in (
        ("enterprise", _("企业信息")),
        ("project", _("项目信息")),
        ("person", _("个人信息")),
    ):
        facts = [f for f in explained.facts if f["entity"] == entity]
        if not facts:
            continue
        url = ""
        if entity == "person":
            url = reverse("talent:mine") if can_correct else ""  # the person's own record
        elif can_correct and entity == "enterprise" and offer.person_id is None:
            url = reverse("registry:enterprise_edit", args=[offer.enterprise_id])
        elif can_correct and offer.project_id:
            url = reverse("registry:project_edit", args=[offer.enterprise_id, offer.project_id])
        groups.append({"title": title, "facts": facts, "url": url})
    cause = ""
    if offer.state == Offer.State.WITHDRAWN and offer.withdraw_cause:
        cause = str(Offer.Cause(offer.withdraw_cause).label)
    elif offer.state == Offer.State.EXPIRED and offer.expires_on:
        cause = _("未在确认期限 %(d)s 前确认，推送已过期。") % {"d": offer.expires_on.isoformat()}
    return OfferCard(
        offer=offer,
        heading=heading,
        text=text or explained.clause.text,
        subject=offer.project.title
        if offer.project
        else (offer.person.name if offer.person_id and offer.person else _("企业本身")),
        badge=BADGES.get(offer.state, ""),
        trace=trace,
        fact_groups=groups,
        questions=explained.missing if offer.state == Offer.State.PROMPT else [],
        cause=cause,
        fast_track_days=explained.clause.push.fast_track_days,
        amount_note=amount_words(offer),
        capped=offer.cap_remaining_fen is not None
        and explained.clause.cap is not None
        and offer.cap_remaining_fen < explained.clause.cap.fen,
    )


def offers_context(request: HttpRequest, enterprise: Enterprise) -> dict[str, Any] | None:
    try:
        rows = list(
            selectors.enterprise_offers(
                actor=request.user,
                enterprise_id=enterprise.pk,
                states=(Offer.State.OFFERED, Offer.State.PROMPT),
            )
        )
    except Http404:
        return None
    offered = sorted(
        (o for o in rows if o.state == Offer.State.OFFERED), key=lambda o: -(o.max_amount_fen or 0)
    )
    return {
        "enterprise": enterprise,
        "count": len(offered),
        "prompts": sum(1 for o in rows if o.state == Offer.State.PROMPT),
        "total_fen": sum(o.max_amount_fen or 0 for o in offered),
        "top": [(o, offer_heading(o)[0], amount_words(o)) for o in offered[:TOP]],
        "url": f"{reverse('offers:index')}?enterprise={enterprise.pk}",
    }


def register() -> None:
    enterprise_panel_declare(
        EnterprisePanel(
            "offers.open", order=5, template="offers/_enterprise_panel.html", context=offers_context
        )
    )

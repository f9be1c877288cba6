"""The offers API (政策直达 / 免申即享): an enterprise's offers and prompts, each explained; confirm (with an
`Idempotency-Key`), decline, answer a prompt; and, for the centre's staff, the push runs.

Permissions are the services' and selectors' own (offers.permissions): another enterprise's offer is 404,
a staff page for a member 403, anonymous 401. A confirm, decline or answer the offer's state no longer
allows (withdrawn, expired, declined) is a 422 with the reason in words, as a case's transition from a
closed state is. Money is yuan as text and fen as an integer, never a float.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.params.functions import Header as HeaderParam

from shouzhan import rules
from shouzhan.core.errors import ErrorOut
from shouzhan.core.limits import (
    PAGE_DEFAULT,
    PageLimit,
    PageOffset,
)
from shouzhan.core.money import yuan_decimal
from shouzhan.ledger.idempotency import HEADER, run_once
from shouzhan.offers import selectors, services
from shouzhan.offers.api_schemas import (
    IdempotencyKey,
    OfferAnswerIn,
    OfferConfirmIn,
    OfferDeclineIn,
    OfferDetailOut,
    OfferPage,
    PushRunDetailOut,
    PushRunIn,
    PushRunOut,
)
from shouzhan.offers.models import Offer, PushRun
from shouzhan.policies.permissions import can_read_rule_expressions
from shouzhan.policies.trace import Line, trace_present
from shouzhan.registry.permissions import member_enterprise_ids

router = Router(tags=["offers"])


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else str(yuan_decimal(fen))


def _clause_names(offer: Offer) -> tuple[str, str, rules.Clause | None, rules.Policy | None]:
    """(heading, clause title, clause, policy) of the clause as it was offered (the offer's version)."""
    from shouzhan.policies.selectors import version_policy

    policy = version_policy(offer.policy_version)
    clause = next((c for c in policy.clauses if c.id == offer.clause_id), None)
    if clause is None:
        return offer.clause_id, offer.clause_id, None, policy
    return f"{policy.short_title or policy.title} · {clause.title}", clause.title, clause, policy


def offer_out(offer: Offer) -> dict[str, Any]:
    heading = _clause_names(offer)[0]
    return {
        "id": offer.pk,
        "enterprise_id": offer.enterprise_id,
        "enterprise": offer.enterprise.name,
        "project_id": offer.project_id,
        "project": offer.project.title if offer.project is not None else None,
        "clause_id": offer.clause_id,
        "clause": heading,
        "state": offer.state,
        "state_label": str(offer.get_state_display()),
        "rule_status": offer.rule_status,
        "amount_yuan": _yuan(offer.max_amount_fen),
        "amount_fen": offer.max_amount_fen,
        "offered_on": offer.offered_on,
        "expires_on": offer.expires_on,
        "case_id": offer.case_id,
        "withdraw_cause": offer.withdraw_cause,
        "withdraw_cause_label": str(offer.get_withdraw_cause_display()) if offer.withdraw_cause else "",
        "reason": offer.reason,
    }


def _line(line: Line | None) -> dict[str, Any] | None:
    if line is None:
        return None
    return {
        "words": line.words,
        "sentence": line.sentence,
        "value": line.value,
        "children": [_line(c) for c in line.children],
    }


def _reasons(explained: selectors.Explained, request: HttpRequest) -> dict[str, Any] | None:
    """The trace in words, through the one presenter the calculator and the case page use."""
    catalogue = rules.Catalogue((explained.policy,))
    view = trace_present(
        explained.result.trace,
        catalogue=catalogue,
        facts=selectors.snapshot_facts(explained.offer),
        missing=list(explained.result.missing_facts),
    )
    if view is None:
        return None
    expressions = view.expressions if can_read_rule_expressions(request.user) else []
    return {
        "heading": view.heading,
        "in_force": _line(view.in_force),
        "conditions": [_line(x) for x in view.conditions],
        "amounts": [_line(x) for x in view.amounts],
        "conclusion": _line(view.conclusion),
        "missing": view.missing,
        "expressions": [{"step": s, "expression": e, "value": v} for s, e, v in expressions],
    }


def offer_detail_out(offer: Offer, request: HttpRequest) -> dict[str, Any]:
    explained = selectors.offer_explain(offer)
    prompt = offer.state == Offer.State.PROMPT
    return {
        **offer_out(offer),
        "policy": explained.policy.title,
        "clause_title": explained.clause.title,
        "clause_text": explained.clause.text,
        "version": offer.policy_version.number,
        "result": explained.result.to_dict(),  # as the calculator answers it (ClauseResultOut)
        "reasons": _reasons(explained, request),
        "facts": explained.facts,
        "missing": [
            {**q, "choices": [{"value": v, "label": label} for v, label in q["choices"]]}
            for q in (explained.missing if prompt else [])
        ],
    }


def _run_out(run: PushRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "trigger": run.trigger,
        "trigger_label": str(run.get_trigger_display()),
        "engine": run.engine,
        "scope": run.scope,
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "on": run.on,
        "phase": run.phase,
        "subjects_total": run.subjects_total,
        "subjects_done": run.subjects_done,
        "enterprises": run.enterprises,
        "offers_new": run.offers_new,
        "offers_changed": run.offers_changed,
        "offers_withdrawn": run.offers_withdrawn,
        "offers_kept": run.offers_kept,
        "started_by": run.started_by.name if run.started_by is not None else None,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "interruptions": run.interruptions,
        "error": run.error,
    }


def _run_clauses(run: PushRun) -> list[dict[str, Any]]:
    """Each clause's counts and potential amount against the clause's remaining budget of the run's year."""
    from shouzhan.ledger.selectors import clause_budgets
    from shouzhan.policies.selectors import catalogue_in_force

    left = {b["budget"].clause_id: b["available_fen"] for b in clause_budgets(year=run.on.year)}
    catalogue = catalogue_in_force(on=run.on)  # read once: a clause named as pages name it (政策 · 条款)

    def heading(clause_id: str) -> str:
        try:
            clause = catalogue.clause(clause_id)
        except KeyError:
            return clause_id
        policy = catalogue.policy_of(clause)
        return f"{policy.short_title or policy.title} · {clause.title}"

    out = []
    for clause_id, stats in sorted((run.clause_stats or {}).items()):
        potential = int(stats.get("potential_fen") or 0)
        budget = left.get(clause_id)
        out.append(
            {
                "clause_id": clause_id,
                "clause": heading(clause_id),
                "eligible": int(stats.get("eligible") or 0),
                "unknown": int(stats.get("unknown") or 0),
                "not_eligible": int(stats.get("not_eligible") or 0),
                "potential_yuan": _yuan(potential),
                "potential_fen": potential,
                "budget_left_yuan": _yuan(budget),
                "budget_left_fen": budget,
                "over_budget": budget is not None and potential > budget,
            }
        )
    return out


def _run_detail_out(run: PushRun) -> dict[str, Any]:
    broken = [
        {
            "enterprise": row.get("enterprise"),
            "project": row.get("project"),
            "fact": str(row.get("fact", "")),
            "value": str(row.get("value", "")),
            "error": str(row.get("error", "")),
        }
        for row in (run.broken_rows or [])
    ]
    return {
        **_run_out(run),
        "clauses": _run_clauses(run),
        "broken_rows": broken,
        "timings": {k: float(v) for k, v in (run.timings or {}).items()},
    }


def _enterprise_id(request: HttpRequest, enterprise: int | None) -> int:
    """The enterprise whose offers are asked for: the one named, or the member's only one."""
    if enterprise is not None:
        return enterprise
    ids = sorted(member_enterprise_ids(request.user))
    if len(ids) == 1:
        return ids[0]
    if ids:
        raise ValidationError({"enterprise": [_("您是多家企业的成员，请用 enterprise 参数指定企业。")]})
    raise ValidationError({"enterprise": [_("请用 enterprise 参数指定企业。")]})


# ----------------------------------------------------------------------------- the staff's side
# Declared before /offers/{offer_id} so that "runs" is never read as an offer's id.
@router.get("/offers/runs", response=list[PushRunOut], summary="Push runs, the latest first (staff)")
def runs(
    request: HttpRequest, offset: PageOffset = 0, limit: PageLimit = PAGE_DEFAULT
) -> list[dict[str, Any]]:
    return [_run_out(r) for r in selectors.runs_list(actor=request.user, limit=offset + limit)[offset:]]


@router.get(
    "/offers/runs/{run_id}",
    response=PushRunDetailOut,
    summary="One push run: progress, counts, each clause against its remaining budget (staff)",
)
def run_detail(request: HttpRequest, run_id: int) -> dict[str, Any]:
    return _run_detail_out(selectors.run_get(actor=request.user, pk=run_id))


@router.post(
    "/offers/runs",
    response={201: PushRunDetailOut},
    summary="Start a push run over the register (policy officers, caseworkers, administrators)",
)
def run_start(request: HttpRequest, payload: PushRunIn) -> Status[Any]:
    run = services.push_run_start(
        actor=request.user,
        trigger=PushRun.Trigger.MANUAL,
        engine_name=payload.engine,
        scope=payload.scope,
    )
    run.refresh_from_db()
    return Status(201, _run_detail_out(run))


# ----------------------------------------------------------------------------- the enterprise's side
@router.get(
    "/offers",
    response=OfferPage,
    summary="An enterprise's offers and prompts (?enterprise= when you belong to several)",
)
def offers(
    request: HttpRequest,
    enterprise: int | None = None,
    offset: PageOffset = 0,
    limit: PageLimit = PAGE_DEFAULT,
) -> dict[str, Any]:
    found = selectors.enterprise_offers(actor=request.user, enterprise_id=_enterprise_id(request, enterprise))
    found = found.select_related("enterprise")
    return {"count": found.count(), "items": [offer_out(o) for o in found[offset : offset + limit]]}


@router.get(
    "/offers/{offer_id}",
    response=OfferDetailOut,
    summary="One offer explained: the clause's text, the reasons in words, the facts used, what is missing",
)
def offer_detail(request: HttpRequest, offer_id: int) -> dict[str, Any]:
    return offer_detail_out(selectors.offer_get(actor=request.user, pk=offer_id), request)


@router.post(
    "/offers/{offer_id}/confirm",
    response={200: OfferDetailOut, 409: ErrorOut},
    summary="Confirm an offer: a fast-track application opens and the clause's budget is reserved "
    "(Idempotency-Key supported: a retry gets the first answer)",
)
def offer_confirm(
    request: HttpRequest,
    offer_id: int,
    payload: OfferConfirmIn,
    idempotency_key: Annotated[IdempotencyKey | None, HeaderParam(alias=HEADER)] = None,  # for run_once
) -> Status[Any]:
    def work() -> tuple[int, Any]:
        offer = selectors.offer_get(actor=request.user, pk=offer_id)
        done = services.offer_confirm(
            actor=request.user,
            offer=offer,
            contact=payload.contact,
            declaration_accepted=payload.declaration_accepted,
        )
        return 200, offer_detail_out(selectors.offer_get(actor=request.user, pk=done.pk), request)

    return Status(*run_once(request, payload.dict(), work))


@router.post("/offers/{offer_id}/decline", response=OfferDetailOut, summary="Decline an offer, with a reason")
def offer_decline(request: HttpRequest, offer_id: int, payload: OfferDeclineIn) -> dict[str, Any]:
    offer = selectors.offer_get(actor=request.user, pk=offer_id)
    done = services.offer_decline(actor=request.user, offer=offer, reason=payload.reason)
    return offer_detail_out(selectors.offer_get(actor=request.user, pk=done.pk), request)


@router.post(
    "/offers/{offer_id}/answer",
    response=OfferDetailOut,
    summary="Answer a prompt's questions: the profile or project is updated and the offer re-evaluated; "
    "the offer as it now stands",
)
def prompt_answer(request: HttpRequest, offer_id: int, payload: OfferAnswerIn) -> dict[str, Any]:
    offer = selectors.offer_get(actor=request.user, pk=offer_id)
    now = services.prompt_answer(actor=request.user, offer=offer, answers=dict(payload.answers))
    return offer_detail_out(selectors.offer_get(actor=request.user, pk=now.pk), request)

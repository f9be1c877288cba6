"""An introduction case that ends records its outcome on the contact request: the handler of the effect the
case type declares (cases/workflow.py), registered in CommunityConfig.ready()."""

from __future__ import annotations

from shouzhan.cases import workflow as wf
from shouzhan.cases.events import CaseTransitioned, effect_handler_register
from shouzhan.community.models import ContactRequest

# The case's outcome (its final state's) → the request's.
OUTCOMES = {"ok": ContactRequest.Outcome.INTRODUCED, "bad": ContactRequest.Outcome.DECLINED}


def on_introduction_outcome_record(event: CaseTransitioned) -> None:
    outcome = OUTCOMES.get(event.outcome)
    if outcome is None:
        return
    from shouzhan.community.services import contact_outcome_record

    contact_outcome_record(actor=event.actor, case_id=event.case.pk, outcome=outcome, note=event.note)


def register() -> None:
    effect_handler_register(wf.INTRODUCTION_OUTCOME_RECORD, on_introduction_outcome_record)

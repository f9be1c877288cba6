"""What a fast-track case's decisions do to its offer: the handlers of the effects the case type declares
(cases/workflow.py POLICY_FAST_TRACK), registered in OffersConfig.ready()."""

from __future__ import annotations

from shouzhan.cases import workflow as wf
from shouzhan.cases.events import CaseTransitioned, effect_handler_register
from shouzhan.offers.models import Offer


def _record(state: str) -> object:
    def handler(event: CaseTransitioned) -> None:
        from shouzhan.offers.services import offer_outcome_record

        offer_outcome_record(actor=event.actor, case_id=event.case.pk, state=state, note=event.note)

    handler.__name__ = f"on_offer_{state}"
    return handler


def register() -> None:
    effect_handler_register(wf.OFFER_GRANT, _record(Offer.State.GRANTED))  # type: ignore[arg-type]
    effect_handler_register(wf.OFFER_REFUSE, _record(Offer.State.REFUSED))  # type: ignore[arg-type]
    effect_handler_register(wf.OFFER_DECLINE, _record(Offer.State.DECLINED))  # type: ignore[arg-type]

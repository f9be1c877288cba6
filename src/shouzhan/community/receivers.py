"""Listening to other modules: an introduction case that ends records its outcome on the contact request."""

from __future__ import annotations

from typing import Any

from shouzhan.community.models import ContactRequest

INTRODUCTION = "service.introduction"
OUTCOMES = {
    "completed": ContactRequest.Outcome.INTRODUCED,
    "rejected": ContactRequest.Outcome.DECLINED,
    "withdrawn": ContactRequest.Outcome.DECLINED,
}


def on_case_state_changed(
    sender: Any, *, case: Any, action: str, from_state: str, to_state: str, actor: Any, **kwargs: Any
) -> None:
    if getattr(case, "case_type", "") != INTRODUCTION or to_state not in OUTCOMES:
        return
    from shouzhan.community.services import contact_outcome_record

    contact_outcome_record(
        actor=actor, case_id=case.pk, outcome=OUTCOMES[to_state], note=str(kwargs.get("note", "") or "")
    )

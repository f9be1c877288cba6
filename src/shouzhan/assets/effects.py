"""The handlers of the assets' case effects (assets/workflow.py): a rights-protection case's outcome is
recorded on its report, a brokered licence request's on its licence — whichever door the transition came
through (the case page, the API)."""

from __future__ import annotations

from shouzhan.assets.workflow import LICENCE_OUTCOME, RIGHTS_OUTCOME
from shouzhan.cases.events import CaseTransitioned, effect_handler_register


def on_rights_outcome(event: CaseTransitioned) -> None:
    from shouzhan.assets.services.reports import report_outcome_record

    report_outcome_record(
        case=event.case, outcome=event.to_state, note=event.note, actor=event.actor, on=event.on
    )


def on_licence_outcome(event: CaseTransitioned) -> None:
    from shouzhan.assets.services.licences import licence_outcome_record

    licence_outcome_record(case=event.case, granted=event.outcome == "ok", note=event.note, actor=event.actor)


def register() -> None:
    effect_handler_register(RIGHTS_OUTCOME, on_rights_outcome)
    effect_handler_register(LICENCE_OUTCOME, on_licence_outcome)

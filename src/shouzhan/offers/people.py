"""Which talent case type delivers a person's offer (a talent clause): the offer's page leads to that service's
application, and services.person_offer_apply opens it. A clause no case type delivers only informs."""

from __future__ import annotations

from shouzhan.offers.models import Offer

# clause id → the talent case type that delivers it (talent/workflow.py).
PERSON_CASE_TYPES: dict[str, str] = {
    "xuhui.talent_settling": "talent.settling",
    "xuhui.talent_housing": "talent.housing",
    "xuhui.talent_schooling": "talent.schooling",
    "hu8.title_review": "talent.title_review",
    "hu8.ai_av_skill_certification": "talent.skill_certification",
}


def person_case_type(offer: Offer) -> str:
    """The talent case type a person's offer is applied for with; "" when the offer only informs."""
    return PERSON_CASE_TYPES.get(offer.clause_id, "") if offer.person_id is not None else ""

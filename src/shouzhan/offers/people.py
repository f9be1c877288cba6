"""Which talent case type delivers a person's offer (a talent clause): the offer's page leads to that service's
application, and services.person_offer_apply opens it. A clause no case type delivers only informs. The map is
the talent module's (talent/clauses.py): one answer for its support page and for the offers."""

from __future__ import annotations

from shouzhan.offers.models import Offer
from shouzhan.talent.clauses import CLAUSE_SERVICES


def person_case_type(offer: Offer) -> str:
    """The talent case type a person's offer is applied for with; "" when the offer only informs."""
    return CLAUSE_SERVICES.get(offer.clause_id, "") if offer.person_id is not None else ""


def clauses_delivered_by(case_type: str) -> list[str]:
    """The clauses a talent case type delivers (a case of that type answers their offers)."""
    return [clause for clause, key in CLAUSE_SERVICES.items() if key == case_type]

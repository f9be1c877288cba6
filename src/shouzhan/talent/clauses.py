"""Which policy clause about people each support service delivers: the catalogue's in-kind measures
(catalogue/xuhui.yaml, hu8.yaml) applied for as a talent case type. A clause not in the catalogue in force
simply shows no status beside its service."""

from __future__ import annotations

from shouzhan.talent import workflow as w

CLAUSE_SERVICES: dict[str, str] = {
    "xuhui.talent_settling": w.SETTLING,
    "xuhui.talent_housing": w.HOUSING,
    "xuhui.talent_schooling": w.SCHOOLING,
    "hu8.title_review": w.TITLE_REVIEW,
    "hu8.ai_av_skill_certification": w.SKILL_CERTIFICATION,
}


def service_slug(key: str) -> str:
    """The part of a case type's key the apply URL carries ("talent.housing" → "housing")."""
    return key.split(".", 1)[1]

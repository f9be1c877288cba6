"""A person's facts for the rules (`person.*`, with their employer's `enterprise.*`), and their talent category
decided by the rules over those facts (registry/talent/categories.yaml), with the traces to show why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from shouzhan import rules
from shouzhan.registry.models import Enterprise, Person
from shouzhan.registry.talent.choices import CertificateKind, TitleSeries
from shouzhan.registry.talent.models import TalentRecord
from shouzhan.registry.talent.training import PersonTraining, person_trainings

CATEGORIES_FILE = Path(__file__).with_name("categories.yaml")
NO_CATEGORY = "none"


@lru_cache(maxsize=1)
def categories_catalogue() -> rules.Catalogue:
    """The categories as clauses of the policy language, read and checked once."""
    return rules.Catalogue.from_text(
        CATEGORIES_FILE.read_text(encoding="utf-8"), "registry/talent/categories.yaml"
    )


def person_employer(person: Person) -> Enterprise | None:
    """The enterprise a person works for: their registry enterprise, else their account's first membership."""
    if person.enterprise_id is not None:
        return person.enterprise
    if person.user_id is None:
        return None
    return Enterprise.objects.filter(organisation__memberships__user_id=person.user_id).order_by("id").first()


def _title_levels(record: TalentRecord) -> dict[str, int]:
    levels = {TitleSeries.ART.value: 0, TitleSeries.ENGINEERING.value: 0}
    for title in record.titles.all():
        levels[title.series] = max(levels.get(title.series, 0), title.level)
    return levels


def person_own_facts(
    record: TalentRecord, *, on: dt.date, trainings: list[PersonTraining] | None = None
) -> dict[str, Any]:
    """The `person.*` facts of a record, category excluded; None where the record does not say.
    `trainings` when the caller read them already (a list reads everyone's at once)."""
    person = record.person
    levels = _title_levels(record)
    certificates = list(record.certificates.all())
    trainings = person_trainings(person.pk) if trainings is None else trainings
    return {
        "field": record.field or None,
        "education": record.education or None,
        "age": on.year - person.birth_year if person.birth_year else None,
        "years_experience": record.years_experience,
        "title_level": max(levels.values()),
        "art_title_level": levels[TitleSeries.ART.value],
        "engineering_title_level": levels[TitleSeries.ENGINEERING.value],
        "skill_certificates": len(certificates),
        "ai_av_certified": any(c.kind == CertificateKind.AI_AV for c in certificates),
        "courses_completed": sum(1 for t in trainings if t.completed),
        "training_hours": sum(t.hours for t in trainings),
        "shanghai_hukou": record.shanghai_hukou,
        "children_school_age": record.children_school_age,
    }


@dataclass(frozen=True)
class Category:
    key: str  # a clause id's last part (leading, composite, youth, skilled) or NO_CATEGORY
    results: tuple[rules.ClauseResult, ...]  # every category's answer, highest first, with its trace

    @property
    def decided_by(self) -> rules.ClauseResult | None:
        return next((r for r in self.results if r.id.split(".", 1)[1] == self.key), None)


def category_decide(own: dict[str, Any], *, on: dt.date) -> Category:
    """The first category (highest first) whose conditions the person's facts meet."""
    results = tuple(rules.explain(categories_catalogue(), {"person": own}, on))
    first = next((r for r in results if r.status == "eligible"), None)
    return Category(first.id.split(".", 1)[1] if first else NO_CATEGORY, results)


def person_facts(*, record: TalentRecord, on: dt.date) -> tuple[dict[str, Any], Category]:
    """The nested facts a person's support is calculated from — `person.*` with the category the rules gave,
    and their employer's `enterprise.*` (the district measures apply by where the person works) — and the
    category with its reasons."""
    from shouzhan.registry.selectors import enterprise_facts

    own = person_own_facts(record, on=on)
    category = category_decide(own, on=on)
    employer = person_employer(record.person)
    facts = (
        enterprise_facts(enterprise=employer) if employer is not None else {"enterprise": {}, "project": {}}
    )
    facts["person"] = {**own, "category": category.key}
    return facts, category

"""The talent measures as clauses (catalogue/xuhui.yaml, hu8.yaml): each explained on fixtures with its exact
status and missing facts; the calculator shows a person's clauses only for a person, and never for an
enterprise."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from shouzhan import rules
from shouzhan.policies.services import catalogue_sync
from shouzhan.registry.models import SkillCertificate, TalentTitle
from shouzhan.registry.talent.facts import person_facts
from shouzhan.registry.talent.services import talent_record_for, talent_record_update

ON = dt.date(2026, 12, 1)
PERSON_CLAUSES = [
    "hu8.talent_introduction",
    "hu8.composite_training",
    "hu8.title_review",
    "hu8.ai_av_skill_certification",
    "xuhui.talent_settling",
    "xuhui.talent_housing",
    "xuhui.talent_schooling",
]


@pytest.fixture(scope="module")
def catalogue() -> rules.Catalogue:
    return rules.load_catalogue(settings.CATALOGUE_DIR)


def _answers(catalogue: rules.Catalogue, facts: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    by_id = {r.id: r for r in rules.explain(catalogue, facts, ON)}
    for clause_id in PERSON_CLAUSES:
        assert by_id[clause_id].max_amount_fen is None  # in kind: never a sum
    return {c: (by_id[c].status, by_id[c].missing_facts) for c in PERSON_CLAUSES}


def test_every_person_clause_reads_person_facts_and_is_in_kind(catalogue: rules.Catalogue) -> None:
    about_people = sorted(c.id for c in catalogue.clauses if c.reads_person())
    assert about_people == sorted(PERSON_CLAUSES)
    for clause in catalogue.clauses:
        if clause.reads_person():
            assert clause.decision == "in_kind" and clause.cap is None and clause.note
    seed = "依托“光启人才行动计划”,为行业复合型人才提供落户、租房、子女教育等配套保障"
    assert catalogue.clause("xuhui.talent_housing").text == seed
    assert catalogue.clause("hu8.title_review").text == "畅通艺术与工程类职称评审"
    assert "talent.housing" in catalogue.clause("xuhui.talent_housing").note
    assert "4/5" in catalogue.clause("hu8.training_course").note


def test_composite_talent_of_a_xuhui_studio_from_the_record(
    catalogue: rules.Catalogue, talent_person: Any, db: Any
) -> None:
    """A record as the person keeps it: composite (art title + AI audiovisual certificate), no hukou, a child."""
    person, _enterprise, owner = talent_person
    record = talent_record_for(actor=owner, person=person)
    record = talent_record_update(
        actor=owner,
        record=record,
        data={
            "field": "micro_drama",
            "education": "master",
            "years_experience": "6",
            "shanghai_hukou": "false",
            "children_school_age": "1",
        },
    )
    TalentTitle.objects.create(record=record, series="art", level=2, granted_on=dt.date(2024, 6, 1))
    SkillCertificate.objects.create(
        record=record, kind="ai_av", name="AI视听内容创作", number="Y310000202600012345678", issued_on=ON
    )
    facts, category = person_facts(record=record, on=ON)
    assert category.key == "composite"
    assert _answers(catalogue, facts) == {
        "hu8.talent_introduction": ("not_eligible", []),  # not a leading talent
        "hu8.composite_training": ("not_eligible", []),  # composite already
        "hu8.title_review": ("eligible", []),  # AV field, title level 2 < 4
        "hu8.ai_av_skill_certification": ("not_eligible", []),  # certified already
        "xuhui.talent_settling": ("eligible", []),
        "xuhui.talent_housing": ("eligible", []),
        "xuhui.talent_schooling": ("eligible", []),
    }


def test_the_same_person_working_in_yangpu_gets_no_xuhui_support(catalogue: rules.Catalogue) -> None:
    person = {
        "category": "composite",
        "field": "micro_drama",
        "shanghai_hukou": False,
        "children_school_age": 1,
        "title_level": 2,
        "ai_av_certified": True,
    }
    answers = _answers(catalogue, {"enterprise": {"district": "杨浦"}, "person": person})
    assert {c: a for c, a in answers.items() if c.startswith("xuhui.")} == {
        "xuhui.talent_settling": ("not_eligible", []),
        "xuhui.talent_housing": ("not_eligible", []),
        "xuhui.talent_schooling": ("not_eligible", []),
    }
    assert answers["hu8.title_review"] == ("eligible", [])  # a city measure: 杨浦 is in Shanghai


def test_settling_and_schooling_conditions(catalogue: rules.Catalogue) -> None:
    xuhui = {"district": "徐汇"}
    hukou = _answers(
        catalogue,
        {
            "enterprise": xuhui,
            "person": {
                "category": "leading",
                "shanghai_hukou": True,
                "children_school_age": 0,
                "field": "other",
            },
        },
    )
    assert hukou["xuhui.talent_settling"] == ("not_eligible", [])  # already a Shanghai hukou
    assert hukou["xuhui.talent_schooling"] == ("not_eligible", [])  # no child of school age
    assert hukou["xuhui.talent_housing"] == ("eligible", [])
    assert hukou["hu8.talent_introduction"] == ("eligible", [])  # leading talent
    assert hukou["hu8.composite_training"] == ("not_eligible", [])  # not an AV or AI field
    youth = _answers(catalogue, {"enterprise": xuhui, "person": {"category": "youth"}})
    assert youth == {
        "hu8.talent_introduction": ("not_eligible", []),
        "hu8.composite_training": ("unknown", ["person.field"]),
        "hu8.title_review": ("unknown", ["person.field", "person.title_level"]),
        "hu8.ai_av_skill_certification": ("unknown", ["person.ai_av_certified", "person.field"]),
        "xuhui.talent_settling": ("not_eligible", []),
        "xuhui.talent_housing": ("eligible", []),  # young talents too (an assumption in the note)
        "xuhui.talent_schooling": ("not_eligible", []),
    }


def test_nothing_known_about_the_person(catalogue: rules.Catalogue) -> None:
    assert _answers(catalogue, {"enterprise": {"district": "徐汇"}, "person": {}}) == {
        "hu8.talent_introduction": ("unknown", ["person.category"]),
        "hu8.composite_training": ("unknown", ["person.category", "person.field"]),
        "hu8.title_review": ("unknown", ["person.field", "person.title_level"]),
        "hu8.ai_av_skill_certification": ("unknown", ["person.ai_av_certified", "person.field"]),
        "xuhui.talent_settling": ("unknown", ["person.category", "person.shanghai_hukou"]),
        "xuhui.talent_housing": ("unknown", ["person.category"]),
        "xuhui.talent_schooling": ("unknown", ["person.category", "person.children_school_age"]),
    }


# ----------------------------------------------------------------------------- the calculator page
def _clauses(html: str) -> list[str]:
    return sorted(set(re.findall(r'data-clause="([^"]+)"', html)))


@pytest.fixture
def published(db: Any) -> Any:
    return catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)


def test_calculator_with_person_facts_shows_only_person_clauses(published: Any, client: Client) -> None:
    query = {
        "submitted": "1",
        "on": "2026-12-01",
        "enterprise__district": "徐汇",
        "person__category": "composite",
        "person__field": "micro_drama",
        "person__shanghai_hukou": "false",
        "person__children_school_age": "1",
        "person__title_level": "2",
        "person__ai_av_certified": "true",
    }
    response = client.get("/policies/calculator/", query)
    assert response.status_code == 200
    html = response.content.decode()
    assert _clauses(html) == sorted(PERSON_CLAUSES)
    eligible = re.findall(r'class="card clause-result status-eligible" data-clause="([^"]+)"', html)
    assert sorted(eligible) == [
        "hu8.title_review",
        "xuhui.talent_housing",
        "xuhui.talent_schooling",
        "xuhui.talent_settling",
    ]
    assert "个人（人才）" in html and 'id="calc-person-note"' in html
    assert 'href="/talent/support/"' in html
    assert "在线申报" not in html  # a person applies on the talent pages


def test_enterprise_calculator_shows_no_person_clause(published: Any, client: Client) -> None:
    query = {"submitted": "1", "on": "2026-12-01", "enterprise__district": "徐汇", "project__kind": "agent"}
    html = client.get("/policies/calculator/", query).content.decode()
    shown = _clauses(html)
    assert shown and not set(shown) & set(PERSON_CLAUSES)
    assert "xuhui.agent_rd" in shown
    bad = client.get("/policies/calculator/", {**query, "person__children_school_age": "-1"})
    assert bad.status_code == 400 and "有信息填写不正确" in bad.content.decode()

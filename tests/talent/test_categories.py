"""The talent category the rules decide from a record, with its reasons in words (like a clause's trace)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from shouzhan.policies.trace import condition_lines
from shouzhan.registry.models import SkillCertificate, TalentTitle
from shouzhan.registry.talent.facts import categories_catalogue, person_facts
from shouzhan.registry.talent.services import talent_record_for, talent_record_update

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 12, 1)


def _reasons(category: Any, facts: dict[str, Any]) -> dict[str, list[str]]:
    out = {}
    with translation.override("zh-hans"):
        for r in category.results:
            lines = condition_lines(r.trace, categories_catalogue(), facts, r.id)
            out[r.id] = [f"{line.mark} {line.sentence}" for line in lines]
    return out


def _record(talent_person: Any, **fields: Any) -> Any:
    person, _enterprise, owner = talent_person
    record = talent_record_for(actor=owner, person=person)
    return talent_record_update(actor=owner, record=record, data=fields)


def test_composite_talent_in_ai_audiovisual_with_reasons(talent_person: Any) -> None:
    record = _record(talent_person, field="micro_drama", education="master", years_experience="6")
    TalentTitle.objects.create(record=record, series="art", level=2, granted_on=dt.date(2024, 6, 1))
    SkillCertificate.objects.create(
        record=record, kind="ai_av", name="AI视听内容创作", number="Y310000202600012345678", issued_on=ON
    )
    facts, category = person_facts(record=record, on=ON)
    assert category.key == "composite"
    assert facts["person"] == {
        "field": "micro_drama",
        "education": "master",
        "age": 32,  # born 1994 (the fixture), in 2026
        "years_experience": 6,
        "title_level": 2,
        "art_title_level": 2,
        "engineering_title_level": 0,
        "skill_certificates": 1,
        "ai_av_certified": True,
        "courses_completed": 0,
        "training_hours": 0,
        "shanghai_hukou": None,
        "children_school_age": None,
        "category": "composite",
    }
    assert _reasons(category, facts) == {
        "talent.leading": [
            "✗ 「最高职称等级（1初级–4正高级）」不少于4：资料为“2”，不符合。",
            "✗ 「从业年限」不少于10：资料为“6”，不符合。",
        ],
        "talent.composite": [
            "✓ 「从业领域」属于 “AI 视听创制”、“微短剧创作”：资料为“微短剧创作”，符合。",
            "✓ 「是否取得AI视听专项职业能力证书」为“是”：资料为“是”，符合。",
            "✓ 以下条件满足其一即可，符合：「艺术系列职称等级」不少于1：资料为“2”，符合；"
            "「工程系列职称等级」不少于1：资料为“0”，不符合。",
        ],
        "talent.youth": [
            "✓ 「年龄（周岁）」不超过35：资料为“32”，符合。",
            "✓ 「最高学历」属于 “本科”、“硕士研究生”、“博士研究生”：资料为“硕士研究生”，符合。",
        ],
        "talent.skilled": [
            "✓ 以下条件满足其一即可，符合：「职业技能证书数」不少于1：资料为“1”，符合；"
            "「完成的培训课程数」不少于1：资料为“0”，不符合。",
        ],
    }


def test_a_senior_title_and_ten_years_make_a_leading_talent(talent_person: Any) -> None:
    record = _record(talent_person, field="ai_engineering", years_experience="12")
    TalentTitle.objects.create(record=record, series="engineering", level=4, granted_on=dt.date(2020, 1, 1))
    _facts, category = person_facts(record=record, on=ON)
    assert category.key == "leading"
    # composite: not in the AV field; youth: no education said; skilled: no certificate, no course
    assert [r.status for r in category.results] == ["eligible", "not_eligible", "unknown", "not_eligible"]


def test_without_certificates_a_title_is_not_composite(talent_person: Any) -> None:
    """The AI skill is what makes a composite talent: an art title alone is not."""
    record = _record(talent_person, field="ai_audiovisual", education="college")
    TalentTitle.objects.create(record=record, series="art", level=3, granted_on=dt.date(2022, 1, 1))
    facts, category = person_facts(record=record, on=ON)
    assert category.key == "none"
    reasons = _reasons(category, facts)
    assert (
        reasons["talent.composite"][1] == "✗ 「是否取得AI视听专项职业能力证书」为“是”：资料为“否”，不符合。"
    )
    assert reasons["talent.youth"] == [
        "✓ 「年龄（周岁）」不超过35：资料为“32”，符合。",
        "✗ 「最高学历」属于 “本科”、“硕士研究生”、“博士研究生”：资料为“大专”，不符合。",
    ]


def test_an_empty_record_is_unknown_not_refused(talent_person: Any) -> None:
    """What the record does not say is unknown, and the reasons say what to fill in; titles and certificates
    not listed are not held (the record is the list of them)."""
    record = _record(talent_person)
    facts, category = person_facts(record=record, on=ON)
    assert category.key == "none"
    statuses = {r.id: (r.status, sorted(r.missing_facts)) for r in category.results}
    assert statuses["talent.leading"] == ("not_eligible", [])  # no title listed: level 0
    assert statuses["talent.youth"] == ("unknown", ["person.education"])
    assert _reasons(category, facts)["talent.youth"][1] == (
        "? 「最高学历」属于 “本科”、“硕士研究生”、“博士研究生”：尚未填写「最高学历」，待补充。"
    )

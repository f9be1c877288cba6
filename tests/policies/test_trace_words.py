"""One way to show reasons, money and labels (#13): the calculator's either-or in words, its footer with
the bonus, every amount with separators, and the same words for a fact on the calculator and the forms."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shouzhan.registry.choices import PROJECT_EXTRA_FACTS, ProjectKind
from shouzhan.registry.forms import EnterpriseForm, ProjectForm
from shouzhan.rules.vocabulary import FACTS, VALUE_LABELS

pytestmark = pytest.mark.django_db

DRAMA = {
    "submitted": "1",
    "enterprise__district": "徐汇",
    "project__kind": "micro_drama",
    "project__excellent": "true",
    "project__promotes_city_image": "true",
    "on": "2026-11-23",
}


def _card(html: str, clause_id: str) -> str:
    start = html.index(f'data-clause="{clause_id}"')
    return html[start : html.index('<div class="card clause-result', start + 1)]


def _text(fragment: str) -> list[str]:
    lines = (line.strip() for line in re.sub(r"<[^>]+>", "\n", unescape(fragment)).splitlines())
    return [line for line in lines if line]


def test_either_or_shows_the_known_side_and_says_what_is_missing(catalogue: Any, client: Client) -> None:
    html = client.get("/policies/calculator/", DRAMA).content.decode()
    card = _card(html, "xuhui.excellent_work")
    assert "可申报" in card
    start = card.index('<ul class="reasons small">')
    reasons = card[start : card.index("<p", start)]
    assert _text(reasons) == [
        "✓",
        "「所在区」为“徐汇”：资料为“徐汇”，符合。",
        "✓",
        "「项目类型」为“微短剧作品”：资料为“微短剧作品”，符合。",
        "✓",
        "以下条件满足其一即可，符合：",
        "✓",
        "「是否优秀/精品作品」为“是”：资料为“是”，符合。",
        "–",
        "「是否获奖作品」为“是”：尚未填写「是否获奖作品」，已满足其中另一项，不影响结论。",
    ]
    assert '<span class="mark">?</span>' not in card  # no "?" on a clause that says 可申报


def test_headline_and_footer_say_the_same_amount_with_the_bonus(catalogue: Any, client: Client) -> None:
    html = client.get("/policies/calculator/", DRAMA).content.decode()
    card = _card(html, "hu8.excellent_drama")
    assert '<strong class="amount">4,500,000.00 元</strong>' in card
    assert "每部作品最高 3,000,000.00 元，加成 50% 后最高 4,500,000.00 元" in card
    assert (
        "加成「提升城市形象、促进文商旅体展联动的精品微短剧加成」：符合，在封顶金额基础上增加 50%，"
        "即 1,500,000.00 元。"
    ) in card
    unknown = client.get("/policies/calculator/", {**DRAMA, "project__promotes_city_image": ""})
    card = _card(unknown.content.decode(), "hu8.excellent_drama")
    assert (
        "加成「提升城市形象、促进文商旅体展联动的精品微短剧加成」：尚未填写「是否提升城市形象、促进文商旅体展联动」，"
        "符合时可再增加 50%。"
    ) in card


def test_every_amount_on_the_calculator_has_separators(catalogue: Any, client: Client) -> None:
    html = client.get("/policies/calculator/", DRAMA).content.decode()
    amounts = re.findall(r"[0-9][0-9,]*\.[0-9]{2} 元", html)
    assert "4,500,000.00 元" in amounts and "1,500,000.00 元" in amounts
    assert [a for a in amounts if not re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2} 元", a)] == []


def _labels(html: str) -> dict[str, str]:
    """Form field name → its label's text on a page."""
    found = {}
    for field_id, label in re.findall(r'<label for="id_([a-z_]+)">([^<]+)', html):
        found[field_id] = unescape(label).strip()
    return found


def test_calculator_and_registry_forms_name_a_fact_the_same_way(
    catalogue: Any, make_enterprise: Any, login_client: Any
) -> None:
    enterprise, owner = make_enterprise(district="徐汇")
    client = login_client(owner)
    calculator = _labels(client.get("/policies/calculator/").content.decode())
    project_form = client.get(reverse("registry:project_new", args=[enterprise.pk])).content.decode()
    enterprise_form = client.get(reverse("registry:enterprise_edit", args=[enterprise.pk])).content.decode()
    pages = {"project": _labels(project_form), "enterprise": _labels(enterprise_form)}
    forms = {"project": ProjectForm(), "enterprise": EnterpriseForm()}
    compared = []
    for name, fact in FACTS.items():
        attr = fact.field
        if fact.entity not in forms or attr not in forms[fact.entity].fields:  # person.*: the talent record
            continue
        assert pages[fact.entity][attr] == calculator[f"{fact.entity}__{attr}"] == fact.label_zh, name
        compared.append(name)
    assert "project.kind" in compared and "enterprise.employees" in compared and len(compared) >= 20
    # The project kinds read alike too: 微短剧作品 and 微短剧制作主体 on both pages, nothing else.
    for page in (project_form, client.get("/policies/calculator/").content.decode()):
        assert '<option value="micro_drama">微短剧作品</option>' in page
        assert '<option value="production_entity">微短剧制作主体</option>' in page
        assert ">创制主体<" not in page and ">微短剧<" not in page


def test_the_registry_choices_say_what_the_vocabulary_says() -> None:
    kinds = VALUE_LABELS["project.kind"]
    assert {k: str(label) for k, label in ProjectKind.choices} == {k: zh for k, (zh, _en) in kinds.items()}
    extra = {name for name, _label, _type in PROJECT_EXTRA_FACTS}
    assert extra <= {f.field for f in FACTS.values() if f.entity == "project"}

"""Reasons in plain words (#13): the application form, the case page and the notices show a clause's trace
as sentences with each fact's label and value; the expressions only to policy officers; never the id."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from shouzhan.cases.notices import notice_document
from shouzhan.cases.services import case_submit, case_transition
from shouzhan.core.roles import Role
from shouzhan.registry.models import Project

pytestmark = pytest.mark.django_db

# The excellent-drama clause for a 徐汇 studio's excellent micro-drama that promotes the city's image.
EXCELLENT_DRAMA_TRACE = [
    "政策在 {on} 有效（2025-06-01 起，长期有效）。",
    "「所在区」在上海市各区：资料为“徐汇”，符合。",
    "「项目类型」为“微短剧作品”：资料为“微短剧作品”，符合。",
    "「是否优秀/精品作品」为“是”：资料为“是”，符合。",
    "金额：由经办人在上限内核定。",
    "封顶：每部作品最高 3,000,000.00 元。",
    "加成「提升城市形象、促进文商旅体展联动的精品微短剧加成」：符合，在封顶金额基础上增加 50%，"
    "即 1,500,000.00 元。",
    "结论：可申报，最高 4,500,000.00 元（含加成 50%）。",
]


@pytest.fixture
def city_drama(studio: Any) -> Project:
    return Project.objects.create(
        enterprise=studio[0],
        kind="micro_drama",
        title="弄堂里的光",
        year=2026,
        excellent=True,
        promotes_city_image=True,
    )


def _trace_part(html: str) -> str:
    """The trace's <details> on a page, as its text lines."""
    start = html.index('<details class="trace"')
    end = html.index("</details>", start)
    return html[start : end + len("</details>")]


def _main(html: str) -> str:
    return html[html.index('<main id="main"') : html.index("</main>")]


def _lines(fragment: str) -> list[str]:
    text = re.sub(r"<[^>]+>", "\n", fragment)
    return [line.strip() for line in text.splitlines() if line.strip() and line.strip() not in "✓✗?–"]


def test_application_form_shows_the_excellent_drama_clause_in_sentences(
    catalogue: Any, studio: Any, city_drama: Project, login_client: Any
) -> None:
    from django.utils import timezone

    client = login_client(studio[1])
    html = client.get(f"/cases/apply/hu8.excellent_drama/?project={city_drama.pk}").content.decode()
    trace = _trace_part(html)
    on = timezone.localdate().isoformat()
    assert _lines(trace) == [
        "规则核算过程",
        "AI微短剧“沪8条” · 优秀微短剧项目（含AI微短剧）",
        "对价值、内容、品质并重的优秀微短剧项目(含AI微短剧),给予最高300万元奖励。",
        *[line.format(on=on) for line in EXCELLENT_DRAMA_TRACE],
    ]
    # No Python dicts, no expressions, no empty "→" step, no internal id anywhere on the enterprise's page.
    for raw in ("{", "expr", "→", "project.kind", "hu8.excellent_drama</", "micro_drama&quot;"):
        assert raw not in trace
    content = _main(html)  # the page's own part (the shared layout's head carries htmx's JSON settings)
    assert "{" not in content and "expr" not in content and "规则表达式" not in content
    assert "hu8.excellent_drama" not in content.replace("/cases/apply/hu8.excellent_drama/", "")


def _submitted(studio: Any, project: Project, clause_id: str = "hu8.excellent_drama") -> Any:
    return case_submit(
        actor=studio[1],
        case_type="policy_application",
        enterprise=studio[0],
        title="优秀微短剧奖励",
        clause_id=clause_id,
        project=project,
    )


def test_case_page_sentences_for_the_enterprise_expressions_for_policy_officers(
    catalogue: Any, studio: Any, city_drama: Project, make_user: Any, login_client: Any
) -> None:
    case = _submitted(studio, city_drama)
    on = case.rule_result["on"]
    mine = login_client(studio[1]).get(f"/cases/{case.pk}/").content.decode()
    trace = _trace_part(mine)
    assert _lines(trace)[3:] == [line.format(on=on) for line in EXCELLENT_DRAMA_TRACE]
    assert "{" not in _main(mine) and "expr" not in _main(mine) and "规则表达式" not in mine
    assert "<dd>AI微短剧“沪8条” · 优秀微短剧项目（含AI微短剧）</dd>" in mine  # the clause by its titles

    officer = login_client(make_user(role=Role.POLICY_OFFICER)).get(f"/cases/{case.pk}/")
    assert officer.status_code == 200
    page = officer.content.decode()
    assert "规则表达式（政策专员）" in page
    assert "申报条件：<code>project.kind == &quot;micro_drama&quot; and project.excellent</code> → 是" in page
    assert "金额：<code>3000000</code> → 3,000,000.00 元" in page
    assert "「项目类型」为“微短剧作品”：资料为“微短剧作品”，符合。" in page  # the same sentences first


def _pdf_text(document: Any) -> str:
    """The text weasyprint laid out on the notice's pages."""

    def walk(box: Any) -> Iterator[str]:
        text = getattr(box, "text", None)
        if isinstance(text, str):
            yield text
        for child in getattr(box, "children", ()):
            yield from walk(child)

    return "".join(t for page in document.pages for t in walk(page._page_box))


def test_notices_name_the_policy_and_the_clause_never_the_id(
    catalogue: Any, studio: Any, city_drama: Project, caseworker: Any
) -> None:
    case = _submitted(studio, city_drama)
    case_transition(actor=caseworker, case=case, action="accept", expected_version=1)
    case_transition(actor=caseworker, case=case, action="start_review", expected_version=2)
    case_transition(
        actor=caseworker,
        case=case,
        action="approve",
        expected_version=3,
        amount_fen=150_000_000,
        note="作品优秀",
    )
    for kind in ("acceptance", "decision"):
        text = _pdf_text(notice_document(actor=studio[1], case=case, kind=kind))
        assert "政策条款AI微短剧“沪8条” · 优秀微短剧项目（含AI微短剧）" in text
        assert "hu8" not in text and "excellent_drama" not in text
    decision = _pdf_text(notice_document(actor=studio[1], case=case, kind="decision"))
    assert "核定金额1,500,000.00 元" in decision

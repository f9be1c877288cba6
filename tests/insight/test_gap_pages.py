"""强链补链's pages: the ranked table with its bars and definitions, one gap's 招商 list in sections with its
evidence and the actions it leads to; 404 for an unknown chain or node, 400 for a bad district, 403 for an
entrepreneur."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from shouzhan.core.roles import Role

from .test_gaps import gap_world_build


@pytest.fixture
def gap_world(db: Any, make_enterprise: Callable[..., Any]) -> dict[str, Any]:
    return gap_world_build(make_enterprise)


def _row_ids(html: str) -> list[str]:
    return re.findall(r'<tr id="gap-([\w-]+)"', html)


def test_gaps_page_rows_in_order(
    gap_world: dict[str, Any], leader: Any, login_client: Callable[..., Any]
) -> None:
    response = login_client(leader).get(reverse("insight:gaps"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _row_ids(html) == ["b_chain-m1", "a_chain-n1", "a_chain-n2", "b_chain-m3", "b_chain-m2",
                              "a_chain-n3", "a_chain-n4"]  # fmt: skip
    row = html[html.index('id="gap-a_chain-n1"') :].split("</tr>")[0]
    assert "数字人" in row and "中游" in row and "甲产业链" in row
    assert "本地 1 家 / 目标 4 家" in row and "<svg" in row and "1 万元" in row
    n3 = html[html.index('id="gap-a_chain-n3"') :].split("</tr>")[0]
    assert "3.00 元" in n3
    assert "<strong>2.700</strong>" in row and "= 27/10" not in row  # 2.7 exactly: no fraction needed
    assert reverse("insight:gap", args=["a_chain", "n1"]) in row
    assert "本地缺位度" in html and "政策支持度" in html and "空间可用度" in html and "数据截至" in html


def test_gaps_page_other_district_and_bad_one(
    gap_world: dict[str, Any],
    caseworker: Any,
    login_client: Callable[..., Any],
) -> None:
    client = login_client(caseworker)
    response = client.get(reverse("insight:gaps"), {"district": "杨浦"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "所在区：杨浦" in html
    assert reverse("insight:gap", args=["a_chain", "n1"]) + "?district=%E6%9D%A8%E6%B5%A6" in html
    response = client.get(reverse("insight:gaps"), {"district": "火星"})
    assert response.status_code == 400
    assert "没有“火星”这个区" in response.content.decode()
    response = client.get(reverse("insight:gap", args=["a_chain", "n1"]), {"district": "火星"})
    assert response.status_code == 400
    response = client.get(reverse("insight:gaps"), {"district": "徐" * 5000})
    assert response.status_code == 400 and "徐" * 100 not in response.content.decode()


def test_gap_page_sections_evidence_and_actions(
    gap_world: dict[str, Any],
    leader: Any,
    login_client: Callable[..., Any],
) -> None:
    response = login_client(leader).get(reverse("insight:gap", args=["a_chain", "n1"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "在 7 个环节中排第 2 位" in html
    sections = {key: html[html.index(f'id="prospects-{key}"') :].split("</section>")[0]
                for key in ("enterprise", "patent_owner", "listing")}  # fmt: skip
    assert (
        "星AIGC工作室" in sections["enterprise"]
        and "链位已确认在“甲产业链 · 数字人”" in sections["enterprise"]
    )
    assert reverse("registry:enterprise", args=[gap_world["xuhui_outside"].pk]) in sections["enterprise"]
    assert "专利“数字人驱动方法”（CN001）含关键词“数字人”、“AIGC”" in sections["patent_owner"]
    assert reverse("community:person", args=[gap_world["wang"].pk]) in sections["patent_owner"]
    assert "技术成果“AIGC 数字人生成”含关键词“数字人”、“AIGC”" in sections["listing"]
    assert "本地数字人公司" not in html  # local: never on the list
    assert reverse("policies:clause", args=["hu8.agent_rd"]) in html
    assert reverse("spaces:resource", args=[_free_desk(html)]) in html
    assert reverse("spaces:index") in html


def _free_desk(_html: str) -> int:
    from shouzhan.spaces.models import Resource

    return Resource.objects.get(name="工位2").pk


def test_gap_page_unknown_is_404_and_entrepreneur_403(
    gap_world: dict[str, Any],
    leader: Any,
    make_user: Callable[..., Any],
    login_client: Callable[..., Any],
) -> None:
    client = login_client(leader)
    for chain, node in (("a_chain", "m1"), ("no_chain", "n1"), ("a_chain", "nope")):
        assert client.get(reverse("insight:gap", args=[chain, node])).status_code == 404
    entrepreneur = login_client(make_user(Role.ENTREPRENEUR))
    assert entrepreneur.get(reverse("insight:gaps")).status_code == 403
    assert entrepreneur.get(reverse("insight:gap", args=["a_chain", "n1"])).status_code == 403


def test_gaps_page_without_chains(db: Any, leader: Any, login_client: Callable[..., Any]) -> None:
    response = login_client(leader).get(reverse("insight:gaps"))
    assert response.status_code == 200
    assert "还没有发布产业链" in response.content.decode()


def test_shipped_chains_render(
    insight_data: dict[str, int], leader: Any, login_client: Callable[..., Any]
) -> None:
    client = login_client(leader)
    html = client.get(reverse("insight:gaps")).content.decode()
    assert len(_row_ids(html)) == 9 + 8 + 7
    response = client.get(reverse("insight:gap", args=["ai_micro_drama", "tools"]))
    assert response.status_code == 200
    assert "AI 创作工具与智能体" in response.content.decode()

"""每月一题: the month's demands grouped into recurring themes, exactly, and the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shouzhan.frontline import services
from shouzhan.frontline.themes import month_bounds, themes_monthly, themes_monthly_cached

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def month(record: Any, make_enterprise: Any, receiver: Any) -> dict[str, Any]:
    yun, _o = make_enterprise("云帆科技")
    star, _o = make_enterprise("星河文创园")
    taste, _o = make_enterprise("味道餐饮")
    noise = [
        record(text="园区门口工地夜间施工噪音扰民，晚上十一点后还在打桩", on=D(2026, 11, 2)),
        record(text="田林路工地夜间施工噪音太大，晚上十点以后还在打桩", on=D(2026, 11, 5), enterprise=yun),
        record(text="隔壁工地深夜打桩施工，噪声扰民", on=D(2026, 11, 9), enterprise=star),
        record(
            text="小区旁边工地半夜还在施工打桩，噪音很大",
            on=D(2026, 11, 12),
            enterprise=None,
            place="天钥桥路",
        ),
    ]
    parking = [
        record("traffic", "园区周边停车位太少，员工找不到地方停车", on=D(2026, 11, 3), enterprise=yun),
        record("traffic", "田林路园区附近停车难，车位严重不足", on=D(2026, 11, 10), enterprise=star),
        record("traffic", "剧场周边停车位不足，观众找不到停车的地方", on=D(2026, 11, 16)),
    ]
    licence = [
        record("licence", "营业执照地址变更一直办不下来", on=D(2026, 11, 4), enterprise=yun),
        record("licence", "营业执照变更注册地址办不下来", on=D(2026, 11, 6), enterprise=taste),
    ]
    # Linked as a repeat by the receiver although worded otherwise: joins its original's theme.
    linked = record("licence", "分公司的执照迁址手续卡住了", on=D(2026, 11, 20), enterprise=yun)
    services.demand_link_repeat(
        actor=receiver,
        demand=linked,
        original=licence[0],
        expected_version=linked.version,
        on=D(2026, 11, 20),
    )
    single = record("space", "B座空调不制冷", on=D(2026, 11, 7), enterprise=star)
    october = record(text="工地夜间施工噪音扰民，晚上还在打桩", on=D(2026, 10, 30))
    return {
        "noise": noise,
        "parking": parking,
        "licence": [*licence, linked],
        "single": single,
        "october": october,
    }


def _ids(demands: list[Any]) -> tuple[int, ...]:
    return tuple(sorted(d.pk for d in demands))


def test_the_months_themes_exactly(month: dict[str, Any]) -> None:
    themes = themes_monthly(month=D(2026, 11, 18))
    assert [(t.demand_ids, t.count) for t in themes] == [
        (_ids(month["noise"]), 4),
        (_ids(month["parking"]), 3),  # of the same count, by name
        (_ids(month["licence"]), 3),
    ]
    noise, parking, licence = themes
    assert (noise.name, noise.categories, noise.departments) == (
        "夜间、噪音、工地",
        ("市容环境与秩序",),
        ("区城管执法局",),
    )
    assert [e.demand_id for e in noise.examples] == [d.pk for d in month["noise"][::-1][:3]]
    assert noise.examples[0].place == "天钥桥路" and noise.examples[0].enterprise == ""
    assert (parking.name, parking.categories, parking.departments) == (
        "停车位、周边、地方",
        ("交通与停车",),
        ("徐家汇街道办事处",),
    )
    assert (licence.name, licence.categories, licence.departments) == (
        "变更、地址、营业执照",
        ("证照与审批",),
        ("区市场监管局",),
    )


def test_min_size_and_an_empty_month(month: dict[str, Any]) -> None:
    pairs = themes_monthly(month=D(2026, 11, 1), min_size=2)
    assert [t.count for t in pairs] == [4, 3, 3]  # the licence pair is linked to a third one
    assert themes_monthly(month=D(2026, 11, 1), min_size=4)[0].demand_ids == _ids(month["noise"])
    assert themes_monthly(month=D(2026, 10, 1)) == []  # October's one demand is no theme
    assert themes_monthly(month=D(2026, 12, 1)) == []
    assert month_bounds(D(2026, 2, 14)) == (D(2026, 2, 1), D(2026, 2, 28))
    assert month_bounds(D(2026, 12, 31)) == (D(2026, 12, 1), D(2026, 12, 31))


# ----------------------------------------------------------------------------- the page
def test_the_page_for_staff_and_departments(
    month: dict[str, Any],
    receiver: Any,
    urban: Any,
    firm: Any,
    login_client: Any,
    django_assert_max_num_queries: Any,
) -> None:
    url = reverse("frontline:themes")
    client = login_client(receiver)
    with django_assert_max_num_queries(
        12
    ):  # the month's demands, the labels, the readable examples, the shell
        page = client.get(url, {"month": "2026-11"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "每月一题" in body and "夜间、噪音、工地" in body and "停车位、周边、地方" in body
    assert body.index("夜间、噪音、工地") < body.index("停车位、周边、地方")
    assert 'value="2026-11"' in body and "?month=2026-10" in body and "bar-fill" in body
    assert reverse("frontline:demand", args=[month["parking"][0].pk]) in body
    # 城管: the themes of the district, but examples only of the demands it may read
    department = login_client(urban).get(url, {"month": "2026-11"}).content.decode()
    assert "停车位、周边、地方" in department
    assert reverse("frontline:demand", args=[month["noise"][3].pk]) in department
    assert reverse("frontline:demand", args=[month["parking"][0].pk]) not in department


def test_the_page_refuses(month: dict[str, Any], receiver: Any, firm: Any, login_client: Any) -> None:
    url = reverse("frontline:themes")
    assert login_client(firm[1]).get(url).status_code == 403  # an enterprise's member
    assert Client().get(url).status_code == 302
    for bad in ("2026-13", "november", "1999-01", "2026-11-01"):
        response = login_client(receiver).get(url, {"month": bad})
        assert response.status_code == 400 and "月份无效" in response.content.decode()
    empty = login_client(receiver).get(url, {"month": "2026-10"}).content.decode()
    assert "这个月还没有反复出现的问题" in empty


def test_the_kept_themes_follow_the_months_demands(month: dict[str, Any], record: Any) -> None:
    assert [t.count for t in themes_monthly_cached(month=D(2026, 11, 1))] == [4, 3, 3]
    assert themes_monthly_cached(month=D(2026, 11, 1)) == themes_monthly(month=D(2026, 11, 1))
    record(text="工地夜里打桩施工噪音扰民", on=D(2026, 11, 25), place="宜山路")
    assert [t.count for t in themes_monthly_cached(month=D(2026, 11, 1))] == [5, 3, 3]

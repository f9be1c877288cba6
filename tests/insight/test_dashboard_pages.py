"""The leader's dashboard, the targets page and one target's page: they render for the centre's staff with each
figure's definition, source and as-of time; an enterprise's member is refused (403); the city's total is
entered by a leader (audited) and refused inline when the input is bad; the leader lands on the dashboard."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from shouzhan.core.audit import AuditEntry
from shouzhan.insight.models import CityFigure, Snapshot
from shouzhan.insight.services.figures import city_figure_enter
from tests.insight.conftest import SYSTEM

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def cluster(insight_data: Any, make_enterprise: Any) -> list[Any]:
    rows = []
    for i, revenue in enumerate((20_000_000_00, 5_000_000_00, 12_345_678_90)):
        enterprise, _owner = make_enterprise(
            name=f"徐汇剧场{i}",
            district="徐汇",
            in_cluster=True,
            sector="micro_drama",
            annual_revenue_fen=revenue,
        )
        rows.append(enterprise)
    make_enterprise(name="营收未登记的剧场", district="徐汇", in_cluster=True, sector="micro_drama")
    return rows


def test_the_leader_lands_on_the_dashboard(leader: Any, login_client: Any) -> None:
    response = login_client(leader).get("/home/")
    assert (response.status_code, response["Location"]) == (302, "/insight/")


def test_the_dashboard_shows_each_target_and_the_service_figures(
    cluster: Any, leader: Any, login_client: Any
) -> None:
    page = text(login_client(leader).get("/insight/"))
    assert "产业驾驶舱" in page
    for title in ("集聚优质企业", "孵化创业团队", "原创 AI 微短剧", "产业规模占全市比重"):
        assert title in page
    # quality enterprises: 2 over 10 million yuan; the one without revenue cannot be decided
    assert re.search(r'id="target-quality_enterprises".*?<span class="target-value">2</span> 家', page)
    assert "1 家企业因年营业收入未登记无法判断" in page
    assert "尚未录入全市产业营业收入" in page
    assert f"截至 {timezone.localtime():%Y-%m-%d}" in page
    for title in ("按期办结率", "诉求响应率", "诉求解决率", "诉求满意率", "政策资金已推送", "政策资金已拨付",
                  "空间出租率", "沙龙到场率", "服务券使用率"):  # fmt: skip
        assert title in page
    assert "口径" in page and "来源" in page
    for href in ("/insight/targets/", "/insight/map/", "/insight/gaps/", "/insight/bulletins/"):
        assert f'href="{href}"' in page


def test_the_targets_page_shows_the_share_exactly_and_the_city_totals(
    cluster: Any, leader: Any, login_client: Any
) -> None:
    city_figure_enter(
        actor=SYSTEM, year=timezone.localdate().year, value_yuan=Decimal("1000000000.00"),
        source="上海市统计局 统计公报", published_on=dt.date(timezone.localdate().year, 1, 15),
    )  # fmt: skip
    page = text(login_client(leader).get("/insight/targets/"))
    # 20,000,000.00 + 5,000,000.00 + 12,345,678.90 = 37,345,678.90 yuan of 1,000,000,000.00 → 3.73%
    assert "3.73%" in page
    assert "37,345,678.90 元 ÷ 1,000,000,000.00 元" in page
    assert "上海市统计局 统计公报" in page
    assert "<svg" in page and "insight-progress-chart" in page
    assert 'id="city-figure-form"' in page


def test_a_target_lists_what_it_counts_now(cluster: Any, caseworker: Any, login_client: Any) -> None:
    page = text(login_client(caseworker).get("/insight/targets/quality_enterprises/"))
    assert "当前计入的企业（2 家）" in page
    assert "徐汇剧场0" in page and "徐汇剧场2" in page and "徐汇剧场1" not in page
    assert "20,000,000.00 元" in page
    assert 'id="city-figure-form"' not in page
    assert login_client(caseworker).get("/insight/targets/no_such_target/").status_code == 404
    assert login_client(caseworker).get("/insight/targets/quality_enterprises/?page=x").status_code == 200


def test_an_enterprise_member_is_refused(insight_data: Any, make_enterprise: Any, login_client: Any) -> None:
    _enterprise, owner = make_enterprise()
    client = login_client(owner)
    for url in ("/insight/", "/insight/targets/", "/insight/targets/quality_enterprises/"):
        assert client.get(url).status_code == 403
    assert client.post("/insight/targets/city-figure/", {}).status_code == 403


def test_a_caseworker_may_not_enter_the_city_total(
    insight_data: Any, caseworker: Any, login_client: Any
) -> None:
    response = login_client(caseworker).post(
        "/insight/targets/city-figure/",
        {"year": "2026", "value_yuan": "100", "source": "统计局", "published_on": "2026-02-01"},
    )
    assert response.status_code == 403
    assert not CityFigure.objects.exists()


def test_the_city_total_entered_by_a_leader_is_audited(
    insight_data: Any, leader: Any, login_client: Any
) -> None:
    response = login_client(leader).post(
        "/insight/targets/city-figure/",
        {
            "year": "2026",
            "value_yuan": "1,234,567,890.12",
            "source": "上海市统计局",
            "published_on": "2026-02-01",
        },
    )
    assert (response.status_code, response["Location"]) == (302, "/insight/targets/")
    figure = CityFigure.objects.get()
    assert (figure.year, figure.value_fen, figure.source, figure.published_on) == (
        2026, 123456789012, "上海市统计局", dt.date(2026, 2, 1)
    )  # fmt: skip
    entry = AuditEntry.objects.get(action="insight.city_figure_enter")
    assert entry.actor_id == leader.pk


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"value_yuan": "1e9"}, "value_yuan", "不是有效金额"),
        ({"value_yuan": "0"}, "value_yuan", "应大于 0"),
        ({"year": "1999"}, "year", ""),
        ({"published_on": "2026-02-30"}, "published_on", "请输入有效日期"),
        ({"published_on": "9999-12-31"}, "published_on", "日期应在"),
        ({"source": "   "}, "source", ""),
    ],
)
def test_bad_input_is_refused_inline(
    data: dict[str, str], field: str, message: str, insight_data: Any, policy_officer: Any, login_client: Any
) -> None:
    form = {"year": "2026", "value_yuan": "100", "source": "统计局", "published_on": "2026-02-01", **data}
    response = login_client(policy_officer).post("/insight/targets/city-figure/", form)
    assert response.status_code == 400
    page = text(response)
    assert 'id="city-figure-form"' in page and 'class="error field-error"' in page
    assert message in page
    assert not CityFigure.objects.exists()


def test_the_pages_show_the_stored_history(insight_data: Any, leader: Any, login_client: Any) -> None:
    from shouzhan.insight.figures import Figure

    for month, value in ((dt.date(2025, 10, 1), 10), (dt.date(2025, 11, 1), 12)):
        figure = Figure(key="quality_enterprises", title="集聚优质企业", value=Decimal(value),
                        unit="count", definition="…", source="…", as_of=month.replace(day=28))  # fmt: skip
        Snapshot.objects.create(month=month, key=figure.key, as_of=figure.as_of, figure=figure.to_json())
    page = text(login_client(leader).get("/insight/targets/quality_enterprises/"))
    assert "2025-10" in page and "2025-11" in page
    assert re.search(r"<td>2025-11</td><td class=\"num\">12</td>", page)
    dashboard = text(login_client(leader).get("/insight/"))
    assert "insight-spark" in dashboard


def test_the_pages_cost_a_fixed_number_of_queries(
    cluster: Any, leader: Any, login_client: Any, make_enterprise: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(20):
        make_enterprise(name=f"更多剧场{i}", district="徐汇", in_cluster=True, annual_revenue_fen=10**10)
    client = login_client(leader)
    # the session, the menu, the targets and their month-ends, a query per table for the frames and the
    # service figures — whatever the number of enterprises
    for url, most in (
        ("/insight/", 30),
        ("/insight/targets/", 20),
        ("/insight/targets/quality_enterprises/", 24),
    ):
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200

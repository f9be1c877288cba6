"""The insight part of the demo district (insight/demo.py): loaded through the services for a fixed "today" on
top of the registry's district and the cases' and spaces' demos — the same figures on every load, a snapshot
for every month of the period that is over, the targets' history growing as the records say, and loaded once."""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from shouzhan.cases import demo as cases_demo
from shouzhan.cases.models import Case
from shouzhan.insight.demo import DATA, insight_demo, snapshot_months
from shouzhan.insight.models import (
    Bulletin,
    ChainVersion,
    CityFigure,
    Placement,
    Relation,
    Snapshot,
    TargetVersion,
)
from shouzhan.insight.selectors import snapshot_series, targets_measure
from shouzhan.registry.models import Enterprise
from shouzhan.site.demo_data import load_demo
from shouzhan.spaces import demo as spaces_demo
from shouzhan.spaces.models import Tenancy

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 4)  # a Friday: the period's months 2025-06 … 2026-11 are over
GROWING = ("quality_enterprises", "incubated_teams", "original_dramas")  # counts that only grow


def figures() -> dict[str, Any]:
    ours = Enterprise.objects.filter(credit_code__contains="MA07")
    return {
        "chains": ChainVersion.objects.count(),
        "target_versions": TargetVersion.objects.count(),
        "joined": ours.count(),
        "districts": dict(Counter(ours.values_list("district", flat=True))),
        "placements": dict(Counter(Placement.objects.values_list("status", flat=True))),
        "relations": dict(Counter(Relation.objects.values_list("kind", flat=True))),
        "city_figures": list(CityFigure.objects.order_by("published_on").values_list("year", "published_on")),
        "films": Case.objects.filter(case_type="finished_film_filing", enterprise__in=ours).count(),
        "tenancies": Tenancy.objects.filter(enterprise__in=ours).count(),
        "snapshot_months": Snapshot.objects.values("month").distinct().count(),
    }


@pytest.fixture
def district(db: Any) -> dict[str, Any]:
    moment = dt.datetime.combine(TODAY, dt.time(8, 30), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(moment, tick=False):
        load_demo()
        cases_demo.load_demo(today=TODAY)
        spaces_demo.load_demo(today=TODAY)
        lines = insight_demo(today=TODAY)
        again = insight_demo(today=TODAY)
        return {"lines": lines, "again": again, "figures": figures()}


def test_the_insight_past(district: dict[str, Any]) -> None:
    assert district["lines"][:2] == EXPECTED_LINES
    assert district["figures"] == EXPECTED
    # loaded once: the second run publishes nothing new and leaves the past as it was
    assert district["again"] == [
        "产业洞察：发布产业链 0 条新版本，目标 0 个新版本",
        "产业洞察历史：已加载，跳过",
    ]
    assert figures() == district["figures"]
    _each_decided_enterprise_sits_where_the_caseworker_knows_it_does()
    _the_snapshots_are_month_ends_and_the_counts_grow()
    _last_months_bulletin_when_the_bulletins_exist(district)


def _each_decided_enterprise_sits_where_the_caseworker_knows_it_does() -> None:
    import yaml

    nodes = {e["name"]: e["node"] for e in yaml.safe_load(DATA.read_text(encoding="utf-8"))["enterprises"]}
    confirmed = Placement.objects.filter(status=Placement.Status.CONFIRMED).select_related("enterprise")
    where = {p.enterprise.name: f"{p.chain}.{p.node}" for p in confirmed}
    assert len(where) == confirmed.count()  # one confirmed node each
    assert where == {name: node for name, node in nodes.items() if name in where}
    assert set(nodes) - set(where) == EXPECTED_WAITING  # joined this week: suggestions wait for her
    waiting = Placement.objects.filter(status=Placement.Status.SUGGESTED).values_list(
        "enterprise__name", flat=True
    )
    assert set(waiting) <= EXPECTED_WAITING
    assert {p.decided_by.mobile for p in confirmed if p.decided_by} == {"13800000002"}


def _the_snapshots_are_month_ends_and_the_counts_grow() -> None:
    months = snapshot_months(period_from=dt.date(2025, 6, 1), today=TODAY)
    assert months[0] == dt.date(2025, 6, 1) and months[-1] == dt.date(2026, 11, 1) and len(months) == 18
    series = snapshot_series()
    for key in GROWING:
        values = [f.value for _m, f in series[key]]
        assert [m for m, _f in series[key]] == months
        assert all(f.as_of == (m + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
                   for m, f in series[key])  # fmt: skip
        assert values == sorted(values), key
        assert values[-1] > values[0], key
    assert {k: [str(f.value) for _m, f in series[k]] for k in (*GROWING, "city_share")} == EXPECTED_SERIES
    # the stored November is what the records say at November's end, measured again now
    again = {f.key: f.value for f in targets_measure(as_of=dt.date(2026, 11, 30))}
    assert {k: series[k][-1][1].value for k in GROWING} == {k: again[k] for k in GROWING}


def _last_months_bulletin_when_the_bulletins_exist(district: dict[str, Any]) -> None:
    if importlib.util.find_spec("shouzhan.insight.services.bulletins") is None:
        return  # the bulletins land with their own helper
    assert list(Bulletin.objects.values_list("month", flat=True)) == [dt.date(2026, 11, 1)]
    assert district["lines"][2] == "产业洞察：2026-11 月度通报已生成"


EXPECTED_LINES = [
    "产业洞察：发布产业链 3 条新版本，目标 1 个新版本",
    "产业洞察历史：登记册 63 家企业记为 2025-05-20 上线导入；新入驻 88 家链上企业，专利 97 项，创业首站工位 28 次，"
    "完成片备案 73 件；链位确认 86 个、否定 7 个；企业关系 44 条；2026 年条款预算 13 项；月末快照 18 个月",
]
EXPECTED: dict[str, Any] = {
    "chains": 3,
    "target_versions": 1,
    "joined": 88,
    "districts": {"徐汇": 60, "杨浦": 8, "闵行": 7, "浦东新区": 5, "黄浦": 4, "长宁": 2, "静安": 2},
    # one confirmed node for each but the two of this week; the suggestions she turned down (services.placements)
    "placements": {"confirmed": 86, "rejected": 7, "suggested": 1},
    "relations": {"supplier": 22, "partner": 8, "customer": 7, "tenant": 5, "investor": 2},
    "city_figures": [
        (2024, dt.date(2025, 4, 18)),
        (2025, dt.date(2025, 8, 14)),  # the half-year estimate, until the final figure next spring
        (2025, dt.date(2026, 4, 16)),
        (2026, dt.date(2026, 8, 12)),
    ],
    "films": 73,
    "tenancies": 28,
    "snapshot_months": 18,
}
EXPECTED_WAITING = {"上海流量方程科技有限公司", "上海桐木短剧文化传媒有限公司"}
EXPECTED_SERIES = {
    "quality_enterprises": ["9", "10", "10", "12", "13", "15", "16", "19", "20", "21", "22", "24", "26", "26", "26",
                            "30", "31", "33"],
    "incubated_teams": ["0", "0", "0", "0", "1", "2", "2", "6", "8", "11", "13", "15", "18", "19", "21", "22", "25",
                        "26"],
    "original_dramas": ["0", "0", "0", "0", "0", "1", "1", "2", "5", "5", "10", "15", "21", "23", "32", "42", "48",
                        "60"],
    # the share moves with the city's figure: the 2026 estimate (published in August) is a larger denominator
    "city_share": ["4.67", "4.90", "4.40", "5.05", "5.74", "7.03", "7.56", "9.39", "10.02", "10.69", "10.42",
                   "11.41", "12.14", "12.16", "10.54", "10.82", "11.75", "12.63"],
}  # fmt: skip

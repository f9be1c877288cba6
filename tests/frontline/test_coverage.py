"""走访覆盖: the rows per rule and enterprise at the quarter's boundaries, the overdue list, the reminder once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from shouzhan.core.calendar import current_calendar
from shouzhan.core.models import Notification
from shouzhan.frontline import coverage, services
from shouzhan.frontline.models import CoverageRule, VisitPlan, VisitTarget

pytestmark = pytest.mark.django_db
D = dt.date
SYSTEM = "system:frontline"


@pytest.fixture
def cluster(catalogue: Any, make_enterprise: Callable[..., Any], receiver: Any) -> dict[str, Any]:
    """Three enterprises in the cluster: visited in Q4 (10-12), last in Q3 (09-30), last in August; one outside."""
    made = {name: make_enterprise(name, in_cluster=True)[0] for name in ("甲影视", "乙科技", "丙传媒")}
    made["园外"] = make_enterprise("园外企业", in_cluster=False)[0]
    services.visit_record(actor=receiver, visited_on=D(2026, 10, 12), enterprise=made["甲影视"])
    services.visit_record(actor=receiver, visited_on=D(2026, 9, 30), enterprise=made["乙科技"])
    services.visit_record(actor=receiver, visited_on=D(2026, 8, 5), enterprise=made["丙传媒"])
    current_calendar()  # the working-day calendar read once (it is cached): the queries counted are ours
    return made


def rows(today: dt.date, **kw: Any) -> list[tuple[Any, ...]]:
    return [
        (
            r.rule_key,
            r.enterprise_name,
            r.period.label,
            r.visits,
            r.required,
            r.due_on,
            r.status,
            r.status_label,
        )
        for r in coverage.coverage_status(today=today, **kw)
    ]


def test_periods_and_their_boundaries() -> None:
    q4 = coverage.period_of(D(2026, 12, 31), "quarter")
    assert (q4.key, q4.label, q4.starts_on, q4.ends_on) == (
        "2026-Q4",
        "2026年第4季度",
        D(2026, 10, 1),
        D(2026, 12, 31),
    )
    assert coverage.period_of(D(2026, 9, 30), "quarter").key == "2026-Q3"
    assert coverage.period_of(D(2027, 1, 1), "quarter").key == "2027-Q1"
    feb = coverage.period_of(D(2028, 2, 10), "month")
    assert (feb.key, feb.label, feb.ends_on) == ("2028-02", "2028年2月", D(2028, 2, 29))
    h2 = coverage.period_of(D(2026, 7, 1), "half")
    assert (h2.key, h2.label, h2.starts_on, h2.ends_on) == (
        "2026-H2",
        "2026年下半年",
        D(2026, 7, 1),
        D(2026, 12, 31),
    )
    assert coverage.period_of(D(2026, 6, 30), "half").label == "2026年上半年"
    year = coverage.period_of(D(2026, 3, 3), "year")
    assert (year.key, year.label, year.starts_on, year.ends_on) == (
        "2026",
        "2026年",
        D(2026, 1, 1),
        D(2026, 12, 31),
    )
    assert coverage.period_before(D(2027, 1, 5), "quarter").key == "2026-Q4"


def test_q4_rows_visited_on_10_12_covered_on_09_30_not(
    cluster: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    rule = CoverageRule.objects.get(key="cluster-quarterly")
    with django_assert_max_num_queries(1):
        got = rows(D(2026, 12, 16), rule=rule)
    assert got == [
        ("cluster-quarterly", "丙传媒", "2026年第4季度", 0, 1, D(2026, 12, 31), "open", "待走访"),
        ("cluster-quarterly", "乙科技", "2026年第4季度", 0, 1, D(2026, 12, 31), "open", "待走访"),
        ("cluster-quarterly", "甲影视", "2026年第4季度", 1, 1, D(2026, 12, 31), "covered", "已覆盖"),
    ]
    # 12-17: ten working days to 12-31, inside the reminder window.
    assert [r[6] for r in rows(D(2026, 12, 17), rule=rule)] == ["due_soon", "due_soon", "covered"]
    # In Q3 the 09-30 visit counts; looked back at from January Q4 has ended unvisited for two.
    assert [r[3] for r in rows(D(2026, 9, 30), rule=rule)] == [1, 1, 0]
    assert [r[6] for r in rows(D(2027, 1, 5), rule=rule, on=D(2026, 12, 31))] == [
        "overdue",
        "overdue",
        "covered",
    ]


def test_all_active_rules_in_constant_queries(
    cluster: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(3):  # the rules, then one query per rule (two rules)
        got = coverage.coverage_status(today=D(2026, 12, 17))
    assert [r.rule_key for r in got] == ["cluster-quarterly"] * 3  # no startups in the fixture
    CoverageRule.objects.filter(key="cluster-quarterly").update(active=False)
    assert coverage.coverage_status(today=D(2026, 12, 17)) == []


def test_the_overdue_list(cluster: dict[str, Any], receiver: Any) -> None:
    def listed(today: dt.date) -> list[tuple[str, str, str]]:
        return [(r.enterprise_name, r.period.key, r.status) for r in coverage.coverage_overdue(today=today)]

    assert listed(D(2026, 12, 16)) == []  # 11 working days left
    assert listed(D(2026, 12, 17)) == [("丙传媒", "2026-Q4", "due_soon"), ("乙科技", "2026-Q4", "due_soon")]
    assert listed(D(2026, 12, 31)) == [("丙传媒", "2026-Q4", "due_soon"), ("乙科技", "2026-Q4", "due_soon")]
    # In January the quarter has ended: both are overdue until they are visited.
    assert listed(D(2027, 1, 5)) == [("丙传媒", "2026-Q4", "overdue"), ("乙科技", "2026-Q4", "overdue")]


def test_visited_since_the_period_ended_is_no_longer_overdue(
    catalogue: Any, make_enterprise: Callable[..., Any], receiver: Any
) -> None:
    monthly = services.coverage_rule_save(
        actor=SYSTEM,
        key="xuhui-monthly",
        label="徐汇企业每月走访",
        selector={"district": "徐汇"},
        period="month",
    )
    late = make_enterprise("迟访", district="徐汇")[0]
    make_enterprise("未访", district="徐汇")
    services.visit_record(actor=receiver, visited_on=D(2026, 10, 20), enterprise=late)
    services.visit_record(actor=receiver, visited_on=D(2026, 12, 2), enterprise=late)  # after November
    got = coverage.coverage_overdue(today=D(2026, 12, 3), rule=monthly)
    assert [(r.enterprise_name, r.period.label, r.status_label) for r in got] == [
        ("未访", "2026年11月", "期内未走访，已逾期")
    ]


def test_the_reminder_is_a_coverage_plan_sent_once(
    cluster: dict[str, Any], receiver: Any, make_enterprise: Callable[..., Any]
) -> None:
    assert coverage.coverage_remind(today=D(2026, 12, 16)) == {"reminded": 0, "plans": 0, "no_visitor": 0}
    assert coverage.coverage_remind(today=D(2026, 12, 17)) == {"reminded": 2, "plans": 1, "no_visitor": 0}
    plan = VisitPlan.objects.get()
    assert (plan.title, plan.visitor, plan.origin, plan.starts_on, plan.due_on, plan.reason) == (
        "走访覆盖：集聚区企业每季度至少走访一次（2026年第4季度）",
        receiver,
        "coverage",
        D(2026, 12, 17),
        D(2026, 12, 31),
        "2026年第4季度尚未走访够 1 次，期末 2026-12-31。",
    )
    keys = sorted(VisitTarget.objects.values_list("enterprise__name", "signal_key"))
    b, c = cluster["乙科技"].pk, cluster["丙传媒"].pk
    assert keys == [
        ("丙传媒", f"coverage:cluster-quarterly:2026-Q4:{c}"),
        ("乙科技", f"coverage:cluster-quarterly:2026-Q4:{b}"),
    ]
    told = list(Notification.objects.filter(kind="visit").values_list("user__name", "message"))
    assert told == [
        (
            "张洁",
            "走访覆盖提醒：集聚区企业每季度至少走访一次，2026年第4季度还有 2 家企业未走访（丙传媒、乙科技），期末 2026-12-31。",
        )
    ]
    # Once per enterprise and period: the next days remind nobody again …
    assert coverage.coverage_remind(today=D(2026, 12, 18))["reminded"] == 0
    assert coverage.coverage_remind(today=D(2027, 1, 5))["reminded"] == 0  # … not even once it is overdue
    # … but an enterprise that joins the cluster is reminded on its own: for Q4, and for Q3 it missed.
    d = make_enterprise("丁文化", in_cluster=True)[0].pk
    assert coverage.coverage_remind(today=D(2026, 12, 18)) == {"reminded": 2, "plans": 2, "no_visitor": 0}
    assert sorted(VisitTarget.objects.filter(enterprise_id=d).values_list("signal_key", flat=True)) == [
        f"coverage:cluster-quarterly:2026-Q3:{d}",
        f"coverage:cluster-quarterly:2026-Q4:{d}",
    ]
    assert Notification.objects.filter(kind="visit").count() == 3


def test_an_overdue_reminder_is_due_within_working_days(cluster: dict[str, Any], receiver: Any) -> None:
    assert coverage.coverage_remind(today=D(2027, 1, 5))["reminded"] == 2
    plan = VisitPlan.objects.get()
    assert (plan.due_on, plan.reason) == (
        D(2027, 1, 12),
        "2026年第4季度已结束，期内未走访（要求至少 1 次）。",
    )

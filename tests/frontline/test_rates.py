"""三率 computed exactly from the events: returns, reopenings, exclusions, merges and unrated tickets.

The world (period 2026-09-01 … 2026-11-30, as of 2026-11-30):

  A env  11-02 urban accepts 11-03 (on time), replied, resolved · 满意
  B env  11-02 urban accepts 11-05 (late), not resolved · 不满意 → reopened, replied, resolved · 基本满意
  C env  11-02 urban returns it, re-dispatched to amr 11-03, amr accepts 11-04 (on time), resolved · unrated
  D lic  10-12 amr accepts 10-13 (on time), not resolved · 不满意 → reopened, still in hand
  E lic  10-12 amr accepts, then excluded by a leader                              → not counted
  F env  11-02 merged into A as a repeat                                           → not counted
  G env  11-27 (Fri) with urban, accept limit 11-30: still within it               → not yet in the response
  H lic  09-15 with amr, never accepted (limit 09-16 passed)                        → due, not responded
  I env  11-02 returned by urban, not re-dispatched (待改派, last limit 11-03 passed) → due, not responded
  J ip   09-15 amr accepts 09-16 (limit 09-17), resolved · 满意 (the enterprise online)
  K env  08-31 urban accepts on time                                               → before the period
  L env  11-02 urban accepts 11-03, excluded then included again, replied, closed unanswered (no follow-up)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shouzhan.core.roles import Role
from shouzhan.frontline import services
from shouzhan.frontline.models import Demand
from shouzhan.frontline.rates import (
    percent,
    rates_compute,
    rates_report,
    rates_total,
)

pytestmark = pytest.mark.django_db
D = dt.date
START, END, TODAY = D(2026, 9, 1), D(2026, 11, 30), D(2026, 11, 30)
DEC = Decimal


def _accept(d: Demand, who: Any, on: dt.date) -> Demand:
    return services.ticket_accept(actor=who, demand=d, expected_version=d.version, on=on)


def _reply(d: Demand, who: Any, on: dt.date) -> Demand:
    return services.ticket_reply(actor=who, demand=d, answer="已处理完毕", expected_version=d.version, on=on)


def _follow(
    d: Demand, who: Any, on: dt.date, *, resolved: bool, sat: str = "", channel: str = "phone"
) -> Demand:
    services.follow_up_record(
        actor=who,
        demand=d,
        resolved=resolved,
        satisfaction=sat,
        channel=channel,
        note="" if resolved else "问题仍然存在",
        expected_version=d.version,
        on=on,
    )
    return Demand.objects.select_related("case").get(pk=d.pk)


def rates_world(
    *, record: Callable[..., Demand], receiver: Any, urban: Any, amr: Any, dept: Any, owner: Any, leader: Any
) -> dict[str, Demand]:
    """The demands of the module docstring; returned by letter."""
    w: dict[str, Demand] = {}
    a = _reply(_accept(record(on=D(2026, 11, 2)), urban, D(2026, 11, 3)), urban, D(2026, 11, 4))
    w["A"] = _follow(a, receiver, D(2026, 11, 5), resolved=True, sat="satisfied")
    b = _reply(_accept(record(on=D(2026, 11, 2)), urban, D(2026, 11, 5)), urban, D(2026, 11, 6))
    b = _follow(b, receiver, D(2026, 11, 9), resolved=False, sat="unsatisfied")
    w["B"] = _follow(_reply(b, urban, D(2026, 11, 10)), receiver, D(2026, 11, 11), resolved=True, sat="basic")
    c = record(on=D(2026, 11, 2))
    c = services.ticket_return(
        actor=urban, demand=c, reason="应由市场监管处理", expected_version=c.version, on=D(2026, 11, 2)
    )
    c = services.ticket_redispatch(
        actor=receiver, demand=c, department=dept("amr"), expected_version=c.version, on=D(2026, 11, 3)
    )
    c = _reply(_accept(c, amr, D(2026, 11, 4)), amr, D(2026, 11, 5))
    w["C"] = _follow(c, receiver, D(2026, 11, 6), resolved=True)
    d = _reply(
        _accept(record("licence", "执照变更", on=D(2026, 10, 12)), amr, D(2026, 10, 13)), amr, D(2026, 10, 14)
    )
    w["D"] = _follow(d, receiver, D(2026, 10, 15), resolved=False, sat="unsatisfied")
    e = _accept(record("licence", "无理诉求", on=D(2026, 10, 12)), amr, D(2026, 10, 13))
    w["E"] = services.demand_exclude(actor=leader, demand=e, reason="经核实属无理诉求", on=D(2026, 10, 14))
    f = record(on=D(2026, 11, 2))
    w["F"] = services.demand_link_repeat(
        actor=receiver, demand=f, original=w["A"], expected_version=f.version, on=D(2026, 11, 2)
    )
    w["G"] = record(on=D(2026, 11, 27))
    w["H"] = record("licence", "许可证年检", on=D(2026, 9, 15))
    i = record(on=D(2026, 11, 2))
    w["I"] = services.ticket_return(
        actor=urban, demand=i, reason="不属于本部门", expected_version=i.version, on=D(2026, 11, 2)
    )
    j = _reply(
        _accept(record("ip", "商标被抢注", on=D(2026, 9, 15)), amr, D(2026, 9, 16)), amr, D(2026, 9, 18)
    )
    w["J"] = _follow(j, owner, D(2026, 9, 21), resolved=True, sat="satisfied", channel="site")
    w["K"] = _accept(record(on=D(2026, 8, 31)), urban, D(2026, 9, 1))
    lo = _accept(record(on=D(2026, 11, 2)), urban, D(2026, 11, 3))
    lo = services.demand_exclude(actor=leader, demand=lo, reason="误判", on=D(2026, 11, 3))
    lo = services.demand_include(actor=leader, demand=lo, reason="复核后恢复计入", on=D(2026, 11, 4))
    w["L"] = _reply(lo, urban, D(2026, 11, 4))
    assert services.tickets_close_unanswered(today=TODAY) == 1  # L, unrated
    return w


@pytest.fixture
def world(
    record: Any, receiver: Any, urban: Any, amr: Any, dept: Any, firm: Any, make_user: Any
) -> dict[str, Demand]:
    leader = make_user(Role.LEADER, name="领导")
    return rates_world(
        record=record, receiver=receiver, urban=urban, amr=amr, dept=dept, owner=firm[1], leader=leader
    )


def _figures(rows: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (
            r.label,
            r.counted,
            r.response_due,
            r.responded,
            r.followed_up,
            r.resolved,
            r.rated,
            r.satisfied,
            r.basic,
            r.unsatisfied,
            r.response_rate,
            r.resolution_rate,
            r.satisfaction_rate,
        )
        for r in rows
    ]


URBAN = ("区城管执法局", 3 + 1, 3, 2, 2, 2, 2, 1, 1, 0, DEC("66.7"), DEC("100.0"), DEC("100.0"))
AMR = ("区市场监管局", 4, 4, 3, 3, 2, 2, 1, 0, 1, DEC("75.0"), DEC("66.7"), DEC("50.0"))
WAITING = ("待改派", 1, 1, 0, 0, 0, 0, 0, 0, 0, DEC("0.0"), None, None)
TOTAL = ("合计", 9, 8, 5, 5, 4, 4, 2, 1, 1, DEC("62.5"), DEC("80.0"), DEC("75.0"))


def test_by_department(world: Any, receiver: Any) -> None:
    rows = rates_compute(actor=receiver, start=START, end=END, by="department", today=TODAY)
    # regulators in name order (区城管… before 区市场…), 待改派 last
    assert _figures(rows) == [URBAN, AMR, WAITING]
    assert [r.key for r in rows] == ["urban", "amr", "unassigned"]


def test_by_category(world: Any, receiver: Any) -> None:
    rows = rates_compute(actor=receiver, start=START, end=END, by="category", today=TODAY)
    assert _figures(rows) == [
        ("市容环境与秩序", 6, 5, 3, 3, 3, 2, 1, 1, 0, DEC("60.0"), DEC("100.0"), DEC("100.0")),
        ("知识产权与维权", 1, 1, 1, 1, 1, 1, 1, 0, 0, DEC("100.0"), DEC("100.0"), DEC("100.0")),
        ("证照与审批", 2, 2, 1, 1, 0, 1, 0, 0, 1, DEC("50.0"), DEC("0.0"), DEC("0.0")),
    ]
    assert [r.key for r in rows] == ["environment", "ip", "licence"]


def test_by_month(world: Any, receiver: Any) -> None:
    rows = rates_compute(actor=receiver, start=START, end=END, by="month", today=TODAY)
    assert _figures(rows) == [
        ("2026年9月", 2, 2, 1, 1, 1, 1, 1, 0, 0, DEC("50.0"), DEC("100.0"), DEC("100.0")),
        ("2026年10月", 1, 1, 1, 1, 0, 1, 0, 0, 1, DEC("100.0"), DEC("0.0"), DEC("0.0")),
        ("2026年11月", 6, 5, 3, 3, 3, 2, 1, 1, 0, DEC("60.0"), DEC("100.0"), DEC("100.0")),
    ]
    assert [r.key for r in rows] == ["2026-09", "2026-10", "2026-11"]


def test_total(world: Any, receiver: Any) -> None:
    assert _figures([rates_total(actor=receiver, start=START, end=END, today=TODAY)]) == [TOTAL]


def test_a_waiting_ticket_counts_once_its_limit_has_passed(world: Any, receiver: Any) -> None:
    # G's accept limit is 11-30: a day later it is due and not responded.
    rows = rates_compute(actor=receiver, start=START, end=END, by="department", today=D(2026, 12, 1))
    assert (rows[0].response_due, rows[0].responded, rows[0].response_rate) == (4, 2, DEC("50.0"))


def test_the_period_bounds_the_receipt_day(world: Any, receiver: Any) -> None:
    total = rates_total(actor=receiver, start=D(2026, 8, 31), end=D(2026, 8, 31), today=TODAY)
    assert (total.counted, total.response_due, total.responded, total.followed_up) == (1, 1, 1, 0)  # K
    assert total.resolution_rate is None and total.satisfaction_rate is None
    assert rates_compute(actor=receiver, start=D(2026, 12, 1), end=D(2026, 12, 31), by="month") == []


def test_one_department_filter(world: Any, receiver: Any, dept: Any) -> None:
    rows = rates_compute(
        actor=receiver, start=START, end=END, by="department", department_id=dept("amr").pk, today=TODAY
    )
    assert _figures(rows) == [AMR]


def test_a_department_member_sees_only_their_own_department(world: Any, urban: Any, amr: Any) -> None:
    assert _figures(rates_compute(actor=urban, start=START, end=END, by="department", today=TODAY)) == [URBAN]
    rows = rates_compute(actor=urban, start=START, end=END, by="category", today=TODAY)
    assert [(r.label, r.counted) for r in rows] == [("市容环境与秩序", 4)]  # A, B, G, L
    report = rates_report(actor=amr, start=START, end=END, today=TODAY)
    assert _figures(report.by_department) == [AMR]
    assert [(r.key, r.counted) for r in report.by_month] == [("2026-09", 2), ("2026-10", 1), ("2026-11", 1)]
    assert (report.total.counted, report.total.response_rate) == (4, DEC("75.0"))
    with pytest.raises(PermissionDenied):  # another department's figures
        rates_total(actor=urban, start=START, end=END, department_id=world["H"].department_id)


def test_an_enterprise_user_may_not_read_the_rates(world: Any, firm: Any) -> None:
    with pytest.raises(PermissionDenied):
        rates_total(actor=firm[1], start=START, end=END)


def test_bad_input_is_refused_in_words(receiver: Any, catalogue: Any) -> None:
    with pytest.raises(ValidationError) as e:
        rates_compute(actor=receiver, start=START, end=END, by="week")
    assert "分组方式不正确" in str(e.value)
    with pytest.raises(ValidationError) as e:
        rates_total(actor=receiver, start=END, end=START)
    assert "截止日期不能早于起始日期" in str(e.value)


def test_the_queries_do_not_grow_with_the_rows(
    world: Any, receiver: Any, urban: Any, django_assert_max_num_queries: Any
) -> None:
    # two to know whether anything moved, four grouped, two labels (PostgreSQL: and a savepoint to set no JIT)
    with django_assert_max_num_queries(11):
        rates_report(actor=receiver, start=START, end=END, today=TODAY)
    with django_assert_max_num_queries(4):  # nothing moved since: the figures are kept (the names are read)
        rates_report(actor=receiver, start=START, end=END, today=TODAY)
    g = world["G"]
    _accept(g, urban, D(2026, 11, 30))  # a new event: the figures follow at once
    total = rates_total(actor=receiver, start=START, end=END, today=TODAY)
    assert (total.response_due, total.responded, total.response_rate) == (9, 6, DEC("66.7"))


def test_percent_rounds_half_up_with_one_decimal() -> None:
    assert percent(0, 0) is None
    assert percent(1, 3) == DEC("33.3")
    assert percent(2, 3) == DEC("66.7")
    assert percent(1, 8) == DEC("12.5")
    assert percent(1, 16) == DEC("6.3")  # 6.25 → 6.3 (half up, not half even)
    assert percent(1, 1600) == DEC("0.1")  # 0.0625 → 0.1
    assert percent(3, 3) == DEC("100.0")

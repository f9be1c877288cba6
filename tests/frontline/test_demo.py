"""The frontline part of the demo district (frontline/demo.py): loaded through the services for a fixed
"today", the same figures on every load (SQLite and PostgreSQL), every open state on the board, and loaded once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest

from shouzhan.core.workdays import is_workday
from shouzhan.frontline.demo import OFFICERS, frontline_demo, logins
from shouzhan.frontline.models import Demand, DepartmentMember, FollowUp, TicketMove, Visit, VisitPlan
from shouzhan.site.demo_data import load_demo

pytestmark = pytest.mark.django_db
TODAY = dt.date(
    2026, 5, 15
)  # a Friday: the history is 2026-01-05 … 2026-05-14 (the catalogue's first months)


def figures() -> dict[str, Any]:
    demands = Demand.objects.all()
    return {
        "demands": demands.count(),
        "states": dict(Counter(demands.values_list("case__state", flat=True))),
        "departments": dict(Counter(demands.values_list("department__key", flat=True))),
        "sources": dict(Counter(demands.values_list("source", flat=True))),
        "moves": dict(Counter(TicketMove.objects.values_list("action", flat=True))),
        "late": dict(Counter(TicketMove.objects.filter(on_time=False).values_list("action", flat=True))),
        "satisfaction": dict(Counter(FollowUp.objects.values_list("satisfaction", flat=True))),
        "excluded": demands.exclude(excluded_reason="").count(),
        "repeats": demands.exclude(repeat_of=None).count(),
        "visits": Visit.objects.count(),
        "plans": VisitPlan.objects.count(),
        "overdue_plans": VisitPlan.objects.filter(due_on__lt=TODAY, targets__visit=None).distinct().count(),
    }


@pytest.fixture
def district(db: Any) -> dict[str, Any]:
    load_demo()
    return {"lines": frontline_demo(today=TODAY), "figures": figures()}


def test_the_frontline_year(district: dict[str, Any]) -> None:
    """One load (it takes a few seconds), four checks: the exact figures, the moments, the people, loaded once."""
    assert district["lines"] == EXPECTED_LINES
    assert district["figures"] == EXPECTED
    _every_move_on_a_working_day_before_today()
    _the_officers_are_members_of_their_departments()
    _loaded_once(district)


def _every_move_on_a_working_day_before_today() -> None:
    start = dt.date(2026, 1, 1)  # the dispatch catalogue's first version
    for demand in Demand.objects.all():
        assert start <= demand.received_on <= TODAY and is_workday(demand.received_on), demand
    for move in TicketMove.objects.all():
        assert start <= move.on <= TODAY and is_workday(move.on), (move.demand_id, move.action, move.on)
    for visit in Visit.objects.all():
        assert start <= visit.visited_on < TODAY and is_workday(visit.visited_on)
    # Past moves happened at their own moment (the clock moved): the audit trail reads like the year did.
    first = TicketMove.objects.order_by("on", "at").first()
    assert first is not None and first.at.date() == first.on


def _the_officers_are_members_of_their_departments() -> None:
    members = set(DepartmentMember.objects.values_list("user__mobile", "department__key", "role"))
    assert members == {(mobile, key, role) for mobile, _n, key, role, _note in OFFICERS}
    assert [mobile for mobile, _n, _note in logins()] == [f"138000000{n}" for n in range(31, 40)]


def _loaded_once(district: dict[str, Any]) -> None:
    again = frontline_demo(today=TODAY)
    assert again == ["一线工作法历史：已加载，跳过", "一线工作法：今日数据已加载，跳过"]
    assert figures() == district["figures"]


EXPECTED_LINES = [
    "一线工作法历史：走访 22 次，诉求 74 条（并入重复 3 条），88 个工作日",
    "一线工作法：9 个部门的工作人员；待签收 2 件，办理中 7 件，待回访 1 件，待改派 1 件；走访计划 4 个",
]
EXPECTED: dict[str, Any] = {
    "demands": 80,  # 74 of the year, 6 of today's open tickets
    "states": {"dispatched": 2, "returned": 1, "accepted": 7, "replied": 1, "merged": 3, "closed": 66},
    "departments": {  # where each ticket is now (a returned one is with no department, waiting)
        "amr": 15,
        "urban": 13,
        "centre-policy": 11,
        "centre-space": 10,
        "street-xjh": 10,
        "finance": 7,
        "centre-desk": 7,
        "hrss": 6,
        None: 1,
    },
    "sources": {"enterprise": 20, "hotline": 21, "desk": 16, "patrol": 4, "visit": 19},
    "moves": {
        "dispatch": 81,
        "accept": 74,
        "reply": 71,
        "resolved": 58,
        "merge": 3,
        "return": 2,
        "close": 8,  # unrated: closed by the daily pass when the follow-up days were over
        "reopen": 4,  # "not resolved": reopened, answered again (and then resolved, or left at that)
        "exclude": 3,
    },
    "late": {"accept": 11, "reply": 5},
    "satisfaction": {"satisfied": 34, "basic": 17, "unsatisfied": 8, "": 3},  # "": reopenings not rated
    "excluded": 3,
    "repeats": 3,
    "visits": 23,
    "plans": 4,  # two quarters' coverage plans, today's overdue one and the current one
    "overdue_plans": 1,
}

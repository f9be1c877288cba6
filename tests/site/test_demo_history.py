"""The demo district's past year (`shouzhan demo`): loaded through the services for a fixed "today", every
chart and rate has something true to show, the same figures on every load, and it loads once."""

from __future__ import annotations

import ast
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from shouzhan.accounts.models import User
from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case, CaseEvent
from shouzhan.cases.selectors import response_times
from shouzhan.community.models import Event, OfficeHour, Registration
from shouzhan.core.calendar import current_calendar
from shouzhan.core.models import AuditEntry
from shouzhan.ledger import selectors as ledger_selectors
from shouzhan.ledger.models import Claim, Payment
from shouzhan.policies.services import catalogue_sync
from shouzhan.site.demo_data import load_demo, load_history
from shouzhan.site.selectors import staff_workspace
from shouzhan.spaces.models import Booking, Tenancy
from shouzhan.spaces.selectors import occupancy_by_week

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 9, 15)  # a Tuesday: the history is 2025-09-16 … 2026-09-14
SRC = Path(__file__).resolve().parents[2] / "src" / "shouzhan"


def _months_before(today: dt.date, n: int) -> list[tuple[int, int]]:
    months, y, m = [], today.year, today.month
    for _ in range(n):
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        months.append((y, m))
    return months[::-1]


def _median(values: list[int]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return float(values[mid]) if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def figures(today: dt.date) -> dict[str, Any]:
    """What the pages show of the past year, read through the selectors with the fixed today."""
    cal = current_calendar()
    leader = User.objects.get(mobile="13800000005")
    closed = Case.objects.exclude(closed_on=None)
    per_month = Counter((c.year, c.month) for c in closed.values_list("closed_on", flat=True) if c)
    months = _months_before(today, 12)
    # The response-time trend: median working days to close (waiting for the applicant excluded) per month.
    days: dict[tuple[int, int], list[int]] = {}
    for submitted, closed_on, waited in closed.values_list("submitted_on", "closed_on", "clock_waited_days"):
        assert closed_on is not None
        days.setdefault((closed_on.year, closed_on.month), []).append(
            max(0, cal.working_days_between(submitted, closed_on) - waited)
        )
    rows = response_times(actor=leader, today=today, window_days=365)
    occupancy = occupancy_by_week(actor=leader, today=today, weeks_back=52, weeks_ahead=0)
    paid = Payment.objects.filter(status=Payment.Status.PAID)
    paid_months = Counter(timezone.localtime(p.updated_at).strftime("%Y-%m") for p in paid)
    usage = ledger_selectors.programme_usage()
    burn = ledger_selectors.budget_series(account_ids=[u.programme.budget_account_id for u in usage])
    with time_machine.travel(dt.datetime.combine(today, dt.time(12), tzinfo=timezone.get_current_timezone())):
        workspace = staff_workspace(actor=User.objects.get(mobile="13800000002"))["cases"]
    return {
        "cases": Case.objects.count(),
        "closed_per_month": [per_month[m] for m in months],
        "median_per_month": [_median(days[m]) if m in days else None for m in months],
        "response": {r.key: (r.closed, r.median_days, r.on_time, r.late) for r in rows if r.closed},
        "weeks_with_live_bookings": sum(
            1 for v in dict((k, v) for k, _l, v in occupancy.series)["live_room"] if v
        ),
        "weeks_with_rented_desks": sum(1 for v in dict((k, v) for k, _l, v in occupancy.series)["desk"] if v),
        "bookings": Booking.objects.count(),
        "tenancies": Tenancy.objects.count(),
        "claims": Counter(Claim.objects.values_list("state", flat=True)),
        "paid_months": sorted(paid_months),
        "paid_fen": sum(p.amount_fen for p in paid),
        "burn_down_points": sorted(len(points) for points in burn.values()),
        "events": Event.objects.count(),
        "checked_in": Registration.objects.exclude(checked_in_at=None).count(),
        "office_hours_booked": OfficeHour.objects.exclude(booked_by=None).count(),
        "imports": AuditEntry.objects.filter(action="registry.enterprise_import").count(),
        "workspace": workspace,
        "audit_entries": AuditEntry.objects.count(),
    }


@pytest.fixture
def district(db: Any) -> dict[str, Any]:
    catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)
    load_demo()
    lines = load_history(today=TODAY)
    return {"lines": lines, "figures": figures(TODAY)}


def test_a_year_of_history(district: dict[str, Any]) -> None:
    """One load (it takes a while), four checks: the charts, the exact figures, the moments, loaded once."""
    _every_chart_has_something_true(district)
    _the_same_figures_for_the_same_today(district)
    _history_happened_on_working_days_at_its_own_moments()
    _loaded_once(district)


def _every_chart_has_something_true(district: dict[str, Any]) -> None:
    f = district["figures"]
    assert all(f["closed_per_month"]), f["closed_per_month"]  # every month of the year closed cases
    assert (
        len([m for m in f["median_per_month"] if m is not None]) == 12
    )  # the response-time trend's 12 points
    assert f["weeks_with_live_bookings"] >= 50
    assert len(f["paid_months"]) >= 6  # claims paid across the months of the year
    assert min(f["burn_down_points"]) >= 5  # each programme's burn-down is a line, not a dot
    closed = sum(r[0] for r in f["response"].values())
    on_time = sum(r[2] for r in f["response"].values())
    assert 0.8 <= on_time / closed <= 0.95  # on time mostly, late sometimes: believable rates
    assert all(r[3] > 0 for r in f["response"].values())  # every type has its late ones


def _the_same_figures_for_the_same_today(district: dict[str, Any]) -> None:
    """Seeded: these exact figures on every load, on SQLite and on PostgreSQL."""
    f = district["figures"]
    assert district["lines"] == EXPECTED_LINES
    assert f == EXPECTED


def _loaded_once(district: dict[str, Any]) -> None:
    again = load_history(today=TODAY)
    assert all(line.endswith("已加载，跳过") for line in again), again
    later = load_history(today=TODAY + dt.timedelta(days=30))  # a later day: still the one past
    assert all(line.endswith("已加载，跳过") for line in later), later
    assert figures(TODAY) == district["figures"]


def _history_happened_on_working_days_at_its_own_moments() -> None:
    cal = current_calendar()
    start = TODAY - dt.timedelta(days=364)
    for case in Case.objects.all():
        assert start <= case.submitted_on < TODAY and cal.is_workday(case.submitted_on)
        if case.closed_on is not None:
            assert cal.is_workday(case.closed_on) and case.closed_on < TODAY
            # The deadline by core.workdays: the type's limit, moved on by the days waiting for the applicant;
            # or, after entering a state with a limit of its own (an approval's publication), that state's.
            ct = wf.case_type_get(case.case_type)
            fresh = [e for e in case.events.order_by("id") if e.to_state and ct.state(e.to_state).limit_days]
            if fresh:
                entered = timezone.localtime(fresh[-1].created_at).date()
                due = cal.add_working_days(entered, ct.state(fresh[-1].to_state).limit_days or 0).date
            else:
                limit = ct.limit_for(case.data)
                due = cal.add_working_days(case.submitted_on, limit + case.clock_waited_days).date
            assert case.due_on == due, case
            assert case.closed_on_time == (case.closed_on <= case.due_on)
    first = {e.case_id: e for e in CaseEvent.objects.filter(action="submit")}
    for case in Case.objects.all():
        assert timezone.localtime(first[case.pk].created_at).date() == case.submitted_on
    oldest = AuditEntry.objects.order_by("at").first()
    assert oldest is not None and timezone.localtime(oldest.at).date() < TODAY - dt.timedelta(days=300)


def test_no_deadline_by_plain_timedelta() -> None:
    """The demo code counts deadlines with core.workdays: no due date is a date plus a timedelta."""
    files = [*SRC.glob("*/demo.py"), SRC / "site" / "demo_data.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign | ast.keyword):
                target = node.arg if isinstance(node, ast.keyword) else ast.unparse(node.targets[0])
                if target and ("due" in target or "deadline" in target):
                    assert "timedelta" not in ast.unparse(node.value), f"{path}: {ast.unparse(node)}"


EXPECTED_LINES = [
    "办件历史：一年 247 个工作日，新建 357 件，已办结 351 件",
    "空间历史：一年预约 394 次（取消 19 次），工位入驻 11 家",
    "券与资金历史：2026 年发券 21 家，核销申请 73 笔，拨付 55 笔",
    "社区历史：首站政策解读会 11 场（报名 139 人次，签到 113 人次），导师办公时间 44 个（预约 34 个）",
    "导入历史：4 次季度名录导入，更新 31 行",
    "政策直达历史：82 项首次推送，7 项确认（7 项已决定，5 项已拨付），2 项放弃，23 项过期；变化批次新增 0 项",
]
EXPECTED: dict[str, Any] = {
    "cases": 364,  # 357 of the year's cases, 7 fast-track cases from confirmed offers (政策直达)
    "closed_per_month": [8, 24, 32, 33, 25, 28, 34, 32, 24, 36, 39, 31],  # 2025-09 … 2026-08
    "median_per_month": [2.0, 5.0, 3.0, 3.0, 3.0, 3.0, 2.0, 4.0, 3.0, 5.0, 3.0, 4.0],
    "response": {  # (closed, median working days, on time, late)
        "policy_fast_track": (7, 10.0, 5, 2),
        "planning_filing": (88, 2.0, 80, 8),
        "finished_film_filing": (63, 4.0, 50, 13),
        "service.registration_tax": (59, 4.0, 54, 5),
        "service.ip_design": (29, 7.0, 26, 3),
        "service.financing": (23, 7.0, 22, 1),
        "service.overseas": (29, 8.0, 25, 4),
        "service.consultation": (60, 2.0, 50, 10),
    },
    "weeks_with_live_bookings": 50,
    "weeks_with_rented_desks": 53,
    "bookings": 394,
    "tenancies": 11,
    "claims": {"approved": 70, "declined": 2, "rejected": 1},
    "paid_months": ["2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08"],
    "paid_fen": 169_800_000,
    "burn_down_points": [5, 7, 8],
    "events": 11,
    "checked_in": 113,
    "office_hours_booked": 34,
    "imports": 4,
    "workspace": {"open": 6, "overdue": 0, "today": 1, "stopped": 0},
    "audit_entries": 2682,
}

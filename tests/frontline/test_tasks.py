"""frontline's daily pass: unanswered tickets closed, signals scanned, coverage reminded; scheduled once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shouzhan.frontline import services
from shouzhan.frontline.models import Demand, VisitPlan
from shouzhan.frontline.tasks import frontline_daily, frontline_pass

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def replied(record: Callable[..., Demand], urban: Any) -> Demand:
    """A ticket answered on 12-01 that nobody rated: 5 working days later (12-08) it is closed."""
    demand = record("environment", "园区门口夜间施工噪音扰民", on=D(2026, 12, 1))
    demand = services.ticket_accept(
        actor=urban, demand=demand, expected_version=demand.version, on=D(2026, 12, 1)
    )
    return services.ticket_reply(
        actor=urban,
        demand=demand,
        answer="已协调施工方夜间停工",
        expected_version=demand.version,
        on=D(2026, 12, 1),
    )


def test_one_pass_runs_the_three_parts_and_a_second_does_nothing(
    replied: Demand, make_enterprise: Callable[..., Any]
) -> None:
    make_enterprise("乙科技", in_cluster=True)  # never visited: the firm of the fixture is in the cluster too
    done = frontline_pass(today=D(2026, 12, 17))
    assert done == {
        "closed": 1,
        "signals": {
            "overdue_case": 0,
            "voucher_expiry": 0,
            "tenancy_end": 0,
            "offer_unanswered": 0,
            "unsatisfied": 0,
            "opened": 0,
            "no_visitor": 0,
        },
        "coverage": {"reminded": 4, "plans": 2, "no_visitor": 0},  # both, for Q4 and for the Q3 they missed
    }
    replied.refresh_from_db()
    assert replied.case.state == "closed"
    assert sorted(VisitPlan.objects.values_list("origin", "title")) == [
        ("coverage", "走访覆盖：集聚区企业每季度至少走访一次（2026年第3季度）"),
        ("coverage", "走访覆盖：集聚区企业每季度至少走访一次（2026年第4季度）"),
    ]
    again = frontline_pass(today=D(2026, 12, 17))
    assert (again["closed"], again["signals"]["opened"], again["coverage"]["reminded"]) == (0, 0, 0)


def test_the_command_runs_the_pass_now_for_a_day(replied: Demand) -> None:
    out = StringIO()
    call_command("frontline_daily", "--now", "--date", "2026-12-08", stdout=out)
    assert out.getvalue().strip() == (
        "回访期满结单 1 件；未诉先办新建走访任务 0 项；走访覆盖提醒 1 家企业（1 个计划）。"
    )
    replied.refresh_from_db()
    assert replied.case.state == "closed"


def test_the_command_refuses_a_bad_date(db: Any) -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("frontline_daily", "--now", "--date", "2026-13-01")
    with pytest.raises(CommandError, match="--now"):
        call_command("frontline_daily", "--date", "2026-12-01")


def test_the_daily_pass_is_queued_once_for_the_morning(db: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    out = StringIO()
    call_command("frontline_daily", stdout=out)
    call_command("frontline_daily", stdout=out)
    assert out.getvalue().splitlines() == ["一线工作每日任务已排队", "一线工作每日任务已在队列中"]
    waiting = DBTaskResult.objects.filter(task_path=frontline_daily.module_path, status="READY")
    assert waiting.count() == 1
    run_after = timezone.localtime(waiting.get().run_after)
    assert (run_after.date(), run_after.time()) == (
        timezone.localdate() + dt.timedelta(days=1),
        dt.time(6, 30),
    )


def test_the_task_runs_the_pass_and_queues_the_next(db: Any, receiver: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    result = frontline_daily.call()
    assert result["closed"] == 0 and result["signals"]["opened"] == 0
    assert DBTaskResult.objects.filter(task_path=frontline_daily.module_path, status="READY").count() == 1

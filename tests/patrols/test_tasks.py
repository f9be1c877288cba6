"""patrols' daily pass: the compliance reminders, run by the django-tasks worker and queued once a morning."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from shouzhan.core.notifications import Notification
from shouzhan.patrols.tasks import patrols_daily, patrols_pass
from tests.patrols.test_compliance import june  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _waiting() -> Any:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=patrols_daily.module_path, status="READY")


def test_one_pass_reminds_the_overdue_chiefs_and_a_second_does_nothing(june: Any) -> None:  # noqa: F811
    assert patrols_pass(today=D(2026, 6, 20)) == {"reminded": 2}
    assert patrols_pass(today=D(2026, 6, 20)) == {"reminded": 0}
    assert Notification.objects.count() == 2


def test_the_command_runs_the_pass_now_for_a_day(june: Any) -> None:  # noqa: F811
    out = StringIO()
    call_command("patrols_daily", "--now", "--date", "2026-06-22", stdout=out)
    assert out.getvalue().strip() == "提醒逾期未巡查的河长 2 人。"


def test_the_command_refuses_a_bad_date(db: Any) -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("patrols_daily", "--now", "--date", "2026-13-01")
    with pytest.raises(CommandError, match="--now"):
        call_command("patrols_daily", "--date", "2026-06-01")


def test_the_daily_pass_is_queued_once_for_the_morning(db: Any) -> None:
    out = StringIO()
    call_command("patrols_daily", stdout=out)
    call_command("patrols_daily", stdout=out)
    assert out.getvalue().splitlines() == ["巡查每日任务已排队", "巡查每日任务已在队列中"]
    assert _waiting().count() == 1
    run_after = timezone.localtime(_waiting().get().run_after)
    assert (run_after.date(), run_after.time()) == (
        timezone.localdate() + dt.timedelta(days=1),
        dt.time(7, 0),
    )


def test_the_task_reminds_as_of_today_and_queues_the_next(june: Any) -> None:  # noqa: F811
    with time_machine.travel(dt.datetime(2026, 6, 20, 7, 0, tzinfo=SHANGHAI), tick=False):
        assert patrols_daily.call() == {"reminded": 2}
        run_after = timezone.localtime(_waiting().get().run_after)
    assert (run_after.date(), run_after.time()) == (D(2026, 6, 21), dt.time(7, 0))
    assert sorted(Notification.objects.values_list("user__name", flat=True)) == [
        "村居河长李强",
        "村居河长陈平",
    ]


def test_the_next_pass_is_queued_even_when_this_one_fails(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import shouzhan.patrols.compliance as compliance

    def broken(**_kw: Any) -> int:
        raise RuntimeError("database gone")

    monkeypatch.setattr(compliance, "compliance_remind", broken)
    with pytest.raises(RuntimeError):
        patrols_daily.call()
    assert _waiting().count() == 1

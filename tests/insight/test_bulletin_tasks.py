"""insight's daily pass: last month's bulletin on the first working day of each month (working-day calendar),
once; queued each morning at 07:30; the commands that queue it and that generate a month by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from shouzhan.core.models import AuditEntry
from shouzhan.insight import audit_actions as aa
from shouzhan.insight.models import Bulletin
from shouzhan.insight.tasks import first_workday_of_month, insight_daily, insight_pass

pytestmark = pytest.mark.django_db
D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: dt.date, hour: int = 7, minute: int = 30) -> Any:
    moment = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)
    return time_machine.travel(moment, tick=False)


def _waiting() -> Any:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=insight_daily.module_path, status="READY")


@pytest.fixture
def records(insight_data: Any, make_enterprise: Callable[..., Any]) -> None:
    make_enterprise(
        name="徐汇智剧科技",
        district="徐汇",
        in_cluster=True,
        sector="micro_drama",
        annual_revenue_fen=1_500_000_000,
        created_at=dt.datetime(2026, 8, 3, 10, tzinfo=SHANGHAI),
    )


def test_the_first_working_day_by_the_calendar() -> None:
    # National Day 2026: 10-01 … 10-07 are holidays, so October's first working day is 10-08.
    assert first_workday_of_month(D(2026, 10, 20)) == D(2026, 10, 8)
    assert first_workday_of_month(D(2026, 11, 30)) == D(2026, 11, 2)  # 11-01 is a Sunday
    assert first_workday_of_month(D(2026, 12, 1)) == D(2026, 12, 1)  # a Tuesday


def test_after_national_day_the_bulletin_comes_on_the_first_day_back_and_only_then(records: None) -> None:
    for day in range(1, 8):
        with _at(D(2026, 10, day)):
            assert insight_pass() == {"bulletin": None, "reason": "before"}
    assert not Bulletin.objects.exists()
    with _at(D(2026, 10, 8)):
        assert insight_pass() == {"bulletin": "2026-09", "reason": "made"}
        assert insight_pass() == {"bulletin": None, "reason": "exists"}  # run twice that morning: nothing new
    with _at(D(2026, 10, 9)):
        assert insight_pass() == {"bulletin": None, "reason": "exists"}
    assert list(Bulletin.objects.values_list("month", flat=True)) == [D(2026, 9, 1)]
    assert AuditEntry.objects.filter(action=aa.BULLETIN_GENERATE).count() == 1
    bulletin = Bulletin.objects.get()
    assert bulletin.generated_by is None and bulletin.figures["targets"][0]["value"] == "1"


def test_a_normal_month_after_a_weekend(records: None) -> None:
    with _at(D(2026, 11, 1)):  # a Sunday
        assert insight_pass() == {"bulletin": None, "reason": "before"}
    with _at(D(2026, 11, 2)):
        assert insight_pass() == {"bulletin": "2026-10", "reason": "made"}
    assert list(Bulletin.objects.values_list("month", flat=True)) == [D(2026, 10, 1)]
    entry = AuditEntry.objects.get(action=aa.BULLETIN_GENERATE)
    assert (entry.actor_label, entry.after["month"]) == ("system:insight", "2026-10-01")


def test_a_first_working_day_missed_is_caught_up_the_next_day(records: None) -> None:
    # The worker was down on 10-08: the next morning's pass makes September's bulletin, once.
    with _at(D(2026, 10, 9)):
        assert insight_pass() == {"bulletin": "2026-09", "reason": "made"}
    with _at(D(2026, 10, 12)):
        assert insight_pass() == {"bulletin": None, "reason": "exists"}
    assert AuditEntry.objects.filter(action=aa.BULLETIN_GENERATE).count() == 1


def test_the_task_generates_as_of_today_and_queues_the_next(records: None) -> None:
    with _at(D(2026, 12, 1)):
        assert insight_daily.call() == {"bulletin": "2026-11", "reason": "made"}
        run_after = timezone.localtime(_waiting().get().run_after)
    assert (run_after.date(), run_after.time()) == (D(2026, 12, 2), dt.time(7, 30))


def test_the_next_pass_is_queued_even_when_this_one_fails(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import shouzhan.insight.services.bulletins as bulletins

    def broken(**_kw: Any) -> Any:
        raise RuntimeError("database gone")

    monkeypatch.setattr(bulletins, "bulletin_generate", broken)
    with _at(D(2026, 12, 1)), pytest.raises(RuntimeError):
        insight_daily.call()
    assert _waiting().count() == 1


def test_the_schedule_command_queues_once_for_the_morning(db: Any) -> None:
    out = StringIO()
    call_command("insight_schedule", stdout=out)
    call_command("insight_schedule", stdout=out)
    assert out.getvalue().splitlines() == ["产业洞察每日任务已排队", "产业洞察每日任务已在队列中"]
    run_after = timezone.localtime(_waiting().get().run_after)
    assert (run_after.date(), run_after.time()) == (
        timezone.localdate() + dt.timedelta(days=1),
        dt.time(7, 30),
    )


def test_the_schedule_command_runs_the_pass_for_a_day(records: None) -> None:
    out = StringIO()
    with _at(D(2026, 11, 10)):
        call_command("insight_schedule", "--now", "--date", "2026-11-01", stdout=out)
        call_command("insight_schedule", "--now", "--date", "2026-11-02", stdout=out)
        call_command("insight_schedule", "--now", "--date", "2026-11-09", stdout=out)
    assert out.getvalue().splitlines() == [
        "本月第一个工作日还没到，不生成月度通报。",
        "已生成 2026-10 月度通报。",
        "上月的月度通报已经生成。",
    ]
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("insight_schedule", "--now", "--date", "2026-13-01")
    with pytest.raises(CommandError, match="--now"):
        call_command("insight_schedule", "--date", "2026-06-01")


def test_the_bulletin_command_generates_a_past_month_by_hand_once(records: None) -> None:
    out = StringIO()
    with _at(D(2026, 11, 10), hour=16):
        call_command("insight_bulletin", "2026-09", stdout=out)
        call_command("insight_bulletin", "2026-09", stdout=out)
        with pytest.raises(CommandError, match="尚未结束"):
            call_command("insight_bulletin", "2026-11")
    first, second = out.getvalue().splitlines()
    assert first.startswith("已生成 2026-09 月度通报（PDF ")
    assert second == "2026-09 月度通报已存在（生成于 2026-11-10 16:30），未重新生成。"
    for bad in ("2026-13", "九月", "26-09"):
        with pytest.raises(CommandError, match="2026-09"):
            call_command("insight_bulletin", bad)

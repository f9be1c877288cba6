"""`manage.py frontline_daily`: make sure frontline's daily pass is waiting for the django-tasks worker;
`--now` runs it at once (`--date` for another day) and prints what it did."""

from __future__ import annotations

from typing import Any

from shouzhan.core.daily_command import daily_pass_command
from shouzhan.frontline.tasks import frontline_daily_schedule, frontline_pass


def _report(done: dict[str, Any]) -> str:
    signals, coverage = done["signals"], done["coverage"]
    return (
        f"回访期满结单 {done['closed']} 件；未诉先办新建走访任务 {signals['opened']} 项；"
        f"走访覆盖提醒 {coverage['reminded']} 家企业（{coverage['plans']} 个计划）。"
    )


Command = daily_pass_command(
    name="一线工作每日任务",
    help_text="Enqueue frontline's daily pass (unanswered tickets closed, 未诉先办 signals, coverage reminders) "
    "for tomorrow morning if none is waiting; --now runs it at once.",
    schedule=frontline_daily_schedule,
    run=frontline_pass,
    report=_report,
)

"""`manage.py insight_schedule`: make sure insight's daily pass (the monthly bulletin on the first working day
of each month) is waiting for the django-tasks worker; `--now` runs it at once (`--date` for another day)."""

from __future__ import annotations

from typing import Any

from shouzhan.core.daily_command import daily_pass_command
from shouzhan.insight.tasks import insight_daily_schedule, insight_pass


def _report(done: dict[str, Any]) -> str:
    if done["reason"] == "before":
        return "本月第一个工作日还没到，不生成月度通报。"
    if done["reason"] == "exists":
        return "上月的月度通报已经生成。"
    return f"已生成 {done['bulletin']} 月度通报。"


Command = daily_pass_command(
    name="产业洞察每日任务",
    help_text="Enqueue insight's daily pass (last month's bulletin on the first working day of a month) for "
    "tomorrow morning if none is waiting; --now runs it at once.",
    schedule=insight_daily_schedule,
    run=insight_pass,
    report=_report,
)

"""`manage.py patrols_daily`: make sure patrols' daily pass (the compliance reminders) is waiting for the
django-tasks worker; `--now` runs it at once (`--date` for another day) and prints what it did."""

from __future__ import annotations

from shouzhan.core.daily_command import daily_pass_command
from shouzhan.patrols.tasks import patrols_daily_schedule, patrols_pass

Command = daily_pass_command(
    name="巡查每日任务",
    help_text="Enqueue patrols' daily pass (chiefs behind on their patrols are reminded) for tomorrow morning "
    "if none is waiting; --now runs it at once.",
    schedule=patrols_daily_schedule,
    run=patrols_pass,
    report=lambda done: f"提醒逾期未巡查的河长 {done['reminded']} 人。",
)

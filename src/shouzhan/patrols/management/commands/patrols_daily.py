"""`manage.py patrols_daily`: make sure patrols' daily pass (the compliance reminders) is waiting for the
django-tasks worker; `--now` runs it at once (`--date` for another day) and prints what it did."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouzhan.patrols.tasks import patrols_daily_schedule, patrols_pass


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = (
        "Enqueue patrols' daily pass (chiefs behind on their patrols are reminded) for tomorrow morning "
        "if none is waiting; --now runs it at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="run the pass now instead of enqueuing it")
        parser.add_argument("--date", type=_day, default=None, help="the day the pass runs as (with --now)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"] is not None and not options["now"]:
            raise CommandError("--date 只能与 --now 一起使用。")
        if not options["now"]:
            enqueued = patrols_daily_schedule()
            self.stdout.write("巡查每日任务已排队" if enqueued else "巡查每日任务已在队列中")
            return
        done = patrols_pass(today=options["date"])
        self.stdout.write(f"提醒逾期未巡查的河长 {done['reminded']} 人。")

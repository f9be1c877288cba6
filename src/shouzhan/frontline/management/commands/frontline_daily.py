"""`manage.py frontline_daily`: make sure frontline's daily pass is waiting for the django-tasks worker;
`--now` runs it at once (`--date` for another day) and prints what it did."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouzhan.frontline.tasks import frontline_daily_schedule, frontline_pass


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = (
        "Enqueue frontline's daily pass (unanswered tickets closed, 未诉先办 signals, coverage reminders) "
        "for tomorrow morning if none is waiting; --now runs it at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="run the pass now instead of enqueuing it")
        parser.add_argument("--date", type=_day, default=None, help="the day the pass runs as (with --now)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"] is not None and not options["now"]:
            raise CommandError("--date 只能与 --now 一起使用。")
        if not options["now"]:
            enqueued = frontline_daily_schedule()
            self.stdout.write("一线工作每日任务已排队" if enqueued else "一线工作每日任务已在队列中")
            return
        done = frontline_pass(today=options["date"])
        signals, coverage = done["signals"], done["coverage"]
        self.stdout.write(
            f"回访期满结单 {done['closed']} 件；未诉先办新建走访任务 {signals['opened']} 项；"
            f"走访覆盖提醒 {coverage['reminded']} 家企业（{coverage['plans']} 个计划）。"
        )

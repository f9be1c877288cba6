"""`manage.py insight_schedule`: make sure insight's daily pass (the monthly bulletin on the first working day
of each month) is waiting for the django-tasks worker; `--now` runs it at once (`--date` for another day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouzhan.insight.tasks import insight_daily_schedule, insight_pass


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = (
        "Enqueue insight's daily pass (last month's bulletin on the first working day of a month) for "
        "tomorrow morning if none is waiting; --now runs it at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="run the pass now instead of enqueuing it")
        parser.add_argument("--date", type=_day, default=None, help="the day the pass runs as (with --now)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"] is not None and not options["now"]:
            raise CommandError("--date 只能与 --now 一起使用。")
        if not options["now"]:
            enqueued = insight_daily_schedule()
            self.stdout.write("产业洞察每日任务已排队" if enqueued else "产业洞察每日任务已在队列中")
            return
        done = insight_pass(today=options["date"])
        if done["reason"] == "before":
            self.stdout.write("本月第一个工作日还没到，不生成月度通报。")
        elif done["reason"] == "exists":
            self.stdout.write("上月的月度通报已经生成。")
        else:
            self.stdout.write(f"已生成 {done['bulletin']} 月度通报。")

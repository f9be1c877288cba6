"""The one shape of a module's daily-pass command (`frontline_daily`, `patrols_daily`, `insight_schedule`):
without options it makes sure the pass is waiting for the django-tasks worker (tomorrow morning); `--now`
runs it at once, as of `--date` when given, and prints what it did in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class DailyPassCommand(BaseCommand):
    """Subclasses set `name` (the pass in words), `schedule`, `run` and `report`."""

    name: str = ""  # e.g. 巡查每日任务

    def schedule(self) -> bool:
        """Enqueue the pass for tomorrow unless one is waiting; True when one was."""
        raise NotImplementedError

    def run(self, today: dt.date | None) -> dict[str, Any]:
        raise NotImplementedError

    def report(self, done: dict[str, Any]) -> str:
        """What the pass did, in words."""
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="run the pass now instead of enqueuing it")
        parser.add_argument("--date", type=_day, default=None, help="the day the pass runs as (with --now)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"] is not None and not options["now"]:
            raise CommandError("--date 只能与 --now 一起使用。")
        if not options["now"]:
            self.stdout.write(f"{self.name}已排队" if self.schedule() else f"{self.name}已在队列中")
            return
        self.stdout.write(self.report(self.run(options["date"])))


def daily_pass_command(
    *,
    name: str,
    help_text: str,
    schedule: Callable[[], bool],
    run: Callable[..., dict[str, Any]],
    report: Callable[[dict[str, Any]], str],
) -> type[DailyPassCommand]:
    """A module's `Command` class from its pass: `Command = daily_pass_command(…)`."""

    class Command(DailyPassCommand):
        help = help_text

        def schedule(self) -> bool:
            return schedule()

        def run(self, today: dt.date | None) -> dict[str, Any]:
            return run(today=today)

        def report(self, done: dict[str, Any]) -> str:
            return report(done)

    Command.name = name
    return Command

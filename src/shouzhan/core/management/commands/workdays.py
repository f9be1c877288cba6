"""`shouzhan workdays add YYYY-MM-DD N` and `shouzhan workdays between A B`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouzhan.core.workdays import (
    MAX_WORKING_DAYS,
    DateOutOfRange,
    add_working_days,
    parse_iso_date,
    working_days_between,
)


def _date(text: str) -> dt.date:
    try:
        return parse_iso_date(text)
    except DateOutOfRange as exc:
        raise CommandError(f"invalid date {text!r}: {exc}") from exc


class Command(BaseCommand):
    help = "Chinese working-day arithmetic (holidays off, 调休 weekends on)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="due date: the end of the Nth working day after DATE")
        add.add_argument("date")
        add.add_argument("n")
        between = sub.add_parser("between", help="working days after START up to and including END")
        between.add_argument("start")
        between.add_argument("end")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            start = _date(options["date"])
            try:
                n = int(options["n"])
            except ValueError as exc:
                raise CommandError(f"N must be a whole number, got {options['n']!r}") from exc
            if not 0 <= n <= MAX_WORKING_DAYS:
                raise CommandError(f"N must be between 0 and {MAX_WORKING_DAYS}")
            try:
                due = add_working_days(start, n)
            except DateOutOfRange as exc:  # counting would run past the calendar's last day
                raise CommandError(str(exc)) from exc
            self.stdout.write(str(due))
        else:
            start, end = _date(options["start"]), _date(options["end"])
            try:
                self.stdout.write(str(working_days_between(start, end)))
            except ValueError as exc:  # range too long
                raise CommandError(str(exc)) from exc

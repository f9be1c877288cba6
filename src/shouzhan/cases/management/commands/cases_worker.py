"""The background worker of the cases module: deadline reminders and overdue alerts.

`manage.py cases_worker --once` runs one pass (cron-friendly); without --once it loops,
sleeping --interval seconds between passes (`make run` starts it in the background).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from shouzhan.cases.services import case_deadlines_notify


class Command(BaseCommand):
    help = "Send deadline reminders and overdue alerts for open cases (办件期限提醒)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="run one pass and exit")
        parser.add_argument("--interval", type=int, default=300, help="seconds between passes (default 300)")

    def handle(self, *args: Any, once: bool = False, interval: int = 300, **options: Any) -> None:
        while True:
            close_old_connections()
            try:
                counts = case_deadlines_notify(actor="system:worker")
                self.stdout.write(f"cases worker: reminded {counts['reminded']}, alerted {counts['alerted']}")
            except Exception as exc:  # keep the loop alive; the next pass retries
                self.stderr.write(f"cases worker: pass failed: {exc!r}")
                if once:
                    raise
            if once:
                return
            time.sleep(max(5, interval))

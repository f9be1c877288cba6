"""`manage.py cases_schedule`: make sure a deadline pass is waiting for the django-tasks worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shouzhan.cases.tasks import deadlines_schedule


class Command(BaseCommand):
    help = "Enqueue the self-rescheduling deadline pass (reminders and overdue alerts) if none is waiting."

    def handle(self, *args: Any, **options: Any) -> None:
        enqueued = deadlines_schedule()
        self.stdout.write("办件期限提醒已排队" if enqueued else "办件期限提醒已在队列中")

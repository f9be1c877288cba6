"""`manage.py offers_schedule`: make sure the daily push pass is waiting for the django-tasks worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shouzhan.offers.tasks import push_daily_schedule


class Command(BaseCommand):
    help = "Enqueue the daily push pass (expiry, then a run over what changed) for 06:00 tomorrow if none is waiting."

    def handle(self, *args: Any, **options: Any) -> None:
        enqueued = push_daily_schedule()
        self.stdout.write("政策直达每日推送已排队" if enqueued else "政策直达每日推送已在队列中")

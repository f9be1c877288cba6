"""The daily passes of the modules (offers' push, frontline's, patrols'): each enqueues the next one for
tomorrow at its hour, and a command makes sure one is waiting. One way to do it, here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks.base import Task


def daily_enqueue(task: Task[Any, Any], *, at: dt.time, force: bool = False) -> bool:
    """Enqueue `task` for tomorrow at `at` (local time) unless one is waiting; True when one was.
    `force`: enqueue even so (a pass enqueues its successor before it ends)."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists()
    if waiting and not force:
        return False
    now = timezone.localtime()
    when = timezone.make_aware(dt.datetime.combine(now.date() + dt.timedelta(days=1), at))
    task.using(run_after=when).enqueue()
    return True

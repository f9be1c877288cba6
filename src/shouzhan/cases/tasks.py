"""Background tasks of the cases module, run by django-tasks' database worker (`manage.py db_worker`).

The deadline pass re-schedules itself, so one enqueued pass keeps the reminders going for as long
as a worker runs; `manage.py cases_schedule` (run by `make run`) makes sure one is waiting.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

PASS_INTERVAL = dt.timedelta(minutes=5)


@task()
def deadlines_pass() -> dict[str, int]:
    """Remind caseworkers one working day before a deadline and alert when it has passed."""
    from shouzhan.cases.services import case_deadlines_notify

    counts = case_deadlines_notify(actor="system:worker")
    deadlines_schedule(after=PASS_INTERVAL)
    return counts


def deadlines_schedule(*, after: dt.timedelta = dt.timedelta(0)) -> bool:
    """Enqueue the next deadline pass unless one is already waiting; True when one was enqueued."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=deadlines_pass.module_path, status="READY").exists()
    if waiting:
        return False
    deadlines_pass.using(run_after=timezone.now() + after).enqueue()
    return True

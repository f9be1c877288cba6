"""Background work of patrols, run by django-tasks' database worker (`manage.py db_worker`).

The daily pass reminds the chiefs who are behind this month (patrols.compliance.compliance_remind): each is
told once for each new patrol overdue, so a pass run twice on one day tells nobody the second time. The pass
enqueues the next one for tomorrow morning (even when it failed), and `manage.py patrols_daily` (from
`make run`, `make serve` and the worker's unit) makes sure one is waiting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task

from shouzhan.core.scheduling import daily_enqueue

DAILY_AT = dt.time(7, 0)  # after frontline's pass (06:30), before the working day


def patrols_pass(*, today: dt.date | None = None) -> dict[str, Any]:
    """One pass, now: how many chiefs were reminded."""
    from shouzhan.core.actors import system_actor
    from shouzhan.patrols.compliance import compliance_remind

    today = today or timezone.localdate()
    return {"reminded": compliance_remind(actor=system_actor("patrols"), today=today)}


@task()
def patrols_daily() -> dict[str, Any]:
    """The scheduled pass; the next one is enqueued for tomorrow whatever happens to this one."""
    try:
        return patrols_pass()
    finally:
        patrols_daily_schedule(force=True)


def patrols_daily_schedule(*, force: bool = False) -> bool:
    """Enqueue the next daily pass (tomorrow at DAILY_AT) unless one is waiting; True when one was."""
    return daily_enqueue(patrols_daily, at=DAILY_AT, force=force)

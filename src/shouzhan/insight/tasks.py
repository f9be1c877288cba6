"""Background work of insight, run by django-tasks' database worker (`manage.py db_worker`).

The daily pass generates last month's bulletin (月度通报) on the first working day of each month by the
working-day calendar — after a National Day week, on the first day back — or on the first pass after it when
the worker was down that day (a bulletin missing is made, never skipped). Generating is once per month (a
stored bulletin is returned as it is), so a pass run twice makes nothing new. The pass enqueues
the next one for tomorrow morning (even when it failed), and `manage.py insight_schedule` (from `make run`,
`make serve` and the worker's unit) makes sure one is waiting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task

from shouzhan.core.scheduling import daily_enqueue

DAILY_AT = dt.time(7, 30)  # after patrols' pass (07:00), before the working day


def first_workday_of_month(day: dt.date) -> dt.date:
    """The first working day of the day's month by the working-day calendar."""
    from shouzhan.core.calendar import current_calendar

    calendar = current_calendar()
    first = day.replace(day=1)
    for offset in range(31):
        candidate = first + dt.timedelta(days=offset)  # walking the month's days, not a deadline
        if candidate.month != first.month:
            break
        if calendar.is_workday(candidate):
            return candidate
    return first  # a month without a working day (never): its first day


def insight_pass(*, today: dt.date | None = None) -> dict[str, Any]:
    """One pass, now: the month whose bulletin was generated (None before the month's first working day, or
    when last month's bulletin is there already)."""
    from shouzhan.core.actors import system_actor
    from shouzhan.insight.bulletin import previous_month
    from shouzhan.insight.models import Bulletin
    from shouzhan.insight.services.bulletins import bulletin_generate

    today = today or timezone.localdate()
    month = previous_month(today)
    if today < first_workday_of_month(today):
        return {"bulletin": None, "reason": "before"}
    if Bulletin.objects.filter(month=month).exists():
        return {"bulletin": None, "reason": "exists"}
    bulletin = bulletin_generate(actor=system_actor("insight"), month=month)
    return {"bulletin": f"{bulletin.month.year}-{bulletin.month.month:02d}", "reason": "made"}


@task()
def insight_daily() -> dict[str, Any]:
    """The scheduled pass; the next one is enqueued for tomorrow whatever happens to this one."""
    try:
        return insight_pass()
    finally:
        insight_daily_schedule(force=True)


def insight_daily_schedule(*, force: bool = False) -> bool:
    """Enqueue the next daily pass (tomorrow at DAILY_AT) unless one is waiting; True when one was."""
    return daily_enqueue(insight_daily, at=DAILY_AT, force=force)

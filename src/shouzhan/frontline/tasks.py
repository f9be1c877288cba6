"""Background work of frontline, run by django-tasks' database worker (`manage.py db_worker`).

The daily pass: tickets replied to and never answered are closed (回访期满结单), the 未诉先办 signals open
their visit tasks, and the coverage rule reminds the caseworkers of the enterprises not visited in the
period. Each part is idempotent, so a pass run twice on one day does nothing the second time; the pass
enqueues the next one for tomorrow morning (even when a part failed), and `manage.py frontline_daily`
(from `make run`, `make serve` and the worker's unit) makes sure one is waiting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task

from shouzhan.core.scheduling import daily_enqueue

DAILY_AT = dt.time(6, 30)  # after the offers' pass (06:00): an offer expired this morning is no signal


def frontline_pass(*, today: dt.date | None = None) -> dict[str, Any]:
    """One pass, now: what each part did."""
    from shouzhan.frontline.coverage import coverage_remind
    from shouzhan.frontline.services import tickets_close_unanswered
    from shouzhan.frontline.services.common import FRONTLINE
    from shouzhan.frontline.signals import signals_scan

    today = today or timezone.localdate()
    return {
        "closed": tickets_close_unanswered(actor=FRONTLINE, today=today),
        "signals": signals_scan(actor=FRONTLINE, today=today),
        "coverage": coverage_remind(actor=FRONTLINE, today=today),
    }


@task()
def frontline_daily() -> dict[str, Any]:
    """The scheduled pass; the next one is enqueued for tomorrow whatever happens to this one."""
    try:
        return frontline_pass()
    finally:
        frontline_daily_schedule(force=True)


def frontline_daily_schedule(*, force: bool = False) -> bool:
    """Enqueue the next daily pass (tomorrow at DAILY_AT) unless one is waiting; True when one was."""
    return daily_enqueue(frontline_daily, at=DAILY_AT, force=force)

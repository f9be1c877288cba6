"""Background work of offers, run by django-tasks' database worker (`manage.py db_worker`)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from shouzhan.core.scheduling import daily_enqueue

# The daily pass: expire what was not confirmed, then push what changed since the last run.
DAILY_AT = dt.time(6, 0)


@task()
def push_run_task(run_id: int) -> dict[str, object]:
    """Run a queued push run. Any run whose worker died is taken up first (queued again)."""
    from shouzhan.offers.services import push_run_execute, push_runs_recover

    push_runs_recover()
    run = push_run_execute(run_id=run_id)
    return {"status": run.status, "new": run.offers_new, "withdrawn": run.offers_withdrawn}


@task()
def push_daily() -> dict[str, object]:
    """The schedule: expiry, then a run over the enterprises changed since the last run (a full run when
    the catalogue in force changed since), then the next pass enqueued for tomorrow morning."""
    from shouzhan.offers.services import offers_expire, push_run_scheduled

    expired = offers_expire()
    run = push_run_scheduled()
    push_daily_schedule(force=True)
    return {"expired": expired, "run": run.pk if run else None}


def push_daily_schedule(*, force: bool = False) -> bool:
    """Enqueue the next daily pass unless one is already waiting; True when one was enqueued."""
    return daily_enqueue(push_daily, at=DAILY_AT, force=force)

"""Background work of the registry, run by django-tasks' database worker (`manage.py db_worker`)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def import_job_task(job_id: int) -> dict[str, object]:
    """Run a queued enterprise import; the job row records its progress and report. Any import whose
    worker died is taken up first (queued again from its last chunk), so a restarted worker finds it."""
    from shouzhan.registry.services import import_job_run, import_jobs_recover

    import_jobs_recover()
    job = import_job_run(job_id=job_id)
    return {"status": job.status, "rows": job.processed_rows}


@task()
def import_job_watch(job_id: int) -> dict[str, object]:
    """The watchdog of a running import, due when its run's lease would run out: nothing once the
    job is finished, another lease while its run is alive, and the job taken up (resumed from its
    last chunk, or failed) when the run has gone silent — even if nobody opens a page."""
    from shouzhan.registry.services import import_job_watch as watch

    status, action = watch(job_id=job_id)
    return {"job": job_id, "status": status, "action": action}


def import_job_watch_schedule(job_id: int, *, at: dt.datetime) -> bool:
    """Enqueue the watchdog of a job to run at `at`, unless one is already waiting for it (one is
    enough: it re-enqueues itself while the run is alive). True when one was enqueued."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=import_job_watch.module_path, status="READY", args_kwargs__args=[job_id]
    ).exists()
    if waiting:
        return False
    import_job_watch.using(run_after=at).enqueue(job_id)
    return True

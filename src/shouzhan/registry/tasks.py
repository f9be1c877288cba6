"""Background work of the registry, run by django-tasks' database worker (`manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def import_job_task(job_id: int) -> dict[str, object]:
    """Run a queued enterprise import; the job row records its progress and report. Any import whose
    worker died is taken up first (queued again from its last chunk), so a restarted worker finds it."""
    from shouzhan.registry.services import import_job_run, import_jobs_recover

    import_jobs_recover()
    job = import_job_run(job_id=job_id)
    return {"status": job.status, "rows": job.processed_rows}

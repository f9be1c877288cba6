"""Large imports: a file too large to import while the user waits becomes an ImportJob that the
background worker runs in chunks, each committed with its progress; a run whose worker died is taken up
from its last committed chunk (or failed once it has died too often), by a watchdog task or whoever looks.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user, system_actor
from shouzhan.core.audit import audit_record
from shouzhan.core.importing import FirstRows
from shouzhan.registry import audit_actions as A
from shouzhan.registry import importing
from shouzhan.registry import spreadsheet as sheet
from shouzhan.registry.models import ImportJob
from shouzhan.registry.services.imports import (
    ImportReport,
    import_audit,
    import_now,
    import_read,
    import_rows,
)

# Rows a page imports while the user waits (about two seconds on SQLite); a larger file is queued
# for the worker, which commits IMPORT_CHUNK rows at a time and records its progress.
IMPORT_CHUNK = 200
# A run's watchdog task comes due this long after the run's lease would run out.
WATCH_SLACK = dt.timedelta(seconds=5)
RECOVERER = system_actor("import-watch")  # the audit trail's actor when a job whose worker died is taken up


class _RunSuperseded(Exception):
    """This run no longer owns the job (its lease expired and the job was taken up again): stop,
    and let the enclosing transaction undo the chunk it was writing."""


def enterprise_import_submit(*, actor: Actor, data: bytes, filename: str) -> ImportReport | ImportJob:
    """What the import page calls: a small file is imported at once (its report comes back); a large
    one becomes an ImportJob for the background worker. A file that cannot be read is refused now."""
    table = import_read(actor=actor, data=data, filename=filename)
    if len(table.rows) <= settings.IMPORT_INLINE_ROWS:
        with transaction.atomic():
            return import_now(actor=actor, filename=filename, table=table)
    uploader = actor_user(actor)
    assert uploader is not None  # import_read let only staff through
    with transaction.atomic():
        job = ImportJob.objects.create(
            actor=uploader, filename=filename[:255], data=data, total_rows=len(table.rows)
        )
        audit_record(
            actor=actor,
            action=A.IMPORT_JOB_QUEUE,
            target=job,
            after={"filename": job.filename, "rows": job.total_rows, "status": job.status},
        )
        # The task row is written in the same transaction: the job and its task exist together or not at all.
        _import_job_enqueue(job)
    return job


def _import_job_enqueue(job: ImportJob) -> None:
    from shouzhan.registry.tasks import import_job_task

    result = import_job_task.enqueue(job.pk)
    job.task_id = str(result.id)
    ImportJob.objects.filter(pk=job.pk).update(task_id=job.task_id)


def _import_job_finish(job: ImportJob, *, token: str, **fields: Any) -> None:
    """End this run's job (done or failed) — only if the run still owns it."""
    with transaction.atomic():
        owned = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING, run_token=token)
        if not owned.update(data=b"", finished_at=timezone.now(), run_token="", **fields):
            raise _RunSuperseded
        if fields["status"] == ImportJob.Status.FAILED:  # a finished import is audited as the import itself
            audit_record(
                actor=job.actor,
                action=A.IMPORT_JOB_FAIL,
                target=job,
                before={"status": ImportJob.Status.RUNNING},
                after={"status": ImportJob.Status.FAILED, "error": fields.get("error", "")},
            )


def _first_rows(columns: list[sheet.Column | None], rows: list[tuple[int, list[Any]]]) -> FirstRows[str]:
    """The file's keys over rows an earlier run committed, as `import_rows` had claimed them, so a code
    repeated after the break is still reported as a repeat of its first row."""
    first = importing.first_rows()
    for number, values in rows:
        first.claim(number, importing.row_key(columns, values))
    return first


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued import (the worker calls this). Each chunk of rows commits together with the
    progress, the report so far and a heartbeat, so the page can show it and a run that dies can be
    taken up from its last committed chunk. A job that is not queued (done, failed, or running under
    another worker) is left alone: one conditional UPDATE decides which run owns it."""
    token = uuid.uuid4().hex
    now = timezone.now()
    with transaction.atomic():  # the run and its watchdog start together: no run goes unwatched
        claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.RUNNING, run_token=token, heartbeat_at=now
        )
        if claimed:
            _import_job_watch_schedule(job_id, heartbeat_at=now)
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job
    try:
        _import_job_work(job, token)
    except _RunSuperseded:
        pass  # another run owns the job now; what this one had not committed was undone
    job.refresh_from_db()
    return job


def _import_job_work(job: ImportJob, token: str) -> None:
    """This run's work on the job it claimed, ended as done or failed (with the reason people read)."""
    try:
        report = _import_job_chunks(job, token)
        with transaction.atomic():
            import_audit(actor=job.actor, report=report)
            _import_job_finish(job, token=token, status=ImportJob.Status.DONE, report=report.as_dict())
    except (ValidationError, PermissionDenied) as exc:  # e.g. the uploader has lost the import role since
        reason = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        _import_job_finish(job, token=token, status=ImportJob.Status.FAILED, error=reason[:500])
    except _RunSuperseded:
        raise
    except Exception:
        _import_job_finish(
            job,
            token=token,
            status=ImportJob.Status.FAILED,
            error=_("导入时发生内部错误，已记录，请联系管理员。"),
        )
        raise  # the worker logs it with its traceback


def _import_job_chunks(job: ImportJob, token: str) -> ImportReport:
    """Import the rows not yet done, IMPORT_CHUNK at a time, each chunk committed with the progress."""
    table = import_read(actor=job.actor, data=bytes(job.data), filename=job.filename)
    columns, rows = table.columns, table.rows
    done = job.processed_rows
    if done and job.report:  # a resumed run: the committed chunks' report goes on growing
        report = ImportReport.from_dict(job.report)
    else:
        report = ImportReport(filename=job.filename, total_rows=len(rows), ignored_columns=table.ignored)
    first_rows = _first_rows(columns, rows[:done])
    for start in range(done, len(rows), IMPORT_CHUNK):
        chunk = rows[start : start + IMPORT_CHUNK]
        with transaction.atomic():
            import_rows(actor=job.actor, columns=columns, rows=chunk, report=report, first_rows=first_rows)
            owned = ImportJob.objects.filter(
                pk=job.pk, status=ImportJob.Status.RUNNING, run_token=token, processed_rows=start
            )
            if not owned.update(
                processed_rows=start + len(chunk), heartbeat_at=timezone.now(), report=report.as_dict()
            ):
                raise _RunSuperseded  # undoes this chunk: the run that owns the job does it
    return report


def import_jobs_recover(*, job_id: int | None = None) -> list[ImportJob]:
    """Take up the background imports whose worker died (killed, crashed, machine lost): a running
    job silent for longer than IMPORT_JOB_LEASE_SECONDS is queued again and goes on from its last
    committed chunk — nothing committed is lost or imported twice — or, once IMPORT_JOB_MAX_RUNS
    runs have died, is marked failed with the rows done. The dead run's django-tasks result is
    marked failed too. Safe to call from anywhere at any time (the job page does, so does
    `manage.py import_jobs_recover` and every import task): a conditional UPDATE lets exactly one
    caller take each job up. Returns the jobs taken up."""
    now = timezone.now()
    silent = Q(heartbeat_at__lt=now - dt.timedelta(seconds=settings.IMPORT_JOB_LEASE_SECONDS)) | Q(
        heartbeat_at__isnull=True
    )
    stale = ImportJob.objects.filter(silent, status=ImportJob.Status.RUNNING)
    if job_id is not None:
        stale = stale.filter(pk=job_id)
    taken: list[ImportJob] = []
    for job in stale.defer("data", "report"):
        with transaction.atomic():
            won = ImportJob.objects.filter(
                silent, pk=job.pk, status=ImportJob.Status.RUNNING, run_token=job.run_token
            )
            lost = job.interruptions + 1
            before = {"status": job.status, "processed_rows": job.processed_rows}
            if lost >= settings.IMPORT_JOB_MAX_RUNS:
                error = _(
                    "后台导入进程意外中断了 %(n)s 次，导入已停止：前 %(done)s 行已导入，其余 %(left)s 行未导入。"
                    "请把未导入的行另存为新文件后重新导入。"
                ) % {"n": lost, "done": job.processed_rows, "left": job.total_rows - job.processed_rows}
                fields: dict[str, Any] = {
                    "status": ImportJob.Status.FAILED,
                    "error": error[:500],
                    "data": b"",
                    "finished_at": now,
                }
                action = A.IMPORT_JOB_FAIL
            else:
                fields = {"status": ImportJob.Status.QUEUED, "resumed_from": job.processed_rows}
                action = A.IMPORT_JOB_RESUME
            if not won.update(run_token="", interruptions=lost, **fields):
                continue  # someone else took it up first
            _task_lost(job.task_id)
            audit_record(
                actor=RECOVERER,
                action=action,
                target=job,
                before=before,
                after={"status": fields["status"], "interruptions": lost, "error": fields.get("error", "")},
            )
            if fields["status"] == ImportJob.Status.QUEUED:
                _import_job_enqueue(job)
        job.refresh_from_db()
        taken.append(job)
    return taken


def _import_job_watch_schedule(job_id: int, *, heartbeat_at: dt.datetime) -> None:
    """Have a watchdog run just after the lease of a run last heard from at `heartbeat_at` would run
    out (and not sooner than WATCH_SLACK from now)."""
    from shouzhan.registry.tasks import import_job_watch_schedule

    lease = dt.timedelta(seconds=settings.IMPORT_JOB_LEASE_SECONDS)
    at = max(heartbeat_at + lease, timezone.now()) + WATCH_SLACK
    import_job_watch_schedule(job_id, at=at)


def import_job_watch(*, job_id: int) -> tuple[str, str]:
    """What the watchdog task does (see tasks.import_job_watch): returns the job's status and what
    was done — "none" (the job is not running), "watching" (its run is alive: watched again one lease
    on), "resumed" or "failed" (its run was silent and the job was taken up)."""
    job = ImportJob.objects.filter(pk=job_id).only("status", "heartbeat_at").first()
    if job is None:
        return "gone", "none"
    lease = dt.timedelta(seconds=settings.IMPORT_JOB_LEASE_SECONDS)
    if job.status == ImportJob.Status.RUNNING and (
        job.heartbeat_at is None or job.heartbeat_at < timezone.now() - lease
    ):
        taken = import_jobs_recover(job_id=job_id)
        if taken:
            status = taken[0].status
            return status, "resumed" if status == ImportJob.Status.QUEUED else "failed"
        job.refresh_from_db(fields=["status", "heartbeat_at"])  # someone else took it up, or it spoke
    if job.status != ImportJob.Status.RUNNING:
        # Finished, or queued again: the run that takes it up next starts a watchdog of its own.
        return job.status, "none"
    with transaction.atomic():
        # Locked, so a run claiming the job at this moment and this watchdog do not both enqueue one.
        list(ImportJob.objects.select_for_update().filter(pk=job_id).values_list("pk", flat=True))
        _import_job_watch_schedule(job_id, heartbeat_at=job.heartbeat_at or timezone.now())
    return job.status, "watching"


def _task_lost(task_id: str) -> None:
    """Mark the django-tasks result of a run whose worker died as failed (it would say RUNNING forever)."""
    if not task_id:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="shouzhan.registry.services.WorkerLost",
        traceback="The worker running this import stopped without finishing it (killed or crashed); "
        "the import was taken up again by import_jobs_recover.",
    )

"""Background imports on PostgreSQL, with real processes and connections: a `db_worker` killed with
SIGKILL in the middle of an import, recoverers racing each other, and a worker that wakes up after
its job was taken up (issue #11 defect 7)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shouzhan.core.models import AuditEntry
from shouzhan.registry import services
from shouzhan.registry.credit_code import make
from shouzhan.registry.models import Enterprise, ImportJob
from shouzhan.registry.services import import_jobs
from shouzhan.registry.tasks import import_job_task
from tests.registry.conftest import csv_bytes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _file(n: int) -> bytes:
    rows: list[list[Any]] = [["统一社会信用代码", "企业名称", "所在区"]]
    rows += [[make(f"91310104MA{i:07d}"), f"企业{i}", "徐汇"] for i in range(n)]
    return csv_bytes(rows)


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for_dead_sessions() -> None:
    """Until PostgreSQL has noticed the killed worker's connection and rolled its transaction back."""
    deadline = time.monotonic() + 20
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
    raise AssertionError("the killed worker's session is still open")


def _finish(job: ImportJob) -> ImportJob:
    call_command("db_worker", max_tasks=1, startup_delay=False, interval=0, reload=False, verbosity=0)
    job.refresh_from_db()
    return job


def _killed_mid_import(caseworker: Any, settings: Any, total: int) -> tuple[ImportJob, int]:
    """A file of `total` rows queued, a real `db_worker` started on it and killed with SIGKILL once
    it has committed its first chunk of 200 rows; returns the job and the rows committed."""
    settings.IMPORT_INLINE_ROWS = 10
    job = services.enterprise_import_submit(actor=caseworker, data=_file(total), filename="名录.csv")
    assert isinstance(job, ImportJob)
    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--max-tasks",
            "1",
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--no-reload",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": _database_url()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while ImportJob.objects.get(pk=job.pk).processed_rows < 200:
            assert worker.poll() is None and time.monotonic() < deadline, "the worker never got going"
            time.sleep(0.01)
        os.kill(worker.pid, signal.SIGKILL)  # in the middle of a chunk, most likely
    finally:
        worker.kill()
        worker.wait(10)
    _wait_for_dead_sessions()
    job.refresh_from_db()
    done = job.processed_rows
    assert job.status == "running" and 200 <= done < total and done % 200 == 0
    assert Enterprise.objects.count() == done  # the chunk being written died with its connection
    return job, done


def test_a_db_worker_killed_mid_import_is_resumed(caseworker: Any, settings: Any) -> None:
    total = 400  # the worker commits 200 rows a chunk
    job, done = _killed_mid_import(caseworker, settings, total)
    killed_task = DBTaskResult.objects.get(task_path=import_job_task.module_path)
    assert killed_task.status == "RUNNING"

    settings.IMPORT_JOB_LEASE_SECONDS = 0  # do not wait two minutes for the lease to run out
    time.sleep(0.01)
    (taken,) = services.import_jobs_recover()
    assert (taken.status, taken.resumed_from, taken.interruptions) == ("queued", done, 1)
    killed_task.refresh_from_db()
    assert killed_task.status == "FAILED"

    job = _finish(job)
    assert (job.status, job.processed_rows) == ("done", total)
    report = services.ImportReport.from_dict(job.report)
    assert (report.total_rows, report.created, report.updated, report.errors) == (total, total, 0, [])
    assert Enterprise.objects.count() == total
    assert (
        AuditEntry.objects.filter(action="registry.enterprise_import_create").count() == total
    )  # none twice


def test_racing_recoverers_take_a_job_up_once(caseworker: Any, settings: Any) -> None:
    settings.IMPORT_INLINE_ROWS = 2
    job = services.enterprise_import_submit(actor=caseworker, data=_file(5), filename="名录.csv")
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", run_token="dead", heartbeat_at=timezone.now() - dt.timedelta(hours=1)
    )
    barrier = threading.Barrier(6)
    taken: list[int] = []

    def recover() -> None:
        try:
            barrier.wait()
            taken.extend(j.pk for j in services.import_jobs_recover())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=recover) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert taken == [job.pk]
    assert DBTaskResult.objects.filter(status="READY").count() == 2  # the first task and one resumption
    assert AuditEntry.objects.filter(action="registry.enterprise_import_resume").count() == 1
    job.refresh_from_db()
    assert (job.status, job.interruptions) == ("queued", 1)


def test_a_worker_that_wakes_up_after_its_job_was_taken_up_commits_nothing(
    caseworker: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker frozen past its lease (not dead) finds, at the end of its chunk, that the job was
    queued again meanwhile: its chunk is undone and it stops, and the run that owns the job does it."""
    settings.IMPORT_INLINE_ROWS = 2
    monkeypatch.setattr(import_jobs, "IMPORT_CHUNK", 2)
    job = services.enterprise_import_submit(actor=caseworker, data=_file(6), filename="名录.csv")
    real = import_jobs.import_rows
    calls = {"n": 0}

    def frozen_in_second_chunk(**kwargs: Any) -> None:
        calls["n"] += 1
        real(**kwargs)
        if calls["n"] == 2:  # its rows are written, not committed; meanwhile, on another connection …

            def watch() -> None:
                try:
                    ImportJob.objects.filter(pk=job.pk).update(
                        heartbeat_at=timezone.now() - dt.timedelta(hours=1)
                    )
                    services.import_jobs_recover()
                finally:
                    connections.close_all()

            thread = threading.Thread(target=watch)
            thread.start()
            thread.join()

    monkeypatch.setattr(import_jobs, "import_rows", frozen_in_second_chunk)
    stale = services.import_job_run(job_id=job.pk)
    assert (stale.status, stale.processed_rows, stale.interruptions) == ("queued", 2, 1)
    assert Enterprise.objects.count() == 2  # the second chunk was undone
    monkeypatch.setattr(import_jobs, "import_rows", real)

    job = _finish(job)
    assert (job.status, job.processed_rows) == ("done", 6)
    report = services.ImportReport.from_dict(job.report)
    assert (report.created, report.errors) == (6, [])
    assert Enterprise.objects.count() == 6
    assert AuditEntry.objects.filter(action="registry.enterprise_import_create").count() == 6


def test_a_db_worker_killed_mid_import_is_resumed_by_the_next_worker_alone(
    caseworker: Any, settings: Any
) -> None:
    """Nobody opens a page and no other import starts: the watchdog the killed run left in the queue
    comes due when its lease runs out, and the next worker to run takes the job up and finishes it."""
    total = 600
    job, done = _killed_mid_import(caseworker, settings, total)
    later = timezone.now() + dt.timedelta(seconds=settings.IMPORT_JOB_LEASE_SECONDS + 60)
    with time_machine.travel(later, tick=True):
        call_command(
            "db_worker", max_tasks=5, batch=True, startup_delay=False, interval=0, reload=False, verbosity=0
        )
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.resumed_from, job.interruptions) == ("done", total, done, 1)
    report = services.ImportReport.from_dict(job.report)
    assert (report.total_rows, report.created, report.updated, report.errors) == (total, total, 0, [])
    assert Enterprise.objects.count() == total
    assert (
        AuditEntry.objects.filter(action="registry.enterprise_import_create").count() == total
    )  # none twice
    runs = DBTaskResult.objects.filter(task_path=import_job_task.module_path).order_by("enqueued_at")
    assert [t.status for t in runs] == ["FAILED", "SUCCESSFUL"]  # the killed run's result no longer RUNNING

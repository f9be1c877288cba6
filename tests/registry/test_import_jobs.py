"""Large imports run in the background: a file with more rows than a page should wait for becomes an
ImportJob that the worker runs in committed chunks, with its progress and report on a page."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.registry import selectors, services
from shouzhan.registry.credit_code import make
from shouzhan.registry.models import Enterprise, ImportJob
from shouzhan.registry.services import import_jobs
from shouzhan.registry.tasks import import_job_task, import_job_watch
from tests.registry.conftest import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["统一社会信用代码", "企业名称", "所在区", "员工人数"]


def _file(n: int, *, bad_row: int | None = None, repeat_first_at: int | None = None) -> bytes:
    """n data rows (sheet rows 2 … n+1); one may have a bad head-count, one may repeat row 2's code."""
    rows: list[list[Any]] = [HEADER]
    for i in range(n):
        code = make(f"91310104MA{i:07d}")
        if repeat_first_at is not None and i + 2 == repeat_first_at:
            code = rows[1][0]
        rows.append([code, f"企业{i}", "徐汇", "很多" if bad_row == i + 2 else 3])
    return csv_bytes(rows)


# What row 7 of `_file(…, repeat_first_at=7)` is reported as: it names row 2, whose code it repeats.
REPEAT_OF_ROW_2 = f"统一社会信用代码 {make('91310104MA0000000')} 与第 2 行重复，本行未导入"


@pytest.fixture
def small_inline(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three rows are imported at once; more are queued and run two rows per chunk."""
    settings.IMPORT_INLINE_ROWS = 3
    monkeypatch.setattr(import_jobs, "IMPORT_CHUNK", 2)


def test_a_small_file_is_imported_at_once(caseworker: Any, small_inline: None) -> None:
    result = services.enterprise_import_submit(actor=caseworker, data=_file(3), filename="小.csv")
    assert isinstance(result, services.ImportReport)
    assert (result.created, ImportJob.objects.count(), Enterprise.objects.count()) == (3, 0, 3)


def test_a_large_file_is_queued_then_run_in_chunks(caseworker: Any, small_inline: None) -> None:
    data = _file(7, bad_row=4, repeat_first_at=7)
    job = services.enterprise_import_submit(actor=caseworker, data=data, filename="大.csv")
    assert isinstance(job, ImportJob)
    assert (job.status, job.total_rows, job.processed_rows) == ("queued", 7, 0)
    assert Enterprise.objects.count() == 0  # nothing is imported until the worker runs it
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs["args"]) == (import_job_task.module_path, [job.pk])
    assert AuditEntry.objects.filter(
        action="registry.enterprise_import_queue", target_id=str(job.pk)
    ).exists()

    job = services.import_job_run(job_id=job.pk)
    assert (job.status, job.processed_rows, bytes(job.data)) == ("done", 7, b"")
    report = services.ImportReport.from_dict(job.report)
    assert (report.total_rows, report.created, report.bad_rows) == (7, 5, [4, 7])
    # Row 7 repeats row 2's code although the two were in different chunks.
    assert [(e.row, e.reason) for e in report.errors if e.row == 7] == [(7, REPEAT_OF_ROW_2)]
    assert Enterprise.objects.count() == 5
    assert AuditEntry.objects.filter(action="registry.enterprise_import").count() == 1

    again = services.import_job_run(job_id=job.pk)  # a retried task changes nothing
    assert (
        again.status == "done" and AuditEntry.objects.filter(action="registry.enterprise_import").count() == 1
    )


def test_an_unreadable_large_file_is_refused_at_once(caseworker: Any, small_inline: None) -> None:
    with pytest.raises(ValidationError, match="缺少必需的列"):
        services.enterprise_import_submit(
            actor=caseworker, data=csv_bytes([["名称"], ["x"]] * 5), filename="x.csv"
        )
    assert ImportJob.objects.count() == 0 and DBTaskResult.objects.count() == 0


def test_a_job_whose_uploader_lost_the_role_fails_clearly(caseworker: Any, small_inline: None) -> None:
    job = services.enterprise_import_submit(actor=caseworker, data=_file(5), filename="大.csv")
    caseworker.role = Role.ENTREPRENEUR
    caseworker.save()
    job = services.import_job_run(job_id=job.pk)
    assert job.status == "failed" and job.error and Enterprise.objects.count() == 0
    failed = AuditEntry.objects.get(action="registry.enterprise_import_fail", target_id=str(job.pk))
    assert (failed.before, failed.after["status"]) == ({"status": "running"}, "failed")


def test_only_the_uploader_and_administrators_see_a_job(
    caseworker: Any, make_user: Any, small_inline: None
) -> None:
    job = services.enterprise_import_submit(actor=caseworker, data=_file(5), filename="大.csv")
    with pytest.raises(Http404):
        selectors.import_job_get(actor=make_user(role=Role.CASEWORKER), pk=job.pk)
    assert selectors.import_job_get(actor=make_user(role=Role.ADMIN), pk=job.pk) == job
    assert selectors.import_jobs_recent(actor=caseworker) == [job]


def test_pages_queue_show_progress_then_the_report(
    caseworker: Any, make_user: Any, login_client: Any, small_inline: None
) -> None:
    client = login_client(caseworker)
    upload = SimpleUploadedFile("名录.csv", _file(5, bad_row=3), content_type="text/csv")
    response = client.post("/enterprises/import/", {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/enterprises/import/{job.pk}/"

    page = client.get(response["Location"]).content.decode()
    assert "排队中" in page and "已处理 0 / 5 行（0%）" in page and 'hx-trigger="every 1s"' in page
    assert "名录.csv" in client.get("/enterprises/import/").content.decode()  # listed under 后台导入

    assert client.get(f"/enterprises/import/{job.pk}/errors.xlsx").status_code == 404  # not finished yet
    services.import_job_run(job_id=job.pk)
    partial = client.get(f"/enterprises/import/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "hx-trigger" not in partial  # finished: the polling stops
    assert 'id="created">4<' in partial and 'id="bad-rows">1<' in partial and "员工人数" in partial

    stranger = login_client(make_user(role=Role.CASEWORKER))
    assert stranger.get(f"/enterprises/import/{job.pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_import(caseworker: Any, small_inline: None) -> None:
    job = services.enterprise_import_submit(actor=caseworker, data=_file(5), filename="大.csv")
    call_command("db_worker", max_tasks=1, startup_delay=False, interval=0, reload=False, verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, Enterprise.objects.count()) == ("done", 5, 5)
    run = DBTaskResult.objects.get(task_path=import_job_task.module_path)
    assert run.return_value == {"status": "done", "rows": 5}


def test_a_long_error_list_is_cut_on_the_page_and_whole_in_the_download(
    caseworker: Any, make_user: Any, login_client: Any, small_inline: None
) -> None:
    rows: list[list[Any]] = [HEADER] + [
        [make(f"91310104MA{i:07d}"), f"企业{i}", "徐汇", "很多"] for i in range(250)
    ]
    job = services.enterprise_import_submit(actor=caseworker, data=csv_bytes(rows), filename="错误多.csv")
    services.import_job_run(job_id=job.pk)
    client = login_client(caseworker)
    page = client.get(f"/enterprises/import/{job.pk}/").content.decode()
    assert page.count('<td class="num">') == 200
    assert "这里只列出前 200 条，共 250 条。" in page and f"/enterprises/import/{job.pk}/errors.xlsx" in page

    response = client.get(f"/enterprises/import/{job.pk}/errors.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["未导入的行"]
    values = list(sheet.values)
    assert values[0] == ("行号", "列", "原因")
    assert len(values) == 251 and values[1] == (2, "员工人数", "“很多”不是整数")
    stranger = login_client(make_user(role=Role.CASEWORKER))
    assert stranger.get(f"/enterprises/import/{job.pk}/errors.xlsx").status_code == 404


# ----------------------------------------------------------------------------- a worker that dies
# Issue #11 defect 7: `kill -9` of the worker in the middle of an import left the job "导入中 28%" and
# its task RUNNING forever. A job whose worker died is now noticed (its heartbeat, renewed with every
# committed chunk, goes stale) and taken up from its last committed chunk, or failed with the rows done.


def _die_in_chunk(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    """The worker is killed while writing its `chunk`-th chunk: that chunk's rows were written but
    never committed (the transaction rolls back, as the database does for a killed connection)."""
    real = import_jobs.import_rows
    calls = {"n": 0}

    def dying(**kwargs: Any) -> None:
        calls["n"] += 1
        real(**kwargs)
        if calls["n"] == chunk:
            raise KeyboardInterrupt  # not an Exception: nothing in the run catches it, like SIGKILL

    monkeypatch.setattr(import_jobs, "import_rows", dying)


def _run_and_die(monkeypatch: pytest.MonkeyPatch, job: ImportJob, chunk: int) -> ImportJob:
    with monkeypatch.context() as patch:
        _die_in_chunk(patch, chunk)
        with pytest.raises(KeyboardInterrupt):
            services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def _silent(job: ImportJob, seconds: int = 600) -> None:
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=seconds))


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_died_is_resumed_from_its_last_chunk(
    caseworker: Any, login_client: Any, small_inline: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows 2 … 8 in chunks of two: (2, 3) (4, 5) (6, 7) (8); row 4 is bad, row 7 repeats row 2's code.
    job = services.enterprise_import_submit(
        actor=caseworker, data=_file(7, bad_row=4, repeat_first_at=7), filename="大.csv"
    )
    first_task = DBTaskResult.objects.get()
    first_task.claim("worker-1")  # what db_worker does before it runs the task
    job = _run_and_die(monkeypatch, job, chunk=3)
    assert (job.status, job.processed_rows, Enterprise.objects.count()) == ("running", 4, 3)

    client = login_client(caseworker)
    poll = {"headers": {"HX-Request": "true"}}
    page = client.get(f"/enterprises/import/{job.pk}/", **poll).content.decode()
    assert "已处理 4 / 7 行（57%）" in page and "断点" not in page  # its heartbeat is fresh: still running

    _silent(job)  # … and then nothing more for ten minutes
    page = client.get(f"/enterprises/import/{job.pk}/", **poll).content.decode()
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.interruptions, job.resumed_from) == ("queued", 4, 1, 4)
    assert "后台进程意外中断，本任务已从断点继续：前 4 行已保存，不会重复导入，其余行正在继续导入。" in page
    first_task.refresh_from_db()
    assert first_task.status == "FAILED"  # no longer RUNNING forever
    runs = DBTaskResult.objects.filter(task_path=import_job_task.module_path)
    resume_task = runs.exclude(pk=first_task.pk).get()
    assert (resume_task.status, resume_task.args_kwargs["args"]) == ("READY", [job.pk])
    resumed = AuditEntry.objects.get(action="registry.enterprise_import_resume", target_id=str(job.pk))
    assert (resumed.actor_label, resumed.before, resumed.after["status"]) == (
        "system:import-watch",
        {"status": "running", "processed_rows": 4},
        "queued",
    )
    # Polling again (another tab, another user) takes nothing up twice.
    assert services.import_jobs_recover() == [] and runs.count() == 2

    call_command("db_worker", max_tasks=1, startup_delay=False, interval=0, reload=False, verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.processed_rows) == ("done", 7)
    report = services.ImportReport.from_dict(job.report)
    # Exactly what an uninterrupted run reports: the repeat of row 2 is found across the break.
    assert (report.total_rows, report.created, report.updated, report.bad_rows) == (7, 5, 0, [4, 7])
    assert [(e.row, e.reason) for e in report.errors if e.row == 7] == [(7, REPEAT_OF_ROW_2)]
    assert Enterprise.objects.count() == 5
    assert AuditEntry.objects.filter(action="registry.enterprise_import_create").count() == 5  # none twice
    assert AuditEntry.objects.filter(action="registry.enterprise_import").count() == 1
    resume_task.refresh_from_db()
    assert resume_task.status == "SUCCESSFUL"
    page = client.get(f"/enterprises/import/{job.pk}/", **poll).content.decode()
    assert 'id="created">5<' in page and 'id="bad-rows">2<' in page
    assert (
        "后台进程中途意外中断过 1 次，已从断点（第 4 行数据之后）继续导入完成；已保存的行没有重复导入。"
        in page
    )


def test_a_job_whose_workers_keep_dying_fails_with_the_rows_done(
    caseworker: Any, login_client: Any, small_inline: None, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.IMPORT_JOB_MAX_RUNS = 2
    job = services.enterprise_import_submit(actor=caseworker, data=_file(7), filename="大.csv")
    job = _run_and_die(monkeypatch, job, chunk=2)
    _silent(job)
    assert [j.status for j in services.import_jobs_recover()] == ["queued"]
    job = _run_and_die(monkeypatch, job, chunk=2)  # resumed at row 2, died in its second chunk again
    assert (job.status, job.processed_rows) == ("running", 4)
    _silent(job)
    page = login_client(caseworker).get(f"/enterprises/import/{job.pk}/").content.decode()
    job.refresh_from_db()
    assert (job.status, job.interruptions, bytes(job.data)) == ("failed", 2, b"")
    assert job.error == (
        "后台导入进程意外中断了 2 次，导入已停止：前 4 行已导入，其余 3 行未导入。请把未导入的行另存为新文件后重新导入。"
    )
    assert job.error in page and "失败前已导入 4 / 7 行，这些行已保存。" in page
    assert 'hx-trigger="every 1s"' not in page  # finished: the page stops polling
    assert Enterprise.objects.count() == 4
    assert (
        AuditEntry.objects.filter(action="registry.enterprise_import_fail", target_id=str(job.pk)).count()
        == 1
    )
    assert services.import_job_run(job_id=job.pk).status == "failed"  # a late task changes nothing


def test_a_live_worker_is_left_alone(caseworker: Any, small_inline: None, settings: Any) -> None:
    job = services.enterprise_import_submit(actor=caseworker, data=_file(5), filename="大.csv")
    ImportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now())
    assert services.import_jobs_recover() == []
    settings.IMPORT_JOB_LEASE_SECONDS = 0
    _silent(job, seconds=1)
    assert [j.status for j in services.import_jobs_recover(job_id=job.pk)] == ["queued"]


# ----------------------------------------------------------------------------- nobody watching
# Recovery used to run only when someone opened the job or import page, another import task started,
# or an administrator ran `manage.py import_jobs_recover`: a job whose worker died while nobody looked
# stayed "导入中" until someone did. Each run now leaves a watchdog task in the queue for when its
# lease would run out, so a restarted worker takes the job up by itself.


def _watchdogs(job: ImportJob, status: str = "READY") -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path=import_job_watch.module_path, status=status, args_kwargs__args=[job.pk]
        )
    )


def _worker(max_tasks: int) -> None:
    """A worker that runs what is due (at most `max_tasks` tasks), then stops instead of waiting."""
    call_command(
        "db_worker",
        max_tasks=max_tasks,
        batch=True,
        startup_delay=False,
        interval=0,
        reload=False,
        verbosity=0,
    )


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_died_unwatched_is_resumed_by_its_watchdog(
    caseworker: Any, small_inline: None, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    job = services.enterprise_import_submit(
        actor=caseworker, data=_file(7, bad_row=4, repeat_first_at=7), filename="大.csv"
    )
    first_task = DBTaskResult.objects.get()
    first_task.claim("worker-1")
    job = _run_and_die(monkeypatch, job, chunk=3)  # rows 2 … 5 committed, then the worker is killed
    assert (job.status, job.processed_rows, Enterprise.objects.count()) == ("running", 4, 3)
    (watchdog,) = _watchdogs(job)
    lease = dt.timedelta(seconds=settings.IMPORT_JOB_LEASE_SECONDS)
    assert (
        job.heartbeat_at + lease < watchdog.run_after <= job.heartbeat_at + lease + dt.timedelta(seconds=10)
    )
    _worker(max_tasks=5)  # a worker restarted at once finds nothing due: the lease has not run out yet
    job.refresh_from_db()
    assert (job.status, _watchdogs(job)) == ("running", [watchdog])

    # Nobody opens a page, no other import starts; three minutes later a worker is running again.
    with time_machine.travel(timezone.now() + lease + dt.timedelta(minutes=1), tick=True):
        _worker(max_tasks=5)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.interruptions, job.resumed_from) == ("done", 7, 1, 4)
    report = services.ImportReport.from_dict(job.report)
    assert (report.total_rows, report.created, report.updated, report.bad_rows) == (7, 5, 0, [4, 7])
    assert [(e.row, e.reason) for e in report.errors if e.row == 7] == [(7, REPEAT_OF_ROW_2)]
    assert Enterprise.objects.count() == 5
    assert AuditEntry.objects.filter(action="registry.enterprise_import_create").count() == 5  # none twice
    assert AuditEntry.objects.filter(action="registry.enterprise_import").count() == 1
    resumed = AuditEntry.objects.get(action="registry.enterprise_import_resume", target_id=str(job.pk))
    assert resumed.actor_label == "system:import-watch"
    first_task.refresh_from_db()
    watchdog.refresh_from_db()
    assert (first_task.status, watchdog.status, watchdog.return_value) == (
        "FAILED",
        "SUCCESSFUL",
        {"job": job.pk, "status": "queued", "action": "resumed"},
    )
    runs = DBTaskResult.objects.filter(task_path=import_job_task.module_path).order_by("enqueued_at")
    assert [t.status for t in runs] == ["FAILED", "SUCCESSFUL"]
    # The resumed run left its own watchdog; when it comes due it finds the job done and stops watching.
    (last,) = _watchdogs(job)
    with time_machine.travel(last.run_after + dt.timedelta(seconds=1), tick=True):
        _worker(max_tasks=5)
    last.refresh_from_db()
    assert last.return_value == {"job": job.pk, "status": "done", "action": "none"}
    assert DBTaskResult.objects.filter(status="READY").count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_watchdog_of_a_live_run_waits_another_lease(
    caseworker: Any, small_inline: None, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.IMPORT_JOB_MAX_RUNS = 1  # a run found dead fails the job: what the page then says
    job = services.enterprise_import_submit(actor=caseworker, data=_file(7), filename="大.csv")
    job = _run_and_die(monkeypatch, job, chunk=2)
    (watchdog,) = _watchdogs(job)
    lease = dt.timedelta(seconds=settings.IMPORT_JOB_LEASE_SECONDS)
    with time_machine.travel(watchdog.run_after + dt.timedelta(seconds=1), tick=True):
        # The run is slow, not dead: it committed a chunk a moment ago.
        ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
        job.refresh_from_db()
        _worker(max_tasks=5)
        import_job_watch.enqueue(job.pk)  # a second watchdog (e.g. a retried task) …
        _worker(max_tasks=5)  # … also finds the run alive, and leaves no third one waiting
    watchdog.refresh_from_db()
    assert watchdog.return_value == {"job": job.pk, "status": "running", "action": "watching"}
    (again,) = _watchdogs(job)  # exactly one waits, due when the run's lease would run out
    assert job.heartbeat_at + lease < again.run_after <= job.heartbeat_at + lease + dt.timedelta(seconds=10)
    job.refresh_from_db()
    assert (job.status, job.interruptions) == ("running", 0)

    with time_machine.travel(again.run_after + dt.timedelta(seconds=1), tick=True):
        _worker(max_tasks=5)  # … and then it went silent
    job.refresh_from_db()
    assert (job.status, job.interruptions, job.processed_rows) == ("failed", 1, 2)
    assert job.error == (
        "后台导入进程意外中断了 1 次，导入已停止：前 2 行已导入，其余 5 行未导入。请把未导入的行另存为新文件后重新导入。"
    )
    again.refresh_from_db()
    assert again.return_value == {"job": job.pk, "status": "failed", "action": "failed"}
    assert _watchdogs(job) == [] and Enterprise.objects.count() == 2

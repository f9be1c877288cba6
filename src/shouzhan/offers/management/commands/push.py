"""`shouzhan push [--engine polars|spark] [--scope full|changed] [--on YYYY-MM-DD]`: a push run in the
foreground — started as the background worker's runs are (same row, same audit entries), then run here,
its progress printed as it goes and its counts and timings at the end. Exit status 1 when the run fails.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from shouzhan.core.actors import system_actor
from shouzhan.core.workdays import DateOutOfRange, parse_iso_date
from shouzhan.offers.models import PushRun
from shouzhan.offers.services import push_run_execute, push_run_start

CLI = system_actor("push-cli")  # the audit trail's actor of a run started from the command line
PHASES = {
    "read": "读取企业和项目 / reading the register",
    "compute": "计算 / computing",
    "write": "写入政策直达 / writing offers",
}
TIMINGS = {
    "read": "读取 read",
    "compute": "计算 compute",
    "reconcile": "对账 reconcile",
    "write": "写入 write",
    "finish": "收尾 finish",
}
POLL_SECONDS = 1.0
WATCHED = ("status", "phase", "subjects_done", "subjects_total", "enterprises")


def _date(text: str) -> dt.date:
    try:
        return parse_iso_date(text)
    except DateOutOfRange as exc:
        raise CommandError(f"日期无效 / invalid date {text!r}: {exc}") from exc


class _Watch:
    """Prints a run's progress when its row changes: after each UPDATE of the run's table on this
    connection (the run commits its progress there), or each time it is polled."""

    def __init__(self, run_id: int, write: Callable[[str], None]) -> None:
        self.run_id = run_id
        self.write = write
        self.seen: dict[str, Any] = {}
        self.busy = False

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if not self.busy and sql.lstrip()[:6].upper() == "UPDATE" and PushRun._meta.db_table in sql:
            self.busy = True
            try:
                self.show()
            finally:
                self.busy = False
        return result

    def show(self) -> dict[str, Any]:
        now = PushRun.objects.filter(pk=self.run_id).values(*WATCHED).first() or {}
        before, self.seen = self.seen, now
        phase = now.get("phase", "")
        if phase and phase != before.get("phase"):
            line = PHASES.get(phase, phase)
            if phase == "compute":
                line += (
                    f": {now['subjects_total']} 个主体 subjects"
                    f"（{now['enterprises']} 家企业 enterprises 及其项目 and their projects）"
                )
            self.write(line + " …")
        if (
            phase == "compute"
            and now["subjects_done"] != before.get("subjects_done")
            and now["subjects_done"]
        ):
            self.write(f"  已评估 / evaluated {now['subjects_done']} / {now['subjects_total']}")
        return now


class Command(BaseCommand):
    help = (
        "政策直达推送 / a push run over the register, in the foreground: evaluates the catalogue in force "
        "and reconciles the offers (new, changed, withdrawn, kept), then prints the counts and timings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--engine",
            choices=[PushRun.Engine.POLARS, PushRun.Engine.SPARK],
            default=PushRun.Engine.POLARS,
            help="polars (one machine, default) or spark (SPARK_MASTER, default local[*])",
        )
        parser.add_argument(
            "--scope",
            choices=[PushRun.Scope.FULL, PushRun.Scope.CHANGED],
            default=PushRun.Scope.FULL,
            help="full: every enterprise (default); changed: those changed since the last run",
        )
        parser.add_argument(
            "--on", type=_date, default=None, help="evaluation date YYYY-MM-DD (default today)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = push_run_start(
                actor=CLI,
                trigger=PushRun.Trigger.MANUAL,
                engine_name=options["engine"],
                scope=options["scope"],
                on=options["on"],
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(
            f"推送批次 #{run.pk} 已开始 / push run #{run.pk} started: "
            f"引擎 engine {run.engine} · 范围 scope {run.scope} · 评估日期 on {run.on.isoformat()}"
        )
        watch = _Watch(run.pk, self.stdout.write)
        started = time.perf_counter()
        try:
            with connection.execute_wrapper(watch):
                run = push_run_execute(run_id=run.pk)
        except Exception as exc:
            run.refresh_from_db()
            raise CommandError(
                f"推送失败 / push failed (run #{run.pk}): {run.error or exc} ({type(exc).__name__}: {exc})"
            ) from exc
        if not run.finished:  # a background worker took the run first: follow it there
            self.stdout.write("由后台进程执行 / run by the background worker …")
            while not run.finished:
                time.sleep(POLL_SECONDS)
                watch.show()
                run.refresh_from_db()
        if run.status == PushRun.Status.FAILED:
            raise CommandError(f"推送失败 / push failed (run #{run.pk}): {run.error}")
        self._report(run, time.perf_counter() - started)

    def _report(self, run: PushRun, seconds: float) -> None:
        self.stdout.write(
            f"完成 / done: 新增 new {run.offers_new} · 变更 changed {run.offers_changed} · "
            f"撤回 withdrawn {run.offers_withdrawn} · 未变 kept {run.offers_kept}"
        )
        self.stdout.write(
            f"已评估 / evaluated: {run.subjects_done} 个主体 subjects（{run.enterprises} 家企业 enterprises）"
        )
        if run.broken_rows:
            self.stdout.write(
                f"问题数据 / broken rows: {len(run.broken_rows)}（已按未知处理，详见批次页面 / "
                "read as unknown, listed on the run's page）"
            )
        if run.timings:
            # In the order of the run's steps (PostgreSQL's jsonb does not keep the keys' order).
            order = [*[k for k in TIMINGS if k in run.timings], *sorted(set(run.timings) - set(TIMINGS))]
            parts = [f"{TIMINGS.get(k, k)} {run.timings[k]:.3f} s" for k in order]
            self.stdout.write(f"耗时 / timings: {' · '.join(parts)}")
        self.stdout.write(f"合计 / total: {seconds:.3f} s")

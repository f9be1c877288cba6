"""`shouzhan push`: a push run in the foreground, its progress and counts printed; exit status 1 on failure."""

from __future__ import annotations

import io
import re
from typing import Any

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from shouzhan.cli import USAGE
from shouzhan.cli import main as shouzhan
from shouzhan.core.models import AuditEntry
from shouzhan.offers import engine
from shouzhan.offers.models import Offer, PushRun

pytestmark = pytest.mark.django_db

TIMINGS = re.compile(
    r"^耗时 / timings: 读取 read \d+\.\d{3} s · 计算 compute \d+\.\d{3} s · 对账 reconcile \d+\.\d{3} s · "
    r"写入 write \d+\.\d{3} s · 收尾 finish \d+\.\d{3} s$"
)
TOTAL = re.compile(r"^合计 / total: \d+\.\d{3} s$")


def push(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("push", "--on", "2026-12-07", *args, stdout=out)
    return out.getvalue().splitlines()


def cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """The `shouzhan` command line in this process. A management command run from the command line
    closes the database connections when it ends, which would end the test's transaction."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)
    return shouzhan(list(args))


def test_push_prints_progress_and_the_counts(register: dict[str, Any]) -> None:
    lines = push()
    run = PushRun.objects.get()
    assert lines[:8] == [
        f"推送批次 #{run.pk} 已开始 / push run #{run.pk} started: "
        "引擎 engine polars · 范围 scope full · 评估日期 on 2026-12-07",
        "读取企业和项目 / reading the register …",
        "计算 / computing: 10 个主体 subjects（4 家企业 enterprises 及其项目 and their projects） …",
        "  已评估 / evaluated 10 / 10",
        "写入政策直达 / writing offers …",
        "完成 / done: 新增 new 15 · 变更 changed 0 · 撤回 withdrawn 0 · 未变 kept 0",
        "已评估 / evaluated: 10 个主体 subjects（4 家企业 enterprises）",
        lines[7],
    ]
    assert TIMINGS.match(lines[7]), lines[7]
    assert TOTAL.match(lines[8]) and len(lines) == 9, lines
    assert set(run.timings) == {"read", "compute", "reconcile", "write", "finish"}
    assert (run.status, run.trigger, run.engine, run.scope) == ("done", "manual", "polars", "full")
    assert run.on.isoformat() == "2026-12-07"
    states = Offer.objects.filter(current=True).values_list("state", flat=True)
    assert sorted(states) == ["offered"] * 8 + ["prompt"] * 7
    # Started from the command line by the system, in the audit trail as such.
    start = AuditEntry.objects.get(action="offers.push_run_start")
    assert (start.actor_id, start.actor_label, start.target_id) == (None, "system:push-cli", str(run.pk))
    assert start.after == {"trigger": "manual", "engine": "polars", "scope": "full", "on": "2026-12-07"}


def test_a_second_push_keeps_everything(register: dict[str, Any]) -> None:
    push()
    lines = push()
    assert lines[5] == "完成 / done: 新增 new 0 · 变更 changed 0 · 撤回 withdrawn 0 · 未变 kept 15"
    assert PushRun.objects.filter(status="done").count() == 2


def test_push_changed_evaluates_only_the_enterprises_changed_since(register: dict[str, Any]) -> None:
    push()
    gaps = register["gaps"]
    gaps.is_startup, gaps.in_cluster = True, True  # 信息不全公司 now answers the desk-fee relief
    gaps.save()
    lines = push("--scope", "changed")
    assert lines[0].endswith("引擎 engine polars · 范围 scope changed · 评估日期 on 2026-12-07")
    assert (
        lines[2]
        == "计算 / computing: 2 个主体 subjects（1 家企业 enterprises 及其项目 and their projects） …"
    )
    assert lines[5] == "完成 / done: 新增 new 0 · 变更 changed 1 · 撤回 withdrawn 0 · 未变 kept 4"
    desk = Offer.objects.get(current=True, key=f"{gaps.pk}:0:xuhui.desk_fee_relief:")
    assert (desk.state, desk.rule_status) == ("offered", "eligible")


def test_a_failed_run_is_a_command_error(register: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(catalogue: Any, frame: pl.DataFrame, on: Any) -> pl.DataFrame:
        raise RuntimeError("引擎故障")

    monkeypatch.setitem(engine.ENGINES, "polars", broken)
    with pytest.raises(CommandError) as failed:
        push()
    run = PushRun.objects.get()
    assert str(failed.value) == (
        f"推送失败 / push failed (run #{run.pk}): 推送时发生内部错误，已记录。 (RuntimeError: 引擎故障)"
    )
    assert (run.status, run.error) == ("failed", "推送时发生内部错误，已记录。")
    assert not Offer.objects.exists()


def test_the_cli_exits_1_when_the_run_fails(
    register: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    def broken(catalogue: Any, frame: pl.DataFrame, on: Any) -> pl.DataFrame:
        raise RuntimeError("引擎故障")

    monkeypatch.setitem(engine.ENGINES, "polars", broken)
    with pytest.raises(SystemExit) as exited:
        cli(monkeypatch, "push", "--on", "2026-12-07")
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "推送失败 / push failed" in err and "RuntimeError: 引擎故障" in err


def test_the_cli_runs_a_push(register: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    assert cli(monkeypatch, "push", "--on", "2026-12-07", "--engine", "polars") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[5] == "完成 / done: 新增 new 15 · 变更 changed 0 · 撤回 withdrawn 0 · 未变 kept 0"
    assert "push [--engine polars|spark] [--scope full|changed] [--on YYYY-MM-DD]" in USAGE


def test_bad_arguments_are_refused_before_any_run(register: dict[str, Any]) -> None:
    with pytest.raises(CommandError, match="日期无效 / invalid date '2026-13-01'"):
        call_command("push", "--on", "2026-13-01", stdout=io.StringIO())
    with pytest.raises(CommandError, match="invalid choice: 'hadoop'"):
        call_command("push", "--engine", "hadoop", stdout=io.StringIO())
    with pytest.raises(CommandError, match="invalid choice: 'enterprise'"):
        call_command("push", "--scope", "enterprise", stdout=io.StringIO())
    assert not PushRun.objects.exists()

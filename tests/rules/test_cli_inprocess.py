"""`shouzhan rules …` in process (main(argv)): the checks of test_cli.py, visible to coverage and mutmut."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from shouzhan.cli import main as shouzhan_main
from shouzhan.rules.cli import main

from .conftest import CATALOGUE_DIR
from .test_cli import EXPECTED, _register


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def explain_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, facts: Any, on: str = "2025-09-01"
) -> dict[str, Any]:
    (tmp_path / "f.json").write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    rc, out, err = run(capsys, "explain", "--facts", str(tmp_path / "f.json"), "--on", on)
    assert rc == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_check(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, "check", str(CATALOGUE_DIR))
    assert (rc, err) == (0, "")
    assert out.splitlines()[-1] == "2 files, 24 clauses: no errors"
    assert any(
        line.startswith("ok  ") and ": hu8 — " in line and " clauses, " in line for line in out.splitlines()
    )


def test_check_through_the_top_level_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert shouzhan_main(["rules", "check", str(CATALOGUE_DIR)]) == 0
    assert "24 clauses: no errors" in capsys.readouterr().out


def test_check_error_names_file_line_column(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    shutil.copy(CATALOGUE_DIR / "hu8.yaml", tmp_path / "hu8.yaml")
    text = (tmp_path / "hu8.yaml").read_text(encoding="utf-8")
    bad = text.replace(
        "project.self_developed and project.market_recognized",
        "project.self_developd and project.market_recognized",
    )
    (tmp_path / "hu8.yaml").write_text(bad, encoding="utf-8")
    line = next(i for i, ln in enumerate(bad.splitlines(), 1) if "self_developd" in ln)
    col = bad.splitlines()[line - 1].index("project.self_developd") + 1
    rc, _, err = run(capsys, "check", str(tmp_path))
    assert rc == 1
    assert f"hu8.yaml:{line}:{col}: clause hu8.agent_rd: unknown fact 'project.self_developd'" in err
    assert err.startswith("error: ") and "did you mean project.self_developed" in err


def test_explain_json_every_field(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    facts = {
        "enterprise": {"district": "徐汇", "sector": "ai_agent"},
        "project": {
            "kind": "agent",
            "self_developed": "true",
            "market_recognized": " TRUE ",
            "rd_investment_yuan": "30000000",
        },
    }
    out = explain_json(capsys, tmp_path, facts)
    assert out["on"] == "2025-09-01"
    by_id = {c["id"]: c for c in out["clauses"]}
    assert len(by_id) == 24
    agent = by_id["hu8.agent_rd"]
    assert list(agent) == [
        "id",
        "policy",
        "title",
        "status",
        "max_amount_yuan",
        "decision",
        "cap",
        "stacking_group",
        "missing_facts",
        "note",
        "trace",
    ]
    assert (agent["policy"], agent["status"], agent["max_amount_yuan"], agent["missing_facts"]) == (
        "hu8",
        "eligible",
        "6000000.00",
        [],
    )
    assert agent["decision"] == "formula"
    assert agent["cap"] == {"yuan": "10000000.00", "per": "project"}
    assert agent["title"] == "自主研发、市场认可的智能体项目"
    steps = [s["step"] for s in agent["trace"]]
    assert steps == ["clause", "in_force", "applies_to", "condition", "amount", "cap", "result"]
    assert agent["trace"][0]["text"].startswith("对自主研发、市场认可的智能体项目")
    amount = agent["trace"][4]
    assert (amount["value_yuan"], amount["parameters"]) == ("6000000.00", {"agent_rd_rate": "20%"})
    assert agent["trace"][5] == {
        "step": "cap",
        "cap_yuan": "10000000.00",
        "per": "project",
        "value_yuan": "6000000.00",
    }
    assert agent["trace"][6] == {"step": "result", "status": "eligible", "max_amount_yuan": "6000000.00"}
    assert by_id["xuhui.agent_rd"]["max_amount_yuan"] == "3000000.00"
    desk = by_id["xuhui.desk_fee_relief"]
    assert (desk["status"], desk["decision"], desk["max_amount_yuan"]) == ("unknown", "in_kind", None)
    assert desk["missing_facts"] == ["enterprise.in_cluster", "enterprise.is_startup"]


def test_explain_json_numbers_are_exact(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = '{"enterprise": {"district": "杨浦"}, "project": {"kind": "agent", "self_developed": true, '
    text += '"market_recognized": true, "rd_investment_yuan": 30000000.05}}'
    (tmp_path / "f.json").write_text(text, encoding="utf-8")
    rc, out, err = run(capsys, "explain", "--facts", str(tmp_path / "f.json"), "--on", "2025-09-01")
    assert rc == 0, err
    by_id = {c["id"]: c for c in json.loads(out)["clauses"]}
    assert by_id["hu8.agent_rd"]["max_amount_yuan"] == "6000000.01"
    assert by_id["xuhui.agent_rd"]["status"] == "not_eligible"


def test_explain_before_the_policy_is_in_force(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = explain_json(capsys, tmp_path, {"enterprise": {"district": "徐汇"}}, on="2025-05-31")
    agent = {c["id"]: c for c in out["clauses"]}["hu8.agent_rd"]
    assert agent["status"] == "not_eligible"
    assert agent["trace"][1]["value"] is False and agent["trace"][1]["on"] == "2025-05-31"


def test_explain_bad_facts(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "f.json").write_text('{"project": {"rd_investment_yuan": 1.234}}', encoding="utf-8")
    rc, _, err = run(capsys, "explain", "--facts", str(tmp_path / "f.json"))
    assert rc == 1
    assert err.startswith(
        f"error: {tmp_path / 'f.json'}: project.rd_investment_yuan: at most two decimal places"
    )
    (tmp_path / "g.json").write_text('{"project": {', encoding="utf-8")
    rc, _, err = run(capsys, "explain", "--facts", str(tmp_path / "g.json"))
    assert rc == 1 and f"{tmp_path / 'g.json'}:1:" in err and "not valid JSON" in err
    rc, _, err = run(capsys, "explain", "--facts", str(tmp_path / "missing.json"))
    assert rc == 1 and "cannot read facts" in err and "missing.json" in err
    (tmp_path / "h.json").write_text('{"project": {"excellent": "yes"}}', encoding="utf-8")
    rc, _, err = run(capsys, "explain", "--facts", str(tmp_path / "h.json"))
    assert rc == 1 and "project.excellent: expected true or false, found 'yes'" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch"]) == 2
    assert main(["explain", "--facts", "x.json", "--on", "2025-13-01"]) == 2
    assert "not a date YYYY-MM-DD: '2025-13-01'" in capsys.readouterr().err
    assert main(["--help"]) == 0


def test_batch(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _register().write_parquet(tmp_path / "in.parquet")
    rc, _, err = run(
        capsys,
        "batch",
        "--input",
        str(tmp_path / "in.parquet"),
        "--output",
        str(tmp_path / "o.parquet"),
        "--on",
        "2025-09-01",
    )
    assert rc == 0, err
    out = pl.read_parquet(tmp_path / "o.parquet")
    assert sorted(out.iter_rows(), key=lambda t: (t[0], t[1])) == EXPECTED

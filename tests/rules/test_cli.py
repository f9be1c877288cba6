"""`shouzhan rules …` as a subprocess: check, explain, batch; errors name file and position."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl

from .conftest import CATALOGUE_DIR, REPO


def rules(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "shouzhan.cli", "rules", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_check_repo_catalogue() -> None:
    r = rules("check", "catalogue/")
    assert r.returncode == 0, r.stderr
    assert "2 files, 24 clauses: no errors" in r.stdout


def test_check_default_dir_from_elsewhere(tmp_path: Path) -> None:
    r = rules("check", cwd=tmp_path)  # no catalogue/ here: falls back to the repository's
    assert r.returncode == 0, r.stderr


def test_check_reports_file_clause_line_column(tmp_path: Path) -> None:
    shutil.copy(CATALOGUE_DIR / "hu8.yaml", tmp_path / "hu8.yaml")
    text = (tmp_path / "hu8.yaml").read_text(encoding="utf-8")
    bad = text.replace(
        "project.self_developed and project.market_recognized",
        "project.self_developd and project.market_recognized",
    )
    (tmp_path / "hu8.yaml").write_text(bad, encoding="utf-8")
    line = next(i for i, ln in enumerate(bad.splitlines(), 1) if "self_developd" in ln)
    col = bad.splitlines()[line - 1].index("project.self_developd") + 1
    r = rules("check", str(tmp_path))
    assert r.returncode == 1
    assert f"hu8.yaml:{line}:{col}: clause hu8.agent_rd: unknown fact 'project.self_developd'" in r.stderr
    assert "did you mean project.self_developed" in r.stderr


def test_check_refuses_hostile_rules(tmp_path: Path) -> None:
    base = (CATALOGUE_DIR / "hu8.yaml").read_text(encoding="utf-8")
    hostile = {
        "import": "__import__('os').system('echo pwned')",
        "dunder": "().__class__.__bases__",
        "parens": "(" * 10_000 + "true" + ")" * 10_000,
        "huge": "project.rd_investment_yuan > 1" + "0" * 400,
    }
    for name, expr in hostile.items():
        (tmp_path / name).mkdir()
        bad = base.replace(
            'condition: project.kind == "agent" and project.self_developed and project.market_recognized',
            f"condition: {json.dumps(expr)}",
        )
        (tmp_path / name / "hu8.yaml").write_text(bad, encoding="utf-8")
        r = rules("check", str(tmp_path / name))
        assert r.returncode == 1, name
        assert "hu8.yaml:" in r.stderr and "clause hu8.agent_rd" in r.stderr, r.stderr
        assert "Traceback" not in r.stderr
        assert "pwned" not in r.stdout


def test_explain_json(tmp_path: Path) -> None:
    facts = {
        "enterprise": {"district": "徐汇", "sector": "ai_agent"},
        "project": {
            "kind": "agent",
            "self_developed": True,
            "market_recognized": True,
            "rd_investment_yuan": "30000000",
        },
    }
    (tmp_path / "f.json").write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    r = rules("explain", "--facts", str(tmp_path / "f.json"), "--on", "2025-09-01")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    by_id = {c["id"]: c for c in out["clauses"]}
    assert len(by_id) == 24
    agent = by_id["hu8.agent_rd"]
    assert (agent["status"], agent["max_amount_yuan"], agent["missing_facts"]) == (
        "eligible",
        "6000000.00",
        [],
    )
    assert agent["trace"][0]["text"].startswith("对自主研发、市场认可的智能体项目")
    assert by_id["xuhui.agent_rd"]["max_amount_yuan"] == "3000000.00"
    assert by_id["xuhui.desk_fee_relief"]["status"] == "unknown"
    assert by_id["xuhui.desk_fee_relief"]["missing_facts"] == [
        "enterprise.in_cluster",
        "enterprise.is_startup",
    ]


def test_explain_bad_facts(tmp_path: Path) -> None:
    (tmp_path / "f.json").write_text('{"project": {"rd_investment_yuan": 1.234}}', encoding="utf-8")
    r = rules("explain", "--facts", str(tmp_path / "f.json"))
    assert r.returncode == 1
    assert "f.json" in r.stderr and "project.rd_investment_yuan" in r.stderr
    (tmp_path / "g.json").write_text('{"project": {', encoding="utf-8")
    r = rules("explain", "--facts", str(tmp_path / "g.json"))
    assert r.returncode == 1 and "g.json:1:" in r.stderr and "not valid JSON" in r.stderr


def _register() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": ["e1", "e2", "e3"],
            "enterprise.district": ["徐汇", "杨浦", None],
            "project.kind": ["agent", "event", "agent"],
            "project.self_developed": [True, True, True],
            "project.market_recognized": [True, True, None],
            "project.rd_investment_yuan": ["12345678.91", None, "100"],
        }
    )


EXPECTED = [
    ("e1", "hu8.agent_rd", "eligible", 246_913_578),
    ("e1", "xuhui.agent_rd", "eligible", 300_000_000),
    ("e1", "xuhui.desk_fee_relief", "unknown", None),
    ("e3", "hu8.agent_rd", "unknown", 2_000),
    ("e3", "xuhui.agent_rd", "unknown", 300_000_000),
    ("e3", "xuhui.desk_fee_relief", "unknown", None),
]
# A register without person columns: the clauses about a person are left out (rules/batch.py), never
# "unknown" about nobody in particular.


def test_batch_parquet_and_csv(tmp_path: Path) -> None:
    reg = _register()
    reg.write_parquet(tmp_path / "in.parquet")
    reg.write_csv(tmp_path / "in.csv")
    for name in ("in.parquet", "in.csv"):
        r = rules(
            "batch",
            "--input",
            str(tmp_path / name),
            "--output",
            str(tmp_path / "out.parquet"),
            "--on",
            "2025-09-01",
        )
        assert r.returncode == 0, r.stderr
        out = pl.read_parquet(tmp_path / "out.parquet")
        assert out.columns == ["id", "clause_id", "status", "max_amount_fen"]
        got = sorted(out.iter_rows(), key=lambda t: (t[0], t[1]))
        assert got == EXPECTED


def test_batch_input_error_names_the_row(tmp_path: Path) -> None:
    reg = _register().with_columns(pl.Series("project.rd_investment_yuan", ["1", "2.345", "3"]))
    reg.write_csv(tmp_path / "in.csv")
    r = rules("batch", "--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.parquet"))
    assert r.returncode == 1
    assert "in.csv: row e2: column 'project.rd_investment_yuan'" in r.stderr
    assert "'2.345'" in r.stderr
    reg.drop("id").write_parquet(tmp_path / "noid.parquet")
    r = rules("batch", "--input", str(tmp_path / "noid.parquet"), "--output", str(tmp_path / "o.parquet"))
    assert r.returncode == 1 and "no 'id' column" in r.stderr
    reg.with_columns(pl.lit(1.5).alias("project.rd_investment_yuan")).write_parquet(
        tmp_path / "float.parquet"
    )
    r = rules("batch", "--input", str(tmp_path / "float.parquet"), "--output", str(tmp_path / "o.parquet"))
    assert r.returncode == 1 and "floats are not exact" in r.stderr


def test_batch_progress_bar_on_request(tmp_path: Path) -> None:
    _register().write_parquet(tmp_path / "in.parquet")
    r = rules(
        "batch",
        "--input",
        str(tmp_path / "in.parquet"),
        "--output",
        str(tmp_path / "o.parquet"),
        "--progress",
    )
    assert r.returncode == 0 and "3/3 rows" in r.stderr


def test_batch_imports_neither_django_nor_pyspark(tmp_path: Path) -> None:
    _register().write_parquet(tmp_path / "in.parquet")
    code = (
        "import sys; from shouzhan.cli import main; "
        f"rc = main(['rules', 'batch', '--input', {str(tmp_path / 'in.parquet')!r}, '--output', {str(tmp_path / 'o.parquet')!r}]); "
        "assert rc == 0; bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'pyspark')]; "
        "assert not bad, bad"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert r.returncode == 0, r.stderr


def test_usage_errors_exit_2() -> None:
    assert rules("batch").returncode == 2
    assert rules("explain", "--facts", "x.json", "--on", "2025-13-01").returncode == 2


def test_explain_json_numbers_are_exact(tmp_path: Path) -> None:
    text = '{"enterprise": {"district": "杨浦"}, "project": {"kind": "agent", "self_developed": true, '
    text += '"market_recognized": true, "rd_investment_yuan": 30000000.05}}'
    (tmp_path / "f.json").write_text(text, encoding="utf-8")
    r = rules("explain", "--facts", str(tmp_path / "f.json"), "--on", "2025-09-01")
    assert r.returncode == 0, r.stderr
    by_id = {c["id"]: c for c in json.loads(r.stdout)["clauses"]}
    assert by_id["hu8.agent_rd"]["max_amount_yuan"] == "6000000.01"
    assert by_id["xuhui.agent_rd"]["status"] == "not_eligible"  # 杨浦, not 徐汇

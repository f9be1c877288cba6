"""The Spark back end gives the same rows as Polars and the interpreter (PySpark local mode)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from shouzhan.rules import Catalogue, RuleError
from shouzhan.rules.batch import normalize_polars, read_input, run_polars
from shouzhan.rules.money import mul_rate
from shouzhan.rules.synthetic import register

from .conftest import ON

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip(
            "no Java runtime on PATH: PySpark local mode needs a JDK (apt-get install openjdk-17-jre-headless)"
        )
    pyspark = pytest.importorskip(
        "pyspark", reason="pyspark is not installed (pip install 'pyspark>=3.5,<5')"
    )
    session = (
        pyspark.sql.SparkSession.builder.master("local[1]")
        .appName("shouzhan-rules-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("spark")
    df = register(1500, seed=5)
    df.write_parquet(d / "in.parquet")
    df.with_columns(pl.all().cast(pl.String)).write_csv(d / "in.csv")
    return d


def _rows(path: Path) -> list[tuple[Any, ...]]:
    return sorted(pl.read_parquet(path).iter_rows(), key=lambda t: (t[0], t[1]))


@pytest.mark.parametrize("name", ["in.parquet", "in.csv"])
def test_spark_rows_identical_to_polars(spark: Any, files: Path, catalogue: Catalogue, name: str) -> None:
    from shouzhan.rules.spark_backend import run_files

    expected = run_polars(catalogue, normalize_polars(read_input(files / name, catalogue), catalogue), ON)
    n = run_files(catalogue, files / name, files / f"out-{name}.parquet", ON)
    assert n == expected.height > 500
    out = pl.read_parquet(files / f"out-{name}.parquet")
    assert out.schema == expected.schema
    assert _rows(files / f"out-{name}.parquet") == sorted(expected.iter_rows(), key=lambda t: (t[0], t[1]))


def test_spark_mul_rate_to_the_fen(spark: Any) -> None:
    from shouzhan.rules.spark_backend import mul_rate_sql

    values = [0, 1, -1, 2, 3, -3, 5, 12_345, -12_345, 10**15, -(10**15), 999_999_999_999_999]
    rates = [
        Fraction(1, 2),
        Fraction(1, 5),
        Fraction(-1, 4),
        Fraction(1, 3),
        Fraction(7, 1000),
        Fraction(3, 2),
    ]
    rows = spark.createDataFrame([(v,) for v in values], "m bigint")
    for rate in rates:
        got = [r[0] for r in rows.selectExpr(mul_rate_sql("m", rate)).collect()]
        assert got == [mul_rate(v, rate) for v in values], rate


def test_spark_input_error_names_the_row(spark: Any, tmp_path: Path, catalogue: Catalogue) -> None:
    from shouzhan.rules.spark_backend import run_files

    pl.DataFrame({"id": ["a", "b"], "project.trainees": ["3", "three"]}).write_csv(tmp_path / "bad.csv")
    with pytest.raises(RuleError) as info:
        run_files(catalogue, tmp_path / "bad.csv", tmp_path / "o.parquet", ON)
    assert info.value.row == "b"
    assert "project.trainees" in str(info.value) and "three" in str(info.value)


def test_spark_dates_and_not_in_force(spark: Any, tmp_path: Path, catalogue: Catalogue) -> None:
    from shouzhan.rules.spark_backend import run_files

    register(20).write_parquet(tmp_path / "in.parquet")
    assert run_files(catalogue, tmp_path / "in.parquet", tmp_path / "o.parquet", dt.date(2025, 1, 1)) == 0


def test_cli_engine_spark(spark: Any, files: Path, catalogue: Catalogue) -> None:
    import os
    import subprocess
    import sys

    from .conftest import REPO

    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "SPARK_MASTER": "local[1]"}
    out = files / "cli-spark.parquet"
    cmd = [sys.executable, "-m", "shouzhan.cli", "rules", "batch", "--engine", "spark"]
    cmd += ["--input", str(files / "in.parquet"), "--output", str(out), "--on", ON.isoformat()]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    expected = run_polars(
        catalogue, normalize_polars(read_input(files / "in.parquet", catalogue), catalogue), ON
    )
    assert _rows(out) == sorted(expected.iter_rows(), key=lambda t: (t[0], t[1]))

"""`rules batch` streams: a run over many batches writes exactly what the one-shot run gives (#14).

The batch size and the in-memory budget for results are made small, so that a register of a few
hundred rows goes through several batches, and through the on-disk spool as well as without it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from shouzhan.rules import Catalogue, RuleError
from shouzhan.rules import batch as batch_module
from shouzhan.rules.batch import normalize_polars, read_input, run_batch
from shouzhan.rules.cli import main
from shouzhan.rules.polars_backend import run
from shouzhan.rules.synthetic import register

from .conftest import ON

ROWS = 1000


def one_shot(catalogue: Catalogue, path: Path, on: dt.date = ON) -> pl.DataFrame:
    """The whole file at once: read, normalise, evaluate (what `rules batch` did before #14)."""
    return run(catalogue, normalize_polars(read_input(path, catalogue), file=str(path)), on)


def write(df: pl.DataFrame, path: Path) -> Path:
    if path.suffix == ".csv":
        df.with_columns(pl.all().cast(pl.String)).write_csv(path)
    else:
        df.write_parquet(path)
    return path


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(batch_module, "BATCH_ROWS", 150)  # 1000 rows: 7 batches
    return 150


@pytest.mark.parametrize("spool_bytes", [1, 64 * 2**20], ids=["spilled-to-disk", "held-in-memory"])
@pytest.mark.parametrize("name", ["in.parquet", "in.csv"])
def test_streamed_output_is_the_one_shot_output(
    catalogue: Catalogue,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    small_batches: int,
    name: str,
    spool_bytes: int,
) -> None:
    monkeypatch.setattr(batch_module, "SPOOL_BYTES", spool_bytes)
    src = write(register(ROWS, seed=11), tmp_path / name)
    expected = one_shot(catalogue, src)
    assert expected.height > 500 and expected.get_column("clause_id").n_unique() > 10  # rows of many clauses

    n = run_batch(catalogue, src, tmp_path / "out.parquet", ON)

    out = pl.read_parquet(tmp_path / "out.parquet")
    assert n == out.height == expected.height
    assert out.schema == expected.schema
    assert out.equals(expected)  # same rows in the same order: clause by clause, subjects in input order
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "out.parquet"])  # spool removed


@pytest.mark.parametrize("spool_bytes", [2000, 64 * 2**20], ids=["spilled-to-disk", "held-in-memory"])
def test_streamed_output_when_batches_do_not_divide_the_rows(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spool_bytes: int
) -> None:
    # Batches of 7: the first batch has no row for some clauses that later batches have.
    monkeypatch.setattr(batch_module, "BATCH_ROWS", 7)
    monkeypatch.setattr(batch_module, "SPOOL_BYTES", spool_bytes)
    src = write(register(100, seed=3), tmp_path / "in.parquet")
    first = one_shot(catalogue, write(register(100, seed=3).head(7), tmp_path / "first.parquet"))
    assert (
        first.get_column("clause_id").n_unique() < one_shot(catalogue, src).get_column("clause_id").n_unique()
    )
    assert run_batch(catalogue, src, tmp_path / "out.parquet", ON) == one_shot(catalogue, src).height
    assert pl.read_parquet(tmp_path / "out.parquet").equals(one_shot(catalogue, src))


def test_progress_bar_moves_per_batch(
    catalogue: Catalogue, tmp_path: Path, small_batches: int, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write(register(ROWS), tmp_path / "in.parquet")
    run_batch(catalogue, src, tmp_path / "out.parquet", ON, progress=True)
    err = capsys.readouterr().err
    done = [
        int(part.split("/")[0].split("] ")[-1].replace(",", "")) for part in err.split("\r") if "/" in part
    ]
    assert done == [150, 300, 450, 600, 750, 900, 1000]
    assert "1,000/1,000 rows" in err and err.endswith("\n")


def _with_value(df: pl.DataFrame, column: str, row: int, value: str | None) -> pl.DataFrame:
    values = df.get_column(column).to_list()
    values[row] = value
    return df.with_columns(pl.Series(column, values, dtype=pl.String))


def _text_register(rows: int) -> pl.DataFrame:
    df = register(rows, seed=5).with_columns(pl.all().cast(pl.String))
    return df.with_columns(("e" + pl.col("id")).alias("id"))


def test_bad_value_in_the_third_batch_names_its_row_and_column(
    catalogue: Catalogue, tmp_path: Path, small_batches: int
) -> None:
    df = _with_value(_text_register(ROWS), "project.rd_investment_yuan", 345, "12.345")  # batch 3: 300..449
    src = write(df, tmp_path / "in.csv")
    with pytest.raises(RuleError) as info:
        run_batch(catalogue, src, tmp_path / "out.parquet", ON)
    assert info.value.row == "e346"
    assert str(info.value) == (
        f"{src}: row e346: column 'project.rd_investment_yuan': "
        "not an amount of yuan with at most two decimals: '12.345'"
    )
    with pytest.raises(RuleError) as whole:
        one_shot(catalogue, src)
    assert str(whole.value) == str(info.value)
    assert not (tmp_path / "out.parquet").exists()


def test_bad_value_in_the_third_batch_from_the_command_line(
    tmp_path: Path, small_batches: int, capsys: pytest.CaptureFixture[str]
) -> None:
    df = _with_value(_text_register(ROWS), "project.trainees", 400, "three")
    src = write(df, tmp_path / "in.csv")
    rc = main(["batch", "--input", str(src), "--output", str(tmp_path / "o.parquet"), "--on", ON.isoformat()])
    assert rc == 1
    assert capsys.readouterr().err == (
        f"error: {src}: row e401: column 'project.trainees': expected a whole number: 'three'\n"
    )


def test_the_error_is_the_one_the_whole_file_gives(
    catalogue: Catalogue, tmp_path: Path, small_batches: int
) -> None:
    # A bad value in a later column in batch 1 and one in an earlier column in batch 4: reading the
    # whole file reports the earlier column (columns are checked in input order), and so does streaming.
    df = _text_register(ROWS)
    columns = df.columns
    assert columns.index("project.rd_investment_yuan") < columns.index("project.trainees")
    df = _with_value(df, "project.trainees", 20, "three")
    df = _with_value(df, "project.rd_investment_yuan", 500, "lots")
    src = write(df, tmp_path / "in.csv")
    with pytest.raises(RuleError) as info:
        run_batch(catalogue, src, tmp_path / "out.parquet", ON)
    assert str(info.value) == (
        f"{src}: row e501: column 'project.rd_investment_yuan': "
        "not an amount of yuan with at most two decimals: 'lots'"
    )
    with pytest.raises(RuleError) as whole:
        one_shot(catalogue, src)
    assert str(whole.value) == str(info.value)

    # An empty id anywhere comes before any bad value.
    src = write(_with_value(df, "id", 900, None), tmp_path / "in.csv")
    with pytest.raises(RuleError) as info:
        run_batch(catalogue, src, tmp_path / "out.parquet", ON)
    assert str(info.value) == f"{src}: column 'id' has empty values"
    with pytest.raises(RuleError) as whole:
        one_shot(catalogue, src)
    assert str(whole.value) == str(info.value)


def test_a_wrong_column_type_is_refused_from_the_first_batch(
    catalogue: Catalogue, tmp_path: Path, small_batches: int
) -> None:
    df = register(ROWS).with_columns((pl.col("project.trainees") * 1.5).alias("project.rd_investment_yuan"))
    src = write(df, tmp_path / "in.parquet")
    with pytest.raises(RuleError) as info:
        run_batch(catalogue, src, tmp_path / "out.parquet", ON)
    assert "floats are not exact" in str(info.value) and info.value.row is None


@pytest.mark.parametrize("name", ["in.parquet", "in.csv"])
def test_empty_input_writes_an_empty_output_with_the_schema(
    catalogue: Catalogue, tmp_path: Path, small_batches: int, name: str
) -> None:
    src = write(register(0), tmp_path / name)
    id_type = pl.Int64 if name.endswith(".parquet") else pl.String
    assert run_batch(catalogue, src, tmp_path / "out.parquet", ON) == 0
    out = pl.read_parquet(tmp_path / "out.parquet")
    assert out.height == 0
    assert out.schema == pl.Schema(
        {"id": id_type, "clause_id": pl.String, "status": pl.String, "max_amount_fen": pl.Int64}
    )
    assert out.schema == one_shot(catalogue, src).schema


def test_no_clause_in_force_over_several_batches(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_batches: int
) -> None:
    monkeypatch.setattr(batch_module, "SPOOL_BYTES", 1)
    src = write(register(ROWS), tmp_path / "in.parquet")
    before = dt.date(2025, 1, 1)
    assert run_batch(catalogue, src, tmp_path / "out.parquet", before) == 0
    out = pl.read_parquet(tmp_path / "out.parquet")
    assert out.height == 0 and out.schema == one_shot(catalogue, src, before).schema

"""Batch input and output: read a register (parquet or CSV), normalise facts, write results.

Input columns are fact names (`enterprise.district`, `project.rd_investment_yuan`, …)
plus `id`. Normalisation makes every engine see the same values:
  money → Int64 fen, exactly: from integer yuan, Decimal, or text "12345.67"; never float;
  dates → Date (from Date, Datetime or text YYYY-MM-DD); bools from Boolean or "true"/"false".
A value that cannot be converted is an input error naming the row id and the column.
Columns for facts the catalogue does not read are never loaded.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shouzhan.rules.catalogue import Catalogue
from shouzhan.rules.errors import RuleError
from shouzhan.rules.vocabulary import FACTS, MAX_INT, MAX_MONEY_FEN

if TYPE_CHECKING:
    import polars as pl

_MONEY_TEXT = r"^\s*-?[0-9]+(\.[0-9]{1,2})?\s*$"
CHUNK_ROWS = 250_000


def _dtype(fact_type: str) -> pl.DataType:
    import polars as pl

    return {
        "str": pl.String(),
        "int": pl.Int64(),
        "bool": pl.Boolean(),
        "money": pl.Int64(),
        "date": pl.Date(),
    }[fact_type]


def read_input(path: str | Path, catalogue: Catalogue) -> pl.DataFrame:
    """Read only `id` and the fact columns the catalogue uses."""
    import polars as pl

    path = Path(path)
    if not path.is_file():
        raise RuleError("input file not found", file=str(path))
    wanted = catalogue.facts()
    try:
        if path.suffix.lower() == ".parquet":
            lf = pl.scan_parquet(path)
            names = lf.collect_schema().names()
            _check_columns(names, path)
            return lf.select([c for c in names if c == "id" or c in wanted]).collect()
        if path.suffix.lower() == ".csv":
            # All text: money stays exact ("12345.67" is never parsed as a float).
            df = pl.read_csv(path, infer_schema=False)
            _check_columns(df.columns, path)
            return df.select([c for c in df.columns if c == "id" or c in wanted])
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise RuleError(f"cannot read input: {exc}", file=str(path)) from None
    raise RuleError("input must be .parquet or .csv", file=str(path))


def _check_columns(names: list[str], path: Path) -> None:
    if "id" not in names:
        raise RuleError("input has no 'id' column", file=str(path))
    if len(set(names)) != len(names):
        raise RuleError("input has duplicate column names", file=str(path))
    for name in names:
        if name.startswith(("enterprise.", "project.")) and name not in FACTS:
            from shouzhan.rules.vocabulary import suggest

            hint = suggest(name)
            print(
                f"warning: {path}: column {name!r} is not a known fact"
                + (f" (did you mean {hint}?)" if hint else ""),
                file=sys.stderr,
            )


def _first_bad(df: pl.DataFrame, bad: pl.Expr, column: str, reason: str, file: str | None) -> None:
    import polars as pl

    rows = (
        df.lazy()
        .filter(bad.fill_null(False))
        .select(pl.col("id"), pl.col(column).cast(pl.String))
        .head(1)
        .collect()
    )
    if rows.height:
        rid, value = rows.row(0)
        raise RuleError(f"column {column!r}: {reason}: {value!r}", file=file, row=str(rid))


def normalize_polars(
    df: pl.DataFrame, catalogue: Catalogue | None = None, *, file: str | None = None
) -> pl.DataFrame:
    """Convert fact columns to the engine types (see module doc); raises RuleError naming the row."""
    if "id" not in df.columns:
        raise RuleError("input has no 'id' column", file=file)
    if df.get_column("id").null_count():
        raise RuleError("column 'id' has empty values", file=file)
    exprs: list[pl.Expr] = []
    for name in df.columns:
        fact = FACTS.get(name)
        if fact is None:
            continue
        convert = _CONVERTERS.get(fact.type, _text)
        exprs.append(convert(df, name, df.schema[name], file))
    if not exprs:
        return df
    return df.with_columns(exprs)


# One converter per fact type: the column's expression in the engine type, after refusing its first bad value.
def _date(df: pl.DataFrame, name: str, dtype: Any, file: str | None) -> pl.Expr:
    import polars as pl

    col = pl.col(name)
    if dtype == pl.Date:
        return col
    if isinstance(dtype, pl.Datetime):
        return col.dt.date()
    if dtype == pl.String:
        shape_ok = col.str.contains(r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$")  # as strict as the Spark twin
        parsed = pl.when(shape_ok).then(col.str.strip_chars().str.to_date("%Y-%m-%d", strict=False))
        _first_bad(
            df,
            col.is_not_null() & (col.str.strip_chars() != "") & parsed.is_null(),
            name,
            "not a date YYYY-MM-DD",
            file,
        )
        return parsed.alias(name)
    raise RuleError(f"column {name!r}: dates must be Date or text, not {dtype}", file=file)


def _bool(df: pl.DataFrame, name: str, dtype: Any, file: str | None) -> pl.Expr:
    import polars as pl

    col = pl.col(name)
    if dtype == pl.Boolean:
        return col
    if dtype == pl.String:
        low = col.str.strip_chars().str.to_lowercase()
        _first_bad(
            df,
            col.is_not_null() & (low != "") & ~low.is_in(["true", "false"]),
            name,
            "expected true or false",
            file,
        )
        return pl.when(low == "true").then(True).when(low == "false").then(False).otherwise(None).alias(name)
    raise RuleError(f"column {name!r}: expected Boolean, not {dtype}", file=file)


def _int(df: pl.DataFrame, name: str, dtype: Any, file: str | None) -> pl.Expr:
    import polars as pl

    col = pl.col(name)
    if dtype.is_integer():
        as_int = col.cast(pl.Int64)
    elif dtype == pl.String:
        stripped = col.str.strip_chars()
        as_int = pl.when(stripped == "").then(None).otherwise(stripped).cast(pl.Int64, strict=False)
        _first_bad(
            df,
            col.is_not_null() & (stripped != "") & as_int.is_null(),
            name,
            "expected a whole number",
            file,
        )
    else:
        raise RuleError(f"column {name!r}: expected a whole number column, not {dtype}", file=file)
    _first_bad(df, as_int.abs() > MAX_INT, name, "number out of range", file)
    return as_int.alias(name)


def _text(df: pl.DataFrame, name: str, dtype: Any, file: str | None) -> pl.Expr:
    import polars as pl

    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum | pl.Categorical):
        return pl.col(name).cast(pl.String)
    raise RuleError(f"column {name!r}: expected text, not {dtype}", file=file)


def _money(df: pl.DataFrame, name: str, dtype: Any, file: str | None) -> pl.Expr:
    import polars as pl

    col = pl.col(name)
    if dtype.is_integer():
        fen = col.cast(pl.Int64) * 100
        _first_bad(df, col.cast(pl.Int64).abs() > MAX_MONEY_FEN // 100, name, "amount out of range", file)
        return fen.alias(name)
    if isinstance(dtype, pl.Decimal):
        scale: int = dtype.scale or 0
        raw = col.to_physical()  # unscaled integer: value × 10**scale
        if scale <= 2:
            factor: int = 10 ** (2 - scale)  # int ** int is typed Any: it may be a float
            fen = raw * factor
        else:
            step = 10 ** (scale - 2)
            _first_bad(df, raw % step != 0, name, "money has at most two decimal places", file)
            fen = raw // step
        _first_bad(df, fen.abs() > MAX_MONEY_FEN, name, "amount out of range", file)
        return fen.cast(pl.Int64).alias(name)
    if dtype == pl.String:
        text = col.str.strip_chars().str.replace_all(",", "")
        ok = text.str.contains(_MONEY_TEXT)
        _first_bad(
            df,
            col.is_not_null() & (text != "") & ~ok,
            name,
            "not an amount of yuan with at most two decimals",
            file,
        )
        text = pl.when(ok).then(text).otherwise(None)
        negative = text.str.starts_with("-")
        digits = text.str.strip_chars_start("-")
        whole = digits.str.split(".").list.get(0)
        frac = digits.str.split(".").list.get(1, null_on_oob=True).fill_null("").str.pad_end(2, "0")
        _first_bad(df, whole.str.len_chars() > 13, name, "amount out of range", file)
        magnitude = whole.cast(pl.Int64) * 100 + frac.cast(pl.Int64)
        return pl.when(negative).then(-magnitude).otherwise(magnitude).alias(name)
    if dtype.is_float():
        raise RuleError(
            f"column {name!r}: money must be integer yuan, Decimal or text, not floating point ({dtype}) — floats are not exact",
            file=file,
        )
    raise RuleError(f"column {name!r}: money must be integer yuan, Decimal or text, not {dtype}", file=file)


_CONVERTERS: dict[str, Callable[[pl.DataFrame, str, Any, str | None], pl.Expr]] = {
    "money": _money,
    "date": _date,
    "bool": _bool,
    "int": _int,
}


def ensure_fact_columns(df: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """Add every fact the catalogue reads and the table lacks, as an all-unknown column."""
    import polars as pl

    missing = [f for f in sorted(catalogue.facts()) if f not in df.columns]
    if not missing:
        return df
    return df.with_columns([pl.lit(None, dtype=_dtype(FACTS[f].type)).alias(f) for f in missing])


class Progress:
    """A plain progress bar on stderr (only when asked for, or when stderr is a terminal)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.start = total, enabled, time.monotonic()

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        width = 30
        frac = done / self.total if self.total else 1.0
        bar = "#" * int(frac * width)
        sys.stderr.write(
            f"\r[{bar:<{width}}] {done:,}/{self.total:,} rows {time.monotonic() - self.start:5.1f}s"
        )
        if done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def run_polars(
    catalogue: Catalogue, df: pl.DataFrame, on: dt.date, *, progress: bool = False
) -> pl.DataFrame:
    import polars as pl

    from shouzhan.rules.polars_backend import run

    bar = Progress(df.height, progress)
    if not progress or df.height <= CHUNK_ROWS:
        out = run(catalogue, df, on)
        bar.update(df.height)
        return out
    parts = []
    for start in range(0, df.height, CHUNK_ROWS):
        parts.append(run(catalogue, df.slice(start, CHUNK_ROWS), on))
        bar.update(min(start + CHUNK_ROWS, df.height))
    return pl.concat(parts)


def run_batch(
    catalogue: Catalogue,
    input_path: str | Path,
    output_path: str | Path,
    on: dt.date,
    *,
    engine: str = "polars",
    progress: bool = False,
) -> int:
    """Read, evaluate, write; returns the number of output rows."""
    if engine == "spark":
        from shouzhan.rules.spark_backend import run_files

        return run_files(catalogue, input_path, output_path, on, progress=progress)
    df = read_input(input_path, catalogue)
    df = normalize_polars(df, catalogue, file=str(input_path))
    out = run_polars(catalogue, df, on, progress=progress)
    try:
        out.write_parquet(output_path, statistics=False, compression="snappy")
    except OSError as exc:
        raise RuleError(f"cannot write output: {exc}", file=str(output_path)) from None
    return out.height

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
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shouzhan.rules.catalogue import Catalogue
from shouzhan.rules.errors import RuleError
from shouzhan.rules.vocabulary import FACTS, MAX_INT, MAX_MONEY_FEN

if TYPE_CHECKING:
    import polars as pl

_MONEY_TEXT = r"^\s*-?[0-9]+(\.[0-9]{1,2})?\s*$"
# Rows `run_batch` reads, normalises and evaluates at a time (its memory does not grow with the input),
# and the step of `run_polars`' progress bar.
BATCH_ROWS = 250_000
# Results `run_batch` keeps in memory before putting them on disk (it writes them clause by clause).
SPOOL_BYTES = 64 * 2**20


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
    if not progress or df.height <= BATCH_ROWS:
        out = run(catalogue, df, on)
        bar.update(df.height)
        return out
    parts = []
    for start in range(0, df.height, BATCH_ROWS):
        parts.append(run(catalogue, df.slice(start, BATCH_ROWS), on))
        bar.update(min(start + BATCH_ROWS, df.height))
    return pl.concat(parts)


def scan_input(path: str | Path, catalogue: Catalogue) -> pl.LazyFrame:
    """The input, not yet read: `id` and the fact columns the catalogue uses (CSV all text, as `read_input`)."""
    import polars as pl

    path = Path(path)
    if not path.is_file():
        raise RuleError("input file not found", file=str(path))
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise RuleError("input must be .parquet or .csv", file=str(path))
    try:
        lf = pl.scan_parquet(path) if suffix == ".parquet" else pl.scan_csv(path, infer_schema=False)
        names = lf.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise RuleError(f"cannot read input: {exc}", file=str(path)) from None
    _check_columns(names, path)
    wanted = catalogue.facts()
    return lf.select([c for c in names if c == "id" or c in wanted])


def iter_batches(lf: pl.LazyFrame, path: str | Path) -> Iterator[pl.DataFrame]:
    """`scan_input`'s rows in order, BATCH_ROWS at a time (one empty frame for an empty input).

    Parquet a slice at a time (Polars decodes only the pages it needs); CSV by Polars' streaming reader.
    """
    import polars as pl

    try:
        if Path(path).suffix.lower() == ".parquet":
            total = int(lf.select(pl.len()).collect().item())  # from the footer: nothing is decoded
            for start in range(0, max(total, 1), BATCH_ROWS):
                yield lf.slice(start, BATCH_ROWS).collect()
            return
        batches = lf.collect_batches(chunk_size=BATCH_ROWS)
        first = next(batches, None)
        yield lf.clear().collect() if first is None else first
        yield from batches
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise RuleError(f"cannot read input: {exc}", file=str(path)) from None


def _normalized(batches: Iterator[pl.DataFrame], file: str) -> Iterator[pl.DataFrame]:
    """normalize_polars batch by batch, refusing the input with the error the whole file would give."""
    for df in batches:
        try:
            out = normalize_polars(df, file=file)
        except RuleError as exc:
            raise _whole_file_error(exc, df, batches, file) from None
        yield out


def _whole_file_error(
    error: RuleError, df: pl.DataFrame, rest: Iterator[pl.DataFrame], file: str
) -> RuleError:
    """The error normalising the whole file at once raises, given the first batch that fails.

    That is: a read error anywhere; else empty ids anywhere; else the first column (in input
    order) with a bad value anywhere, at its first bad row. So the rest is read, checking only
    the columns before the failing one (this costs time only when the input is refused).
    """
    columns = [c for c in df.columns if c in FACTS]  # the order normalize_polars checks them in
    at = _failing_column(df, columns, file)
    for later in rest:  # reading it all also reports a read error first, as read_input does
        if at < 0:
            continue  # empty ids: nothing is checked before them
        part = later.select([c for c in later.columns if c == "id" or c in columns[:at]])
        try:
            normalize_polars(part, file=file)
        except RuleError as exc:
            error, at = exc, _failing_column(part, columns[:at], file)
    return error


def _failing_column(df: pl.DataFrame, columns: list[str], file: str) -> int:
    """-1 for empty ids, else the index of the first column normalize_polars refuses."""
    if df.get_column("id").null_count():
        return -1
    for i, name in enumerate(columns):
        try:
            normalize_polars(df.select("id", name), file=file)
        except RuleError:
            return i
    return len(columns)


class _Spool:
    """The results, batch by batch, in the order a one-shot run gives: clause by clause, rows in input order.

    Each batch's result (already clause by clause) is cut into one slice per clause. The slices are
    kept in memory up to SPOOL_BYTES; past that they go to disk beside the output, one Arrow IPC file
    per clause and spill, and the output is then written from those files, streaming.
    """

    def __init__(self, output: Path, clause_ids: list[str]) -> None:
        self.output, self.clause_ids = output, clause_ids
        self.index = {cid: i for i, cid in enumerate(clause_ids)}
        self.held: dict[int, list[pl.DataFrame]] = {}
        self.held_bytes = self.rows = self.spills = 0
        self.empty: pl.DataFrame | None = None
        self.dir: Path | None = None
        self.files: list[tuple[int, int, Path]] = []  # (clause, spill, file)

    def add(self, out: pl.DataFrame) -> None:
        if self.empty is None:
            self.empty = out.clear()
        self.rows += out.height
        start = 0
        for length, clause_id in out.get_column("clause_id").rle().struct.unnest().iter_rows():
            self.held.setdefault(self.index[clause_id], []).append(out.slice(start, length))
            start += length
        self.held_bytes += int(out.estimated_size())
        if self.held_bytes > SPOOL_BYTES:
            self._spill()

    def _spill(self) -> None:
        import polars as pl

        if self.dir is None:
            prefix = f".{self.output.name}."
            try:
                self.dir = Path(tempfile.mkdtemp(prefix=prefix, suffix=".spool", dir=self.output.parent))
            except OSError:  # no such directory, or read-only: the output's own error comes at the end
                self.dir = Path(tempfile.mkdtemp(prefix=prefix, suffix=".spool"))
        for clause, parts in self.held.items():
            path = self.dir / f"{clause:04d}-{self.spills:06d}.arrow"
            try:  # one file, one clause: without clause_id; uncompressed, the cheapest to write and read
                pl.concat(parts, rechunk=False).drop("clause_id").write_ipc(path, compression="uncompressed")
            except OSError as exc:
                raise RuleError(f"cannot write temporary results: {exc}", file=str(self.dir)) from None
            self.files.append((clause, self.spills, path))
        self.held, self.held_bytes = {}, 0
        self.spills += 1

    def write(self) -> int:
        """Write the output parquet; returns its number of rows."""
        import polars as pl

        assert self.empty is not None, "at least one batch, maybe empty"
        if self.files and self.held:
            self._spill()
        try:
            if self.files:
                dtype = self.empty.schema["clause_id"]
                scans = [
                    pl.scan_ipc([path for _, _, path in files])
                    .with_columns(pl.lit(self.clause_ids[clause], dtype=dtype).alias("clause_id"))
                    .select(self.empty.columns)
                    for clause, files in groupby(sorted(self.files), key=lambda f: f[0])
                ]
                pl.concat(scans).sink_parquet(self.output, statistics=False, compression="snappy")
            else:
                parts = [part for clause in sorted(self.held) for part in self.held[clause]]
                frame = pl.concat(parts, rechunk=False) if parts else self.empty
                frame.write_parquet(self.output, statistics=False, compression="snappy")
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise RuleError(f"cannot write output: {exc}", file=str(self.output)) from None
        return self.rows

    def close(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)


def run_batch(
    catalogue: Catalogue,
    input_path: str | Path,
    output_path: str | Path,
    on: dt.date,
    *,
    engine: str = "polars",
    progress: bool = False,
) -> int:
    """Read, evaluate, write BATCH_ROWS rows at a time; output and input errors as for the whole file."""
    if engine == "spark":
        from shouzhan.rules.spark_backend import run_files

        return run_files(catalogue, input_path, output_path, on, progress=progress)
    import polars as pl

    from shouzhan.rules.polars_backend import run

    file = str(input_path)
    lf = scan_input(input_path, catalogue)
    total = 0
    if progress:
        try:
            total = int(lf.select(pl.len()).collect().item())
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise RuleError(f"cannot read input: {exc}", file=file) from None
    bar = Progress(total, progress)
    spool = _Spool(Path(output_path), [c.id for c in catalogue.clauses if c.in_force(on)])
    done = 0
    try:
        for df in _normalized(iter_batches(lf, input_path), file):
            spool.add(run(catalogue, df, on))
            done += df.height
            bar.update(done)
        return spool.write()
    finally:
        spool.close()

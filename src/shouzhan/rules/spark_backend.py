"""Compile the typed tree to Spark SQL and run a catalogue on Apache Spark (PySpark).

Same semantics as the interpreter and the Polars back end:
  * SQL's AND/OR/NOT are Kleene already; comparisons and arithmetic propagate NULL;
    `least`/`greatest` skip NULLs in Spark, so min/max put the unknown back explicitly.
  * money is BIGINT fen; money × rate uses integer `div` and `%` on non-negative values
    (the split of `money.mul_rate`), never DOUBLE, ROUND or a lossy CAST.
The generated SQL only ever contains backquoted fact names from the vocabulary and
literals the type checker produced, escaped here; rule text never reaches Spark as code.
pyspark is imported only by the functions that need a session.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shouzhan.rules import ir
from shouzhan.rules.catalogue import Catalogue, Clause, ParamValue, Policy, param_number, param_scale
from shouzhan.rules.errors import RuleError
from shouzhan.rules.interpreter import Evaluator
from shouzhan.rules.vocabulary import FACTS, MAX_INT, MAX_MONEY_FEN

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def quote_name(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _str_lit(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _lit(value: object, t: ir.Type) -> str:
    if value is None:
        return {"money": "CAST(NULL AS BIGINT)", "int": "CAST(NULL AS BIGINT)"}.get(t, "NULL")
    if t in ("money", "int"):
        assert isinstance(value, int)
        return f"CAST({value} AS BIGINT)"
    if t == "str":
        return _str_lit(str(value))
    if t == "bool":
        return "TRUE" if value else "FALSE"
    if t == "date":
        assert isinstance(value, dt.date)
        return f"DATE'{value.isoformat()}'"
    raise TypeError(t)


class _Compiler:
    def __init__(self, on: dt.date, params: Mapping[str, ParamValue]) -> None:
        self.on = on
        self.params = params
        self.consts = Evaluator({}, on, params)

    def rate(self, node: ir.Expr) -> Fraction:
        value, _ = self.consts.eval(node)
        assert isinstance(value, Fraction | int), "rates are constants"
        return Fraction(value)

    def __call__(self, node: ir.Expr) -> str:
        if isinstance(node, ir.Const):
            return _lit(node.value, node.type)
        if isinstance(node, ir.FactRef):
            return quote_name(node.name)
        if isinstance(node, ir.Known):
            return f"({quote_name(node.name)} IS NOT NULL)"
        if isinstance(node, ir.ParamRef):
            return _lit(param_number(self.params, node.name, self.on), node.type)
        if isinstance(node, ir.TodayRef):
            return _lit(self.on, "date")
        if isinstance(node, ir.Logic):
            return f"({self(node.left)} {node.op.upper()} {self(node.right)})"
        if isinstance(node, ir.Not):
            return f"(NOT {self(node.operand)})"
        if isinstance(node, ir.Compare):
            op = {"==": "=", "!=": "<>"}.get(node.op, node.op)
            return f"({self(node.left)} {op} {self(node.right)})"
        if isinstance(node, ir.InList):
            items = ", ".join(_lit(v, node.operand.type) for v in node.values)
            hit = f"({self(node.operand)} IN ({items}))"
            return f"(NOT {hit})" if node.negated else hit
        if isinstance(node, ir.Neg):
            return f"(- {self(node.operand)})"
        if isinstance(node, ir.Arith):
            a, b = self(node.left), self(node.right)
            if node.type == "date":
                return f"{'date_add' if node.op == '+' else 'date_sub'}({a}, CAST({b} AS INT))"
            if node.left.type == "date":
                return f"CAST(datediff({a}, {b}) AS BIGINT)"
            return f"({a} {node.op} {b})"
        if isinstance(node, ir.MulRate):
            return mul_rate_sql(self(node.money), self.rate(node.rate))
        if isinstance(node, ir.RateOp):
            raise AssertionError("rates are folded by their MulRate")
        if isinstance(node, ir.MinMax):
            args = [self(a) for a in node.args]
            nulls = " OR ".join(f"{a} IS NULL" for a in args)
            fn = "least" if node.op == "min" else "greatest"
            return f"(CASE WHEN {nulls} THEN NULL ELSE {fn}({', '.join(args)}) END)"
        if isinstance(node, ir.Scale):
            table = param_scale(self.params, node.param, self.on)
            x = self(node.operand)
            whens = " ".join(f"WHEN {x} >= {t} THEN CAST({fen} AS BIGINT)" for t, fen in reversed(table))
            return f"(CASE WHEN {x} IS NULL THEN CAST(NULL AS BIGINT) {whens} ELSE CAST(0 AS BIGINT) END)"
        if isinstance(node, ir.Year):
            return f"CAST(year({self(node.operand)}) AS BIGINT)"
        raise TypeError(f"unknown node {type(node).__name__}")


def mul_rate_sql(money: str, rate: Fraction) -> str:
    """round_half_away_from_zero(money × n/d) with BIGINT div/% on |money| (see money.mul_rate)."""
    n, d = rate.numerator, rate.denominator
    if d == 1:
        return f"({money} * CAST({n} AS BIGINT))"
    a = f"abs({money})"
    magnitude = f"(({a} div {d}) * {abs(n)} + (2 * {abs(n)} * ({a} % {d}) + {d}) div {2 * d})"
    negative = f"{money} > 0" if n < 0 else f"{money} < 0"
    return f"(CASE WHEN {negative} THEN - {magnitude} ELSE {magnitude} END)"


def clause_sql(policy: Policy, clause: Clause, on: dt.date) -> tuple[str, str]:
    """(eligible, max_amount_fen) as Spark SQL expressions."""
    c = _Compiler(on, policy.params_at(on))
    parts = [e for e in (policy.applies_to, clause.applies_to, clause.condition) if e is not None]
    eligible = "(" + " AND ".join(c(p.tree) for p in parts) + ")"
    if clause.amount is None or clause.decision == "in_kind":
        amount = "CAST(NULL AS BIGINT)"
    else:
        amount = c(clause.amount.tree)
        if clause.cap is not None:
            cap = clause.cap.fen
            amount = f"(CASE WHEN {amount} > {cap} THEN CAST({cap} AS BIGINT) ELSE {amount} END)"
        for m in clause.modifiers:
            cond = c(m.condition.tree)
            bonus = mul_rate_sql(amount, m.bonus)
            amount = f"(CASE WHEN {cond} THEN {amount} + {bonus} WHEN NOT {cond} THEN {amount} ELSE CAST(NULL AS BIGINT) END)"
    amount = f"(CASE WHEN {eligible} IS NULL OR {eligible} THEN {amount} ELSE CAST(NULL AS BIGINT) END)"
    return eligible, amount


def run(catalogue: Catalogue, sdf: DataFrame, on: dt.date) -> DataFrame:
    """`id, clause_id, status, max_amount_fen` for eligible and unknown rows (normalised input)."""
    from pyspark.sql import functions as F

    sdf = ensure_fact_columns(sdf, catalogue)
    # One pass: every clause becomes a struct in an array, exploded and filtered —
    # one Spark stage instead of a union of one scan per clause.
    structs = []
    for policy in catalogue.policies:
        for clause in policy.clauses:
            if not clause.in_force(on):
                continue
            eligible, amount = clause_sql(policy, clause, on)
            structs.append(
                f"named_struct('clause_id', {_str_lit(clause.id)}, 'e', {eligible}, 'a', {amount})"
            )
    if not structs:
        return sdf.limit(0).select(
            F.col("id"),
            F.lit("").alias("clause_id"),
            F.lit("").alias("status"),
            F.lit(None).cast("bigint").alias("max_amount_fen"),
        )
    exploded = sdf.select(F.col("id"), F.expr(f"explode(array({', '.join(structs)}))").alias("r"))
    return exploded.filter("r.e IS NULL OR r.e").select(
        "id",
        F.col("r.clause_id").alias("clause_id"),
        F.expr("CASE WHEN r.e THEN 'eligible' ELSE 'unknown' END").alias("status"),
        F.col("r.a").cast("bigint").alias("max_amount_fen"),
    )


_SPARK_TYPES = {"str": "string", "int": "bigint", "bool": "boolean", "money": "bigint", "date": "date"}


def ensure_fact_columns(sdf: DataFrame, catalogue: Catalogue) -> DataFrame:
    from pyspark.sql import functions as F

    for name in sorted(catalogue.facts()):
        if name not in sdf.columns:
            sdf = sdf.withColumn(name, F.lit(None).cast(_SPARK_TYPES[FACTS[name].type]))
    return sdf


# What normalize makes of one column: the checks that refuse a row — (SQL condition, column, reason), in the
# order they are tried — and the SQL expression that converts it (None: the column stays as it is).
_Check = tuple[str, str, str]
_Column = tuple[list[_Check], str | None]


def normalize(sdf: DataFrame, *, file: str | None = None) -> DataFrame:
    """The Spark twin of batch.normalize_polars: same conversions, same refusals."""
    from pyspark.sql import functions as F

    if "id" not in sdf.columns:
        raise RuleError("input has no 'id' column", file=file)
    checks: list[_Check] = [("`id` IS NULL", "id", "empty id")]
    exprs: dict[str, str] = {}
    schema = {f.name: f.dataType for f in sdf.schema.fields}
    for name, dtype in schema.items():
        fact = FACTS.get(name)
        if fact is None:
            continue
        convert = _CONVERTERS.get(fact.type, _text_column)
        column_checks, expr = convert(name, dtype, file)
        checks += column_checks
        if expr is not None:
            exprs[name] = expr
    _refuse_first_bad(sdf, checks, file)
    return sdf.select(
        *[F.expr(exprs[c]).alias(c) if c in exprs else F.col(quote_name(c)) for c in sdf.columns]
    )


def _from_text(name: str, good: str, then: str, reason: str) -> tuple[_Check, str]:
    """A text column: a value neither blank nor `good` is refused for `reason`; a good one becomes `then`."""
    q = quote_name(name)
    blank = f"({q} IS NULL OR trim(CAST({q} AS STRING)) = '')"
    return (f"NOT {blank} AND NOT {good}", name, reason), f"CASE WHEN {good} THEN {then} END"


def _money_column(name: str, dtype: Any, file: str | None) -> _Column:
    from pyspark.sql import types as T

    q = quote_name(name)
    if isinstance(dtype, T.IntegralType):
        return (
            [(f"abs(CAST({q} AS BIGINT)) > {MAX_MONEY_FEN // 100}", name, "amount out of range")],
            f"CAST({q} AS BIGINT) * 100",
        )
    if isinstance(dtype, T.DecimalType):
        scaled = f"(CAST({q} AS DECIMAL(38, {dtype.scale})) * 100)"
        return (
            [
                (
                    f"{scaled} <> CAST(CAST({scaled} AS DECIMAL(38,0)) AS DECIMAL(38, {dtype.scale}))",
                    name,
                    "money has at most two decimal places",
                ),
                (f"abs({scaled}) > {MAX_MONEY_FEN}", name, "amount out of range"),
            ],
            f"CAST(CAST({scaled} AS DECIMAL(38,0)) AS BIGINT)",
        )
    if isinstance(dtype, T.StringType):
        text = f"replace(trim({q}), ',', '')"
        ok = f"({text} RLIKE '^-?[0-9]+(\\\\.[0-9]{{1,2}})?$')"
        check, fen = _from_text(
            name,
            ok,
            f"CAST(CAST({text} AS DECIMAL(20,2)) * 100 AS BIGINT)",
            "not an amount of yuan with at most two decimals",
        )
        too_large = f"{ok} AND length(regexp_replace(split({text}, '\\\\.')[0], '-', '')) > 13"
        return [check, (too_large, name, "amount out of range")], fen
    raise RuleError(
        f"column {name!r}: money must be integer yuan, Decimal or text, not {dtype.simpleString()}",
        file=file,
    )


def _date_column(name: str, dtype: Any, file: str | None) -> _Column:
    from pyspark.sql import types as T

    q = quote_name(name)
    if isinstance(dtype, T.DateType):
        return [], None
    if isinstance(dtype, T.TimestampType | T.TimestampNTZType):
        return [], f"to_date({q})"
    if isinstance(dtype, T.StringType):
        good = f"(trim({q}) RLIKE '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$' AND try_to_date(trim({q}), 'yyyy-MM-dd') IS NOT NULL)"
        check, date = _from_text(name, good, f"try_to_date(trim({q}), 'yyyy-MM-dd')", "not a date YYYY-MM-DD")
        return [check], date
    raise RuleError(f"column {name!r}: dates must be Date or text, not {dtype.simpleString()}", file=file)


def _bool_column(name: str, dtype: Any, file: str | None) -> _Column:
    from pyspark.sql import types as T

    q = quote_name(name)
    if isinstance(dtype, T.BooleanType):
        return [], None
    if isinstance(dtype, T.StringType):
        low = f"lower(trim({q}))"
        check, flag = _from_text(
            name, f"({low} IN ('true', 'false'))", f"{low} = 'true'", "expected true or false"
        )
        return [check], flag
    raise RuleError(f"column {name!r}: expected Boolean, not {dtype.simpleString()}", file=file)


def _int_column(name: str, dtype: Any, file: str | None) -> _Column:
    from pyspark.sql import types as T

    q = quote_name(name)
    checks: list[_Check] = []
    if isinstance(dtype, T.IntegralType):
        value = f"CAST({q} AS BIGINT)"
    elif isinstance(dtype, T.StringType):
        good = f"(trim({q}) RLIKE '^-?[0-9]{{1,18}}$')"
        check, value = _from_text(name, good, f"CAST(trim({q}) AS BIGINT)", "expected a whole number")
        checks.append(check)
    else:
        raise RuleError(
            f"column {name!r}: expected a whole number column, not {dtype.simpleString()}", file=file
        )
    checks.append((f"abs({value}) > {MAX_INT}", name, "number out of range"))
    return checks, value


def _text_column(name: str, dtype: Any, file: str | None) -> _Column:
    from pyspark.sql import types as T

    if not isinstance(dtype, T.StringType):
        raise RuleError(f"column {name!r}: expected text, not {dtype.simpleString()}", file=file)
    return [], None


_CONVERTERS: dict[str, Callable[[str, Any, str | None], _Column]] = {
    "money": _money_column,
    "date": _date_column,
    "bool": _bool_column,
    "int": _int_column,
}


def _refuse_first_bad(sdf: DataFrame, checks: list[_Check], file: str | None) -> None:
    """One Spark job finds the first bad row, whatever the column, and refuses it naming the value."""
    from pyspark.sql import functions as F

    cases = " ".join(f"WHEN {cond} THEN {_str_lit(col + chr(0) + why)}" for cond, col, why in checks)
    bad = sdf.select(F.col("id").cast("string").alias("id"), F.expr(f"CASE {cases} END").alias("_err"))
    first = bad.filter("_err IS NOT NULL").limit(1).collect()
    if first:
        column, reason = first[0]["_err"].split(chr(0), 1)
        shown = (
            sdf.filter(F.col("id").cast("string") == first[0]["id"])
            .select(F.col(quote_name(column)).cast("string"))
            .first()
        )
        raise RuleError(
            f"column {column!r}: {reason}: {shown[0] if shown else None!r}",
            file=file,
            row=str(first[0]["id"]),
        )


def session() -> SparkSession:
    """The active session, or a local one (SPARK_MASTER, default local[*]); dates in UTC."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    return (
        SparkSession.builder.master(os.environ.get("SPARK_MASTER", "local[*]"))
        .appName("shouzhan-rules")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )


def read(spark: SparkSession, path: str | Path, catalogue: Catalogue) -> DataFrame:
    path = Path(path)
    if not path.exists():
        raise RuleError("input file not found", file=str(path))
    if path.suffix.lower() == ".parquet":
        sdf = spark.read.parquet(str(path))
    elif path.suffix.lower() == ".csv":
        sdf = spark.read.option("header", True).option("inferSchema", False).csv(str(path))
    else:
        raise RuleError("input must be .parquet or .csv", file=str(path))
    wanted = catalogue.facts()
    return sdf.select(*[quote_name(c) for c in sdf.columns if c == "id" or c in wanted])


def write_single_parquet(sdf: DataFrame, output: str | Path) -> None:
    """Write one parquet file (not a directory), like the Polars engine does."""
    output = Path(output)
    tmp = tempfile.mkdtemp(prefix=".shouzhan-spark-", dir=str(output.parent.resolve()))
    try:
        sdf.coalesce(1).write.mode("overwrite").parquet(tmp + "/out")
        parts = glob.glob(tmp + "/out/part-*.parquet")
        if len(parts) != 1:
            raise RuleError(f"spark wrote {len(parts)} files, expected 1", file=str(output))
        shutil.move(parts[0], output)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_files(
    catalogue: Catalogue,
    input_path: str | Path,
    output_path: str | Path,
    on: dt.date,
    *,
    progress: bool = False,
) -> int:
    spark = session()
    if not progress:
        spark.sparkContext.setLogLevel("ERROR")
    sdf = normalize(read(spark, input_path, catalogue), file=str(input_path))
    out = run(catalogue, sdf, on).cache()
    count = out.count()
    write_single_parquet(out, output_path)
    out.unpersist()
    return count


def collect_rows(sdf: DataFrame) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in sdf.collect()]

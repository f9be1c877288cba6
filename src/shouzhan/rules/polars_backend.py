"""Compile the typed tree to Polars expressions and run a catalogue over a whole table.

Same semantics as the interpreter, column-wise:
  * three-valued logic: Polars' `&`, `|` and `~` on nullable booleans are already Kleene;
    comparisons and arithmetic propagate null. Where Polars would *skip* nulls
    (min_horizontal, when/otherwise) the compiler puts the null back explicitly.
  * money is Int64 fen; money × rate uses the integer split of `money.mul_rate`, never
    float, so the result equals the interpreter's to the fen.
Rates and parameters are constants for one evaluation date, folded at compile time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import polars as pl

from shouzhan.rules import ir
from shouzhan.rules.catalogue import Catalogue, Clause, ParamValue, Policy, param_number, param_scale
from shouzhan.rules.interpreter import Evaluator


class _Compiler:
    def __init__(self, on: dt.date, params: Mapping[str, ParamValue]) -> None:
        self.on = on
        self.params = params
        self.consts = Evaluator({}, on, params)  # folds constant rates exactly

    def rate(self, node: ir.Expr) -> Fraction:
        value, _ = self.consts.eval(node)
        assert isinstance(value, Fraction | int), "rates are constants"
        return Fraction(value)

    def __call__(self, node: ir.Expr) -> pl.Expr:
        if isinstance(node, ir.Const):
            return _lit(node.value, node.type)
        if isinstance(node, ir.FactRef):
            return pl.col(node.name)
        if isinstance(node, ir.Known):
            return pl.col(node.name).is_not_null()
        if isinstance(node, ir.ParamRef):
            return _lit(param_number(self.params, node.name, self.on), node.type)
        if isinstance(node, ir.TodayRef):
            return pl.lit(self.on, dtype=pl.Date)
        if isinstance(node, ir.Logic):
            a, b = self(node.left), self(node.right)
            return a & b if node.op == "and" else a | b
        if isinstance(node, ir.Not):
            return ~self(node.operand)
        if isinstance(node, ir.Compare):
            a, b = self(node.left), self(node.right)
            ops = {
                "==": a.__eq__,
                "!=": a.__ne__,
                "<": a.__lt__,
                "<=": a.__le__,
                ">": a.__gt__,
                ">=": a.__ge__,
            }
            return ops[node.op](b)
        if isinstance(node, ir.InList):
            operand = self(node.operand)
            if len(node.values) <= 4:  # a few equalities are cheaper than a hash lookup
                hit = operand == _lit(node.values[0], node.operand.type)
                for v in node.values[1:]:
                    hit = hit | (operand == _lit(v, node.operand.type))
            else:
                dtype = pl.String if node.operand.type == "str" else pl.Int64
                hit = operand.is_in(pl.Series(list(node.values), dtype=dtype).implode())
            return ~hit if node.negated else hit
        if isinstance(node, ir.Neg):
            return -self(node.operand)
        if isinstance(node, ir.Arith):
            return self.arith(node)
        if isinstance(node, ir.MulRate):
            return mul_rate_expr(self(node.money), self.rate(node.rate))
        if isinstance(node, ir.RateOp):
            raise AssertionError("rates are folded by their MulRate")
        if isinstance(node, ir.MinMax):
            args = [self(a) for a in node.args]
            pick = pl.min_horizontal(args) if node.op == "min" else pl.max_horizontal(args)
            any_null = pl.any_horizontal([a.is_null() for a in args])
            return pl.when(any_null).then(None).otherwise(pick)  # min/max of unknown is unknown
        if isinstance(node, ir.Scale):
            table = param_scale(self.params, node.param, self.on)
            x = self(node.operand)
            chain: Any = pl.when(x.is_null()).then(pl.lit(None, dtype=pl.Int64))
            for threshold, fen in reversed(table):
                chain = chain.when(x >= threshold).then(pl.lit(fen, dtype=pl.Int64))
            scaled: pl.Expr = chain.otherwise(pl.lit(0, dtype=pl.Int64))
            return scaled
        if isinstance(node, ir.Year):
            return self(node.operand).dt.year().cast(pl.Int64)
        raise TypeError(f"unknown node {type(node).__name__}")

    def arith(self, node: ir.Arith) -> pl.Expr:
        a, b = self(node.left), self(node.right)
        if node.type == "date":
            days = pl.duration(days=b)
            return a + days if node.op == "+" else a - days
        if node.left.type == "date":  # date − date → whole days
            return (a - b).dt.total_days().cast(pl.Int64)
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        return a * b


def _lit(value: object, t: ir.Type) -> pl.Expr:
    dtype = {"money": pl.Int64, "int": pl.Int64, "str": pl.String, "bool": pl.Boolean, "date": pl.Date}[t]
    return pl.lit(value, dtype=dtype)


def mul_rate_expr(money: pl.Expr, rate: Fraction) -> pl.Expr:
    """round_half_away_from_zero(money × n/d) in Int64, the same steps as money.mul_rate."""
    n, d = rate.numerator, rate.denominator
    if d == 1:
        return money * n
    a = money.abs()
    q, r = a // d, a % d
    magnitude = q * abs(n) + (2 * abs(n) * r + d) // (2 * d)
    if n < 0:
        return pl.when(money > 0).then(-magnitude).otherwise(magnitude)
    return pl.when(money < 0).then(-magnitude).otherwise(magnitude)


def _eligible_expr(c: _Compiler, policy_col: pl.Expr | None, clause: Clause) -> pl.Expr:
    parts = [policy_col] if policy_col is not None else []
    parts += [c(e.tree) for e in (clause.applies_to, clause.condition) if e is not None]
    eligible = parts[0]
    for p in parts[1:]:
        eligible = eligible & p  # Kleene and
    return eligible


def _amount_expr(c: _Compiler, clause: Clause, eligible: pl.Expr) -> pl.Expr:
    """max_amount_fen: Int64, null when not eligible, in kind, or unknown."""
    amount: pl.Expr
    if clause.amount is None or clause.decision == "in_kind":
        return pl.lit(None, dtype=pl.Int64)
    amount = c(clause.amount.tree)
    if clause.cap is not None:
        amount = amount.clip(upper_bound=clause.cap.fen)  # clip keeps null
    for m in clause.modifiers:
        cond = c(m.condition.tree)
        amount = (
            pl.when(cond)
            .then(amount + mul_rate_expr(amount, m.bonus))
            .when(~cond)
            .then(amount)
            .otherwise(pl.lit(None, dtype=pl.Int64))
        )
    return (
        pl.when(eligible.is_null() | eligible)
        .then(amount)
        .otherwise(pl.lit(None, dtype=pl.Int64))
        .cast(pl.Int64)
    )


def compile_polars(expr: ir.Expr, on: dt.date, params: Mapping[str, ParamValue] | None = None) -> pl.Expr:
    """One checked expression as a Polars expression over columns named like its facts (insight's targets
    count the rows where a definition is true; null, an unknown fact, counts as neither)."""
    return _Compiler(on, params or {})(expr)


def clause_exprs(policy: Policy, clause: Clause, on: dt.date) -> tuple[pl.Expr, pl.Expr]:
    """(eligible: nullable bool, max_amount_fen: Int64) for one clause, self-contained."""
    c = _Compiler(on, policy.params_at(on))
    policy_col = c(policy.applies_to.tree) if policy.applies_to is not None else None
    eligible = _eligible_expr(c, policy_col, clause)
    return eligible, _amount_expr(c, clause, eligible)


def evaluate(catalogue: Catalogue, df: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """Wide result: `id` plus `<clause>:eligible` and `<clause>:amount` per clause in force.

    Three stages so shared work is done once per row: each policy's applies_to (e.g. the
    district list), then every clause's eligibility, then amounts reading that column.
    """
    stage_policy: list[pl.Expr] = []
    stage_eligible: list[pl.Expr] = []
    stage_amount: list[pl.Expr] = [pl.col("id")]
    for policy in catalogue.policies:
        clauses = [cl for cl in policy.clauses if cl.in_force(on)]
        if not clauses:
            continue
        c = _Compiler(on, policy.params_at(on))
        policy_col = None
        if policy.applies_to is not None:
            stage_policy.append(c(policy.applies_to.tree).alias(f"{policy.id}:applies"))
            policy_col = pl.col(f"{policy.id}:applies")
        for clause in clauses:
            name = f"{clause.id}:eligible"
            stage_eligible.append(_eligible_expr(c, policy_col, clause).alias(name))
            stage_amount += [pl.col(name), _amount_expr(c, clause, pl.col(name)).alias(f"{clause.id}:amount")]
    lf = df.lazy()
    if stage_policy:
        lf = lf.with_columns(stage_policy)
    if stage_eligible:
        lf = lf.with_columns(stage_eligible)
    return lf.select(stage_amount).collect()


def run(catalogue: Catalogue, df: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """Long result: `id, clause_id, status, max_amount_fen` for eligible and unknown rows.

    `df` holds normalised facts (see batch.normalize_polars): one column per fact name,
    money in Int64 fen, dates as Date; absent facts may be missing columns. `id` keeps
    its input type.
    """
    from shouzhan.rules.batch import ensure_fact_columns

    df = ensure_fact_columns(df, catalogue)
    wide = evaluate(catalogue, df, on).lazy()
    pieces = []
    for clause in catalogue.clauses:
        if not clause.in_force(on):
            continue
        eligible = pl.col(f"{clause.id}:eligible")
        pieces.append(
            wide.filter(eligible.is_null() | eligible).select(
                "id",
                pl.lit(clause.id, dtype=pl.String).alias("clause_id"),
                pl.when(eligible).then(pl.lit("eligible")).otherwise(pl.lit("unknown")).alias("status"),
                pl.col(f"{clause.id}:amount").alias("max_amount_fen"),
            )
        )
    if not pieces:
        return (
            df.select("id")
            .clear()
            .with_columns(
                pl.lit(None, dtype=pl.String).alias("clause_id"),
                pl.lit(None, dtype=pl.String).alias("status"),
                pl.lit(None, dtype=pl.Int64).alias("max_amount_fen"),
            )
        )
    return pl.concat(pieces, how="vertical").collect()

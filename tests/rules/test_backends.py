"""The Polars back end equals the interpreter, row by row, to the fen (nulls included)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shouzhan.rules import Catalogue, batch_polars
from shouzhan.rules.batch import normalize_polars
from shouzhan.rules.interpreter import explain
from shouzhan.rules.money import mul_rate
from shouzhan.rules.polars_backend import mul_rate_expr
from shouzhan.rules.synthetic import register
from shouzhan.rules.vocabulary import FACTS, PROJECT_KINDS, SECTORS, VOUCHER_ITEMS

from .conftest import ON


def interpreter_rows(catalogue: Catalogue, df: pl.DataFrame, on: dt.date) -> set[tuple[Any, ...]]:
    rows = set()
    for row in df.iter_rows(named=True):
        facts = {k: v for k, v in row.items() if k in FACTS and v is not None}
        for r in explain(catalogue, facts, on, normalized=True):
            if r.status != "not_eligible":
                rows.add((row["id"], r.id, r.status, r.max_amount_fen))
    return rows


def polars_rows(catalogue: Catalogue, df: pl.DataFrame, on: dt.date) -> set[tuple[Any, ...]]:
    out = batch_polars(catalogue, df, on)
    rows = list(out.iter_rows())
    assert len(rows) == len(set(rows))
    return set(rows)


def test_polars_equals_interpreter_on_synthetic_register(catalogue: Catalogue) -> None:
    df = normalize_polars(register(3000, seed=11), catalogue)
    expected = interpreter_rows(catalogue, df, ON)
    assert len(expected) > 1000
    assert {s for _, _, s, _ in expected} == {"eligible", "unknown"}
    assert polars_rows(catalogue, df, ON) == expected


def test_polars_before_the_policy_starts_is_empty(catalogue: Catalogue) -> None:
    df = normalize_polars(register(50), catalogue)
    assert batch_polars(catalogue, df, dt.date(2025, 1, 1)).height == 0


def test_missing_columns_are_unknown(catalogue: Catalogue) -> None:
    df = pl.DataFrame({"id": ["x"], "project.kind": ["event"]})
    rows = polars_rows(catalogue, normalize_polars(df, catalogue), ON)
    assert ("x", "xuhui.events", "unknown", 300_000_000) in rows
    assert rows == interpreter_rows(catalogue, normalize_polars(df, catalogue), ON)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


ROW = st.fixed_dictionaries(
    {
        "enterprise.district": _maybe(st.sampled_from(["徐汇", "杨浦", "北京"])),
        "enterprise.sector": _maybe(st.sampled_from(SECTORS)),
        "enterprise.in_cluster": _maybe(st.booleans()),
        "enterprise.is_startup": _maybe(st.booleans()),
        "project.kind": _maybe(st.sampled_from(PROJECT_KINDS)),
        "project.voucher_item": _maybe(st.sampled_from(VOUCHER_ITEMS)),
        "project.rd_investment_yuan": _maybe(st.integers(-(10**11), 10**13)),  # fen
        "project.trainees": _maybe(st.integers(-5, 400)),
        **{
            name: _maybe(st.booleans())
            for name, f in FACTS.items()
            if f.type == "bool" and name.startswith("project.")
        },
    }
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=40))
def test_polars_equals_interpreter_property(catalogue: Catalogue, rows: list[dict[str, Any]]) -> None:
    schema = {
        name: {"str": pl.String, "int": pl.Int64, "bool": pl.Boolean, "money": pl.Int64}[FACTS[name].type]
        for name in rows[0]
    }
    df = pl.DataFrame(rows, schema=schema).with_row_index("id")
    df = df.with_columns(pl.col("id").cast(pl.String))
    assert polars_rows(catalogue, df, ON) == interpreter_rows(catalogue, df, ON)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-(10**15), 10**15), min_size=1, max_size=20),
    st.integers(-(10**6), 10**6),
    st.integers(1, 10**6),
)
def test_mul_rate_expr_equals_python(values: list[int], num: int, den: int) -> None:
    rate = Fraction(num, den)
    values = [v for v in values if abs(v * rate) < 2**62]  # the type checker proves this bound
    # A money column is Int64 even when the bound leaves no value (an empty list alone would be typed null).
    column = pl.Series("m", values, dtype=pl.Int64)
    got = pl.DataFrame([column]).select(mul_rate_expr(pl.col("m"), rate)).to_series().to_list()
    assert got == [mul_rate(v, rate) for v in values]

"""Policy rules as code — pure Python, no Django.

    catalogue = load_catalogue("catalogue/")
    results = explain(catalogue, {"enterprise": {...}, "project": {...}}, on=date(2025, 9, 1))
    table = batch_polars(catalogue, df, on=date(2025, 9, 1))

One typed tree per expression, three back ends: the interpreter (explain one case with a
trace), Polars (whole tables) and Spark (when one machine is not enough). Money is
integer fen everywhere; the only rounding is money × rate to the fen, half up.
Heavy imports (polars, pyspark) happen only when a batch function is called.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from shouzhan.rules.catalogue import Catalogue, Clause, Policy, diff_policies, load_catalogue, load_policy
from shouzhan.rules.errors import RuleError
from shouzhan.rules.interpreter import ClauseResult, normalize_facts
from shouzhan.rules.interpreter import explain as _explain
from shouzhan.rules.vocabulary import FACTS, Fact

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "FACTS",
    "Catalogue",
    "Clause",
    "ClauseResult",
    "Fact",
    "Policy",
    "RuleError",
    "batch_polars",
    "diff_policies",
    "explain",
    "load_catalogue",
    "load_policy",
    "normalize_facts",
]


def explain(catalogue: Catalogue, facts: dict[str, Any], on: dt.date | None = None) -> list[ClauseResult]:
    """Every clause for one case (nested facts JSON), each with status, amount, missing facts and trace."""
    return _explain(catalogue, facts, on or dt.date.today())


def batch_polars(catalogue: Catalogue, df: pl.DataFrame, on: dt.date | None = None) -> pl.DataFrame:
    """Rows `id, clause_id, status, max_amount_fen` for every eligible or unknown (subject, clause)."""
    from shouzhan.rules.polars_backend import run

    return run(catalogue, df, on or dt.date.today())

"""What an enterprise has already had, applied to the rules' results: the money and the period of an offer.

Pure Polars (no Django): `history_apply` takes the results, the clauses' caps and the applications that
count, and returns the offers there may be — with their period and key, and an amount no more than what
remains under the cap. `expiry_dates` gives the confirmation deadlines in working days. Both are in
`make mutation` (money and deadlines).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl

from shouzhan import rules
from shouzhan.core.workdays import add_working_days

# Caps counted per year (an offer's period is the year); per project (a work, a course, an event is a
# project here); or once for good.
YEAR_CAPS = ("year", "item_per_year")
PROJECT_CAPS = ("project", "work", "course", "event")
TERMS_SCHEMA = {"clause_id": pl.String, "cap_per": pl.String, "cap_fen": pl.Int64}


def clause_terms(catalogue: rules.Catalogue, on: dt.date) -> pl.DataFrame:
    """Each clause in force with its cap: per what, and how much (fen); none for a clause without one."""
    rows = [
        (c.id, c.cap.per if c.cap else "", c.cap.fen if c.cap else None)
        for c in catalogue.clauses
        if c.in_force(on)
    ]
    return pl.DataFrame(rows, schema=TERMS_SCHEMA, orient="row")


def _scope(project: pl.Expr, year: pl.Expr) -> list[pl.Expr]:
    """The scope a cap counts over, beside the enterprise and the clause: the project or the year."""
    per = pl.col("cap_per")
    return [
        pl.when(per.is_in(PROJECT_CAPS)).then(project).otherwise(0).alias("s_project"),
        pl.when(per.is_in(YEAR_CAPS)).then(year).otherwise(0).alias("s_year"),
    ]


def history_apply(
    results: pl.DataFrame, terms: pl.DataFrame, cases: pl.DataFrame, excluded: Iterable[int], on: dt.date
) -> pl.DataFrame:
    """The offers there may be on `on`.

    `results`: enterprise_id, project_id (0 for the enterprise itself), clause_id, max_amount_fen, … ;
    `cases`: enterprise_id, project_id, clause_id, year, granted, amount_fen — applications granted or
    still in progress (those that ended without support do not count). Nothing for an excluded
    enterprise; nothing where an application for the same clause, project and year exists, or one is in
    progress in the cap's scope (its amount is not decided yet); nothing when nothing remains under the
    cap; else the amount is at most what remains (`cap_remaining_fen`). Adds `period` and `key`.
    """
    excluded = list(excluded)
    r = results.join(terms, on="clause_id", how="left")
    if excluded:
        r = r.filter(~pl.col("enterprise_id").is_in(excluded))
    r = r.with_columns(
        pl.when(pl.col("cap_per").is_in(YEAR_CAPS))
        .then(pl.lit(str(on.year)))
        .otherwise(pl.lit(""))
        .alias("period"),
        *_scope(pl.col("project_id"), pl.lit(on.year)),
    )
    counted = cases.join(terms, on="clause_id", how="inner").with_columns(
        *_scope(pl.col("project_id"), pl.col("year"))
    )
    keys = ["enterprise_id", "clause_id", "s_project", "s_year"]
    same = (
        counted.filter(pl.col("year") == on.year).select("enterprise_id", "project_id", "clause_id").unique()
    )
    in_progress = counted.filter(~pl.col("granted") & (pl.col("cap_per") != "")).select(keys).unique()
    granted = (
        counted.filter(pl.col("granted")).group_by(keys).agg(pl.col("amount_fen").sum().alias("granted_fen"))
    )
    # What remains: the cap less what was granted in its scope. A modifier's bonus may lift an amount above
    # the cap (沪8条: +50 % for city image), so the ceiling is the larger of the two; with nothing granted
    # the rules' amount stands as it is.
    remaining = pl.max_horizontal("cap_fen", "max_amount_fen") - pl.col("granted_fen").fill_null(0)
    r = (
        r.join(same, on=["enterprise_id", "project_id", "clause_id"], how="anti")
        .join(in_progress, on=keys, how="anti")
        .join(granted, on=keys, how="left")
        .with_columns(
            pl.when(pl.col("cap_fen").is_null()).then(None).otherwise(remaining).alias("cap_remaining_fen")
        )
        .filter(pl.col("cap_remaining_fen").is_null() | (pl.col("cap_remaining_fen") > 0))
        .with_columns(
            # Unknown stays unknown; without a cap (remaining null) the amount is the rules' own.
            pl.when(pl.col("max_amount_fen").is_null())
            .then(None)
            .otherwise(pl.min_horizontal("max_amount_fen", "cap_remaining_fen"))
            .alias("max_amount_fen")
        )
    )
    key = pl.concat_str(
        [pl.col("enterprise_id"), pl.col("project_id"), pl.col("clause_id"), pl.col("period")], separator=":"
    )
    return r.with_columns(key.alias("key")).sort("key")


def expiry_dates(days: Iterable[int], on: dt.date) -> dict[int, dt.date]:
    """The confirmation deadline for each number of working days, counted from `on` (core.workdays)."""
    return {n: add_working_days(on, n).date for n in sorted(set(days))}

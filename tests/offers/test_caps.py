"""What an enterprise has had, applied to the rules' results (offers/caps.py): exact fen and periods.
Pure Polars, no database — these are the tests `make mutation` runs on caps.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from shouzhan.offers.caps import TERMS_SCHEMA, expiry_dates, history_apply

ON = dt.date(2026, 12, 7)
TERMS = pl.DataFrame(
    [
        ("c.once", "once", 1_000),
        ("c.project", "project", 1_000),
        ("c.year", "year", 1_000),
        ("c.item", "item_per_year", 1_000),
        ("c.nocap", "", None),
    ],
    schema=TERMS_SCHEMA,
    orient="row",
)
CASES_SCHEMA = {
    "enterprise_id": pl.Int64,
    "project_id": pl.Int64,
    "clause_id": pl.String,
    "year": pl.Int64,
    "granted": pl.Boolean,
    "amount_fen": pl.Int64,
}
RESULTS_SCHEMA = {
    "enterprise_id": pl.Int64,
    "project_id": pl.Int64,
    "clause_id": pl.String,
    "max_amount_fen": pl.Int64,
}


def results(*rows: tuple[int, int, str, int | None]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=RESULTS_SCHEMA, orient="row")


def cases(*rows: tuple[int, int, str, int, bool, int]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=CASES_SCHEMA, orient="row")


def apply(r: pl.DataFrame, c: pl.DataFrame | None = None, excluded: Any = ()) -> list[tuple[Any, ...]]:
    out = history_apply(r, TERMS, c if c is not None else cases(), excluded, ON)
    return list(out.select("key", "period", "max_amount_fen", "cap_remaining_fen").iter_rows())


def test_nothing_had_the_rules_amount_stands_with_its_period_and_key() -> None:
    r = results(
        (1, 0, "c.once", 800),
        (1, 5, "c.project", 1_000),
        (1, 0, "c.year", 300),
        (2, 7, "c.item", None),
        (3, 0, "c.nocap", 5),
    )
    assert apply(r) == [
        ("1:0:c.once:", "", 800, 1_000),
        ("1:0:c.year:2026", "2026", 300, 1_000),
        ("1:5:c.project:", "", 1_000, 1_000),
        ("2:7:c.item:2026", "2026", None, 1_000),
        ("3:0:c.nocap:", "", 5, None),
    ]


def test_a_bonus_above_the_cap_stands_when_nothing_was_granted() -> None:
    assert apply(results((1, 0, "c.once", 1_500))) == [("1:0:c.once:", "", 1_500, 1_500)]


def test_what_remains_under_a_once_cap_after_a_grant_in_another_year() -> None:
    c = cases((1, 9, "c.once", 2024, True, 700))
    assert apply(results((1, 0, "c.once", 800)), c) == [("1:0:c.once:", "", 300, 300)]
    assert apply(results((1, 0, "c.once", 200)), c) == [("1:0:c.once:", "", 200, 300)]
    assert apply(results((1, 0, "c.once", 800)), cases((1, 9, "c.once", 2024, True, 1_000))) == []


def test_a_project_cap_counts_that_project_only() -> None:
    c = cases((1, 5, "c.project", 2025, True, 999), (1, 6, "c.project", 2025, True, 1_000))
    r = results((1, 5, "c.project", 1_000), (1, 6, "c.project", 1_000), (1, 8, "c.project", 1_000))
    assert apply(r, c) == [("1:5:c.project:", "", 1, 1), ("1:8:c.project:", "", 1_000, 1_000)]


def test_a_yearly_cap_counts_this_year_across_projects() -> None:
    c = cases((1, 5, "c.year", 2026, True, 600), (1, 6, "c.year", 2025, True, 1_000))
    r = results((1, 7, "c.year", 1_000), (2, 7, "c.year", 1_000))
    assert apply(r, c) == [("1:7:c.year:2026", "2026", 400, 400), ("2:7:c.year:2026", "2026", 1_000, 1_000)]


def test_an_application_for_the_same_clause_project_and_year_blocks_it() -> None:
    c = cases((1, 5, "c.nocap", 2026, False, 0), (1, 6, "c.nocap", 2025, True, 5))
    r = results((1, 5, "c.nocap", 5), (1, 6, "c.nocap", 5), (2, 5, "c.nocap", 5))
    assert [k for k, *_ in apply(r, c)] == ["1:6:c.nocap:", "2:5:c.nocap:"]


def test_one_in_progress_within_the_caps_scope_blocks_it() -> None:
    c = cases((1, 5, "c.once", 2025, False, 0), (1, 5, "c.year", 2025, False, 0))
    r = results((1, 6, "c.once", 100), (1, 6, "c.year", 100))
    assert [k for k, *_ in apply(r, c)] == ["1:6:c.year:2026"]  # last year's, for a yearly cap, does not


def test_an_excluded_enterprise_gets_nothing() -> None:
    r = results((1, 0, "c.once", 1), (2, 0, "c.once", 1))
    assert [k for k, *_ in apply(r, excluded=[1])] == ["2:0:c.once:"]


def test_a_clause_not_in_force_counts_no_cases() -> None:
    c = cases((1, 0, "c.gone", 2026, True, 5))
    assert apply(results((1, 0, "c.once", 10)), c) == [("1:0:c.once:", "", 10, 1_000)]


@pytest.mark.django_db  # the calendar reads the administrator's overrides
def test_expiry_dates_are_working_days() -> None:
    # 2026-12-07 is a Monday: 5 working days → the next Monday; 30 → 2027-01-19 (元旦 1 January off).
    assert expiry_dates([5, 30, 5], ON) == {5: dt.date(2026, 12, 14), 30: dt.date(2027, 1, 19)}

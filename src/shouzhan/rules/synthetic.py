"""Synthetic registers with the whole fact vocabulary, for benchmarks and back-end tests.

Deterministic for a given seed (Polars' seeded hash, no numpy needed). Every fact is
unknown (null) in about `null_share` of rows so three-valued logic is exercised, and the
choices are weighted towards 徐汇 and the kinds the catalogue rewards so that a good share
of rows is eligible for something.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from shouzhan.rules.vocabulary import DISTRICTS, FACTS, PROJECT_KINDS, SECTORS, VOUCHER_ITEMS


def _u(n: int, seed: int) -> pl.Series:
    return pl.select(pl.int_range(n, dtype=pl.UInt64).hash(seed=seed)).to_series()


def register(n: int, seed: int = 7, null_share: int = 20) -> pl.DataFrame:
    """`n` subjects; about 1/`null_share` of each fact column is null."""
    cols: dict[str, pl.Series] = {"id": pl.Series("id", range(1, n + 1), dtype=pl.Int64)}
    districts = ["徐汇"] * 6 + list(DISTRICTS)
    for k, (name, fact) in enumerate(sorted(FACTS.items())):
        u = _u(n, seed * 1000 + k)
        if fact.type == "bool":
            values = (u % 2 == 0).rename(name)
        elif fact.type == "str":
            choices = {
                "enterprise.district": districts,
                "enterprise.sector": list(SECTORS),
                "project.kind": list(PROJECT_KINDS),
                "project.voucher_item": list(VOUCHER_ITEMS),
            }.get(name, ["a", "b"])
            values = pl.Series(name, choices, dtype=pl.String).gather((u % len(choices)).cast(pl.Int64))
        elif fact.type == "int":
            top = {"project.trainees": 300, "project.year": 4, "enterprise.employees": 500}.get(name, 1000)
            values = (u % top).cast(pl.Int64).rename(name)
            if name == "project.year":
                values = values + 2024
        elif fact.type == "money":
            # Up to 100,000,000.00 yuan, exact Decimal(18, 2): fen drawn as integers.
            fen = (u % 10_000_000_000).cast(pl.Int64)
            values = (fen.cast(pl.Decimal(18, 2)) / 100).cast(pl.Decimal(18, 2)).rename(name)
        else:  # date
            start = dt.date(2015, 1, 1)
            values = (
                pl.select(pl.lit(start) + pl.duration(days=pl.lit((u % 4000).cast(pl.Int64))))
                .to_series()
                .rename(name)
            )
        blank = _u(n, seed * 1000 + 500 + k) % null_share == 0
        cols[name] = pl.select(pl.when(blank).then(None).otherwise(values)).to_series().rename(name)
    return pl.DataFrame(list(cols.values()))

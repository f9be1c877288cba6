"""A figure measured from a frame, exactly: what counts, what is unknown, the share's numerator, denominator
and the city total it was measured against (the latest entered by the day, this year's or else last year's),
and a figure stored and read back unchanged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from django.utils import timezone

from shouzhan.insight.figures import Figure, city_total, percent, target_measure
from shouzhan.insight.frames import ENTERPRISE_SCHEMA
from shouzhan.insight.models import CityFigure, Target
from shouzhan.insight.selectors import target_list

pytestmark = pytest.mark.django_db
D = dt.date


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    base = {name: None for name in ENTERPRISE_SCHEMA}
    return pl.DataFrame([{**base, **r} for r in rows], schema=ENTERPRISE_SCHEMA)


def _target(key: str) -> Target:
    return next(t for t in target_list() if t.key == key)


XUHUI = {"enterprise.district": "徐汇", "enterprise.in_cluster": True, "enterprise.sector": "micro_drama"}


def test_a_count_with_its_unknowns(insight_data: Any) -> None:
    frame = _frame([
        {"id": 1, **XUHUI, "enterprise.annual_revenue_yuan": 10_000_000_00},  # at the bar: counts
        {"id": 2, **XUHUI, "enterprise.annual_revenue_yuan": 9_999_999_99, "enterprise.patents": 0,
         "enterprise.approved_filings": 0},  # just under, nothing else: not met
        {"id": 3, **XUHUI, "enterprise.patents": 0, "enterprise.approved_filings": 0},  # revenue unknown
        {"id": 4, **XUHUI, "enterprise.district": "杨浦", "enterprise.annual_revenue_yuan": 20_000_000_00},
        {"id": 5, **XUHUI, "enterprise.patents": 3},  # revenue unknown, but three patents: counts
    ])  # fmt: skip
    figure = target_measure(_target("quality_enterprises"), frame, as_of=D(2026, 11, 30))
    assert (figure.value, figure.unknown, figure.unit, figure.goal) == (Decimal(2), 1, "count", Decimal(40))
    assert (figure.numerator_fen, figure.denominator_fen, figure.note, figure.detail) == (None, None, "", {})
    assert figure.progress == Decimal("5.00")
    assert figure.as_of == D(2026, 11, 30) and figure.source.startswith("企业登记")


def test_a_share_exact_with_the_city_total_it_was_measured_against(insight_data: Any) -> None:
    frame = _frame([
        {"id": 1, **XUHUI, "enterprise.annual_revenue_yuan": 123_456_789},
        {"id": 2, **XUHUI, "enterprise.annual_revenue_yuan": 1},
        {"id": 3, **XUHUI, "enterprise.in_cluster": False, "enterprise.annual_revenue_yuan": 999_999_999},
        {"id": 4, **XUHUI, "enterprise.sector": "games", "enterprise.annual_revenue_yuan": 999_999_999},
    ])  # fmt: skip
    share = _target("city_share")
    missing = target_measure(share, frame, as_of=D(2026, 11, 30))
    assert (missing.value, missing.note, missing.numerator_fen, missing.unit) == (
        None, "no_city_total", 123_456_790, "percent",
    )  # fmt: skip
    assert missing.detail == {"enterprises": 2} and missing.progress is None
    CityFigure.objects.create(
        year=2026, value_fen=1_000_000_000, source="市统计局", published_on=D(2026, 11, 30)
    )
    figure = target_measure(share, frame, as_of=D(2026, 11, 30))
    # 123,456,790 ÷ 1,000,000,000 = 12.345679 % → 12.35 (half up, only for display)
    assert (figure.value, figure.numerator_fen, figure.denominator_fen) == (
        Decimal("12.35"),
        123_456_790,
        1_000_000_000,
    )
    assert figure.detail == {
        "enterprises": 2, "city_year": 2026, "city_source": "市统计局", "city_published_on": "2026-11-30",
    }  # fmt: skip
    assert figure.progress == Decimal("61.75")


def test_which_city_total_is_read(db: Any) -> None:
    def entry(year: int, fen: int, published: dt.date, minutes: int) -> None:
        CityFigure.objects.create(year=year, value_fen=fen, source=f"{year}/{fen}", published_on=published,
                                  entered_at=timezone.now() + dt.timedelta(minutes=minutes))  # fmt: skip

    assert city_total(year=2026, as_of=D(2026, 6, 30)) is None
    entry(2025, 100, D(2026, 4, 1), 0)
    entry(2027, 300, D(2026, 5, 1), 1)  # a forecast of next year is never this year's total
    entry(2024, 400, D(2025, 4, 1), 2)  # two years back: too old
    assert (
        city_total(year=2026, as_of=D(2026, 6, 30)).value_fen == 100
    )  # last year's while this year's is missing
    entry(2026, 200, D(2026, 6, 30), 3)
    assert city_total(year=2026, as_of=D(2026, 6, 29)).value_fen == 100  # published the next day
    assert city_total(year=2026, as_of=D(2026, 6, 30)).value_fen == 200  # published that day: counts
    entry(2026, 250, D(2026, 6, 30), 4)  # a correction entered later wins
    assert city_total(year=2026, as_of=D(2026, 7, 31)).value_fen == 250


def test_percent_rounds_half_up() -> None:
    assert percent(1, 8) == Decimal("12.50")
    assert percent(1, 800) == Decimal("0.13")  # 0.125 → 0.13
    assert percent(1, 3) == Decimal("33.33")
    assert percent(2, 3) == Decimal("66.67")


def test_a_figure_stored_and_read_back_is_the_same() -> None:
    figure = Figure(
        key="city_share", title="产业规模占全市比重", value=Decimal("12.35"), unit="percent", definition="x",
        source="s", as_of=D(2026, 11, 30), goal=Decimal("20.00"), unknown=3, numerator_fen=123, denominator_fen=1000,
        note="n", detail={"enterprises": 2},
    )  # fmt: skip
    data = figure.to_json()
    assert data["value"] == "12.35" and data["goal"] == "20.00" and data["as_of"] == "2026-11-30"
    assert Figure.from_json(data) == figure
    empty = Figure(
        key="k", title="t", value=None, unit="count", definition="", source="", as_of=D(2026, 1, 31)
    )
    assert empty.to_json()["value"] is None and empty.to_json()["goal"] is None
    assert Figure.from_json(empty.to_json()) == empty and empty.progress is None

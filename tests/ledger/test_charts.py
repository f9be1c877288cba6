"""The burn-down chart's geometry: a step line, a dot where the balance moved, held until today."""

from __future__ import annotations

import datetime as dt

from shouzhan.ledger.charts import burn_down


def test_step_line_with_dots_held_until_today() -> None:
    chart = burn_down(
        [(dt.date(2026, 1, 1), 1_000_00), (dt.date(2026, 7, 2), 400_00)],
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
        today=dt.date(2026, 12, 31),
    )
    assert chart is not None
    # x: 40 + 520 × days / 364; y: 180 − 140 × value / top.
    assert chart.points == "40.0,40.0 300.0,40.0 300.0,124.0 560.0,124.0"
    assert chart.dots == [(40.0, 40.0), (300.0, 124.0)]
    assert (chart.today_x, chart.bottom, chart.right) == (560.0, 180, 560)
    assert (chart.top_label, chart.last_value_label) == ("0.1 万元", "0.04 万元")


def test_a_budget_that_moved_on_one_day_still_shows_its_mark() -> None:
    chart = burn_down(
        [(dt.date(2026, 11, 23), 500_00)],
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
        today=dt.date(2026, 11, 23),
    )
    assert chart is not None and len(chart.dots) == 1 and chart.dots[0][0] == chart.today_x


def test_no_movement_no_chart() -> None:
    assert burn_down([], dt.date(2026, 1, 1), dt.date(2026, 12, 31)) is None

"""Insight's charts, drawn on the server as SVG geometry the templates write out (no script, nothing from the
internet): a target's sparkline on the dashboard's card, and its progress against the goal on the targets
page — the stored month-ends, the figure now, the goal as a line and the projection dashed to the period's end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from shouzhan.insight.progress import Point, Progress, month_index


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str
    value: str
    stored: bool


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    points: str  # the polyline's "x,y x,y …"
    last: Dot


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    line: str
    dots: list[Dot]
    goal_y: float | None
    goal_label: str
    projection: str  # "x,y x,y" of the dashed projection, or ""
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)


def _value_text(value: Decimal | Fraction, unit: str) -> str:
    exact = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else value
    if unit == "percent":
        return f"{exact.quantize(Decimal('0.01'))}%"
    return f"{exact.quantize(Decimal('1'))}"


def _month_label(month: dt.date) -> str:
    return _("%(y)s年%(m)s月") % {"y": month.year, "m": month.month}


def sparkline(
    points: list[Point], *, unit: str = "count", width: int = 160, height: int = 36
) -> Sparkline | None:
    """The monthly series as a small line (at least two points), scaled to its own range."""
    if len(points) < 2:
        return None
    low = min(p.value for p in points)
    high = max(p.value for p in points)
    span = (high - low) or Decimal(1)
    first, last_i = month_index(points[0].month), month_index(points[-1].month)
    months = (last_i - first) or 1
    pad = 3
    coords = []
    for p in points:
        x = pad + (width - 2 * pad) * (month_index(p.month) - first) / months
        y = pad + (height - 2 * pad) * float((high - p.value) / span)
        coords.append((round(x, 1), round(y, 1), p))
    x, y, p = coords[-1]
    return Sparkline(
        width=width,
        height=height,
        points=" ".join(f"{cx},{cy}" for cx, cy, _p in coords),
        last=Dot(x, y, _month_label(p.month), _value_text(p.value, unit), p.stored),
    )


def _nice_top(value: Fraction) -> Fraction:
    """A round top for the value axis: 1, 2 or 5 × 10^n at or above the value."""
    if value <= 0:
        return Fraction(1)
    step = Fraction(1)
    while step * 10 <= value:
        step *= 10
    while step > value * 10:
        step /= 10
    for m in (1, 2, 5, 10):
        if step * m >= value:
            return step * m
    return step * 10


def progress_chart(
    progress: Progress, *, unit: str, period_to: dt.date, width: int = 640, height: int = 240
) -> LineChart | None:
    """History and the figure now against the goal, with the projection to the period's end."""
    points = progress.points
    if not points:
        return None
    left, right, top, bottom = 56, width - 16, 16, height - 30
    first = month_index(points[0].month)
    last = max(month_index(period_to), month_index(points[-1].month))
    months = (last - first) or 1
    values = [Fraction(p.value) for p in points]
    if progress.goal is not None:
        values.append(Fraction(progress.goal))
    if progress.projected is not None:
        values.append(progress.projected)
    ceiling = _nice_top(max(values))
    floor = min(Fraction(0), min(values))

    def xy(month: int, value: Fraction) -> tuple[float, float]:
        x = left + (right - left) * (month - first) / months
        y = bottom - (bottom - top) * float((value - floor) / (ceiling - floor))
        return round(x, 1), round(y, 1)

    dots = []
    for p in points:
        x, y = xy(month_index(p.month), Fraction(p.value))
        dots.append(Dot(x, y, _month_label(p.month), _value_text(p.value, unit), p.stored))
    projection = ""
    if progress.projected is not None:
        x1, y1 = xy(last, progress.projected)
        projection = f"{dots[-1].x},{dots[-1].y} {x1},{y1}"
    goal_y = xy(first, Fraction(progress.goal))[1] if progress.goal is not None else None
    y_ticks = [(xy(first, floor + (ceiling - floor) * k / 4)[1], _value_text(floor + (ceiling - floor) * k / 4, unit))
               for k in range(5)]  # fmt: skip
    step = max(1, months // 6)
    x_ticks = []
    for m in range(first, last + 1, step):
        month = dt.date(m // 12, m % 12 + 1, 1)
        x_ticks.append((xy(m, floor)[0], f"{month.year % 100:02d}-{month.month:02d}"))
    return LineChart(
        width=width, height=height, left=left, right=right, top=top, bottom=bottom,
        line=" ".join(f"{d.x},{d.y}" for d in dots), dots=dots, goal_y=goal_y,
        goal_label=_("目标 %(v)s") % {"v": _value_text(progress.goal, unit)} if progress.goal is not None else "",
        projection=projection, y_ticks=y_ticks, x_ticks=x_ticks,
    )  # fmt: skip

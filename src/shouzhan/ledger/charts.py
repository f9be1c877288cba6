"""Server-rendered charts: a burn-down line as inline SVG coordinates (no JavaScript, no CDN)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shouzhan.core.money import format_wan

WIDTH, HEIGHT, PAD = 600, 180, 28


@dataclass
class LineChart:
    points: str  # "x,y x,y …" for <polyline>
    area: str  # the same line closed to the axis, for a soft fill
    first_label: str
    last_label: str
    top_label: str
    last_value_label: str
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD


def burn_down(series: list[tuple[dt.date, int]], start: dt.date, end: dt.date) -> LineChart | None:
    """Remaining budget over the programme year, as a step line."""
    if not series:
        return None
    top = max(max(v for _d, v in series), 1)
    span = max((end - start).days, 1)

    def x(day: dt.date) -> float:
        return PAD + (WIDTH - 2 * PAD) * min(max((day - start).days, 0), span) / span

    def y(value: int) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * max(value, 0) / top

    coords: list[tuple[float, float]] = []
    previous: float | None = None
    for day, value in series:
        if previous is not None:
            coords.append((x(day), previous))  # a step: the balance holds until it moves
        coords.append((x(day), y(value)))
        previous = y(value)
    today = min(max(series[-1][0], dt.date.today()), end)
    coords.append((x(today), coords[-1][1]))
    line = " ".join(f"{a:.1f},{b:.1f}" for a, b in coords)
    area = f"{coords[0][0]:.1f},{HEIGHT - PAD} {line} {coords[-1][0]:.1f},{HEIGHT - PAD}"
    return LineChart(
        points=line,
        area=area,
        first_label=start.isoformat(),
        last_label=end.isoformat(),
        top_label=format_wan(top),
        last_value_label=format_wan(series[-1][1]),
    )

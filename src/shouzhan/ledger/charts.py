"""Server-rendered charts: a burn-down line as inline SVG coordinates (no JavaScript, no CDN)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shouzhan.core.money import format_wan

WIDTH, HEIGHT, PAD = 600, 220, 40


@dataclass
class LineChart:
    points: str  # "x,y x,y …" for <polyline>
    area: str  # the same line closed to the axis, for a soft fill
    first_label: str
    last_label: str
    top_label: str
    last_value_label: str
    # A dot where the balance moved, so a year whose budget moved on one day still shows a mark.
    dots: list[tuple[float, float]]
    today_x: float
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD

    @property
    def bottom(self) -> int:
        return self.height - self.pad

    @property
    def right(self) -> int:
        return self.width - self.pad


def burn_down(
    series: list[tuple[dt.date, int]], start: dt.date, end: dt.date, today: dt.date | None = None
) -> LineChart | None:
    """Remaining budget over the programme year, as a step line held until today (dashed marker)."""
    if not series:
        return None
    top = max(max(v for _d, v in series), 1)
    span = max((end - start).days, 1)

    def x(day: dt.date) -> float:
        return PAD + (WIDTH - 2 * PAD) * min(max((day - start).days, 0), span) / span

    def y(value: int) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * max(value, 0) / top

    coords: list[tuple[float, float]] = []
    dots: list[tuple[float, float]] = []
    previous: float | None = None
    for day, value in series:
        if previous is not None:
            coords.append((x(day), previous))  # a step: the balance holds until it moves
        coords.append((x(day), y(value)))
        dots.append((round(x(day), 1), round(y(value), 1)))
        previous = y(value)
    today = min(max(series[-1][0], today or dt.date.today()), end)
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
        dots=dots,
        today_x=round(x(today), 1),
    )

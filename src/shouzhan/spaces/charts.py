"""Server-side line chart geometry for inline SVG (no JavaScript, nothing from the internet).

`line_chart` turns labelled series of percentages into coordinates the template draws: the plot box,
y-axis ticks (0–100 %), x-axis labels, one polyline and its points per series, and a marker for "this
week". Colours and dash patterns differ per series so the lines stay apart in grey print too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PALETTE = [
    ("#0b57a4", ""),
    ("#d84315", "6 3"),
    ("#2e7d32", "2 3"),
    ("#6a1b9a", "8 3 2 3"),
    ("#00838f", ""),
    ("#ad1457", "6 3"),
    ("#8d6e00", "2 3"),
    ("#5d4037", "8 3 2 3"),
]


@dataclass
class Point:
    x: float
    y: float
    value: int
    label: str


@dataclass
class Line:
    key: str
    label: str
    color: str
    dash: str
    points: list[Point]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:g},{p.y:g}" for p in self.points)


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    marker_x: float | None = None
    marker_label: str = ""


def line_chart(
    *,
    x_labels: list[str],
    series: list[tuple[str, str, list[int]]],
    marker: int | None = None,
    marker_label: str = "",
    width: int = 680,
    height: int = 280,
    y_max: int = 100,
    unit: str = "%",
) -> LineChart:
    left, right, top, bottom = 44, width - 14, 14, height - 40
    chart = LineChart(width=width, height=height, left=left, top=top, right=right, bottom=bottom)
    n = len(x_labels)
    step = (right - left) / (n - 1) if n > 1 else 0.0

    def x_at(i: int) -> float:
        return round(left + i * step, 1) if n > 1 else (left + right) / 2

    def y_at(v: int) -> float:
        return round(bottom - (bottom - top) * min(max(v, 0), y_max) / y_max, 1)

    chart.y_ticks = [(y_at(v), f"{v}{unit}") for v in range(0, y_max + 1, y_max // 4)]
    chart.x_ticks = [(x_at(i), label) for i, label in enumerate(x_labels)]
    for k, (key, label, values) in enumerate(series):
        color, dash = PALETTE[k % len(PALETTE)]
        points = [Point(x_at(i), y_at(v), v, x_labels[i]) for i, v in enumerate(values)]
        chart.lines.append(Line(key=key, label=label, color=color, dash=dash, points=points))
    if marker is not None and 0 <= marker < n:
        chart.marker_x = x_at(marker)
        chart.marker_label = marker_label
    return chart

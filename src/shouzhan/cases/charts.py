"""Server-side SVG geometry for the cases pages (no JavaScript, no CDN: an intranet has no internet)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LABEL_W = 120
BAR_W = 300
ROW_H = 26
TAIL_W = 70


@dataclass(frozen=True)
class Bar:
    y: float
    label: str
    width: float
    limit_x: float
    ok: bool
    text: str
    rate: str


def response_chart(rows: list[Any]) -> dict[str, Any] | None:
    """Horizontal bars: median working days to close per case type, with the time limit as a tick."""
    shown = [r for r in rows if r.median_days is not None]
    if not shown:
        return None
    top = max(max(r.median_days, r.limit_days) for r in shown) or 1
    bars = [
        Bar(
            y=i * ROW_H,
            label=r.label,
            width=round(BAR_W * r.median_days / top, 1),
            limit_x=round(LABEL_W + BAR_W * r.limit_days / top, 1),
            ok=bool(r.within_limit),
            text=r.median_label,
            rate=r.percent,
        )
        for i, r in enumerate(shown)
    ]
    return {
        "width": LABEL_W + BAR_W + TAIL_W,
        "height": len(bars) * ROW_H + 4,
        "label_w": LABEL_W,
        "bars": bars,
    }

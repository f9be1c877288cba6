"""Layouts of the chain map, computed on the server so the browser never runs a force layout: the page's
ECharts graph uses `layout: 'none'` with the x and y given here.

- Chain nodes stand in columns by stage (upstream, midstream, downstream, `models.STAGE_ORDER`), in their
  file's order from top to bottom, each column centred on y = 0.
- Enterprises sit around their chain node on a sunflower (Vogel) spiral: the k-th (0-based) at angle
  k × the golden angle and radius INNER + step × √(k + 1), so the dots fill a disc evenly whatever their
  number; the step shrinks when a node has many enterprises, so its disc stays within OUTER.

Pure functions of their arguments (same input, same output) in abstract units; ECharts scales them to the
canvas. Positions are rounded to 0.1, which keeps the JSON small and the result exact in tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from shouzhan.insight.models import STAGE_ORDER

COLUMN_GAP = 460.0  # between stage columns
ROW_GAP = 320.0  # between nodes of one column
INNER = 70.0  # an enterprise's distance from its node's centre, at least (clear of the node's own symbol)
OUTER = 145.0  # … and at most (clear of the next node)
MAX_STEP = 10.0  # the spiral's step with few enterprises
GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))

Point = tuple[float, float]


def chain_positions(nodes: Sequence[tuple[str, str]]) -> dict[str, Point]:
    """Where each chain node stands: `nodes` are (key, stage) in the file's order. A stage not in
    STAGE_ORDER goes after the last column."""
    columns: dict[int, list[str]] = {}
    for key, stage in nodes:
        column = STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER)
        columns.setdefault(column, []).append(key)
    used = sorted(columns)
    out: dict[str, Point] = {}
    for i, column in enumerate(used):  # columns without nodes (a stage filter) close up
        keys = columns[column]
        middle = (len(keys) - 1) / 2.0
        for row, key in enumerate(keys):
            out[key] = (round(i * COLUMN_GAP, 1), round((row - middle) * ROW_GAP, 1))
    return out


def spiral_step(n: int) -> float:
    """The spiral's step for n dots: MAX_STEP, or less so that the n-th dot is at OUTER."""
    if n <= 0:
        return MAX_STEP
    return min(MAX_STEP, (OUTER - INNER) / math.sqrt(n))


def sunflower(n: int, centre: Point) -> np.ndarray:
    """n points around `centre` as an (n, 2) array, nearest first."""
    if n <= 0:
        return np.zeros((0, 2))
    k = np.arange(n, dtype=np.float64)
    radius = INNER + spiral_step(n) * np.sqrt(k + 1.0)
    angle = k * GOLDEN_ANGLE
    points = np.empty((n, 2))
    points[:, 0] = centre[0] + radius * np.cos(angle)
    points[:, 1] = centre[1] + radius * np.sin(angle)
    return np.round(points, 1)


def satellite_positions(owners: Sequence[str], centres: dict[str, Point]) -> list[Point]:
    """Where each of a list of satellites (enterprises) stands: `owners[i]` is the key of the chain node the
    i-th one belongs to. Each node's satellites take its spiral's places in the order they come in the list
    (so put the most important first: they sit nearest). A satellite of an unknown node stands at (0, 0)."""
    if not owners:
        return []
    keys = np.asarray(owners, dtype=object)
    xy = np.zeros((len(owners), 2))
    for key in dict.fromkeys(owners):  # first-seen order: deterministic
        idx = np.flatnonzero(keys == key)
        centre = centres.get(key)
        if centre is not None:
            xy[idx] = sunflower(len(idx), centre)
    return [(float(x), float(y)) for x, y in xy.tolist()]

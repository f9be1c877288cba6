"""The chain map's layouts: exact positions for a tiny chain, the same answer every time, and a 2,000-node
view laid out well within the map's budget."""

from __future__ import annotations

import math
import time

from shouzhan.insight import layout
from shouzhan.insight.layout import chain_positions, satellite_positions, spiral_step, sunflower

TINY = [("a", "upstream"), ("b", "midstream"), ("c", "midstream"), ("d", "downstream")]


def test_chain_nodes_stand_in_columns_by_stage_each_column_centred() -> None:
    assert chain_positions(TINY) == {
        "a": (0.0, 0.0),
        "b": (460.0, -160.0),
        "c": (460.0, 160.0),
        "d": (920.0, 0.0),
    }


def test_the_file_order_not_the_stage_order_of_the_input_decides_rows_and_columns_close_up() -> None:
    # Downstream given first still stands in the last column; a stage filter leaves one column at x = 0.
    assert chain_positions([("d", "downstream"), ("a", "upstream")]) == {"a": (0.0, 0.0), "d": (460.0, 0.0)}
    assert chain_positions([("b", "midstream"), ("c", "midstream"), ("e", "midstream")]) == {
        "b": (0.0, -320.0),
        "c": (0.0, 0.0),
        "e": (0.0, 320.0),
    }
    assert chain_positions([]) == {}


def test_enterprises_sit_on_a_sunflower_around_their_node_nearest_first() -> None:
    assert sunflower(3, (460.0, -160.0)).tolist() == [[540.0, -160.0], [398.0, -103.2], [467.6, -247.0]]
    assert sunflower(0, (0.0, 0.0)).shape == (0, 2)
    # Each node's satellites take its spiral's places in list order.
    assert satellite_positions(["a", "b", "a"], {"a": (0.0, 0.0), "b": (460.0, 0.0)}) == [
        (80.0, 0.0),
        (540.0, 0.0),
        (-62.0, 56.8),
    ]
    assert satellite_positions(["zz"], {}) == [(0.0, 0.0)]
    assert satellite_positions([], {}) == []


def test_a_crowded_node_keeps_its_disc_between_inner_and_outer() -> None:
    assert spiral_step(10) == layout.MAX_STEP
    assert spiral_step(2000) < layout.MAX_STEP
    points = sunflower(2000, (0.0, 0.0))
    radii = [math.hypot(x, y) for x, y in points.tolist()]
    assert min(radii) >= layout.INNER
    assert max(radii) <= layout.OUTER + 0.1
    # No two dots fall on the same place.
    assert len({(x, y) for x, y in points.tolist()}) == 2000


def test_the_layout_is_deterministic() -> None:
    owners = [f"n{i % 7}" for i in range(500)]
    centres = chain_positions([(f"n{i}", ("upstream", "midstream", "downstream")[i % 3]) for i in range(7)])
    assert satellite_positions(owners, centres) == satellite_positions(list(owners), dict(centres))


def test_two_thousand_enterprises_are_laid_out_in_a_few_milliseconds() -> None:
    nodes = [(f"n{i}", ("upstream", "midstream", "downstream")[i % 3]) for i in range(9)]
    owners = [f"n{i % 9}" for i in range(2000)]
    started = time.perf_counter()
    centres = chain_positions(nodes)
    places = satellite_positions(owners, centres)
    elapsed = time.perf_counter() - started
    assert len(places) == 2000
    assert elapsed < 0.05, elapsed

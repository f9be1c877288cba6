"""The main path of recording a patrol, end to end through the service."""

from __future__ import annotations

from typing import Any

from shouzhan.patrols.models import Patrol
from shouzhan.patrols.rules import verdict_words


def test_honest_walk_is_clean_and_counts(record: Any) -> None:
    patrol = record(
        hazards=[{"category": "water", "description": "宜山路桥下有大量漂浮垃圾", "urgent": False}],
        observations={"colour": "turbid", "debris": "much", "quality": "IV"},
    )
    assert patrol.flags == []
    assert patrol.review == Patrol.Review.CLEAN
    assert patrol.meets_rules is True
    assert 2399 <= patrol.distance_m <= 2401
    assert patrol.checkins.count() == 3
    hazard = patrol.hazards.get()
    assert hazard.demand.source == "patrol"
    assert hazard.demand.department.key == "water"
    assert [ok for ok, _w in verdict_words(patrol)] == [True, True, True]

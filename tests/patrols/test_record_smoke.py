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


def test_a_hazard_sent_days_after_it_was_seen_is_marked_reported_late(record: Any) -> None:
    """Seen ten days ago on a patrol kept offline, sent today: more than one working day late (any ten days
    hold at least two working days, even the National Day week)."""
    import datetime as dt

    from django.utils import timezone

    late = record(
        start=timezone.now() - dt.timedelta(days=10),
        hazards=[{"category": "water", "description": "排口有黑水排出"}],
    ).hazards.get()
    assert (late.reported_on, late.reported_late) == (timezone.localdate(), True)
    on_time = record(
        hazards=[{"category": "water", "description": "护栏松动"}], client_key="k-2"
    ).hazards.get()
    assert on_time.reported_late is False

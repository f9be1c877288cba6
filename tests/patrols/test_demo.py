"""The patrols part of the demo district (patrols/demo.py): loaded through the services for a fixed "today",
the same figures on every load, every review state and hazards in 区水务局's queue, and loaded once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command

from shouzhan.frontline.demo import frontline_demo
from shouzhan.frontline.models import Demand
from shouzhan.patrols.compliance import compliance_rows
from shouzhan.patrols.demo import patrols_demo
from shouzhan.patrols.models import (
    Checkpoint,
    Chief,
    FrequencyVersion,
    Hazard,
    Patrol,
    PlanMeasure,
    River,
    RiverPlan,
    Target,
    WarningSpell,
)
from shouzhan.site.demo_data import load_demo

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 8, 19)  # a Wednesday in the flood season: the past is 2026-06-01 … 2026-08-18


def figures() -> dict[str, Any]:
    patrols = Patrol.objects.all()
    hazards = Demand.objects.filter(hazard__isnull=False)
    return {
        "rivers": River.objects.count(),
        "targets": dict(Counter(Target.objects.values_list("kind", flat=True))),
        "checkpoints": Checkpoint.objects.count(),
        "chiefs": dict(Counter(Chief.objects.values_list("level", flat=True))),
        "chief_users": Chief.objects.values("user").distinct().count(),
        "plans": RiverPlan.objects.count(),
        "measures": PlanMeasure.objects.count(),
        "spells": WarningSpell.objects.count(),
        "patrols": patrols.count(),
        "levels": dict(Counter(patrols.values_list("level", flat=True))),
        "reviews": dict(Counter(patrols.values_list("review", flat=True))),
        "flags": dict(
            Counter(f["check"] for flags in patrols.values_list("flags", flat=True) for f in flags)
        ),
        "meets_rules": patrols.filter(meets_rules=True).count(),
        "seasons": dict(Counter(patrols.values_list("season", flat=True))),
        "warnings": dict(Counter(patrols.values_list("warning", flat=True))),
        "hazards": Hazard.objects.count(),
        "tickets": dict(Counter(hazards.values_list("department__key", "case__state"))),
    }


@pytest.fixture
def district(db: Any) -> dict[str, Any]:
    load_demo()
    frontline_demo(today=TODAY, history=False)
    return {"lines": patrols_demo(today=TODAY), "figures": figures()}


def test_the_patrols_past(district: dict[str, Any]) -> None:
    assert district["lines"] == EXPECTED_LINES
    assert district["figures"] == EXPECTED
    _compliance_this_month()
    _loaded_once(district)


def _compliance_this_month() -> None:
    rows = compliance_rows(month=TODAY, today=TODAY)
    overdue = sorted({(r.chief.user.mobile, r.chief.target.code) for r in rows if r.overdue})
    assert overdue == EXPECTED_OVERDUE


def _loaded_once(district: dict[str, Any]) -> None:
    again = patrols_demo(today=TODAY)
    assert again == [EXPECTED_LINES[0], "巡河历史：已加载，跳过"]
    assert figures() == district["figures"]
    call_command("patrols_load")
    assert FrequencyVersion.objects.count() == 1


EXPECTED_LINES = [
    "巡河：11 个巡查对象，33 个打卡点，20 名河长和巡查员",
    "巡河历史：2026-06-01 起巡查 254 次（待复核 2 次，复核通过 2 次，不通过 4 次），隐患转工单 14 件",
]
EXPECTED: dict[str, Any] = {
    "rivers": 5,
    "targets": {"river_section": 9, "flood_wall": 1, "building": 1},
    "checkpoints": 33,  # three on each target
    "chiefs": {"district": 4, "street": 11, "village": 9},
    "chief_users": 20,  # the leader and 19 officers (the building's inspector is 徐家汇街道's 郑晨)
    "plans": 5,
    "measures": 17,
    "spells": 3,  # a yellow fortnight on both 龙华港 sections, and one on 漕河泾港（康健段） now
    "patrols": 254,
    "levels": {"district": 12, "street": 54, "village": 188},
    "reviews": {"clean": 246, "flagged": 2, "accepted": 2, "rejected": 4},  # the eight paper patrols
    "flags": {"speed": 2, "short": 3, "checkpoints": 3, "far": 2, "jump": 1, "photo": 1},
    "meets_rules": 251,  # the two driven and the one cut short are below the rule's minimum
    "seasons": {"flood": 254},
    "warnings": {"none": 234, "yellow": 20},
    "hazards": 14,
    "tickets": {("water", "replied"): 10, ("water", "accepted"): 1, ("urban", "replied"): 3},
}
EXPECTED_OVERDUE = [  # two whose last patrol waits for review (it does not count yet), two not out this month
    ("13800000043", "puhuitang-xujiahui"),
    ("13800000072", "longhuagang-east"),
    ("13800000074", "caohejinggang-kangjian"),
    ("13800000075", "zhangjiatanggang-huajing"),
]

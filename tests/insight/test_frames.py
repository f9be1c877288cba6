"""The frames the targets read: built from the driver's rows (SQLite's text dates and 0/1 booleans, PostgreSQL's
typed values alike), and what every definition requires of a plain column pushed down into SQL without
changing any count or any unknown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from django.utils import timezone

from shouzhan.insight.figures import definition_tree, target_frames, target_measure
from shouzhan.insight.frames import enterprise_frame, filing_frame, pushdown
from shouzhan.insight.selectors import target_list, targets_measure
from shouzhan.registry.models import Enterprise
from shouzhan.rules.types import compile_expression

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(insight_data: Any, make_enterprise: Any) -> None:
    rows = [
        ("徐汇", True, 20_000_000_00, "micro_drama", "registered"),
        ("徐汇", None, 20_000_000_00, "micro_drama", "registered"),  # cluster unknown
        ("", True, 20_000_000_00, "ai_agent", "idea"),  # district unknown
        ("杨浦", True, 20_000_000_00, "ai_agent", "registered"),
        ("徐汇", False, 20_000_000_00, "ai_agent", "registered"),
        ("徐汇", True, None, "ip_design", "ip_design"),  # revenue unknown
    ]
    for i, (district, cluster, revenue, sector, stage) in enumerate(rows):
        make_enterprise(
            name=f"企业{i}", district=district, in_cluster=cluster, annual_revenue_fen=revenue,
            sector=sector, stage=stage, registered_on=dt.date(2024, 3, i + 1),
        )  # fmt: skip


def test_pushdown_of_the_shipped_targets(insight_data: Any) -> None:
    trees = [definition_tree(t) for t in target_list()]
    assert pushdown(trees) == {"district": ("徐汇",)}
    # What one definition requires: its conjuncts over plain columns (an `in` list, a bare true/false fact).
    city_share = next(t for t in target_list() if t.key == "city_share")
    assert pushdown([definition_tree(city_share)]) == {
        "district": ("徐汇",),
        "in_cluster": (True,),
        "sector": ("ai_agent", "compute", "cross_border", "ip_design", "live_streaming", "micro_drama"),
    }
    # Under an `or`, nothing is required; with a definition that requires nothing, nothing is in common.
    assert (
        pushdown([compile_expression('enterprise.district == "徐汇" or enterprise.in_cluster', "bool")]) == {}
    )
    assert pushdown([*trees, compile_expression("enterprise.employees > 3", "bool")]) == {}


def test_the_frame_has_typed_columns(register: None) -> None:
    frame = enterprise_frame(as_of=timezone.localdate())
    assert frame.height == 6
    assert frame.schema["enterprise.registered_on"] == pl.Date
    assert frame.schema["enterprise.in_cluster"] == pl.Boolean
    by_name = {r["name"]: r for r in frame.iter_rows(named=True)}
    assert by_name["企业0"]["enterprise.registered_on"] == dt.date(2024, 3, 1)
    assert by_name["企业1"]["enterprise.in_cluster"] is None
    assert by_name["企业2"]["enterprise.district"] is None  # blank reads as unknown
    assert by_name["企业4"]["enterprise.in_cluster"] is False
    assert by_name["企业5"]["enterprise.annual_revenue_yuan"] is None


def test_pushed_down_frames_count_and_leave_unknown_exactly_as_the_whole_register(register: None) -> None:
    targets = target_list()
    pushed = {
        f.key: (f.value, f.unknown, f.numerator_fen) for f in targets_measure(as_of=timezone.localdate())
    }
    whole_e = enterprise_frame(as_of=timezone.localdate())
    whole = {"enterprise": whole_e, "filing": filing_frame(as_of=timezone.localdate(), enterprises=whole_e)}
    for target in targets:
        f = target_measure(target, whole[target.counts], as_of=timezone.localdate())
        assert pushed[target.key] == (f.value, f.unknown, f.numerator_fen), target.key
    # 企业0 counts; 企业1 (cluster unknown) and 企业2 (district unknown) are unknown; 杨浦 and out-of-cluster not.
    assert pushed["quality_enterprises"][:2] == (1, 3)
    assert enterprise_frame(as_of=timezone.localdate(), where={"district": ("徐汇",)}).height == 5
    assert Enterprise.objects.count() == 6


def test_the_targets_read_only_the_facts_their_definitions_name(register: None) -> None:
    frames = target_frames(target_list(), timezone.localdate())
    assert frames["enterprise"].columns == [
        "id",
        "enterprise.district",
        "enterprise.annual_revenue_yuan",
        "enterprise.sector",
        "enterprise.in_cluster",
        "enterprise.stage",
        "enterprise.tenancy_months",
        "enterprise.patents",
        "enterprise.approved_filings",
    ]
    assert frames["enterprise"].height == 5  # 杨浦's is left out by the pushed-down district
    assert "name" in target_frames(target_list()[:1], timezone.localdate(), full=True)["enterprise"].columns

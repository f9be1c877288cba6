"""The chain and target files: the shipped ones publish once, a changed file publishes a new version, and bad
input is refused with file, line and reason — a cycle where none may be, an unknown node, a definition that
does not type-check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from shouzhan.core.models import AuditEntry
from shouzhan.insight.models import ChainEdge, ChainNode, ChainVersion, Target, TargetVersion
from shouzhan.insight.services.data import CHAINS, TARGETS, chain_publish, targets_publish

from .conftest import SYSTEM

LIVE = (CHAINS / "live_streaming.yaml").read_text(encoding="utf-8")
TARGETS_TEXT = TARGETS.read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_shipped_files_publish_once(insight_data: dict[str, int]) -> None:
    assert insight_data == {"chains": 3, "targets": 1}
    assert sorted(ChainVersion.objects.values_list("chain", "number")) == [
        ("ai_micro_drama", 1),
        ("brain_inspired", 1),
        ("live_streaming", 1),
    ]
    assert ChainNode.objects.count() == 9 + 8 + 7
    assert ChainEdge.objects.count() == 10 + 10 + 8
    assert list(Target.objects.values_list("key", "goal")) == [
        ("quality_enterprises", 40),
        ("incubated_teams", 200),
        ("original_dramas", 1000),
        ("city_share", 20),
    ]
    assert AuditEntry.objects.filter(action="insight.chain_publish").count() == 3
    assert AuditEntry.objects.filter(action="insight.targets_publish").count() == 1
    # Loading the same files again publishes nothing.
    assert chain_publish(actor=SYSTEM, text=LIVE, file="chains/live_streaming.yaml") is None
    assert targets_publish(actor=SYSTEM, text=TARGETS_TEXT, file="targets.yaml") is None


def test_a_changed_file_is_a_new_version(insight_data: Any) -> None:
    changed = LIVE.replace("target_count: 15", "target_count: 18")
    version = chain_publish(actor=SYSTEM, text=changed, file="chains/live_streaming.yaml")
    assert version is not None and version.number == 2
    assert version.nodes.get(key="ecommerce").target_count == 18
    assert (
        ChainVersion.objects.get(chain="live_streaming", number=1).nodes.get(key="ecommerce").target_count
        == 15
    )


def test_a_cycle_is_refused_with_file_line_and_reason(db: Any) -> None:
    bad = LIVE.replace(
        "  - [merch, crossborder]\n", "  - [merch, crossborder]\n  - [crossborder, registration]\n"
    )
    with pytest.raises(ValidationError) as exc:
        chain_publish(actor=SYSTEM, text=bad, file="chains/live_streaming.yaml")
    line = _line_of(bad, "[crossborder, registration]")
    assert exc.value.messages == [
        f"chains/live_streaming.yaml:{line}:5: this edge closes a cycle "
        "(crossborder → registration → base → mcn → ecommerce → crossborder); the chain is acyclic"
    ]
    assert not ChainVersion.objects.exists()


def test_a_cycle_is_allowed_when_the_chain_says_so(db: Any) -> None:
    cyclic = LIVE.replace("acyclic: true", "acyclic: false").replace(
        "  - [merch, crossborder]\n", "  - [merch, crossborder]\n  - [crossborder, registration]\n"
    )
    assert chain_publish(actor=SYSTEM, text=cyclic, file="x.yaml") is not None


@pytest.mark.parametrize(
    ("old", "new", "needle", "column", "reason"),
    [
        ("  - [supply, ecommerce]", "  - [supply, livestream]", "[supply, livestream]", 14,
         "edge names an unknown node 'livestream'"),
        ("    stage: downstream\n    description: 直播电商", "    stage: retail\n    description: 直播电商",
         "stage: retail", 12, "stage 'retail': use one of upstream, midstream, downstream"),
        ("    sectors: [live_streaming]", "    sectors: [livestreaming]", "sectors: [livestreaming]", 15,
         "sectors: unknown 'livestreaming' (known: ai_agent, compute, cross_border, games, ip_design, "
         "live_streaming, micro_drama, new_materials, other)"),
        ("  - key: supply\n", "  - key: mcn\n", "  - key: mcn\n", 0, ""),
    ],
)  # fmt: skip
def test_bad_chain_files_say_where(
    db: Any, old: str, new: str, needle: str, column: int, reason: str
) -> None:
    bad = LIVE.replace(old, new, 1)
    assert bad != LIVE
    with pytest.raises(ValidationError) as exc:
        chain_publish(actor=SYSTEM, text=bad, file="c.yaml")
    message = exc.value.messages[0]
    if reason:
        assert message == f"c.yaml:{_line_of(bad, needle)}:{column}: {reason}"
    else:  # the second `mcn`
        first, second = [i for i, line in enumerate(bad.splitlines(), start=1) if line == "  - key: mcn"]
        assert message == f"c.yaml:{second}:10: node 'mcn' is defined twice (first on line {first})"


@pytest.mark.parametrize(
    ("old", "new", "needle", "reason"),
    [
        ("filing.ai_share_percent >= 30", 'filing.ai_share_percent >= "30"', "ai_share_percent >=",
         "target original_dramas: cannot compare whole-number with text"),
        ('enterprise.stage != "idea"', "filing.approved", "filing.approved",
         "target incubated_teams: unknown fact 'filing.approved'"),
        ("enterprise.tenancy_months >= 3", "enterprise.tenancy_months", "enterprise.tenancy_months",
         "target incubated_teams: expected true/false, found whole-number (enterprise.tenancy_months)"),
    ],
)  # fmt: skip
def test_target_definitions_are_type_checked(db: Any, old: str, new: str, needle: str, reason: str) -> None:
    bad = TARGETS_TEXT.replace(old, new, 1)
    assert bad != TARGETS_TEXT
    with pytest.raises(ValidationError) as exc:
        targets_publish(actor=SYSTEM, text=bad, file="targets.yaml")
    message = exc.value.messages[0]
    assert message.startswith(f"targets.yaml:{_line_of(bad, needle)}:"), message
    assert message.endswith(reason), message
    assert not TargetVersion.objects.exists()


def test_the_shipped_files_are_where_the_loader_reads(db: Any) -> None:
    assert sorted(p.name for p in Path(CHAINS).glob("*.yaml")) == [
        "ai_micro_drama.yaml",
        "brain_inspired.yaml",
        "live_streaming.yaml",
    ]

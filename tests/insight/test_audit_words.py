"""Insight's audit entries read in words on the audit pages: a chain and a node by their titles, a decision
and a run's counts by what they mean — never the codes the services stored."""

from __future__ import annotations

from typing import Any

import pytest

from shouzhan.core.models import AuditEntry
from shouzhan.insight.models import Placement
from shouzhan.insight.services.placements import placement_decide
from shouzhan.site.audit_words import audit_rows

pytestmark = pytest.mark.django_db


def _changes(action: str) -> list[tuple[str, str | None, str]]:
    row = audit_rows(AuditEntry.objects.filter(action=action).order_by("-pk")[:1])[0]
    return [(str(c.field), None if c.before is None else str(c.before), str(c.after)) for c in row.changes]


def test_a_changed_placement_in_words(insight_data: Any, make_enterprise: Any, caseworker: Any) -> None:
    enterprise, _ = make_enterprise(name="云擎智算")
    placement = Placement.objects.create(
        enterprise=enterprise, chain="ai_micro_drama", node="compute", confidence=57
    )
    placement_decide(
        actor=caseworker, placement=placement, decision="change", expected_version=1, node="models"
    )
    changes = _changes("insight.placement_decide")
    assert ("环节", "算力服务", "大模型与语料") in changes
    assert ("处理", None, "改到其他环节") in changes
    assert all("ai_micro_drama" not in str(c) and "compute" not in str(c) for c in changes)


def test_the_chains_published_in_words(insight_data: Any) -> None:
    changes = _changes("insight.chain_publish")
    assert ("产业链", None, "直播电商产业链") in changes
    assert ("环节数", None, "8") in changes and ("连线数", None, "10") in changes

"""Catalogue versions: load, upload a change, review the diff and the enterprises it affects, publish."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.policies import selectors, services
from shouzhan.policies.models import PolicyDocument, PolicyVersion
from shouzhan.registry.models import Project

TODAY = dt.date(2026, 11, 23)
HU8 = (Path(settings.CATALOGUE_DIR) / "hu8.yaml").read_text(encoding="utf-8")


def test_catalogue_sync_publishes_once_and_is_idempotent(catalogue: Any) -> None:
    assert sorted(catalogue.published) == ["hu8", "xuhui"]
    assert PolicyVersion.objects.filter(status="published").count() == 2
    again = services.catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)
    assert sorted(again.unchanged) == ["hu8", "xuhui"] and again.published == [] and again.drafted == []
    ids = {c.id for c in selectors.catalogue_in_force(on=TODAY).clauses}
    assert {"hu8.agent_rd", "xuhui.compute_voucher", "xuhui.events"} <= ids
    assert AuditEntry.objects.filter(action="policies.version_publish").count() == 2


def test_only_policy_staff_upload(catalogue: Any, make_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.policy_version_upload(actor=make_user(role=Role.CASEWORKER), text=HU8, filename="hu8.yaml")


def test_upload_refuses_a_broken_rule_with_its_position(catalogue: Any, make_user: Any) -> None:
    officer = make_user(role=Role.POLICY_OFFICER)
    broken = HU8.replace('project.kind == "agent" and', 'project.kind == "agent" and and', 1)
    with pytest.raises(ValidationError) as info:
        services.policy_version_upload(actor=officer, text=broken, filename="hu8.yaml")
    message = " ".join(info.value.messages)
    assert "hu8.yaml:" in message and "hu8.agent_rd" in message
    with pytest.raises(ValidationError, match="完全相同"):
        services.policy_version_upload(actor=officer, text=HU8, filename="hu8.yaml")


def test_upload_review_publish_changes_what_is_in_force(
    catalogue: Any, make_user: Any, make_enterprise: Any
) -> None:
    officer = make_user(role=Role.POLICY_OFFICER)
    enterprise, _ = make_enterprise(name="智能体公司", district="徐汇")
    Project.objects.create(
        enterprise=enterprise,
        kind="agent",
        title="客服智能体",
        rd_investment_fen=2_000_000_000,  # 20,000,000 yuan → 20% = 4,000,000
        self_developed=True,
        market_recognized=True,
    )
    # The policy office lowers the agent R&D rate from 20% to 15%.
    changed = HU8.replace("value: 20%", "value: 15%", 1)
    draft = services.policy_version_upload(actor=officer, text=changed, filename="hu8.yaml", note="比例下调")
    assert (draft.number, draft.status) == (2, "draft")

    review = selectors.version_review(actor=officer, version=draft, on=TODAY)
    assert review["current"].number == 1
    assert any(c["kind"] == "parameter" and c["id"] == "agent_rd_rate" for c in review["changes"])
    rows = [
        (r.enterprise_name, r.clause_id, r.old_status, r.new_status, r.old_fen, r.new_fen)
        for r in review["impact"]
    ]
    assert rows == [("智能体公司", "hu8.agent_rd", "eligible", "eligible", 400_000_000, 300_000_000)]

    # Drafts do not change the calculator until published.
    facts = {
        "enterprise": {"district": "徐汇"},
        "project": {
            "kind": "agent",
            "rd_investment_yuan": "20000000",
            "self_developed": True,
            "market_recognized": True,
        },
    }
    before = {r.id: r.max_amount_fen for r in selectors.calculate(facts=facts, on=TODAY).results}
    assert before["hu8.agent_rd"] == 400_000_000

    with pytest.raises(ValidationError):  # not after the version in force
        services.policy_version_publish(actor=officer, version=draft, effective_from=dt.date(2025, 6, 1))
    services.policy_version_publish(actor=officer, version=draft, effective_from=dt.date(2026, 12, 1))
    # Before the effective date the old rate applies; from it, the new one. Both versions stay readable.
    assert {r.id: r.max_amount_fen for r in selectors.calculate(facts=facts, on=TODAY).results}[
        "hu8.agent_rd"
    ] == 400_000_000
    after = {
        r.id: r.max_amount_fen for r in selectors.calculate(facts=facts, on=dt.date(2026, 12, 1)).results
    }
    assert after["hu8.agent_rd"] == 300_000_000
    document = PolicyDocument.objects.get(code="hu8")
    assert [v.number for v in document.versions.all()] == [2, 1]
    assert AuditEntry.objects.filter(action="policies.version_publish", target_id=str(draft.pk)).count() == 1
    with pytest.raises(ValidationError, match="只有草稿"):
        services.policy_version_publish(actor=officer, version=draft, effective_from=dt.date(2027, 1, 1))


def test_withdraw_a_draft(catalogue: Any, make_user: Any) -> None:
    officer = make_user(role=Role.POLICY_OFFICER)
    draft = services.policy_version_upload(actor=officer, text=HU8 + "\n# 注释\n", filename="hu8.yaml")
    services.policy_version_withdraw(actor=officer, version=draft, reason="不再需要")
    draft.refresh_from_db()
    assert draft.status == "withdrawn"
    assert AuditEntry.objects.filter(action="policies.version_withdraw").count() == 1


def test_library_filters(catalogue: Any) -> None:
    all_clauses = sum(len(e.clauses) for e in selectors.policy_library(on=TODAY))
    assert all_clauses == len(selectors.catalogue_in_force(on=TODAY).clauses)
    yangpu = selectors.policy_library(on=TODAY, district="杨浦")
    assert [e.document.code for e in yangpu] == ["hu8"]  # 徐汇 measures do not apply in 杨浦
    found = selectors.policy_library(on=TODAY, q="剧本版权方")
    assert [c.id for e in found for c in e.clauses] == ["hu8.national_selection"]
    vouchers = selectors.policy_library(on=TODAY, q="算力券")
    assert [c.id for e in vouchers for c in e.clauses] == [
        "xuhui.compute_voucher",
        "xuhui.model_voucher",
        "xuhui.corpus_voucher",
    ]
    issuer = selectors.policy_library(on=TODAY, issuer="上海市徐汇区人民政府")
    assert [e.document.code for e in issuer] == ["xuhui"]

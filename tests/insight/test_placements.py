"""Placement and relation services: suggestions that never override a decision, decisions checked against
the version read, places by hand, relations with their source — each with its audit entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shouzhan.core.errors import Conflict
from shouzhan.core.models import AuditEntry
from shouzhan.insight import audit_actions as aa
from shouzhan.insight.models import Placement, Relation
from shouzhan.insight.services.placements import (
    placement_decide,
    placement_place,
    placements_suggest,
    relation_delete,
    relation_record,
)
from shouzhan.registry.models import Project

pytestmark = pytest.mark.django_db
S = Placement.Status


@pytest.fixture
def firm(make_enterprise: Callable[..., Any], insight_data: dict[str, int]) -> Any:
    e, _owner = make_enterprise(
        name="上海云擎智算科技有限公司", sector="compute", description="在西岸运营智算中心，出租 GPU 资源。"
    )
    return e


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_suggest_creates_then_updates_then_keeps(firm: Any, caseworker: Any) -> None:
    assert placements_suggest(actor=caseworker) == 1
    p = Placement.objects.get(enterprise=firm)
    assert (p.chain, p.node, p.status, p.confidence, p.version) == (
        "ai_micro_drama",
        "compute",
        S.SUGGESTED,
        62,
        1,
    )
    assert p.evidence == [  # sector 30 + 智算 (name 20×¾, read again in the description +5) + GPU 12 = 62
        {"kind": "sector", "text": "行业为“算力与模型服务”"},
        {"kind": "keyword", "text": "企业名称提到“智算”"},
        {"kind": "description", "text": "简介提到“GPU”"},
    ]
    assert placements_suggest(actor=caseworker, enterprise_ids=[firm.pk]) == 0  # nothing changed
    Project.objects.create(enterprise=firm, kind="vouchers", title="算力券服务商")
    assert placements_suggest(actor=caseworker, enterprise_ids=[firm.pk]) == 1
    p.refresh_from_db()
    assert (p.confidence, p.version) == (100, 2)  # + a voucher project 30 + 算力 in it 11: capped
    [first, second, third] = entries(aa.PLACEMENT_SUGGEST)
    assert first.after == {"enterprises": 1, "created": 1, "updated": 0, "removed": 0, "kept_decided": 0}
    assert second.after == {"enterprises": 1, "created": 0, "updated": 0, "removed": 0, "kept_decided": 0}
    assert third.after == {"enterprises": 1, "created": 0, "updated": 1, "removed": 0, "kept_decided": 0}
    assert first.actor == caseworker


def test_suggest_never_overrides_a_decision_and_removes_what_it_no_longer_says(
    firm: Any, caseworker: Any
) -> None:
    placements_suggest(actor=caseworker)
    p = Placement.objects.get(enterprise=firm)
    placement_decide(actor=caseworker, placement=p, decision="reject", expected_version=1)
    assert placements_suggest(actor=caseworker) == 0
    assert list(Placement.objects.values_list("node", "status")) == [("compute", S.REJECTED)]
    assert entries(aa.PLACEMENT_SUGGEST)[-1].after["kept_decided"] == 1
    # a waiting suggestion the records no longer support is removed
    p.status, p.version = S.SUGGESTED, 3
    p.save()
    firm.sector, firm.description = "", "一家贸易公司。"
    firm.save()
    placements_suggest(actor=caseworker)
    assert Placement.objects.count() == 0
    assert entries(aa.PLACEMENT_SUGGEST)[-1].after["removed"] == 1


def test_a_chain_confirmed_gets_no_new_suggestion(firm: Any, caseworker: Any) -> None:
    placement_place(actor=caseworker, enterprise=firm, chain="ai_micro_drama", node="models", note="走访确认")
    assert placements_suggest(actor=caseworker) == 0
    assert list(Placement.objects.values_list("node", "status")) == [("models", S.CONFIRMED)]


def test_confirm_reject_change_with_their_audit(firm: Any, caseworker: Any) -> None:
    placements_suggest(actor=caseworker)
    p = Placement.objects.get(enterprise=firm)
    got = placement_decide(actor=caseworker, placement=p, decision="confirm", expected_version=1, note="核实")
    assert (got.pk, got.status, got.version, got.decided_by, got.note) == (
        p.pk,
        S.CONFIRMED,
        2,
        caseworker,
        "核实",
    )
    new = placement_decide(
        actor=caseworker, placement=p, decision="change", expected_version=2, node="models"
    )
    p.refresh_from_db()
    assert (p.status, p.version) == (S.REJECTED, 3)
    assert (new.chain, new.node, new.status, new.version, new.confidence, new.evidence) == (
        "ai_micro_drama", "models", S.CONFIRMED, 2, 0, []
    )  # fmt: skip
    [confirm, change] = entries(aa.PLACEMENT_DECIDE)
    assert confirm.before == {
        "chain": "ai_micro_drama",
        "node": "compute",
        "status": "suggested",
        "version": 1,
    }
    assert confirm.after == {
        "chain": "ai_micro_drama", "node": "compute", "status": "confirmed", "version": 2, "decision": "confirm"
    }  # fmt: skip
    assert change.after == {
        "chain": "ai_micro_drama", "node": "models", "status": "confirmed", "version": 2, "decision": "change"
    }  # fmt: skip
    assert (change.target_id, change.target_label, change.enterprise_id) == (str(p.pk), firm.name, firm.pk)


def test_a_stale_version_is_a_conflict_and_writes_nothing(firm: Any, caseworker: Any) -> None:
    placements_suggest(actor=caseworker)
    p = Placement.objects.get(enterprise=firm)
    placement_decide(actor=caseworker, placement=p, decision="confirm", expected_version=1)
    with pytest.raises(Conflict) as exc:
        placement_decide(actor=caseworker, placement=p, decision="reject", expected_version=1)
    assert exc.value.message_text == "这条链位已被他人处理（现为“已确认”），请看当前状态后再决定。"
    assert exc.value.detail == {
        "chain": "ai_micro_drama",
        "node": "compute",
        "status": "confirmed",
        "version": 2,
    }
    assert len(entries(aa.PLACEMENT_DECIDE)) == 1


@pytest.mark.parametrize(
    ("decision", "node", "message"),
    [
        ("maybe", "", {"decision": ["请选择确认、否定或改到其他环节。"]}),
        ("change", "", {"node": ["请选择要改到的环节。"]}),
        ("change", "compute", {"node": ["要改到的环节与原环节相同；请直接确认。"]}),
        ("change", "chips", {"node": ["这条产业链没有这个环节。"]}),
    ],
)
def test_bad_decisions_are_refused(
    firm: Any, caseworker: Any, decision: str, node: str, message: Any
) -> None:
    placements_suggest(actor=caseworker)
    p = Placement.objects.get(enterprise=firm)
    with pytest.raises(ValidationError) as exc:
        placement_decide(actor=caseworker, placement=p, decision=decision, expected_version=1, node=node)
    assert exc.value.message_dict == message
    p.refresh_from_db()
    assert (p.status, p.version) == (S.SUGGESTED, 1)


def test_place_by_hand(firm: Any, caseworker: Any) -> None:
    p = placement_place(
        actor=caseworker, enterprise=firm, chain="brain_inspired", node="chips", note="存算一体"
    )
    assert (p.status, p.version, p.note, p.decided_by) == (S.CONFIRMED, 2, "存算一体", caseworker)
    with pytest.raises(ValidationError) as exc:
        placement_place(actor=caseworker, enterprise=firm, chain="brain_inspired", node="chips")
    assert exc.value.message_dict == {"node": ["该企业已确认在这个环节上。"]}
    with pytest.raises(ValidationError) as exc:
        placement_place(actor=caseworker, enterprise=firm, chain="nowhere", node="chips")
    assert exc.value.message_dict == {"node": ["没有这条产业链。"]}
    [entry] = entries(aa.PLACEMENT_DECIDE)
    assert (entry.before, entry.after["decision"], entry.note) == (None, "place", "存算一体")


def test_only_caseworkers_and_admins_act(firm: Any, leader: Any, policy_officer: Any) -> None:
    for who in (leader, policy_officer):
        with pytest.raises(PermissionDenied):
            placements_suggest(actor=who)
        with pytest.raises(PermissionDenied):
            placement_place(actor=who, enterprise=firm, chain="ai_micro_drama", node="compute")
    assert Placement.objects.count() == 0


def test_relations_recorded_refused_and_deleted(
    firm: Any, caseworker: Any, make_enterprise: Callable[..., Any]
) -> None:
    studio, _owner = make_enterprise(name="上海徐汇星河微短剧制作有限公司")
    r = relation_record(
        actor=caseworker, source=firm, target=studio, kind="supplier", source_note="2026 年 3 月走访"
    )
    assert (r.source, r.target, r.kind, r.source_note, r.recorded_by) == (
        firm, studio, "supplier", "2026 年 3 月走访", caseworker
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        relation_record(actor=caseworker, source=firm, target=studio, kind="supplier", source_note="合同")
    assert exc.value.messages == [
        "“上海云擎智算科技有限公司”与“上海徐汇星河微短剧制作有限公司”的“供应商”关系已登记过。"
    ]
    with pytest.raises(ValidationError) as exc:
        relation_record(actor=caseworker, source=firm, target=firm, kind="partner", source_note="合同")
    assert exc.value.message_dict == {"target": ["企业不能与自身登记关系，请选择另一家企业。"]}
    with pytest.raises(ValidationError) as exc:
        relation_record(actor=caseworker, source=firm, target=studio, kind="partner", source_note="  ")
    assert exc.value.message_dict == {"source_note": ["请写明这条关系从哪里得知（走访、合同、工商登记……）。"]}
    with pytest.raises(ValidationError) as exc:
        relation_record(actor=caseworker, source=firm, target=studio, kind="friend", source_note="合同")
    assert exc.value.message_dict == {"kind": ["请选择关系类型。"]}
    [recorded] = entries(aa.RELATION_RECORD)
    assert recorded.after == {
        "source": firm.pk,
        "target": studio.pk,
        "kind": "supplier",
        "source_note": "2026 年 3 月走访",
    }
    assert recorded.target_label == "上海云擎智算科技有限公司 → 上海徐汇星河微短剧制作有限公司"
    pk = r.pk
    relation_delete(actor=caseworker, relation=r)
    assert Relation.objects.count() == 0
    [deleted] = entries(aa.RELATION_DELETE)
    assert (deleted.target_id, deleted.before["kind"], deleted.enterprise_id) == (
        str(pk),
        "supplier",
        firm.pk,
    )

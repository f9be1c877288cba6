"""Every public service of insight writes exactly its declared audit entries, in order; the audit page reads
them in words, without the codes the services stored (#17)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.insight.models import Placement, Relation
from shouzhan.insight.services import bulletins, figures, placements
from shouzhan.insight.services.data import insight_data_load

from .conftest import SYSTEM

pytestmark = pytest.mark.django_db


def _codes(work: Callable[[], Any]) -> list[str]:
    start = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    work()
    return list(AuditEntry.objects.filter(pk__gt=start).order_by("pk").values_list("action", flat=True))


def test_each_service_writes_its_entries_and_the_audit_page_reads_them(
    make_enterprise: Any, make_user: Any, login_client: Any, caseworker: Any, policy_officer: Any, leader: Any
) -> None:
    assert _codes(lambda: insight_data_load(actor=policy_officer)) == [
        "insight.chain_publish", "insight.chain_publish", "insight.chain_publish", "insight.targets_publish",
    ]  # fmt: skip
    assert _codes(lambda: insight_data_load(actor=policy_officer)) == []  # nothing changed
    studio, _ = make_enterprise(name="光启微短剧", district="徐汇", in_cluster=True, sector="micro_drama",
                                description="AI 微短剧出品与制作")  # fmt: skip
    tools, _ = make_enterprise(
        name="灵犀数字人", district="徐汇", sector="ai_agent", description="数字人与智能体"
    )
    assert _codes(lambda: placements.placements_suggest(actor=caseworker)) == ["insight.placement_suggest"]
    suggestion = Placement.objects.get(enterprise=studio, chain="ai_micro_drama")
    assert _codes(
        lambda: placements.placement_decide(
            actor=caseworker, placement=suggestion, decision="confirm", expected_version=suggestion.version
        )
    ) == ["insight.placement_decide"]
    assert _codes(
        lambda: placements.placement_place(
            actor=caseworker, enterprise=tools, chain="live_streaming", node="mcn"
        )
    ) == ["insight.placement_decide"]
    holder: dict[str, Relation] = {}

    def record() -> None:
        holder["r"] = placements.relation_record(
            actor=caseworker, source=tools, target=studio, kind="supplier", source_note="2026年11月走访"
        )

    assert _codes(record) == ["insight.relation_record"]
    assert _codes(lambda: placements.relation_delete(actor=caseworker, relation=holder["r"])) == [
        "insight.relation_delete"
    ]
    today = timezone.localdate()
    assert _codes(
        lambda: figures.city_figure_enter(
            actor=policy_officer,
            year=today.year,
            value_yuan=Decimal("5100000000"),
            source="上海市网络视听产业发展报告",
            published_on=today,
        )
    ) == ["insight.city_figure_enter"]
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert _codes(lambda: figures.snapshot_take(actor=SYSTEM, month=last_month)) == ["insight.snapshot_take"]
    assert _codes(lambda: figures.snapshot_take(actor=SYSTEM, month=last_month)) == []  # taken once
    made: dict[str, Any] = {}

    def generate() -> None:
        made["b"] = bulletins.bulletin_generate(actor=leader, month=last_month)

    assert _codes(generate) == ["insight.bulletin_generate"]
    assert _codes(lambda: bulletins.bulletin_download(actor=leader, bulletin=made["b"], kind="xlsx")) == [
        "insight.bulletin_download"
    ]

    page = login_client(make_user(Role.AUDITOR)).get("/audit/?action=").content.decode()
    for words in ("发布产业链", "推荐企业链位", "确认企业链位", "登记企业关系", "录入全市统计数", "生成月末快照",
                  "生成月度通报", "下载月度通报", "直播电商产业链", "主播孵化与 MCN", "人工确认", "Excel"):  # fmt: skip
        assert words in page, words
    for code in (">kept_decided<", ">pdf_sha256<", ">decision<", ">live_streaming<", ">mcn<", ">xlsx<"):
        assert code not in page, code

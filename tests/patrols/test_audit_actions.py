"""Every public service of patrols writes exactly its declared audit entries, in order; the audit page reads
them in words (#16)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.patrols import services
from shouzhan.patrols.compliance import compliance_remind
from shouzhan.patrols.models import PlanMeasure, Target
from tests.patrols.conftest import SYSTEM, walk
from tests.patrols.test_rules import version2

D = dt.date


def _codes(work: Callable[[], Any]) -> list[str]:
    start = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    work()
    return list(AuditEntry.objects.filter(pk__gt=start).order_by("pk").values_list("action", flat=True))


def test_each_service_writes_its_entries_and_the_audit_page_reads_them(
    record: Any, section: Target, chief: Any, supervisor: Any, make_user: Any, login_client: Any
) -> None:
    leader = make_user(Role.LEADER)
    holder: dict[str, Any] = {}
    data = {
        "rivers": [{"code": "lhg", "name": "龙华港", "level": "street", "office": "water"}],
        "targets": [{"code": "lhg-1", "name": "龙华港（龙华段）", "river": "lhg", "street": "龙华街道",
                     "path": [[31.16, 121.45], [31.17, 121.45]], "office": "water",
                     "checkpoints": [{"name": "龙华港桥", "lat": 31.16, "lon": 121.45}],
                     "chiefs": [{"mobile": chief.mobile, "level": "village"}]}],
        "plans": [{"river": "lhg", "title": "龙华港一河一策", "from": D(2026, 1, 1), "to": D(2026, 12, 31),
                   "goals": "水质稳定达到Ⅳ类", "measures": [{"text": "截污纳管", "responsible": "区水务局",
                                                         "due": D(2026, 10, 31)}]}],
    }  # fmt: skip
    assert _codes(lambda: services.patrols_data_load(actor=leader, data=data)) == ["patrols.data_load"]
    assert _codes(lambda: services.patrols_data_load(actor=leader, data=data)) == []  # nothing new
    assert _codes(lambda: services.frequency_publish(actor=leader, data=version2(D(2026, 12, 1)))) == [
        "patrols.frequency_publish"
    ]
    assert _codes(lambda: services.frequency_publish(actor=leader, data=version2(D(2026, 12, 1)))) == []
    assert _codes(
        lambda: services.warning_set(
            actor=leader,
            target=section,
            level="yellow",
            from_on=D(2026, 7, 1),
            to_on=D(2026, 7, 10),
            reason="暴雨",
        )
    ) == ["patrols.warning_set"]
    measure = PlanMeasure.objects.get(text="截污纳管")
    assert _codes(
        lambda: services.measure_update(actor=supervisor, measure=measure, progress=40, note="完成一半")
    ) == ["patrols.measure_update"]
    assert _codes(lambda: holder.setdefault("p", record())) == ["patrols.patrol_record"]
    start, end, track = walk(timezone.now() - dt.timedelta(hours=5), seconds=600)
    assert _codes(
        lambda: holder.update(
            f=record(start=start, started_at=start, ended_at=end, track=track, hazards=[
                {"category": "water", "description": "漂浮垃圾"}
            ])
        )
    ) == ["cases.case_submit", "frontline.demand_record", "patrols.patrol_record"]  # fmt: skip
    flagged = holder["f"]
    assert flagged.review == "flagged"
    assert _codes(
        lambda: services.patrol_review(
            actor=supervisor, patrol=flagged, accept=True, note="", expected_version=flagged.version
        )
    ) == ["patrols.patrol_review"]
    # the auditor reads every one of them in words (never a 500)
    page = login_client(make_user(Role.AUDITOR)).get("/audit/", {"page_size": 200})
    assert page.status_code == 200
    text = page.content.decode()
    for words in (
        "载入巡查对象",
        "发布巡查频次规则",
        "设定预警等级",
        "更新一河一策措施进度",
        "登记巡查",
        "复核巡查",
    ):
        assert words in text, words


def test_a_reminder_is_audited_once_for_each_new_overdue(chief: Any) -> None:
    today = D(2026, 11, 20)  # three weeks in: a weekly chief with no patrol is behind
    assert _codes(lambda: compliance_remind(actor=SYSTEM, today=today)) == ["patrols.compliance_remind"]
    assert _codes(lambda: compliance_remind(actor=SYSTEM, today=today)) == []  # told once


def test_the_compliance_export_is_audited(chief: Any, make_user: Any) -> None:
    exports = pytest.importorskip("shouzhan.patrols.exports")
    leader = make_user(Role.LEADER)
    assert _codes(
        lambda: exports.compliance_export(actor=leader, month=D(2026, 11, 1), today=D(2026, 11, 20))
    ) == ["patrols.compliance_export"]

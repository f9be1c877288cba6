"""Every public service of frontline writes exactly its declared audit entries, in order (#15)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.frontline import services
from shouzhan.frontline.models import DepartmentMember

pytestmark = pytest.mark.django_db
D = dt.date
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _codes(work: Callable[[], Any]) -> list[str]:
    start = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    work()
    return list(AuditEntry.objects.filter(pk__gt=start).order_by("pk").values_list("action", flat=True))


def test_each_service_writes_its_entries_and_the_audit_page_reads_them(
    record: Any,
    urban: Any,
    receiver: Any,
    dept: Any,
    member: Any,
    firm: Any,
    make_user: Any,
    settings: Any,
    tmp_path: Any,
    login_client: Any,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    admin = make_user(Role.ADMIN)
    holder: dict[str, Any] = {}

    def keep(name: str, value: Any) -> Any:
        holder[name] = value
        return value

    assert _codes(lambda: keep("d", record(on=D(2026, 11, 2)))) == [
        "cases.case_submit",
        "cases.case_assign",
        "frontline.demand_record",
    ]
    d = holder["d"]
    assert _codes(
        lambda: keep(
            "d", services.ticket_return(actor=urban, demand=d, reason="不归我们", expected_version=d.version)
        )
    ) == [
        "cases.case_return",
        "frontline.ticket_move",
    ]
    d = holder["d"]
    assert _codes(
        lambda: keep(
            "d",
            services.ticket_redispatch(
                actor=receiver, demand=d, department=dept("urban"), expected_version=d.version
            ),
        )
    )[-1] == ("frontline.ticket_move")
    d = holder["d"]
    assert _codes(
        lambda: keep("d", services.ticket_accept(actor=urban, demand=d, expected_version=d.version))
    ) == ["cases.case_accept", "frontline.ticket_move"]
    d = holder["d"]
    assert _codes(
        lambda: keep(
            "d", services.ticket_reply(actor=urban, demand=d, answer="已处理", expected_version=d.version)
        )
    ) == ["cases.case_reply"]
    d = holder["d"]
    assert _codes(
        lambda: services.follow_up_record(actor=firm[1], demand=d, resolved=True, satisfaction="basic")
    ) == ["frontline.follow_up_record", "cases.case_confirm"]
    chief = member("urban", DepartmentMember.Role.SUPERVISOR)
    assert _codes(lambda: services.demand_exclude(actor=chief, demand=d, reason="重复来电")) == [
        "frontline.demand_exclude"
    ]
    assert _codes(lambda: services.demand_include(actor=chief, demand=d, reason="复核")) == [
        "frontline.demand_include"
    ]
    other = record(text="另一条")
    assert _codes(
        lambda: services.demand_link_repeat(
            actor=receiver, demand=other, original=d, expected_version=other.version
        )
    ) == ["frontline.demand_link_repeat", "cases.case_merge"]
    assert _codes(
        lambda: services.department_save(actor=admin, key="tl", name="田林街道", kind="street")
    ) == ["frontline.department_save"]
    assert (
        _codes(lambda: services.department_save(actor=admin, key="tl", name="田林街道", kind="street")) == []
    )
    assert _codes(lambda: services.department_member_add(actor=admin, department=dept("tl"), user=urban)) == [
        "frontline.department_member_add"
    ]
    assert _codes(
        lambda: services.department_member_remove(actor=admin, department=dept("tl"), user=urban)
    ) == ["frontline.department_member_remove"]
    assert _codes(
        lambda: services.visit_plan_create(
            actor=receiver,
            title="四季度走访",
            visitor=receiver,
            starts_on=D(2026, 10, 1),
            due_on=D(2026, 12, 31),
            enterprises=[firm[0]],
            places=["徐家汇党群服务站"],
        )
    ) == ["frontline.visit_plan_create"]
    assert _codes(
        lambda: services.visit_record(
            actor=receiver,
            visited_on=D(2026, 11, 2),
            enterprise=firm[0],
            met="林晓",
            notes="了解经营情况",
            photos=[("门头.png", PNG)],
            demands=[{"category": "space", "description": "缺少剪辑工位"}],
        )
    ) == ["cases.case_submit", "cases.case_assign", "frontline.demand_record", "frontline.visit_record"]
    assert _codes(
        lambda: services.coverage_rule_save(
            actor=admin,
            key="cluster-quarterly",
            label="集聚区每月走访",
            selector={"in_cluster": True},
            period="month",
        )
    ) == ["frontline.coverage_rule_save"]
    # the auditor reads every one of them in words (the department's name, not its id; never a 500)
    page = login_client(make_user(Role.AUDITOR)).get("/audit/", {"page_size": 200})
    assert page.status_code == 200
    text = page.content.decode()
    for words in ("登记诉求", "工单流转", "记录回访结果", "诉求不计入三率", "登记走访", "制定走访计划"):
        assert words in text, words

"""Tickets opened by staff (工单: complaints and needs heard on visits, 急难愁盼)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case
from shouzhan.cases.services import case_transition, ticket_open
from shouzhan.core.models import Notification
from shouzhan.core.roles import Role
from shouzhan.core.workdays import add_working_days

pytestmark = pytest.mark.django_db

NEED = {"need": "园区夜间照明不足，员工下班不安全。", "category": "environment", "location": "漕河泾A座门口"}


def test_urgency_sets_the_time_limit_as_data() -> None:
    ticket = wf.case_type_get("ticket")
    assert ticket.limit_for({}) == 5
    assert ticket.limit_for({"urgency": "normal"}) == 5
    assert ticket.limit_for({"urgency": "urgent"}) == 2
    assert ticket.limit_for({"urgency": "critical"}) == 1


def test_ticket_open_service(studio: Any, caseworker: Any, caseworker2: Any, make_user: Any) -> None:
    enterprise, owner = studio
    on = dt.date(2026, 9, 29)
    case = ticket_open(
        actor=caseworker,
        enterprise=enterprise,
        data={**NEED, "urgency": "urgent", "reporter": "企业负责人", "reporter_contact": "13900000000"},
        assignee=caseworker2,
        submitted_on=on,
    )
    assert case.case_type == "ticket" and case.state == "submitted"
    assert case.due_on == add_working_days(on, 2).date == dt.date(2026, 10, 8)  # National Day skipped
    assert case.title.startswith("环境与秩序：园区夜间照明不足")
    assert case.applicant_id is None and case.assignee_id == caseworker2.pk
    assert Notification.objects.filter(user=owner, case=case).exists()  # the enterprise hears of it

    about_a_place = ticket_open(actor=caseworker, data={"need": "路口井盖松动", "urgency": "critical"})
    assert about_a_place.enterprise_id is None and about_a_place.applicant_id is None
    # Nobody is its "applicant": the opener cannot withdraw it; staff close it.
    with pytest.raises(PermissionDenied):
        case_transition(actor=caseworker, case=about_a_place, action="withdraw", expected_version=1)
    case_transition(actor=caseworker, case=about_a_place, action="accept", expected_version=1)

    with pytest.raises(ValidationError) as err:
        ticket_open(actor=caseworker, data={"need": "", "urgency": "whenever"})
    assert set(err.value.message_dict) == {"need", "urgency"}
    assert "请从列表中选择" in err.value.message_dict["urgency"][0]
    for who in (owner, make_user(role=Role.LEADER), "system:test"):
        with pytest.raises(PermissionDenied):
            ticket_open(actor=who, data=NEED)


def test_ticket_page(studio: Any, caseworker: Any, caseworker2: Any, login_client: Any) -> None:
    enterprise, owner = studio
    client = login_client(caseworker)
    page = client.get("/cases/tickets/new/")
    body = page.content.decode()
    assert page.status_code == 200
    assert f'type="date" name="reported_on" value="{dt.date.today().isoformat()}"' in body
    assert '<option value="光影工作室">' in body  # the enterprise picker's list
    assert "登记工单" in client.get("/cases/queue/").content.decode()

    unknown = client.post("/cases/tickets/new/", {**NEED, "urgency": "normal", "enterprise": "不存在的公司"})
    assert unknown.status_code == 400 and "企业库中没有找到" in unknown.content.decode()
    empty = client.post("/cases/tickets/new/", {"urgency": "normal", "enterprise": ""})
    assert empty.status_code == 400 and "请修改下面标红的项目" in empty.content.decode()
    ok = client.post(
        "/cases/tickets/new/",
        {
            **NEED,
            "urgency": "critical",
            "enterprise": "光影工作室",
            "reporter": "员工代表",
            "reporter_contact": "13911112222",
            "reported_on": "2026-09-28",
            "assignee": caseworker2.pk,
        },
    )
    case = Case.objects.get(case_type="ticket")
    assert ok.status_code == 302 and ok["Location"] == f"/cases/{case.pk}/"
    assert (case.enterprise_id, case.assignee_id, case.data["reported_on"]) == (
        enterprise.pk,
        caseworker2.pk,
        "2026-09-28",
    )
    staff_view = client.get(f"/cases/{case.pk}/").content.decode()
    assert "13911112222" in staff_view and "特急（1个工作日）" in staff_view

    # The enterprise sees the ticket in 我的办件, but not who complained and how to reach them.
    member = login_client(owner)
    assert case.title in member.get("/cases/mine/").content.decode()
    member_view = member.get(f"/cases/{case.pk}/").content.decode()
    assert "员工代表" in member_view and "13911112222" not in member_view
    assert "reporter_contact" not in member.get(f"/api/v1/cases/{case.pk}").json()["data"]
    assert login_client(owner).get("/cases/tickets/new/").status_code == 403
    # Staff going to the generic form for tickets land on the ticket page.
    assert client.get("/cases/new/ticket/")["Location"] == "/cases/tickets/new/"


def test_ticket_api(studio: Any, caseworker: Any, login_client: Any) -> None:
    enterprise, owner = studio
    api = login_client(caseworker)
    made = api.post(
        "/api/v1/cases/tickets",
        {"enterprise_id": enterprise.pk, "data": {**NEED, "urgency": "urgent"}},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["case_type"] == "ticket"
    bad = api.post("/api/v1/cases/tickets", {"data": {"urgency": "x"}}, content_type="application/json")
    assert bad.status_code == 422
    refused = login_client(owner).post(
        "/api/v1/cases/tickets", {"data": NEED}, content_type="application/json"
    )
    assert refused.status_code == 403
    types = {t["key"]: t for t in api.get("/api/v1/cases/types").json()}
    urgency = next(f for f in types["ticket"]["fields"] if f["name"] == "urgency")
    assert [c["value"] for c in urgency["choices"]] == ["normal", "urgent", "critical"]


def test_applicant_cannot_change_staff_only_fields(studio: Any, caseworker: Any, login_client: Any) -> None:
    enterprise, owner = studio
    case = ticket_open(actor=caseworker, enterprise=enterprise, data={**NEED, "reporter_contact": "139"})
    case_transition(actor=caseworker, case=case, action="accept", expected_version=1)
    case_transition(
        actor=caseworker, case=case, action="request_info", expected_version=2, note="请说明时间段"
    )
    with pytest.raises(ValidationError, match="不能修改这一项"):
        case_transition(
            actor=owner, case=case, action="resubmit", expected_version=3, data={"reporter_contact": "000"}
        )
    case.refresh_from_db()
    assert case.data["reporter_contact"] == "139" and case.state == "more_info"

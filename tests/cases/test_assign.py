"""Assignment (指派 / 改派): the service, the queue filters, the page, the API, and who is reminded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shouzhan.cases.models import Case, CaseEvent
from shouzhan.cases.selectors import case_queue
from shouzhan.cases.services import (
    CaseConflict,
    case_assign,
    case_deadlines_notify,
    case_submit,
    case_transition,
)
from shouzhan.core.models import AuditEntry, Notification
from shouzhan.core.roles import Role

pytestmark = pytest.mark.django_db


def _consult(studio: Any, title: str = "政策咨询", **kw: Any) -> Case:
    enterprise, owner = studio
    return case_submit(
        actor=owner,
        case_type="service.consultation",
        enterprise=enterprise,
        title=title,
        data={"need": "x"},
        **kw,
    )


def test_assign_reassign_unassign_with_history_audit_and_notice(
    studio: Any, caseworker: Any, caseworker2: Any, make_user: Any
) -> None:
    case = _consult(studio)
    case_assign(actor=caseworker, case=case, assignee=caseworker2, expected_version=1, note="你熟悉出海")
    case.refresh_from_db()
    assert (case.assignee_id, case.version) == (caseworker2.pk, 2)
    event = CaseEvent.objects.get(case=case, action="assign")
    assert event.data["to"]["assignee_id"] == caseworker2.pk and event.data["from"]["assignee_id"] is None
    entry = AuditEntry.objects.get(action="cases.case_assign")
    assert entry.before["assignee_id"] is None and entry.after["assignee_id"] == caseworker2.pk
    note = Notification.objects.get(user=caseworker2, kind="assign")
    assert "指派给您" in note.message and "你熟悉出海" in note.message

    with pytest.raises(CaseConflict):  # stale version: nothing changes
        case_assign(actor=caseworker, case=case, assignee=caseworker, expected_version=1)
    case_assign(actor=caseworker, case=case, assignee=caseworker, expected_version=2)  # reassign to me
    with pytest.raises(ValidationError, match="已由这位专员承办"):
        case_assign(actor=caseworker, case=case, assignee=caseworker, expected_version=3)
    case_assign(actor=caseworker2, case=case, assignee=None, expected_version=3)  # back to unassigned
    case.refresh_from_db()
    assert case.assignee_id is None

    leader = make_user(role=Role.LEADER)
    with pytest.raises(PermissionDenied):
        case_assign(actor=leader, case=case, assignee=caseworker, expected_version=case.version)
    with pytest.raises(PermissionDenied):
        case_assign(actor=studio[1], case=case, assignee=caseworker, expected_version=case.version)
    with pytest.raises(ValidationError, match="在岗的营商专员"):
        case_assign(actor=caseworker, case=case, assignee=leader, expected_version=case.version)


def test_first_caseworker_to_act_is_the_default_assignee_and_final_cases_are_not_assigned(
    studio: Any, caseworker: Any, caseworker2: Any
) -> None:
    case = _consult(studio)
    case_transition(actor=caseworker, case=case, action="accept", expected_version=1)
    assert case.assignee_id == caseworker.pk
    case_transition(actor=caseworker2, case=case, action="reject", expected_version=2, note="不属于本中心")
    with pytest.raises(ValidationError, match="已办结"):
        case_assign(actor=caseworker, case=case, assignee=caseworker2, expected_version=case.version)


def test_queue_filters_mine_unassigned_all(studio: Any, caseworker: Any, caseworker2: Any) -> None:
    mine = _consult(studio, "我的")
    theirs = _consult(studio, "别人的")
    free = _consult(studio, "没人管的")
    case_assign(actor=caseworker, case=mine, assignee=caseworker, expected_version=1)
    case_assign(actor=caseworker, case=theirs, assignee=caseworker2, expected_version=1)

    def titles(**kw: Any) -> set[str]:
        return {c.title for c in case_queue(actor=caseworker, **kw)}

    assert titles(assigned="mine") == {"我的"}
    assert titles(assigned="unassigned") == {"没人管的"}
    assert titles() == {"我的", "别人的", "没人管的"}
    assert titles(mine=True) == {"我的", "没人管的"}  # the older filter still works
    assert free.assignee_id is None


def test_the_assignee_is_the_one_reminded(studio: Any, caseworker: Any, caseworker2: Any) -> None:
    late = _consult(studio, "逾期的咨询", submitted_on=dt.date.today() - dt.timedelta(days=40))
    case_assign(actor=caseworker, case=late, assignee=caseworker2, expected_version=1)
    assert case_deadlines_notify() == {"reminded": 0, "alerted": 1}
    assert list(Notification.objects.filter(kind="overdue").values_list("user_id", flat=True)) == [
        caseworker2.pk
    ]
    # Reassigned: the new assignee is alerted about the same deadline too.
    case_assign(actor=caseworker2, case=late, assignee=caseworker, expected_version=2)
    assert case_deadlines_notify() == {"reminded": 0, "alerted": 1}
    assert Notification.objects.filter(kind="overdue", user=caseworker).count() == 1


def test_assign_page_queue_filter_and_leader_is_read_only(
    studio: Any, caseworker: Any, caseworker2: Any, make_user: Any, login_client: Any
) -> None:
    case = _consult(studio, "要指派的咨询")
    client = login_client(caseworker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="assign"' in page and "李专员" in page
    bad = client.post(f"/cases/{case.pk}/assign/", {"version": 1, "assignee": 999999})
    assert bad.status_code == 400
    ok = client.post(
        f"/cases/{case.pk}/assign/", {"version": 1, "assignee": caseworker2.pk, "note": "请跟进"}
    )
    assert ok.status_code == 302
    stale = client.post(f"/cases/{case.pk}/assign/", {"version": 1, "assignee": caseworker.pk})
    assert stale.status_code == 409 and "已被他人处理" in stale.content.decode()
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert "指派给 李专员" in detail and "请跟进" in detail
    assert "要指派的咨询" not in client.get("/cases/queue/?assigned=mine").content.decode()
    assert "要指派的咨询" in login_client(caseworker2).get("/cases/queue/?assigned=mine").content.decode()
    assert "要指派的咨询" not in client.get("/cases/queue/?assigned=unassigned").content.decode()

    leader = login_client(make_user(role=Role.LEADER))
    seen = leader.get(f"/cases/{case.pk}/")
    assert seen.status_code == 200 and 'id="assign"' not in seen.content.decode()
    assert (
        leader.post(f"/cases/{case.pk}/assign/", {"version": 2, "assignee": caseworker.pk}).status_code == 403
    )
    owner = login_client(studio[1])
    assert 'id="assign"' not in owner.get(f"/cases/{case.pk}/").content.decode()


def test_assign_api(studio: Any, caseworker: Any, caseworker2: Any, login_client: Any) -> None:
    case = _consult(studio)
    api = login_client(caseworker)
    url = f"/api/v1/cases/{case.pk}/assign"
    ok = api.post(
        url, {"assignee_id": caseworker2.pk, "expected_version": 1}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["assignee_name"] == "李专员"
    stale = api.post(url, {"assignee_id": None, "expected_version": 1}, content_type="application/json")
    assert stale.status_code == 409
    bad = api.post(url, {"assignee_id": studio[1].pk, "expected_version": 2}, content_type="application/json")
    assert bad.status_code == 422
    owner = login_client(studio[1])
    refused = owner.post(url, {"assignee_id": None, "expected_version": 2}, content_type="application/json")
    assert refused.status_code == 403
    mine = api.get("/api/v1/cases/queue?assigned=mine").json()
    assert mine == []
    assert [c["id"] for c in login_client(caseworker2).get("/api/v1/cases/queue?assigned=mine").json()] == [
        case.pk
    ]
    assert api.get("/api/v1/cases/queue?assigned=bogus").status_code == 422

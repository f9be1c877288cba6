"""The refusal rule on the cases pages and API (cases/permissions.py is the one door):

- a case the user may not know about (another enterprise's) is 404 — never confirmed to exist;
- an action on a case they may see but not take, or a staff-only page for a logged-in non-staff
  user, is 403 with a plain message;
- a visitor is sent to log in (pages) or gets 401 (API).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client

from shouzhan.cases import permissions
from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case
from shouzhan.cases.services import case_assign, case_submit, case_transition, document_upload
from shouzhan.core.roles import Role
from tests.cases import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(studio: Any) -> Case:
    enterprise, owner = studio
    return case_submit(
        actor=owner, case_type="service.consultation", enterprise=enterprise, title="咨询", data={"need": "x"}
    )


@pytest.fixture
def stranger(make_enterprise: Any) -> Any:
    """A member of another enterprise: logged in, but the case is none of theirs."""
    return make_enterprise(name="别家企业")[1]


def _post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_another_enterprises_case_is_404_everywhere(case: Case, stranger: Any, login_client: Any) -> None:
    client = login_client(stranger)
    pages = [
        client.get(f"/cases/{case.pk}/"),
        client.post(f"/cases/{case.pk}/act/withdraw/", {"withdraw-version": 1}),
        client.post(f"/cases/{case.pk}/assign/", {"version": 1}),
        client.post(f"/cases/{case.pk}/upload/", {"name": "x"}),
        client.get(f"/cases/{case.pk}/notice/acceptance.pdf"),
        client.get(f"/api/v1/cases/{case.pk}"),
        _post_json(
            client, f"/api/v1/cases/{case.pk}/transitions", {"action": "withdraw", "expected_version": 1}
        ),
        _post_json(client, f"/api/v1/cases/{case.pk}/assign", {"assignee_id": None, "expected_version": 1}),
    ]
    assert [r.status_code for r in pages] == [404] * len(pages)
    assert case.title not in pages[0].content.decode()
    # The services say the same, whoever calls them.
    with pytest.raises(Http404):
        case_transition(actor=stranger, case=case, action="withdraw", expected_version=1)
    with pytest.raises(Http404):
        document_upload(actor=stranger, case=case, name="x", filename="a.pdf", content=samples.pdf())
    assert not permissions.can_read_case(stranger, case)


def test_an_action_on_a_case_one_may_see_is_403(
    case: Case, studio: Any, make_user: Any, login_client: Any
) -> None:
    _enterprise, owner = studio
    client = login_client(owner)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    # Accepting is the staff's: the applicant sees the case, so the refusal is 403 with the reason.
    accept = client.post(f"/cases/{case.pk}/act/accept/", {"accept-version": 1})
    assert accept.status_code == 403 and "只有" in accept.content.decode()
    api = _post_json(
        client, f"/api/v1/cases/{case.pk}/transitions", {"action": "accept", "expected_version": 1}
    )
    assert api.status_code == 403
    assert client.post(f"/cases/{case.pk}/assign/", {"version": 1}).status_code == 403
    with pytest.raises(PermissionDenied, match="只有"):
        case_transition(actor=owner, case=case, action="accept", expected_version=1)
    # A leader reads every case but neither assigns nor uploads.
    leader = make_user(role=Role.LEADER)
    assert login_client(leader).get(f"/cases/{case.pk}/").status_code == 200
    assert login_client(leader).post(f"/cases/{case.pk}/assign/", {"version": 1}).status_code == 403
    with pytest.raises(PermissionDenied):
        case_assign(actor=leader, case=case, assignee=None, expected_version=1)
    with pytest.raises(PermissionDenied):
        document_upload(actor=leader, case=case, name="x", filename="a.pdf", content=samples.pdf())
    assert not permissions.can_upload(leader, case) and permissions.can_upload(owner, case)


@pytest.mark.parametrize(
    "url", ["/cases/queue/", "/cases/response-times/", "/cases/tickets/new/", "/api/v1/cases/queue"]
)
def test_staff_pages_are_403_for_members_and_ask_visitors_to_log_in(
    url: str, studio: Any, login_client: Any
) -> None:
    refused = login_client(studio[1]).get(url)
    assert refused.status_code == 403
    visitor = Client().get(url)
    if url.startswith("/api/"):
        assert visitor.status_code == 401
    else:
        assert visitor.status_code == 302 and "/accounts/login" in visitor["Location"]


def test_the_staff_and_the_system_see_every_case(case: Case, caseworker: Any, login_client: Any) -> None:
    assert login_client(caseworker).get(f"/cases/{case.pk}/").status_code == 200
    assert permissions.sees_every_case("system:worker") and permissions.sees_every_case(caseworker)
    assert permissions.relations("system:worker", case) == {wf.SYSTEM}
    assert permissions.relations(caseworker, case) == {wf.CASEWORKER, wf.ASSIGNEE}
    assert [t.action for t in permissions.allowed_transitions(caseworker, case)] == [
        t.action
        for t in wf.case_type_get(case.case_type).transitions_from("submitted")
        if t.who & {"caseworker"}
    ]

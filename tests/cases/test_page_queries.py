"""Query counts pinned on the cases module's main pages, with enough cases, documents and messages that
a query per row would show: the staff queue, a case page (staff and applicant), the applicant's list and
their messages (the page and the API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouzhan.cases.models import Case
from shouzhan.cases.services import case_assign, case_submit, case_transition, document_upload
from tests.cases import samples

pytestmark = pytest.mark.django_db

ROWS = 12


@pytest.fixture
def busy(studio: Any, caseworker: Any, caseworker2: Any) -> dict[str, Any]:
    """An enterprise with a dozen cases in different states, each with its history and messages."""
    enterprise, owner = studio
    cases = []
    for i in range(ROWS):
        case = case_submit(
            actor=owner,
            case_type="service.consultation",
            enterprise=enterprise,
            title=f"咨询{i}",
            data={"need": f"需求{i}"},
            submitted_on=dt.date.today() - dt.timedelta(days=i * 3),
        )
        if i % 3:
            case = case_transition(actor=caseworker, case=case, action="accept", expected_version=1)
        if i % 4 == 0:
            case_assign(actor=caseworker, case=case, assignee=caseworker2, expected_version=case.version)
        cases.append(case)
    busiest = cases[1]
    for n in range(3):
        document_upload(
            actor=owner, case=busiest, name=f"材料{n}", filename="a.pdf", content=samples.pdf(str(n))
        )
    case_transition(actor=caseworker, case=busiest, action="start", expected_version=2)
    case_transition(actor=caseworker, case=busiest, action="request_info", expected_version=3, note="请补充")
    return {"cases": cases, "busiest": Case.objects.get(pk=busiest.pk), "owner": owner}


def _queries(client: Any, url: str) -> int:
    client.get(url)  # the session and the caches warm
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# Session and user (2), the header's menu (1), then the page's own reads — none per row: the queue its figures
# and rows; a case its history, documents and memberships (who may act); the list its cases, their events and
# the messages with their unread count.
@pytest.mark.parametrize(
    ("who", "url", "most"),
    [
        # a caseworker's menu reads their departments (frontline: 部门工单 for a department's member) and whether
        # they hold a river chief's post (patrols: 巡河): 2 more
        ("caseworker", "/cases/queue/", 7),
        ("caseworker", "/cases/{busiest}/", 9),
        ("owner", "/cases/{busiest}/", 7),
        ("owner", "/cases/mine/", 8),
        ("owner", "/api/v1/cases/notifications", 3),
        ("owner", "/api/v1/cases/notifications?unread_only=true", 3),
    ],
)
def test_main_pages_queries_pinned(
    who: str,
    url: str,
    most: int,
    busy: dict[str, Any],
    caseworker: Any,
    login_client: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = login_client(caseworker if who == "caseworker" else busy["owner"])
    url = url.format(busiest=busy["busiest"].pk)
    client.get(url)
    with django_assert_max_num_queries(most):
        response = client.get(url)
    assert response.status_code == 200


def test_more_rows_cost_no_more_queries(busy: dict[str, Any], caseworker: Any, login_client: Any) -> None:
    owner = busy["owner"]
    pages = [(caseworker, "/cases/queue/"), (owner, "/cases/mine/"), (owner, "/api/v1/cases/notifications")]
    before = [_queries(login_client(who), url) for who, url in pages]
    enterprise = busy["cases"][0].enterprise
    for i in range(ROWS):
        case_submit(
            actor=owner,
            case_type="service.consultation",
            enterprise=enterprise,
            title=f"更多{i}",
            data={"need": "x"},
        )
    assert [_queries(login_client(who), url) for who, url in pages] == before

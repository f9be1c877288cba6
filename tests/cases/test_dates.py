"""Dates of a case are within the working-day calendar's range, 1900-01-01 … 2200-12-31 (issue #11,
defect 9 follow-up): the ticket form, the case forms, the API and the services refuse one outside it
with a clear message instead of storing it, or raising DateOutOfRange into a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from shouzhan.cases.models import Case
from shouzhan.cases.services import case_submit, ticket_open

pytestmark = pytest.mark.django_db

NEED = {"need": "园区夜间照明不足。", "urgency": "normal"}
RANGE = "日期应在 1900-01-01 至 2200-12-31 之间。"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"])
def test_the_ticket_form_refuses_a_date_outside_the_calendar(
    day: str, caseworker: Any, login_client: Any
) -> None:
    client = login_client(caseworker)
    page = client.get("/cases/tickets/new/").content.decode()
    assert 'name="reported_on"' in page and 'min="1900-01-01" max="2200-12-31"' in page
    r = client.post("/cases/tickets/new/", {**NEED, "reported_on": day})
    assert r.status_code == 400
    assert r.context["form"].errors == {"reported_on": [RANGE]}
    assert Case.objects.count() == 0
    # The ends of the range are dates like any other.
    for ok in ("1900-01-01", "2200-12-31"):
        assert client.post("/cases/tickets/new/", {**NEED, "reported_on": ok}).status_code == 302
    assert sorted(Case.objects.values_list("data__reported_on", flat=True)) == ["1900-01-01", "2200-12-31"]


def test_a_case_form_refuses_a_date_outside_the_calendar(studio: Any, login_client: Any) -> None:
    _enterprise, owner = studio
    r = login_client(owner).post(
        "/cases/new/service.filming_location/",
        {"title": "协拍", "location": "武康路", "shoot_date": "9999-12-31"},
    )
    assert r.status_code == 400
    assert r.context["form"].errors == {"shoot_date": [RANGE]}
    assert Case.objects.count() == 0


def test_the_api_refuses_a_date_outside_the_calendar(studio: Any, caseworker: Any, login_client: Any) -> None:
    enterprise, owner = studio
    staff = login_client(caseworker)
    ticket = staff.post(
        "/api/v1/cases/tickets",
        {"data": {**NEED, "reported_on": "9999-12-31"}},
        content_type="application/json",
    )
    assert ticket.status_code == 422
    assert ticket.json()["detail"] == {
        "reported_on": ["“反映日期”：日期应为 YYYY-MM-DD，在 1900-01-01 至 2200-12-31 之间。"]
    }
    filming = login_client(owner).post(
        "/api/v1/cases",
        {
            "case_type": "service.filming_location",
            "enterprise_id": enterprise.pk,
            "title": "协拍",
            "data": {"location": "武康路", "shoot_date": "0001-01-01"},
        },
        content_type="application/json",
    )
    assert filming.status_code == 422
    assert filming.json()["detail"] == {
        "shoot_date": ["“拍摄日期”：日期应为 YYYY-MM-DD，在 1900-01-01 至 2200-12-31 之间。"]
    }
    assert Case.objects.count() == 0
    ok = staff.post(
        "/api/v1/cases/tickets",
        {"data": {**NEED, "reported_on": "2200-12-31"}},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["data"]["reported_on"] == "2200-12-31"


@pytest.mark.parametrize("day", [dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.date(2200, 12, 31)])
def test_the_services_refuse_a_submission_date_outside_the_calendar(
    day: dt.date, studio: Any, caseworker: Any
) -> None:
    """submitted_on starts the deadline count: outside the calendar it is a refusal naming the
    field, not DateOutOfRange (2200-12-31 is within the range, but its deadline would not be)."""
    enterprise, owner = studio
    with pytest.raises(ValidationError) as info:
        ticket_open(actor=caseworker, data=NEED, submitted_on=day)
    assert list(info.value.message_dict) == ["submitted_on"]
    with pytest.raises(ValidationError) as info:
        case_submit(
            actor=owner,
            case_type="service.consultation",
            enterprise=enterprise,
            title="咨询",
            data={"need": "?"},
            submitted_on=day,
        )
    assert list(info.value.message_dict) == ["submitted_on"]
    assert Case.objects.count() == 0

"""FixMyStreet-style response times per case type; ISO date widgets everywhere in cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.utils import translation

from shouzhan.cases import forms as case_forms
from shouzhan.cases import workflow as wf
from shouzhan.cases.charts import response_chart
from shouzhan.cases.selectors import response_times
from shouzhan.cases.services import case_submit, case_transition
from shouzhan.core.roles import Role
from shouzhan.core.widgets import IsoDateInput
from tests.cases.conftest import FILING

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 9, 30)


def _filing(studio: Any, on: dt.date) -> Any:
    enterprise, owner = studio
    return case_submit(
        actor=owner,
        case_type="planning_filing",
        enterprise=enterprise,
        title="备案",
        data=FILING,
        submitted_on=on,
    )


def _steps(case: Any, actor: Any, steps: list[tuple[str, dt.date, dict[str, Any]]]) -> None:
    for action, on, kw in steps:
        case_transition(actor=actor, case=case, action=action, expected_version=case.version, on=on, **kw)


@pytest.fixture
def history(studio: Any, caseworker: Any) -> None:
    owner = studio[1]
    fast = _filing(studio, dt.date(2026, 9, 1))  # Tue; due Thu 09-03
    _steps(
        fast,
        caseworker,
        [
            ("accept", dt.date(2026, 9, 2), {}),
            ("start", dt.date(2026, 9, 2), {}),
            ("complete", dt.date(2026, 9, 3), {}),
        ],
    )
    # Waited three working days for the applicant (09-03, 09-04, 09-07): not counted against the centre.
    waited = _filing(studio, dt.date(2026, 9, 1))
    _steps(
        waited,
        caseworker,
        [("accept", dt.date(2026, 9, 1), {}), ("request_info", dt.date(2026, 9, 2), {"note": "补梗概"})],
    )
    _steps(waited, owner, [("resubmit", dt.date(2026, 9, 7), {})])
    _steps(waited, caseworker, [("complete", dt.date(2026, 9, 10), {})])  # due 09-08: late
    old = _filing(studio, dt.date(2026, 5, 6))  # closed long before the 90 days
    _steps(
        old,
        caseworker,
        [
            ("accept", dt.date(2026, 5, 6), {}),
            ("start", dt.date(2026, 5, 6), {}),
            ("complete", dt.date(2026, 5, 20), {}),
        ],
    )
    enterprise = studio[0]
    case_submit(  # open and overdue
        actor=owner,
        case_type="service.consultation",
        enterprise=enterprise,
        title="咨询",
        data={"need": "x"},
        submitted_on=dt.date(2026, 9, 1),
    )


def test_response_times_median_and_on_time_rate(history: None, caseworker: Any) -> None:
    rows = {r.key: r for r in response_times(actor=caseworker, today=TODAY)}
    filing = rows["planning_filing"]
    assert (filing.limit_days, filing.closed, filing.on_time, filing.late) == (2, 2, 1, 1)
    # 09-01→09-03: 2 working days; 09-01→09-10: 7 working days less 3 waiting = 4; median 3.
    assert filing.median_days == 3.0 and filing.within_limit is False
    assert filing.percent == "50%"
    consult = rows["service.consultation"]
    assert (consult.closed, consult.median_days, consult.open_overdue, consult.percent) == (0, None, 1, "0%")
    assert rows["ticket"].limit_variants == "紧急 2 · 特急 1"
    chart = response_chart(list(rows.values()))
    assert chart is not None and [b.label for b in chart["bars"]] == ["规划备案"]
    assert chart["bars"][0].width == 300.0 and chart["bars"][0].ok is False  # median 3 > limit 2


def test_response_times_pages_for_staff_and_leaders_only(
    history: None, caseworker: Any, make_user: Any, login_client: Any, studio: Any
) -> None:
    leader = login_client(make_user(role=Role.LEADER))
    for client in (leader, login_client(caseworker)):
        page = client.get("/cases/response-times/")
        body = page.content.decode()
        assert page.status_code == 200 and "<svg" in body and 'id="response-times"' in body
        assert 'id="times"' in client.get("/cases/queue/").content.decode()
    assert "登记工单" not in leader.get("/cases/queue/").content.decode()  # leaders read, they do not act
    assert login_client(studio[1]).get("/cases/response-times/").status_code == 403
    assert login_client(studio[1]).get("/api/v1/cases/response-times").status_code == 403
    api = {r["key"]: r for r in leader.get("/api/v1/cases/response-times").json()}
    assert api["service.consultation"]["open_overdue"] == 1


def test_every_date_field_in_cases_uses_the_iso_widget(studio: Any, caseworker: Any) -> None:
    ct_forms: list[forms.Form] = [
        case_forms.CaseForm(case_type=ct, enterprises=[studio[0]], projects=[]) for ct in wf.case_types()
    ]
    ct_forms += [case_forms.ResubmitForm(case_type=ct) for ct in wf.case_types()]
    ct_forms.append(case_forms.TicketForm(users=[caseworker]))
    date_fields = [
        (type(form).__name__, name, field)
        for form in ct_forms
        for name, field in form.fields.items()
        if isinstance(field, forms.DateField)
    ]
    assert {name for _form, name, _field in date_fields} >= {"shoot_date", "reported_on"}
    for form_name, name, field in date_fields:
        assert isinstance(field.widget, IsoDateInput), (form_name, name)
    with translation.override("zh-hans"):
        form = case_forms.TicketForm(users=[], initial={"reported_on": dt.date(2026, 11, 30)})
        html = str(form["reported_on"])
    assert 'type="date"' in html and 'value="2026-11-30"' in html

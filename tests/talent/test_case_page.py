"""The case page asks the caseworker for what a grant records, refuses a bad one in place, and links to the record."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from shouzhan.cases import services as cases
from shouzhan.registry.models import TalentSupport
from shouzhan.talent import workflow as w
from shouzhan.talent.services import support_apply

pytestmark = pytest.mark.django_db


def _started(talent_person: Any, caseworker: Any) -> Any:
    person, _enterprise, owner = talent_person
    case = support_apply(
        actor=owner, person=person, case_type=w.SETTLING, data={"route": "introduction", "need": "引进落户"}
    )
    case = cases.case_transition(actor=caseworker, case=case, action="accept", expected_version=case.version)
    return cases.case_transition(actor=caseworker, case=case, action="start", expected_version=case.version)


def test_grant_form_asks_checks_and_records(talent_person: Any, caseworker: Any, login_client: Any) -> None:
    case = _started(talent_person, caseworker)
    client = login_client(caseworker)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'name="complete-letter_no"' in page and "推荐函编号" in page
    assert "的人才档案" in page  # the case links to the person's record (cases.links)
    url = reverse("cases:act", args=[case.pk, "complete"])
    bad = client.post(url, {"complete-version": case.version, "complete-letter_no": "推荐 1"})
    assert bad.status_code == 400
    assert "“推荐函编号”格式不对：应为4–40 位字母、数字或连字符。" in bad.content.decode()
    assert not TalentSupport.objects.exists()
    ok = client.post(url, {"complete-version": case.version, "complete-letter_no": "XH-RC-2026-031"})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.state == "recommended" and case.data["letter_no"] == "XH-RC-2026-031"
    support = TalentSupport.objects.get()
    assert (support.kind, support.granted, support.reference) == (w.SETTLING, True, "XH-RC-2026-031")
    shown = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "推荐函编号" in shown and "XH-RC-2026-031" in shown  # what the step recorded reads on the page


def test_api_takes_the_answers_and_describes_them(
    talent_person: Any, caseworker: Any, login_client: Any
) -> None:
    case = _started(talent_person, caseworker)
    client = login_client(caseworker)
    types = client.get("/api/v1/cases/types").json()
    settling = next(t for t in types if t["key"] == w.SETTLING)
    complete = next(t for t in settling["transitions"] if t["action"] == "complete")
    assert [(a["name"], a["label"], a["required"]) for a in complete["asks"]] == [
        ("letter_no", "推荐函编号", True)
    ]
    url = f"/api/v1/cases/{case.pk}/transitions"
    body = {"action": "complete", "expected_version": case.version, "answers": {"letter_no": "bad no"}}
    bad = client.post(url, body, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["detail"] == {"letter_no": ["“推荐函编号”格式不对：应为4–40 位字母、数字或连字符。"]}
    body["answers"] = {"letter_no": "XH-RC-2026-032", "extra": "x"}
    unknown = client.post(url, body, content_type="application/json")
    assert unknown.status_code == 422 and "extra" in unknown.json()["detail"]["answers"][0]
    body["answers"] = {"letter_no": "XH-RC-2026-032"}
    done = client.post(url, body, content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "recommended"

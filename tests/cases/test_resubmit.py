"""Resubmission with changed fields: edit, upload, resubmit — recorded before/after, highlighted for staff."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shouzhan.cases.models import Case, CaseEvent, Document
from shouzhan.cases.selectors import case_changes_since_request
from shouzhan.cases.services import case_resubmit, case_submit, case_transition
from shouzhan.core.models import AuditEntry
from tests.cases import samples
from tests.cases.conftest import FILING

pytestmark = pytest.mark.django_db
PDF = samples.pdf("cast list")  # a well-formed PDF: uploads are checked beyond their first bytes


@pytest.fixture
def waiting(studio: Any, caseworker: Any) -> Case:
    enterprise, owner = studio
    case = case_submit(
        actor=owner, case_type="planning_filing", enterprise=enterprise, title="规划备案", data=FILING
    )
    case_transition(actor=caseworker, case=case, action="accept", expected_version=1)
    case_transition(actor=caseworker, case=case, action="start", expected_version=2)
    case_transition(
        actor=caseworker, case=case, action="request_info", expected_version=3, note="集数与梗概不一致"
    )
    return case


def test_resubmit_service_records_before_and_after(
    waiting: Case, studio: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    owner = studio[1]
    case_resubmit(
        actor=owner,
        case=waiting,
        expected_version=4,
        data={**FILING, "episodes": 80, "synopsis": "改：八十集。"},
        note="已按要求修改集数",
        documents=[("演员表", "cast.pdf", PDF)],
    )
    waiting.refresh_from_db()
    assert waiting.state == "in_review" and waiting.data["episodes"] == 80
    event = CaseEvent.objects.get(case=waiting, action="resubmit")
    assert {c["field"]: (c["before"], c["after"]) for c in event.data["changes"]} == {
        "episodes": (60, 80),
        "synopsis": (FILING["synopsis"], "改：八十集。"),
    }
    entry = AuditEntry.objects.get(action="cases.case_resubmit")
    assert entry.before["data"] == {"episodes": 60, "synopsis": FILING["synopsis"]}
    assert entry.after["data"]["episodes"] == 80
    changes = case_changes_since_request(actor=owner, case=waiting)
    assert changes is not None and changes.request_note == "集数与梗概不一致"
    assert changes.fields["episodes"] == (60, 80)
    assert changes.document_ids == {Document.objects.get(name="演员表").pk}


def test_bad_resubmission_changes_nothing(waiting: Case, studio: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    owner = studio[1]
    with pytest.raises(ValidationError) as err:  # checked the same way as at submission
        case_resubmit(
            actor=owner,
            case=waiting,
            expected_version=4,
            data={**FILING, "episodes": "很多", "ai_share": 140, "work_title": ""},
            documents=[("演员表", "cast.pdf", PDF)],
        )
    assert set(err.value.message_dict) == {"episodes", "ai_share", "work_title"}
    with pytest.raises(ValidationError, match="内容不是允许的格式"):
        case_resubmit(
            actor=owner, case=waiting, expected_version=4, documents=[("x", "x.pdf", b"MZ\x90\x00")]
        )
    waiting.refresh_from_db()
    assert waiting.state == "more_info" and waiting.data == FILING
    assert not Document.objects.exists() and not list(tmp_path.rglob("*.pdf"))


def test_resubmit_page_edits_uploads_and_staff_sees_the_changes(
    waiting: Case, studio: Any, caseworker: Any, login_client: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    owner = login_client(studio[1])
    page = owner.get(f"/cases/{waiting.pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="resubmit-episodes" value="60"' in page
    form = {f"resubmit-{k}": v for k, v in FILING.items()}
    bad = owner.post(
        f"/cases/{waiting.pk}/act/resubmit/", {**form, "resubmit-version": 4, "resubmit-episodes": "-3"}
    )
    assert bad.status_code == 400 and 'value="-3"' in bad.content.decode()  # what was typed is kept
    ok = owner.post(
        f"/cases/{waiting.pk}/act/resubmit/",
        {
            **form,
            "resubmit-version": 4,
            "resubmit-episodes": "80",
            "resubmit-producer": "光影工作室（联合出品）",
            "resubmit-note": "已改",
            "resubmit-document_name": "演员表",
            "resubmit-file": SimpleUploadedFile("cast.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert ok.status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == "in_review" and waiting.data["producer"] == "光影工作室（联合出品）"

    staff = login_client(caseworker).get(f"/cases/{waiting.pk}/").content.decode()
    assert "自要求补正以来的变化" in staff and "集数与梗概不一致" in staff
    assert "<del>60</del> → <ins>80</ins>" in staff
    assert "补正后新增" in staff and "cast.pdf" in staff
    assert '<dd class="pre changed"' in staff


def test_api_lists_editable_transitions(waiting: Case, login_client: Any, studio: Any) -> None:
    api = login_client(studio[1])
    types = {t["key"]: t for t in api.get("/api/v1/cases/types").json()}
    resubmit = next(t for t in types["planning_filing"]["transitions"] if t["action"] == "resubmit")
    assert resubmit["edits_data"] is True
    moved = api.post(
        f"/api/v1/cases/{waiting.pk}/transitions",
        {"action": "resubmit", "expected_version": 4, "data": {"episodes": 70}},
        content_type="application/json",
    )
    assert moved.status_code == 200
    assert moved.json()["events"][-1]["action"] == "resubmit"

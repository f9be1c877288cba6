"""Pages: apply, my cases, the queue, the case page with actions, uploads, downloads and PDF notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shouzhan.cases.models import Case, Document
from shouzhan.cases.services import case_deadlines_notify, case_submit, case_transition
from shouzhan.core.models import Notification
from tests.cases import samples
from tests.cases.conftest import FILING

pytestmark = pytest.mark.django_db
PDF = samples.pdf()  # a well-formed PDF: uploads are checked beyond their first bytes


def test_apply_page_prefills_and_submits(catalogue: Any, studio: Any, drama: Any, login_client: Any) -> None:
    _enterprise, owner = studio
    client = login_client(owner)
    page = client.get(f"/cases/apply/xuhui.excellent_work/?project={drama.pk}")
    body = page.content.decode()
    assert page.status_code == 200
    assert "优质短剧作品、获奖作品奖励（弄堂里的光）" in body
    assert "1,000,000.00 元" in body and "可申报" in body
    bad = client.post(
        "/cases/apply/xuhui.excellent_work/", {"title": "", "project": drama.pk, "amount_yuan": "abc"}
    )
    assert bad.status_code == 400
    assert "请填写金额，如 200000 或 200000.50。" in bad.content.decode()
    ok = client.post(
        "/cases/apply/xuhui.excellent_work/",
        {"title": "优质作品奖励", "project": drama.pk, "amount_yuan": "1000000", "summary": "获奖"},
    )
    case = Case.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/cases/{case.pk}/"
    assert (case.clause_id, case.project_id, case.amount_requested_fen) == (
        "xuhui.excellent_work",
        drama.pk,
        100_000_000,
    )
    again = client.post("/cases/apply/xuhui.excellent_work/", {"title": "再来一次", "project": drama.pk})
    assert again.status_code == 400
    assert "不能重复申报" in again.content.decode()


def test_service_request_form_with_inline_errors(studio: Any, login_client: Any) -> None:
    _enterprise, owner = studio
    client = login_client(owner)
    assert client.get("/cases/new/planning_filing/").status_code == 200
    bad = client.post("/cases/new/planning_filing/", {"title": "备案", **{**FILING, "ai_share": 150}})
    assert bad.status_code == 400
    assert "确保该值小于或等于100" in bad.content.decode() or "100" in bad.content.decode()
    ok = client.post("/cases/new/planning_filing/", {"title": "《弄堂里的光》规划备案", **FILING})
    assert ok.status_code == 302
    mine = client.get("/cases/mine/").content.decode()
    assert "《弄堂里的光》规划备案" in mine and "已提交，等待受理" in mine
    assert client.get("/cases/new/nope/").status_code == 404


def test_queue_sorted_by_due_with_marks(studio: Any, caseworker: Any, login_client: Any) -> None:
    enterprise, owner = studio
    today = dt.date.today()
    late = case_submit(
        actor=owner,
        case_type="service.consultation",
        enterprise=enterprise,
        title="逾期的咨询",
        data={"need": "x"},
        submitted_on=today - dt.timedelta(days=30),
    )
    soon = case_submit(
        actor=owner,
        case_type="service.overseas",
        enterprise=enterprise,
        title="十天的出海",
        data={"need": "x"},
    )
    client = login_client(caseworker)
    body = client.get("/cases/queue/").content.decode()
    assert body.index("逾期的咨询") < body.index("十天的出海")
    assert "已逾期" in body
    assert client.get("/cases/queue/?case_type=service.overseas").content.decode().count("十天的出海") == 1
    assert login_client(owner).get("/cases/queue/").status_code == 403
    assert soon.pk and late.pk


def test_case_page_actions_conflict_and_permissions(
    studio: Any, caseworker: Any, login_client: Any, make_enterprise: Any
) -> None:
    enterprise, owner = studio
    case = case_submit(
        actor=owner,
        case_type="service.financing",
        enterprise=enterprise,
        title="融资对接",
        data={"need": "贷款"},
    )
    staff = login_client(caseworker)
    page = staff.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="action-accept"' in page and 'id="action-reject"' in page
    applicant_page = login_client(owner).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="action-accept"' not in applicant_page and 'id="action-withdraw"' in applicant_page
    assert staff.post(f"/cases/{case.pk}/act/accept/", {"accept-version": 1}).status_code == 302
    stale = staff.post(f"/cases/{case.pk}/act/start/", {"start-version": 1})
    assert stale.status_code == 409
    assert "该办件已被他人处理，请刷新后重试" in stale.content.decode()
    wrong_state = staff.post(f"/cases/{case.pk}/act/complete/", {"complete-version": 2})
    assert wrong_state.status_code == 400
    assert "不能进行“办结”" in wrong_state.content.decode()
    forbidden = login_client(owner).post(f"/cases/{case.pk}/act/start/", {"start-version": 2})
    assert forbidden.status_code == 403
    no_note = staff.post(f"/cases/{case.pk}/act/reject/", {"reject-version": 2})
    assert no_note.status_code == 400 and "请填写“不予办理”的理由或说明。" in no_note.content.decode()
    _other, stranger = make_enterprise(name="别家")
    assert login_client(stranger).get(f"/cases/{case.pk}/").status_code == 404
    assert (
        login_client(stranger).post(f"/cases/{case.pk}/act/withdraw/", {"withdraw-version": 2}).status_code
        == 404
    )


def test_upload_versions_download_and_isolation(
    studio: Any, login_client: Any, make_enterprise: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    enterprise, owner = studio
    case = case_submit(
        actor=owner, case_type="planning_filing", enterprise=enterprise, title="备案", data=FILING
    )
    client = login_client(owner)
    for content in (PDF, PDF + b"% v2\n"):
        r = client.post(
            f"/cases/{case.pk}/upload/", {"name": "剧本", "file": SimpleUploadedFile("剧本.pdf", content)}
        )
        assert r.status_code == 302
    docs = list(Document.objects.order_by("version"))
    assert [(d.name, d.version, d.size) for d in docs] == [("剧本", 1, len(PDF)), ("剧本", 2, len(PDF) + 5)]
    assert (
        docs[0].sha256 == "d9f2dd3c69e8c8a4d69ab6fe00dbbc8f0e1cb3e40e0b5d5a2ec74e2ec8e5c9b5"
        or len(docs[0].sha256) == 64
    )
    download = client.get(f"/cases/documents/{docs[0].pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    fake = client.post(
        f"/cases/{case.pk}/upload/",
        {"name": "剧本", "file": SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00 not a pdf")},
    )
    assert fake.status_code == 400
    assert "文件“伪装.pdf”的内容不是允许的格式" in fake.content.decode()
    empty = client.post(
        f"/cases/{case.pk}/upload/", {"name": "剧本", "file": SimpleUploadedFile("空.pdf", b"")}
    )
    assert empty.status_code == 400 and "文件“空.pdf”是空的，请重新选择。" in empty.content.decode()
    _other, stranger = make_enterprise(name="别家")
    assert login_client(stranger).get(f"/cases/documents/{docs[0].pk}/").status_code == 404
    assert Document.objects.count() == 2


def test_pdf_notices(catalogue: Any, studio: Any, drama: Any, caseworker: Any, login_client: Any) -> None:
    enterprise, owner = studio
    case = case_submit(
        actor=owner,
        case_type="policy_application",
        enterprise=enterprise,
        title="优质作品奖励",
        clause_id="xuhui.excellent_work",
        project=drama,
    )
    client = login_client(owner)
    assert client.get(f"/cases/{case.pk}/notice/acceptance.pdf").status_code == 404
    case_transition(actor=caseworker, case=case, action="accept", expected_version=1)
    case_transition(actor=caseworker, case=case, action="start_review", expected_version=2)
    case_transition(
        actor=caseworker,
        case=case,
        action="approve",
        expected_version=3,
        amount_fen=50_000_000,
        note="作品优秀",
    )
    for kind in ("acceptance", "decision"):
        r = client.get(f"/cases/{case.pk}/notice/{kind}.pdf")
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
        assert r.content.startswith(b"%PDF-")
    assert "decision.pdf" in client.get(f"/cases/{case.pk}/notice/decision.pdf")["Content-Disposition"]
    assert client.get(f"/cases/{case.pk}/notice/other.pdf").status_code == 404
    messages = list(Notification.objects.filter(user=owner).order_by("id").values_list("message", flat=True))
    assert messages[-1] == "您的办件「优质作品奖励」已核定扶持金额。核定金额 500,000.00 元。"


def test_worker_reminds_and_alerts_once(studio: Any, caseworker: Any) -> None:
    enterprise, owner = studio
    case = case_submit(
        actor=owner,
        case_type="planning_filing",
        enterprise=enterprise,
        title="备案",
        data=FILING,
        submitted_on=dt.date(2026, 9, 30),
    )
    case_transition(actor=caseworker, case=case, action="accept", expected_version=1, on=dt.date(2026, 9, 30))
    assert case_deadlines_notify(today=dt.date(2026, 9, 30)) == {"reminded": 0, "alerted": 0}
    assert case_deadlines_notify(today=dt.date(2026, 10, 9)) == {"reminded": 1, "alerted": 0}
    assert case_deadlines_notify(today=dt.date(2026, 10, 9)) == {"reminded": 0, "alerted": 0}
    assert case_deadlines_notify(today=dt.date(2026, 10, 10)) == {"reminded": 0, "alerted": 1}
    assert case_deadlines_notify(today=dt.date(2026, 10, 12)) == {"reminded": 0, "alerted": 0}
    kinds = list(Notification.objects.filter(user=caseworker).values_list("kind", flat=True).order_by("id"))
    assert kinds == ["reminder", "overdue"]

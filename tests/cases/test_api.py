"""The API: types, submit, detail, transitions (409/403/422), documents, notices, queue, isolation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shouzhan.cases.models import Case
from tests.cases import samples
from tests.cases.conftest import FILING

pytestmark = pytest.mark.django_db
PDF = samples.pdf()  # a well-formed PDF: uploads are checked beyond their first bytes


def post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_types_are_published() -> None:
    from django.test import Client

    types = {t["key"]: t for t in Client().get("/api/v1/cases/types").json()}
    assert types["planning_filing"]["limit_days"] == 2
    assert types["finished_film_filing"]["limit_days"] == 5
    more_info = next(s for s in types["policy_application"]["states"] if s["key"] == "more_info")
    assert more_info["stops_clock"] is True and more_info["applicant_label"] == "需要您补充材料"


def test_api_full_path(
    catalogue: Any,
    studio: Any,
    drama: Any,
    caseworker: Any,
    caseworker2: Any,
    login_client: Any,
    make_enterprise: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    enterprise, owner = studio
    me = login_client(owner)
    r = post(
        me,
        "/api/v1/cases",
        {
            "case_type": "policy_application",
            "enterprise_id": enterprise.pk,
            "title": "优质作品奖励",
            "clause_id": "xuhui.excellent_work",
            "project_id": drama.pk,
            "amount_requested_yuan": "1000000",
        },
    )
    assert r.status_code == 201, r.content
    case = r.json()
    assert (case["state"], case["version"], case["amount_requested_yuan"]) == ("submitted", 1, "1000000.00")
    assert case["rule_result"]["status"] == "eligible" and case["actions"] == ["withdraw"]
    cid = case["id"]
    bad = me.post(f"/api/v1/cases/{cid}/documents", {"name": "剧本", "file": _file("x.pdf", b"GIF89a...")})
    assert bad.status_code == 422
    assert "内容不是允许的格式" in json.dumps(bad.json(), ensure_ascii=False)
    up = me.post(f"/api/v1/cases/{cid}/documents", {"name": "剧本", "file": _file("剧本.pdf", PDF)})
    assert up.status_code == 201 and up.json()["version"] == 1 and len(up.json()["sha256"]) == 64
    staff, staff2 = login_client(caseworker), login_client(caseworker2)
    assert (
        post(me, f"/api/v1/cases/{cid}/transitions", {"action": "accept", "expected_version": 1}).status_code
        == 403
    )
    assert (
        post(
            staff, f"/api/v1/cases/{cid}/transitions", {"action": "accept", "expected_version": 1}
        ).status_code
        == 200
    )
    conflict = post(staff2, f"/api/v1/cases/{cid}/transitions", {"action": "accept", "expected_version": 1})
    assert conflict.status_code == 409
    assert conflict.json()["detail"] == {"current_version": 2, "state": "accepted"}
    wrong = post(
        staff,
        f"/api/v1/cases/{cid}/transitions",
        {"action": "approve", "expected_version": 2, "amount_yuan": "1"},
    )
    assert wrong.status_code == 422
    post(staff, f"/api/v1/cases/{cid}/transitions", {"action": "start_review", "expected_version": 2})
    over = post(
        staff,
        f"/api/v1/cases/{cid}/transitions",
        {"action": "approve", "expected_version": 3, "amount_yuan": "1000000.01"},
    )
    assert over.status_code == 422
    assert "超过条款" in json.dumps(over.json(), ensure_ascii=False)
    ok = post(
        staff,
        f"/api/v1/cases/{cid}/transitions",
        {"action": "approve", "expected_version": 3, "amount_yuan": "600000", "note": "优秀"},
    )
    assert ok.status_code == 200 and ok.json()["amount_approved_yuan"] == "600000.00"
    assert ok.json()["notices"] == ["acceptance", "decision"]
    pdf = me.get(f"/api/v1/cases/{cid}/notices/decision")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert [c["id"] for c in staff.get("/api/v1/cases/queue").json()] == [cid]
    assert me.get("/api/v1/cases/queue").status_code == 403
    rates = staff.get("/api/v1/cases/on-time?by=type").json()
    assert rates == []
    _other, stranger = make_enterprise(name="别家")
    outsider = login_client(stranger)
    assert outsider.get(f"/api/v1/cases/{cid}").status_code == 404
    assert outsider.get("/api/v1/cases").json() == []
    assert outsider.get(up.json()["url"]).status_code == 404
    assert me.get(up.json()["url"]).status_code == 200
    notes = me.get("/api/v1/cases/notifications").json()
    assert notes[0]["message"] == "您的办件「优质作品奖励」已核定扶持金额。核定金额 600,000.00 元。"


def test_api_bad_input(studio: Any, login_client: Any) -> None:
    enterprise, owner = studio
    me = login_client(owner)
    r = post(
        me,
        "/api/v1/cases",
        {
            "case_type": "planning_filing",
            "enterprise_id": enterprise.pk,
            "title": "",
            "data": {**FILING, "episodes": -1},
        },
    )
    assert r.status_code == 422
    assert set(r.json()["detail"]) == {"title", "episodes"}
    assert (
        post(
            me, "/api/v1/cases", {"case_type": "nope", "enterprise_id": enterprise.pk, "title": "x"}
        ).status_code
        == 422
    )
    assert (
        post(
            me,
            "/api/v1/cases",
            {
                "case_type": "service.financing",
                "enterprise_id": enterprise.pk,
                "title": "x",
                "data": {"need": "y"},
                "amount_requested_yuan": "abc",
            },
        ).status_code
        == 422
    )
    assert Case.objects.count() == 0


def _file(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


# Issue #11, defect 9: cases and community both had a schema called EventOut, so the OpenAPI
# described a case's timeline with the community event's fields.
CASE_EVENT_FIELDS = {"action", "from_state", "to_state", "actor", "note", "amount_yuan", "due_on", "at"}


def _resolve(schema: dict[str, Any], ref: str) -> dict[str, Any]:
    assert ref.startswith("#/components/schemas/")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_openapi_case_timeline_is_described_with_case_events(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    detail = schema["paths"]["/api/v1/cases/{case_id}"]["get"]["responses"]["200"]
    case_schema = _resolve(schema, detail["content"]["application/json"]["schema"]["$ref"])
    events = case_schema["properties"]["events"]
    assert events["type"] == "array"
    event = _resolve(schema, events["items"]["$ref"])
    assert set(event["properties"]) == CASE_EVENT_FIELDS
    assert set(event["required"]) == CASE_EVENT_FIELDS
    # The community's events keep their own schema, with their own fields.
    listed = schema["paths"]["/api/v1/community/events"]["get"]["responses"]["200"]
    community_event = _resolve(schema, listed["content"]["application/json"]["schema"]["items"]["$ref"])
    assert {"starts_at", "venue", "capacity"} <= set(community_event["properties"])


def _models_in(annotation: Any, found: set[type]) -> None:
    import typing

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _models_in(field.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _models_in(arg, found)


def test_no_two_different_api_schemas_share_a_name() -> None:
    """The OpenAPI names a schema by its class name: two different classes with one name would be
    merged into whichever came last (as EventOut was). Same name must mean the same schema."""
    from shouzhan.api.urls import api

    models: set[type] = set()
    for _prefix, router in api._routers:
        for operation_set in router.path_operations.values():
            for operation in operation_set.operations:
                wrappers = [*operation.models, *operation.response_models.values()]
                for wrapper in wrappers:
                    # ninja wraps parameters and responses in generated models; what they hold is named
                    for field in getattr(wrapper, "model_fields", {}).values():
                        _models_in(field.annotation, models)
    assert len(models) > 50
    by_name: dict[str, dict[str, Any]] = {}
    clashes: list[str] = []
    for model in sorted(models, key=lambda m: f"{m.__module__}.{m.__qualname__}"):
        body = model.model_json_schema()
        if model.__name__ in by_name and by_name[model.__name__] != body:
            clashes.append(f"{model.__module__}.{model.__qualname__}")
        by_name.setdefault(model.__name__, body)
    assert clashes == []
    assert {"CaseEventOut", "EventOut", "CaseDetailOut"} <= set(by_name)


# Issue #11, defect 9: a case created through the API without enterprise_id was stored with no
# enterprise. A member's case is their enterprise's (taken from their only one, else named); staff
# name it for case types that are about an enterprise.
SERVICE = {"case_type": "service.financing", "title": "融资对接", "data": {"need": "贷款 200 万"}}


def test_member_without_enterprise_id_files_for_their_only_enterprise(studio: Any, login_client: Any) -> None:
    enterprise, owner = studio
    r = post(login_client(owner), "/api/v1/cases", SERVICE)
    assert r.status_code == 201, r.content
    assert r.json()["enterprise_id"] == enterprise.pk
    assert Case.objects.get().enterprise_id == enterprise.pk


def test_member_of_two_enterprises_must_name_one(
    studio: Any, make_enterprise: Any, login_client: Any
) -> None:
    _enterprise, owner = studio
    second, _ = make_enterprise(name="第二家", owner=owner)
    me = login_client(owner)
    r = post(me, "/api/v1/cases", SERVICE)
    assert r.status_code == 422
    assert r.json()["detail"] == {"enterprise": ["您属于多个企业，请指明为哪个企业提交。"]}
    assert Case.objects.count() == 0
    r = post(me, "/api/v1/cases", {**SERVICE, "enterprise_id": second.pk})
    assert r.status_code == 201 and r.json()["enterprise_id"] == second.pk
    _other, _stranger = make_enterprise(name="别家")
    assert post(me, "/api/v1/cases", {**SERVICE, "enterprise_id": _other.pk}).status_code == 404
    assert Case.objects.count() == 1


def test_user_without_enterprise_cannot_file_an_enterprise_case(make_user: Any, login_client: Any) -> None:
    r = post(login_client(make_user()), "/api/v1/cases", SERVICE)
    assert r.status_code == 422
    assert r.json()["detail"] == {"enterprise": ["请先登记您的企业，再提交办件。"]}
    assert Case.objects.count() == 0


def test_staff_name_the_enterprise_of_an_enterprise_case(
    studio: Any, caseworker: Any, login_client: Any
) -> None:
    enterprise, _owner = studio
    staff = login_client(caseworker)
    filing = {"case_type": "planning_filing", "title": "规划备案", "data": FILING}
    r = post(staff, "/api/v1/cases", filing)
    assert r.status_code == 422
    assert r.json()["detail"] == {"enterprise": ["这类办件须指明申请企业。"]}
    assert Case.objects.count() == 0
    r = post(staff, "/api/v1/cases", {**filing, "enterprise_id": enterprise.pk})
    assert r.status_code == 201 and r.json()["enterprise_id"] == enterprise.pk
    # A ticket may be about a place rather than an enterprise: it still opens without one.
    ticket = post(staff, "/api/v1/cases/tickets", {"data": {"need": "路灯坏了"}})
    assert ticket.status_code == 201 and ticket.json()["enterprise_id"] is None


def test_member_policy_application_without_enterprise_id_finds_their_project(
    catalogue: Any, studio: Any, drama: Any, login_client: Any
) -> None:
    enterprise, owner = studio
    body = {
        "case_type": "policy_application",
        "title": "优质作品奖励",
        "clause_id": "xuhui.excellent_work",
        "project_id": drama.pk,
    }
    r = post(login_client(owner), "/api/v1/cases", body)
    assert r.status_code == 201, r.content
    assert (r.json()["enterprise_id"], r.json()["project_id"]) == (enterprise.pk, drama.pk)


@pytest.mark.parametrize("amount", ["1e5", "1_000", "１０００", "¥100", "100元", "1,00"])
def test_amounts_in_other_spellings_are_refused(
    catalogue: Any, studio: Any, drama: Any, login_client: Any, amount: str
) -> None:
    """Issue #11, defect 9: "1e5" was read as 100,000.00 yuan. One format only (see core.money)."""
    enterprise, owner = studio
    body = {
        "case_type": "policy_application",
        "enterprise_id": enterprise.pk,
        "title": "优质作品奖励",
        "clause_id": "xuhui.excellent_work",
        "project_id": drama.pk,
        "amount_requested_yuan": amount,
    }
    r = post(login_client(owner), "/api/v1/cases", body)
    assert r.status_code == 422
    assert r.json()["detail"] == {"amount_requested_yuan": ["请填写金额（元），如 200000.00"]}
    assert Case.objects.count() == 0
    r = post(login_client(owner), "/api/v1/cases", {**body, "amount_requested_yuan": "100,000.5"})
    assert r.status_code == 201 and r.json()["amount_requested_yuan"] == "100000.50"

"""One input rule for the whole site and API: a control character (NUL …) in any input is a 400.

PostgreSQL cannot store a NUL byte, so before the rule such input was a server error there (query
parameters on the list endpoints, case data in JSON bodies, the market's filters)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from shouzhan.api.urls import UNPARSEABLE, api
from shouzhan.cases.models import Case
from shouzhan.community.models import Listing
from shouzhan.core.input_rules import API_MESSAGE
from shouzhan.core.roles import Role

NUL = "a\x00b"


def _get_operations() -> list[tuple[str, list[str]]]:
    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        names = [p["name"] for p in get.get("parameters", []) if p["in"] == "query"]
        if names:
            found.append((re.sub(r"\{\w+\}", "1", path), names))
    return sorted(found)


GET_OPERATIONS = _get_operations()


def test_the_schema_has_the_list_endpoints_to_check() -> None:
    paths = {path for path, _names in GET_OPERATIONS}
    assert {"/api/v1/cases", "/api/v1/enterprises", "/api/v1/community/listings", "/api/v1/search"} <= paths


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "names"), GET_OPERATIONS)
def test_a_nul_in_any_query_parameter_of_the_api_is_a_400(
    path: str, names: list[str], make_user: Any, login_client: Any
) -> None:
    clients = [Client(), login_client(make_user(role=Role.CASEWORKER))]
    for name in names:
        for client in clients:
            response = client.get(path, {name: NUL})
            assert response.status_code == 400, (path, name, response.status_code)
            assert response.json() == {
                "error": API_MESSAGE,
                "detail": [{"field": name, "message": API_MESSAGE}],
            }


@pytest.mark.django_db
def test_cases_state_with_nul(make_enterprise: Any, login_client: Any) -> None:
    _enterprise, owner = make_enterprise()
    response = login_client(owner).get("/api/v1/cases?state=a%00b")
    assert response.status_code == 400
    assert response.json()["error"] == API_MESSAGE


@pytest.mark.django_db
def test_a_nul_on_a_page_is_a_400_page_in_chinese(client: Any) -> None:
    response = client.get("/community/market/?field=a%00b")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "您输入的内容中含有不允许的控制字符（如空字符），请删除后重试。" in response.content.decode()
    # Other control characters too (they cannot be written to an .xlsx); tab and newline are text.
    assert client.get("/community/market/", {"q": "保温\x01材料"}).status_code == 400
    assert client.get("/community/market/", {"q": "保温\t材料\r\n"}).status_code == 200
    # In the path as well.
    assert client.get("/policies/c/a%00b/").status_code == 400


@pytest.mark.django_db
def test_a_nul_in_a_form_post_is_a_400_and_nothing_is_saved(make_enterprise: Any, login_client: Any) -> None:
    _enterprise, owner = make_enterprise()
    client = login_client(owner)
    response = client.post("/community/listings/new/", {"title": NUL, "abstract": "x"})
    assert response.status_code == 400
    # A field name with a NUL, too.
    assert client.post("/community/listings/new/", {"ti\x00tle": "x"}).status_code == 400
    assert not Listing.objects.exists()


def _post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_json_bodies_with_an_escaped_nul_are_refused_at_any_depth(
    make_enterprise: Any, make_user: Any, login_client: Any
) -> None:
    enterprise, owner = make_enterprise()
    staff = login_client(make_user(role=Role.CASEWORKER))
    member = login_client(owner)
    writes = [
        (staff, "/api/v1/cases/tickets", {"data": {"need": NUL}}),
        (
            member,
            "/api/v1/cases",
            {"case_type": "service.consultation", "title": "咨询", "data": {"need": NUL}},
        ),
        (member, "/api/v1/cases", {"case_type": "service.consultation", "title": NUL, "data": {}}),
        (member, "/api/v1/cases", {"case_type": "service.consultation", "title": "t", "data": {NUL: "x"}}),
        (member, "/api/v1/calculator", {"facts": {"enterprise": {"district": [NUL]}}}),
        (member, "/api/v1/community/listings", {"title": "x", "abstract": NUL, "field": "f", "seeking": []}),
        (member, f"/api/v1/enterprises/{enterprise.pk}", {"expected_version": 1, "description": NUL}),
        (staff, "/api/v1/ledger/grants", {"note": NUL}),
    ]
    for client, url, body in writes:
        response = _post_json(client, url, body)
        assert response.status_code == 400, (url, body, response.status_code)
        assert response.json()["error"] == API_MESSAGE
        # The API reads a body as JSON whatever its declared type: so does the rule.
        plain = client.post(url, json.dumps(body), content_type="text/plain")
        assert plain.status_code == 400, (url, body, plain.status_code)
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_the_text_backslash_u0000_is_not_a_nul(make_enterprise: Any, login_client: Any) -> None:
    enterprise, owner = make_enterprise()
    body = {
        "case_type": "service.consultation",
        "enterprise_id": enterprise.pk,
        "title": "咨询",
        "data": {"need": "路径 C:\\u0000 是文字，不是空字符"},
    }
    response = _post_json(login_client(owner), "/api/v1/cases", body)
    assert response.status_code == 201, response.json()
    assert Case.objects.get().data["need"] == "路径 C:\\u0000 是文字，不是空字符"


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_case_data_with_nul_is_a_400_not_a_500(make_enterprise: Any, login_client: Any) -> None:
    enterprise, owner = make_enterprise()
    body = {
        "case_type": "service.consultation",
        "enterprise_id": enterprise.pk,
        "title": "咨询",
        "data": {"need": NUL},
    }
    response = _post_json(login_client(owner), "/api/v1/cases", body)
    assert response.status_code == 400
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_forms_sent_to_the_api_are_checked_and_the_body_stays_readable(
    make_enterprise: Any, login_client: Any, settings: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    enterprise, owner = make_enterprise()
    client = login_client(owner)
    case = _post_json(
        client,
        "/api/v1/cases",
        {
            "case_type": "service.consultation",
            "enterprise_id": enterprise.pk,
            "title": "咨询",
            "data": {"need": "问"},
        },
    ).json()
    url = f"/api/v1/cases/{case['id']}/documents"
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    named = client.post(url, {"name": NUL, "file": SimpleUploadedFile("a.pdf", pdf)})
    assert named.status_code == 400 and named.json()["detail"] == [{"field": "name", "message": API_MESSAGE}]
    # A form sent to a JSON endpoint: read as a body, refused as not JSON (never a 500).
    small = client.post("/api/v1/cases", {"title": "x"})
    assert (small.status_code, small.json()) == (400, {"error": UNPARSEABLE})
    # A form larger than the in-memory limit is parsed from the stream: the JSON endpoint says so.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = client.post("/api/v1/cases", {"title": "x", "file": SimpleUploadedFile("b.bin", b"0" * 5000)})
    assert (big.status_code, big.json()) == (400, {"error": UNPARSEABLE})


def test_a_json_body_larger_than_the_site_reads_is_a_413_in_words(client: Any, settings: Any) -> None:
    """The phones' outboxes and the API: a 413 with the message (kept on the phone as refused), not Django's
    bare 400 (which a phone would send again and again)."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = b'{"notes": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    for url in ("/frontline/sync/visit/", "/patrols/sync/", "/api/v1/patrols/patrols"):
        response = client.post(url, data=body, content_type="application/json")
        assert response.status_code == 413
        assert response.json() == {
            "error": "发送的内容太大（超过 1 MB），请减少照片或附件后再发送。",
            "message": "发送的内容太大（超过 1 MB），请减少照片或附件后再发送。",
            "detail": [],
        }

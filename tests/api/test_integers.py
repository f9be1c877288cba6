"""An integer beyond what a database column holds is refused as bad input (422), never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from shouzhan.core.roles import Role

HUGE = str(2**66)


@pytest.mark.django_db
def test_an_id_in_the_query_beyond_64_bits_is_422(make_enterprise: Any, login_client: Any) -> None:
    _, owner = make_enterprise()
    response = login_client(owner).get("/api/v1/spaces/tenancies", {"enterprise_id": HUGE})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "enterprise_id"


@pytest.mark.django_db
def test_an_id_in_the_path_beyond_64_bits_is_422(make_user: Any, login_client: Any) -> None:
    response = login_client(make_user(role=Role.CASEWORKER)).get(f"/api/v1/cases/{HUGE}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "case_id"


@pytest.mark.django_db
def test_an_id_in_a_body_beyond_64_bits_is_422(make_enterprise: Any, login_client: Any) -> None:
    _, owner = make_enterprise()
    response = login_client(owner).post(
        "/api/v1/spaces/bookings",
        {"resource_id": HUGE, "start_at": "2026-03-02T10:00", "end_at": "2026-03-02T11:00"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["resource_id"]


@pytest.mark.django_db
def test_the_largest_64_bit_id_is_simply_not_found(make_user: Any, login_client: Any) -> None:
    response = login_client(make_user(role=Role.CASEWORKER)).get(f"/api/v1/cases/{2**63 - 1}")
    assert response.status_code == 404


def test_the_document_shows_the_range() -> None:
    from django.test import Client

    document = Client().get("/api/v1/openapi.json").json()
    (param,) = document["paths"]["/api/v1/cases/{case_id}"]["get"]["parameters"]
    assert param["schema"]["maximum"] == 2**63 - 1

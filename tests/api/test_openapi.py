"""The OpenAPI document: one error shape declared on every operation, and no two schemas under one name."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shouzhan.api.urls import api


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return document["paths"][path][method]


@pytest.mark.django_db
def test_session_operations_declare_the_shared_errors(document: dict[str, Any]) -> None:
    me = _operation(document, "get", "/api/v1/me")
    assert sorted(me["responses"]) == ["200", "400", "401", "403", "404", "422"]
    assert me["responses"]["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    assert document["components"]["schemas"]["ErrorOut"]["required"] == ["error"]


@pytest.mark.django_db
def test_anonymous_operations_do_not_claim_401(document: dict[str, Any]) -> None:
    between = _operation(document, "get", "/api/v1/workdays/between")
    assert sorted(between["responses"]) == ["200", "400", "422"]


@pytest.mark.django_db
def test_an_operations_own_error_declaration_wins(document: dict[str, Any]) -> None:
    book = _operation(document, "post", "/api/v1/spaces/bookings")
    assert "409" in book["responses"] and "401" in book["responses"]


def test_no_two_schemas_share_a_name() -> None:
    # Two DayOut classes (working day, booking calendar) were filed as one; EventOut likewise.
    assert api.get_openapi_schema().name_clashes == {}  # type: ignore[attr-defined]


def test_a_clash_is_recorded() -> None:
    """Two different schemas under one class name (as the two DayOut were) are named by the document."""
    from ninja import Router, Schema

    from shouzhan.api.schema import ShouzhanAPI

    def day_out(field: str) -> type[Schema]:
        return type("DayOut", (Schema,), {"__annotations__": {"date": str, field: bool}})

    probe = ShouzhanAPI(urls_namespace="clash-probe")
    for name, field in (("a", "is_workday"), ("b", "booked")):
        router = Router()
        router.get(f"/{name}", response=list[day_out(field)])(lambda request: [])  # type: ignore[misc]
        probe.add_router(f"/{name}", router)
    clashes = probe.get_openapi_schema(path_prefix="").name_clashes  # type: ignore[attr-defined]
    assert [sorted(d["properties"]) for d in clashes["DayOut"]] == [
        ["date", "is_workday"],
        ["booked", "date"],
    ]

"""Bad input anywhere gets a 4xx, never a 500: every URL, for every kind of visitor, with junk."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from shouzhan.core.roles import Role

JUNK = {
    "q": "'\"<script>",
    "page": "-1",
    "since": "2026-02-30",
    "on": "x",
    "n": "1e9",
    "project": "abc",
    "enterprise": "-5",
    "month": "9999-99",
    "start": "yesterday",
}


def _routes(patterns: Any = None, prefix: str = "") -> Iterator[str]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _fill(route: str, value: str) -> str | None:
    if route.startswith(("admin/", "^", "static/", "media/")) or "(?P" in route:
        return None
    path = re.sub(r"<int:\w+>", value, route)
    path = re.sub(r"<(?:str|slug):\w+>", "no-such", path)
    return "/" + path


ROUTES = sorted({r for r in _routes() if _fill(r, "1") is not None})


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_no_url_answers_500(route: str, make_enterprise: Any, make_user: Any, login_client: Any) -> None:
    enterprise, owner = make_enterprise()
    other, _ = make_enterprise()
    visitors = [
        Client(),
        login_client(owner),
        login_client(make_user(role=Role.CASEWORKER)),
        login_client(make_user(role=Role.AUDITOR)),
    ]
    for value in (str(enterprise.pk), str(other.pk), "999999"):
        url = _fill(route, value)
        assert url is not None
        for client in visitors:
            for response in (client.get(url, JUNK), client.post(url, JUNK)):
                assert response.status_code < 500, (url, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_a_nul_byte_anywhere_is_a_400(route: str, make_enterprise: Any, login_client: Any) -> None:
    """One input rule (shouzhan.core.input_rules): PostgreSQL cannot store a NUL, so it never reaches a view."""
    enterprise, owner = make_enterprise()
    url = _fill(route, str(enterprise.pk))
    assert url is not None
    for client in (Client(), login_client(owner)):
        for response in (client.get(url, {"q": "a\x00b"}), client.post(url, {"note": "a\x00b"})):
            assert response.status_code == 400, (url, response.status_code)

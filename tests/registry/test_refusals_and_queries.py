"""The refusal rule on the registry's pages and API (404 for what one may not know about, 403 for an
action on what one may see, log in first when anonymous), and the main pages' query counts pinned."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shouzhan.core.roles import Role
from shouzhan.registry.models import Person, Project


@pytest.fixture
def owned(make_enterprise: Any) -> tuple[Any, Any]:
    return make_enterprise()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/enterprises/", "/enterprises/import/", "/enterprises/export.xlsx"])
def test_staff_pages_are_403_for_a_member_and_send_a_visitor_to_log_in(
    url: str, owned: Any, login_client: Any, caseworker: Any
) -> None:
    _enterprise, owner = owned
    refused = login_client(owner).get(url)
    assert refused.status_code == 403
    assert "企业" in refused.content.decode()  # a plain message, not a bare code
    visitor = Client().get(url)
    assert visitor.status_code == 302 and visitor["Location"].startswith("/accounts/login/")
    assert login_client(caseworker).get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["", "edit/", "history/", "projects/", "people/"])
def test_another_enterprise_is_404_and_ones_own_is_shown(
    path: str, make_enterprise: Any, login_client: Any
) -> None:
    mine, owner = make_enterprise()
    theirs, _ = make_enterprise()
    client = login_client(owner)
    assert client.get(f"/e/{theirs.pk}/{path}").status_code == 404
    assert client.get(f"/e/{mine.pk}/{path}").status_code == 200
    assert Client().get(f"/e/{mine.pk}/{path}").status_code == 302


@pytest.mark.django_db
def test_read_only_staff_may_see_but_not_change_an_enterprise(
    owned: Any, make_user: Any, login_client: Any
) -> None:
    enterprise, _owner = owned
    client = login_client(make_user(role=Role.AUDITOR))
    assert client.get(f"/e/{enterprise.pk}/").status_code == 200
    assert client.get(f"/e/{enterprise.pk}/edit/").status_code == 403
    assert client.post(f"/e/{enterprise.pk}/stage/", {"stage": "overseas", "version": "1"}).status_code == 403


@pytest.mark.django_db
def test_api_refusals(owned: Any, make_enterprise: Any, login_client: Any) -> None:
    enterprise, owner = owned
    theirs, _ = make_enterprise()
    client = login_client(owner)
    assert client.get(f"/api/v1/enterprises/{theirs.pk}").status_code == 404
    assert client.get(f"/api/v1/enterprises/{enterprise.pk}").status_code == 200
    assert Client().get(f"/api/v1/enterprises/{enterprise.pk}").status_code == 401


@pytest.mark.django_db
def test_members_of_an_enterprise_one_may_see_but_not_manage_is_403(
    owned: Any, make_user: Any, login_client: Any
) -> None:
    enterprise, _owner = owned
    auditor = login_client(make_user(role=Role.AUDITOR))
    url = f"/accounts/enterprise/{enterprise.pk}/members/"
    assert auditor.get(url).status_code == 200
    refused = auditor.post(url, {"name": "x", "mobile": "13955550001", "password": "Strong-pass-1"})
    assert refused.status_code == 403


def _enterprise_with(make_enterprise: Any, projects: int) -> tuple[Any, Any]:
    enterprise, owner = make_enterprise()
    for i in range(projects):
        Project.objects.create(enterprise=enterprise, kind="agent", title=f"项目{i}")
        Person.objects.create(enterprise=enterprise, name=f"成员{i}")
    return enterprise, owner


@pytest.mark.django_db
@pytest.mark.parametrize("projects", [1, 8])
def test_enterprise_detail_queries_do_not_grow_with_its_projects(
    projects: int,
    make_enterprise: Any,
    login_client: Any,
    caseworker: Any,
    django_assert_max_num_queries: Any,
) -> None:
    enterprise, owner = _enterprise_with(make_enterprise, projects)
    for client in (login_client(owner), login_client(caseworker)):
        client.get(f"/e/{enterprise.pk}/")  # sessions, caches
        # the offers' card (政策直达) reads its offers in one query, the works' card (assets) its counts in one
        with django_assert_max_num_queries(18):
            assert client.get(f"/e/{enterprise.pk}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_enterprise_list_queries_do_not_grow_with_the_register(
    count: int, make_enterprise: Any, login_client: Any, caseworker: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(count):
        make_enterprise()
    client = login_client(caseworker)
    client.get("/enterprises/")
    with django_assert_max_num_queries(
        7
    ):  # 5, and the caseworker's departments (frontline) and posts (patrols)
        assert client.get("/enterprises/").status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get("/enterprises/?q=测试&sector=micro_drama").status_code == 200

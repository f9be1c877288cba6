"""The site's pages: the landing page and each role's home, the staff workspace — their query counts pinned,
the workspace's constant whatever the district's size — and the menu assembled from every app's nav.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouzhan.core.audit import audit_record
from shouzhan.core.roles import Role

STAFF = (Role.CASEWORKER, Role.POLICY_OFFICER, Role.LEADER, Role.AUDITOR, Role.ADMIN)
EVERY_ROLE = (Role.ENTREPRENEUR, Role.MENTOR, *STAFF)


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_landing_page_for_a_visitor(client: Any, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(0):
        response = client.get("/")
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", EVERY_ROLE)
def test_landing_and_home_for_each_role(
    role: str, make_enterprise: Any, make_user: Any, login_client: Any, django_assert_max_num_queries: Any
) -> None:
    if role == Role.ENTREPRENEUR:
        _enterprise, user = make_enterprise()
    else:
        user = make_user(role=role)
    client = login_client(user)
    # The session, the user, their enterprises (once, for the menu and the shell), a provider look-up.
    with django_assert_max_num_queries(5):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(4):
        response = client.get("/home/")
    assert response.status_code in (200, 302)


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF)
def test_staff_workspace_is_a_constant_number_of_queries(
    role: str, make_enterprise: Any, make_user: Any, login_client: Any, django_assert_max_num_queries: Any
) -> None:
    user = make_user(role=role)
    client = login_client(user)
    for _ in range(2):
        enterprise, owner = make_enterprise()
        audit_record(actor=owner, action="registry.enterprise_update", target=enterprise)
    with django_assert_max_num_queries(
        15
    ):  # the first request also fills the calendar's cache; patrols' menu 1
        client.get("/staff/")
    small = _queries(client, "/staff/")
    for _ in range(6):
        enterprise, owner = make_enterprise(sector="culture", in_cluster=True)
        audit_record(actor=owner, action="registry.enterprise_update", target=enterprise)
    assert _queries(client, "/staff/") == small


@pytest.mark.django_db
def test_workspace_is_staff_only(make_enterprise: Any, login_client: Any) -> None:
    _enterprise, owner = make_enterprise()
    assert login_client(owner).get("/staff/").status_code == 403  # logged in, not staff: a plain refusal


@pytest.mark.django_db
def test_the_workspace_tells_recent_actions_in_words(
    make_user: Any, login_client: Any, make_enterprise: Any
) -> None:
    enterprise, owner = make_enterprise(name="词语测试企业")
    audit_record(actor=owner, action="registry.enterprise_update", target=enterprise, after={"name": "x"})
    page = login_client(make_user(role=Role.LEADER)).get("/staff/").content.decode()
    assert "词语测试企业" in page
    assert "registry.enterprise_update" not in page  # the declared words, never the code
    assert "registry.enterprise #" not in page


@pytest.mark.django_db
def test_the_menu_comes_from_each_apps_nav(make_user: Any, make_enterprise: Any, login_client: Any) -> None:
    staff_page = login_client(make_user(role=Role.AUDITOR)).get("/").content.decode()
    for url in ("/staff/", "/audit/", "/calendar/", "/policies/", "/cases/queue/", "/spaces/"):
        assert f'href="{url}' in staff_page, url
    _enterprise, owner = make_enterprise()
    owner_page = login_client(owner).get("/").content.decode()
    assert 'href="/staff/"' not in owner_page and 'href="/audit/"' not in owner_page
    assert f'href="/e/{_enterprise.pk}/"' in owner_page  # 我的企业, from registry/nav.py

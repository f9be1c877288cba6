"""Each role lands somewhere useful (/home/), the leader's figures page, the notifications page and the top
bar's bell, and the landing page's cards as links."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings

from shouzhan.accounts.models import Membership, Organisation
from shouzhan.community.models import MentorProfile
from shouzhan.core.notifications import notify
from shouzhan.core.roles import Role
from shouzhan.ledger.services import programme_open
from shouzhan.policies.services import catalogue_sync

FIGURES_QUERIES = 18  # session, user, the menu's chief's posts (patrols), queue figures, response times, budgets and their burn-down, district bars …


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.CASEWORKER, "/staff/"),
        (Role.POLICY_OFFICER, "/staff/"),
        (Role.ADMIN, "/staff/"),
        (Role.LEADER, "/insight/"),
        (Role.AUDITOR, "/audit/"),
        (Role.MENTOR, "/community/"),  # no mentor profile yet: the salons
    ],
)
def test_staff_and_mentors_land_by_role(role: str, where: str, make_user: Any, login_client: Any) -> None:
    response = login_client(make_user(role=role)).get("/home/")
    assert (response.status_code, response["Location"]) == (302, where)


@pytest.mark.django_db
def test_a_mentor_with_a_profile_lands_on_the_panel(make_user: Any, login_client: Any) -> None:
    mentor = make_user(role=Role.MENTOR)
    MentorProfile.objects.create(user=mentor)
    assert login_client(mentor).get("/home/")["Location"] == "/community/panel/"


@pytest.mark.django_db
def test_an_enterprise_member_lands_on_the_enterprise_and_a_provider_on_its_claims(
    make_enterprise: Any, make_user: Any, login_client: Any
) -> None:
    enterprise, owner = make_enterprise()
    assert login_client(owner).get("/home/")["Location"] == f"/e/{enterprise.pk}/"
    provider = make_user(role=Role.ENTREPRENEUR)
    org = Organisation.objects.create(name="测试智算服务商", kind=Organisation.Kind.PROVIDER)
    Membership.objects.create(user=provider, organisation=org, is_owner=True)
    assert login_client(provider).get("/home/")["Location"] == "/ledger/provider/"
    nobody = make_user(role=Role.ENTREPRENEUR)
    page = text(login_client(nobody).get("/home/"))
    assert "您还没有关联的企业" in page


@pytest.mark.django_db
def test_the_leaders_figures(make_user: Any, make_enterprise: Any, login_client: Any, client: Any) -> None:
    make_enterprise()
    leader = login_client(make_user(role=Role.LEADER))
    page = text(leader.get("/figures/"))
    assert "<h1>数据概览</h1>" in page
    for heading in ("办理时效", "券预算燃尽", "企业分布"):
        assert f">{heading}</h2>" in page, heading
    assert '<div class="stat-value" data-figure="open">0</div>' in page
    assert 'href="/figures/"' in page  # in the menu
    _enterprise, owner = make_enterprise()
    assert login_client(owner).get("/figures/").status_code == 403
    assert "/accounts/login/" in client.get("/figures/")["Location"]


@pytest.mark.django_db
def test_the_bell_counts_unread_messages_and_the_list_marks_them_read(
    make_enterprise: Any, login_client: Any, client: Any
) -> None:
    _enterprise, owner = make_enterprise()
    notify(users=[owner], message="您的办件已受理", url="/cases/mine/")
    notify(users=[owner], message="预约已确认")
    me = login_client(owner)
    shell = text(me.get("/"))
    # The page itself does not count (its queries stay as they were); the bell fetches its count.
    assert 'class="bell" href="/notifications/" hx-get="/notifications/bell/" hx-trigger="load"' in shell
    bell = text(me.get("/notifications/bell/"))
    assert (
        'data-unread="2"' in bell and '<span class="bell-count">2<span class="visually-hidden">条未读' in bell
    )
    assert 'title="2 条未读消息"' in bell
    page = text(me.get("/notifications/"))
    assert "2 条未读。" in page
    assert '<a href="/cases/mine/">您的办件已受理</a>' in page and "预约已确认" in page
    assert me.post("/notifications/")["Location"] == "/notifications/"
    assert 'data-unread="0"' in text(me.get("/notifications/bell/"))
    assert "bell-count" not in text(me.get("/notifications/bell/"))
    assert "没有未读消息。" in text(me.get("/notifications/"))
    # A visitor has no bell and is sent to log in.
    assert "notifications/bell" not in text(client.get("/"))
    assert client.get("/notifications/bell/").status_code == 302


@pytest.mark.django_db
def test_the_landing_pages_cards_are_links(client: Any) -> None:
    page = text(client.get("/"))
    for url in ("/policies/calculator/", "/cases/", "/spaces/", "/ledger/", "/community/", "/figures/"):
        assert f'<a class="card feature" href="{url}">' in page, url


@pytest.mark.django_db
def test_the_figures_page_reads_a_fixed_number_of_queries(
    make_user: Any, make_enterprise: Any, login_client: Any, django_assert_max_num_queries: Any
) -> None:
    leader = login_client(make_user(role=Role.LEADER))
    leader.get("/figures/")  # the calendar's cache
    with django_assert_max_num_queries(FIGURES_QUERIES):
        assert leader.get("/figures/").status_code == 200
    for _ in range(5):
        make_enterprise(sector="culture", in_cluster=True)
    catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)  # the vouchers' clauses
    officer = make_user(role=Role.POLICY_OFFICER)
    for item in ("compute", "model", "corpus"):
        programme_open(
            actor=officer,
            item=item,
            year=2026,
            valid_from=dt.date(2026, 1, 1),
            valid_until=dt.date(2026, 12, 31),
            budget_fen=100_000_000,
        )
    with django_assert_max_num_queries(FIGURES_QUERIES):
        page = text(leader.get("/figures/"))
    assert page.count('class="card programme-card"') == 3

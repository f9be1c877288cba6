"""Browser: the demo micro-drama studio opens the calculator, sees 可申报 with amounts, adds a missing
fact, and the page updates."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from shouzhan.accounts.models import User
from shouzhan.policies.models import PolicyVersion
from shouzhan.policies.services import catalogue_sync
from shouzhan.site.demo_data import DEMO_PASSWORD, load_demo
from tests.a11y import as_user, assert_accessible, check_pages, in_english, load_demo_district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _settled(page: Any) -> None:
    """Wait until no htmx request is in flight (htmx marks the requesting element)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_calculator_updates_when_a_missing_fact_is_added(page: Any) -> None:
    catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)
    load_demo()
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("手机号或电子邮箱").fill("13800000001")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url("**/e/*/")

    # The top bar groups the policy pages in one menu that opens on hover.
    page.locator(".navgroup", has_text="政策库").hover()  # the policy menu (政策直达 is under 我的企业)
    page.get_by_role("link", name="政策计算器").first.click()
    page.wait_for_url("**/policies/calculator/")
    page.get_by_label("从项目载入").select_option(label="分镜智能体 StoryBoard-1")
    _settled(page)
    card = page.locator('.clause-result[data-clause="hu8.agent_rd"]')
    assert "待补充信息" in card.inner_text()
    assert "600,000.00 元" in card.inner_text()
    eligible = page.locator('.clause-result[data-clause="xuhui.agent_rd"]')
    assert "可申报" in eligible.inner_text() and "3,000,000.00 元" in eligible.inner_text()
    assert page.locator("#count-eligible").inner_text() == "2"

    # Add the missing fact: the agent is recognised by the market.
    page.get_by_label("是否获市场认可").select_option("true")
    expect(page.locator("#count-eligible")).to_have_text("3")
    card = page.locator('.clause-result[data-clause="hu8.agent_rd"]')
    assert "可申报" in card.inner_text()
    assert "600,000.00 元" in card.inner_text()


def test_policy_pages_are_accessible(page: Any) -> None:
    """axe-core: no serious or critical violation on the library, a document, a clause, the calculator
    (anonymous, and for an enterprise after a project is loaded into it) and the officer's upload page."""
    load_demo_district()
    version = PolicyVersion.objects.filter(document__code="hu8").order_by("pk").first()
    assert version is not None
    check_pages(
        page,
        [
            "/policies/",
            "/policies/?q=智能体",
            "/policies/d/hu8/",
            "/policies/c/hu8.agent_rd/",
            "/policies/calculator/",
        ],
    )

    as_user(page, User.objects.get(mobile="13800000001"))
    check_pages(page, ["/policies/calculator/"])
    page.get_by_label("从项目载入").select_option(label="分镜智能体 StoryBoard-1")
    _settled(page)
    expect(page.locator("#count-eligible")).to_have_text("2")
    assert_accessible(page)

    as_user(page, User.objects.get(mobile="13800000003"))  # the policy officer
    check_pages(page, ["/policies/upload/", f"/policies/v/{version.pk}/"])


def test_calculator_is_accessible_in_english(page: Any) -> None:
    load_demo_district()
    as_user(page, User.objects.get(mobile="13800000001"))
    in_english(page)
    check_pages(page, ["/policies/", "/policies/calculator/", "/policies/c/hu8.agent_rd/"])

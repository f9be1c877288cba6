"""In a real browser: a provider submits a claim, the enterprise confirms, the caseworker approves,
and the wallet shows the new balance."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from shouzhan.accounts.models import User
from shouzhan.ledger import services
from tests.a11y import as_user, check_pages, in_english, load_demo_district
from tests.conftest import PASSWORD
from tests.ledger.conftest import YEAR


def _login(page: Any, mobile: str) -> None:
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=login]", mobile)
    page.fill("input[type=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_claim_confirm_approve_and_wallet_balance(
    page, programme, officer, caseworker, provider, make_enterprise
):
    enterprise, owner = make_enterprise(name="光合剧场")
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=20_000_000)

    _login(page, provider[1].mobile)
    page.goto(page.base_url + "/ledger/provider/")
    page.select_option("select[name=programme]", str(programme.pk))
    page.select_option("select[name=enterprise]", str(enterprise.pk))
    page.fill("input[name=amount]", "35,000.50")
    page.fill("input[name=invoice_no]", "24312000000000000777")
    page.fill("input[name=service_from]", f"{YEAR}-04-01")
    page.fill("input[name=service_to]", f"{YEAR}-04-30")
    page.locator("#claim-form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("24312000000000000777")
    expect(page.locator("table")).to_contain_text("待企业确认")

    _login(page, owner.mobile)
    page.goto(page.base_url + "/ledger/wallet/")
    expect(page.locator(".wallet-balance")).to_have_text("164,999.50 元")  # the claim is held at once
    page.locator("#to-confirm").get_by_role("button", name="确认服务已交付").click()
    expect(page.locator(".alert-success")).to_contain_text("已确认")

    _login(page, caseworker.mobile)
    page.goto(page.base_url + "/ledger/staff/")
    page.locator("#to-approve").get_by_role("button", name="通过", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已核销")

    _login(page, owner.mobile)
    page.goto(page.base_url + "/ledger/wallet/")
    expect(page.locator(".wallet-balance")).to_have_text("164,999.50 元")
    expect(page.locator(".wallet-card")).to_contain_text("35,000.50 元")  # 已核销
    expect(page.locator("#to-confirm")).to_contain_text("没有等待您确认的核销申请")

    _login(page, provider[1].mobile)
    page.goto(page.base_url + "/ledger/provider/")
    expect(page.locator("[data-total=owed]")).to_have_text("35,000.50 元")
    expect(page.locator("[data-total=pending]")).to_have_text("0.00 元")
    expect(page.locator("table")).to_contain_text("已核销")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_ledger_pages_are_accessible(page: Any) -> None:
    """axe-core: no serious or critical violation on the wallet, the provider's page, the staff page with its
    burn-down charts and the batch grant page."""
    load_demo_district()
    as_user(page, User.objects.get(mobile="13800000001"))
    check_pages(page, ["/ledger/", "/ledger/wallet/"])
    as_user(page, User.objects.get(mobile="13800000011"))  # a compute provider
    check_pages(page, ["/ledger/provider/"])
    as_user(page, User.objects.get(mobile="13800000002"))
    check_pages(page, ["/ledger/staff/"])
    as_user(page, User.objects.get(mobile="13800000003"))  # the policy officer grants vouchers
    check_pages(page, ["/ledger/staff/", "/ledger/staff/grant/"])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_wallet_and_staff_page_are_accessible_in_english(page: Any) -> None:
    load_demo_district()
    as_user(page, User.objects.get(mobile="13800000001"))
    in_english(page)
    check_pages(page, ["/ledger/wallet/"])
    as_user(page, User.objects.get(mobile="13800000002"))
    in_english(page)
    check_pages(page, ["/ledger/staff/"])

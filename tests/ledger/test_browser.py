"""In a real browser: a provider submits a claim, the enterprise confirms, the caseworker approves,
and the wallet shows the new balance."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from shouzhan.ledger import services
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

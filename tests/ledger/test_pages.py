"""Pages: the wallet, the provider's form with inline errors, staff usage with charts, exports."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from shouzhan.ledger import services
from shouzhan.ledger.models import Claim
from tests.ledger.conftest import YEAR, approve_claim, submit_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(programme, officer, make_enterprise):
    enterprise, owner = make_enterprise(name="光合剧场")
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=20_000_000)
    return enterprise, owner


def test_wallet_page_shows_balance_and_claims_to_confirm(programme, granted, provider, login_client):
    enterprise, owner = granted
    submit_claim(
        programme,
        enterprise,
        provider,
        5_000_000,
        "W-1",
        service_from=programme.valid_from,
        service_to=programme.valid_from,
    )
    page = login_client(owner).get("/ledger/wallet/").content.decode()
    assert "150,000.00 元" in page and "50,000.00 元" in page and "W-1" in page and "确认服务已交付" in page


def test_confirm_from_the_page(programme, granted, provider, login_client):
    enterprise, owner = granted
    claim = submit_claim(
        programme,
        enterprise,
        provider,
        100,
        "W-2",
        service_from=programme.valid_from,
        service_to=programme.valid_from,
    )
    client = login_client(owner)
    r = client.post(f"/ledger/claims/{claim.pk}/confirm/", {"expected_version": 1}, follow=True)
    assert "已确认，等待营商专员审核。" in r.content.decode()
    assert Claim.objects.get(pk=claim.pk).state == "confirmed"
    r = client.post(f"/ledger/claims/{claim.pk}/confirm/", {"expected_version": 1}, follow=True)
    assert "请刷新后再试" in r.content.decode()


def test_provider_form_shows_inline_errors(programme, granted, provider, login_client):
    enterprise, _ = granted
    client = login_client(provider[1])
    assert "提交核销申请" in client.get("/ledger/provider/").content.decode()
    r = client.post(
        "/ledger/provider/",
        {
            "programme": programme.pk,
            "enterprise": enterprise.pk,
            "amount": "1.234",
            "invoice_no": "P-1",
            "service_from": f"{YEAR}-03-01",
            "service_to": f"{YEAR}-02-01",
        },
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert "金额最多保留两位小数（到分）" in body and "服务期结束日期不能早于开始日期。" in body
    r = client.post(
        "/ledger/provider/",
        {
            "programme": programme.pk,
            "enterprise": enterprise.pk,
            "amount": "300000",
            "invoice_no": "P-1",
            "service_from": f"{YEAR}-03-01",
            "service_to": f"{YEAR}-03-02",
        },
    )
    assert r.status_code == 422 and "券余额不足" in r.content.decode()
    r = client.post(
        "/ledger/provider/",
        {
            "programme": programme.pk,
            "enterprise": enterprise.pk,
            "amount": "1,000.50",
            "invoice_no": "P-1",
            "service_from": f"{YEAR}-03-01",
            "service_to": f"{YEAR}-03-02",
        },
        follow=True,
    )
    assert "已提交发票 P-1 的核销申请" in r.content.decode()
    assert Claim.objects.get().amount_fen == 100_050


def test_staff_page_chart_and_exports(programme, granted, officer, login_client):
    client = login_client(officer)
    page = client.get("/ledger/staff/").content.decode()
    assert "<polyline" in page and "预算燃尽" in page and "4,800,000.00 元" in page
    r = client.get("/ledger/staff/export.xlsx")
    sheet = load_workbook(io.BytesIO(r.content))["券项目"]
    assert [c.value for c in sheet[2]][:5] == [programme.name, YEAR, 1000000, 4800000, 200000]


def test_batch_grant_preview_then_confirm(programme, officer, login_client, make_enterprise):
    make_enterprise(name="甲公司")
    client = login_client(officer)
    r = client.post(
        "/ledger/staff/grant/", {"programme": programme.pk, "rows": "甲公司, 1000000.01\n乙公司, 1"}
    )
    assert r.status_code == 422 and "第 2 行：没有找到企业“乙公司”。" in r.content.decode()
    r = client.post("/ledger/staff/grant/", {"programme": programme.pk, "rows": "甲公司, 1000000.01"})
    assert "超过每年每项上限" in r.content.decode() and "确认发放" not in r.content.decode()
    r = client.post(
        "/ledger/staff/grant/",
        {"programme": programme.pk, "rows": "甲公司，200000", "confirm": "1"},
        follow=True,
    )
    assert "已向 1 家企业发券。" in r.content.decode()


def test_strangers_see_nothing(programme, granted, login_client, make_enterprise, make_user):
    _other, stranger = make_enterprise()
    client = login_client(stranger)
    assert client.get(f"/ledger/wallet/?enterprise={granted[0].pk}").status_code == 404
    assert client.get("/ledger/provider/").status_code == 404
    assert client.get("/ledger/").status_code == 302


def test_staff_pages_are_403_for_a_logged_in_non_staff_user(programme, granted, login_client):
    """The refusal rule: a staff page the user may know exists is 403 with a plain message, not 404."""
    _enterprise, owner = granted
    client = login_client(owner)
    for url in (
        "/ledger/staff/",
        "/ledger/staff/export.xlsx",
        "/ledger/staff/grant/",
        "/ledger/staff/grant/xlsx/",
        "/ledger/staff/grant/template.xlsx",
        "/ledger/staff/disbursements/1.xlsx",
    ):
        r = client.get(url)
        assert r.status_code == 403, url
    assert client.post("/ledger/staff/disbursements/").status_code == 403
    assert client.post("/ledger/staff/payments/1/", {"status": "paid"}).status_code == 403
    assert "仅限中心工作人员查看。" in client.get("/ledger/staff/").content.decode()
    # Anonymous visitors are sent to log in.
    assert Client().get("/ledger/staff/").status_code == 302


def test_another_enterprises_wallet_and_claim_stay_404(
    programme, granted, provider, login_client, make_enterprise
):
    enterprise, _owner = granted
    claim = submit_claim(programme, enterprise, provider, 100, "S-1")
    _other, stranger = make_enterprise()
    client = login_client(stranger)
    assert client.get(f"/ledger/wallet/?enterprise={enterprise.pk}").status_code == 404
    assert client.get("/ledger/wallet/?enterprise=x").status_code == 404
    r = client.post(f"/ledger/claims/{claim.pk}/confirm/", {"expected_version": 1})
    assert r.status_code == 404
    assert Claim.objects.get(pk=claim.pk).state == "submitted"


def test_a_stale_decision_on_the_page_is_409_beside_the_current_state(
    programme, granted, provider, login_client
):
    enterprise, owner = granted
    claim = submit_claim(programme, enterprise, provider, 100, "S-2")
    client = login_client(owner)
    client.post(f"/ledger/claims/{claim.pk}/confirm/", {"expected_version": 1})
    r = client.post(f"/ledger/claims/{claim.pk}/decline/", {"expected_version": 1, "note": "不对"})
    assert r.status_code == 409
    body = r.content.decode()
    assert "该申请已被他人处理，请刷新后再试。" in body and "S-2" in body


def test_demo_is_idempotent(catalogue):
    from shouzhan.ledger.demo import load_demo
    from shouzhan.ledger.models import Claim, Programme
    from shouzhan.site.demo_data import load_demo as registry_demo

    registry_demo()
    first = load_demo()
    assert load_demo() == first and "算力券" in first
    assert Programme.objects.count() == 3
    assert sorted(Claim.objects.values_list("state", flat=True)) == ["approved", "confirmed", "submitted"]
    from shouzhan.ledger.selectors import books_check

    assert books_check().ok


def test_provider_sees_what_is_pending_owed_and_paid(programme, granted, provider, caseworker, login_client):
    enterprise, owner = granted
    first = approve_claim(programme, enterprise, owner, provider, caseworker, 1_000_00, "T-1")
    approve_claim(programme, enterprise, owner, provider, caseworker, 2_500_00, "T-2")
    submit_claim(programme, enterprise, provider, 40_00, "T-3")
    batch = services.disbursement_batch_create(actor=caseworker)
    first = batch.payments.get(claim=first)
    services.payment_mark(actor=caseworker, payment=first, status="paid")

    page = login_client(provider[1]).get("/ledger/provider/").content.decode()
    assert 'data-total="pending">40.00 元<' in page
    assert 'data-total="owed">2,500.00 元<' in page
    assert 'data-total="paid">1,000.00 元<' in page

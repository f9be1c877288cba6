"""Correcting an approved claim: a caseworker reverses it with a reason; the books come back exactly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shouzhan.core.models import AuditEntry
from shouzhan.ledger import selectors, services
from shouzhan.ledger.models import Account, Claim, Journal, Payment
from tests.ledger.conftest import YEAR, approve_claim, submit_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(programme, officer, caseworker, provider, make_enterprise):
    enterprise, owner = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=1_000_000)
    return approve_claim(programme, enterprise, owner, provider, caseworker, 300_000, "FIX-1"), enterprise


def _balances(enterprise):
    wallet = Account.objects.get(kind="wallet", enterprise=enterprise)
    hold = Account.objects.get(kind="hold", enterprise=enterprise)
    receivable = Account.objects.get(kind="receivable")
    return wallet.balance_fen, wallet.capped_fen, hold.balance_fen, selectors.account_balance_fen(receivable)


def test_reverse_restores_the_balances_with_a_reversing_journal(approved, caseworker, provider):
    claim, enterprise = approved
    assert _balances(enterprise) == (700_000, 1_000_000, 0, 300_000)
    reversed_claim = services.claim_reverse(
        actor=caseworker, claim=claim, reason="发票金额录入错误", expected_version=claim.version
    )
    assert reversed_claim.state == "reversed" and reversed_claim.note == "发票金额录入错误"
    assert _balances(enterprise) == (1_000_000, 1_000_000, 0, 0)  # the cap used is unchanged: it was a grant
    approval = Journal.objects.get(kind="approve", claim=claim)
    reversal = Journal.objects.get(reverses=approval)
    assert reversal.kind == "reversal" and reversal.memo == "发票金额录入错误"
    assert sorted(reversal.entries.values_list("amount_fen", flat=True)) == [-300_000, 300_000]
    entry = AuditEntry.objects.get(action="ledger.claim_reverse")
    assert entry.actor == caseworker and entry.note == "发票金额录入错误"
    assert entry.before == {"state": "approved"} and entry.after["state"] == "reversed"
    assert entry.after["reversal"] == reversal.pk
    assert selectors.books_check().ok
    # The invoice number is free again: the provider submits the corrected claim.
    submit_claim(claim.programme, enterprise, provider, 30_000, "FIX-1")


def test_reverse_needs_a_reason_a_caseworker_and_an_approved_claim(approved, officer, caseworker):
    claim, _enterprise = approved
    with pytest.raises(ValidationError, match="冲正必须说明原因"):
        services.claim_reverse(actor=caseworker, claim=claim, reason="  ")
    with pytest.raises(PermissionDenied):
        services.claim_reverse(actor=officer, claim=claim, reason="错")
    with pytest.raises(ValidationError, match="已被他人处理"):
        services.claim_reverse(actor=caseworker, claim=claim, reason="错", expected_version=1)
    services.claim_reverse(actor=caseworker, claim=claim, reason="错")
    with pytest.raises(ValidationError, match="只有已核销的申请可以冲正"):
        services.claim_reverse(actor=caseworker, claim=claim, reason="再错")
    assert Journal.objects.filter(kind="reversal").count() == 1
    assert selectors.books_check().ok


def test_reverse_is_refused_once_the_claim_is_in_a_payment_batch(approved, caseworker):
    claim, enterprise = approved
    batch = services.disbursement_batch_create(actor=caseworker)
    with pytest.raises(ValidationError, match="已进入拨付批次"):
        services.claim_reverse(actor=caseworker, claim=claim, reason="错")
    assert Claim.objects.get(pk=claim.pk).state == "approved"
    # Once the bank says the payment failed, the claim can be corrected.
    services.payment_mark(actor=caseworker, payment=batch.payments.get(), status=Payment.Status.FAILED)
    services.claim_reverse(actor=caseworker, claim=claim, reason="收款账户有误，撤销核销")
    assert _balances(enterprise) == (1_000_000, 1_000_000, 0, 0)
    assert selectors.books_check().ok


def test_reverse_after_expiry_returns_the_amount_to_the_budget(approved, officer, caseworker, programme):
    claim, enterprise = approved
    services.programme_expire(actor=officer, programme=programme, today=dt.date(YEAR + 1, 1, 1))
    budget_before = Account.objects.get(pk=programme.budget_account_id).balance_fen
    services.claim_reverse(actor=caseworker, claim=claim, reason="错")
    assert Account.objects.get(pk=programme.budget_account_id).balance_fen == budget_before + 300_000
    assert _balances(enterprise)[0] == 0
    assert selectors.books_check().ok


def test_caseworker_reverses_from_the_staff_page(approved, caseworker, login_client):
    claim, enterprise = approved
    client = login_client(caseworker)
    page = client.get("/ledger/staff/").content.decode()
    assert "冲正原因" in page
    url = f"/ledger/claims/{claim.pk}/reverse/"
    r = client.post(url, {"expected_version": claim.version, "note": ""}, follow=True)
    assert "冲正必须说明原因" in r.content.decode()
    assert Claim.objects.get(pk=claim.pk).state == "approved"
    r = client.post(url, {"expected_version": claim.version, "note": "发票作废"}, follow=True)
    assert r.status_code == 200 and "已冲正" in r.content.decode()
    assert Claim.objects.get(pk=claim.pk).state == "reversed"
    assert _balances(enterprise)[0] == 1_000_000

"""The ledger's services: grants within cap and budget, the claim flow, expiry, reversal, budgets, payments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from shouzhan.core.models import AuditEntry
from shouzhan.ledger import books, selectors, services
from shouzhan.ledger.models import Account, Claim, Entry, Journal, Payment, Reservation
from tests.ledger.conftest import CAP, YEAR, approve_claim, submit_claim

pytestmark = pytest.mark.django_db


def _wallet(programme, enterprise):
    return Account.objects.get(kind="wallet", programme=programme, enterprise=enterprise)


def test_programme_reads_cap_from_catalogue(programme):
    assert programme.cap_fen == CAP
    assert programme.clause_id == "xuhui.compute_voucher"
    assert programme.budget_account.balance_fen == 500_000_000
    assert selectors.books_check().ok


def test_grant_moves_budget_into_wallet_and_is_audited(programme, officer, make_enterprise):
    enterprise, _ = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=30_000_000)
    programme.budget_account.refresh_from_db()
    assert programme.budget_account.balance_fen == 470_000_000
    assert _wallet(programme, enterprise).balance_fen == 30_000_000
    entry = AuditEntry.objects.get(action="ledger.voucher_grant")
    assert entry.enterprise_id == enterprise.pk and entry.after["amount_fen"] == 30_000_000


def test_grant_beyond_yearly_cap_is_refused(programme, officer, make_enterprise):
    enterprise, _ = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=CAP - 100)
    with pytest.raises(ValidationError) as exc:
        services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=101)
    assert "超过每年每项上限" in exc.value.messages[0]
    assert "1,000,000.00 元" in exc.value.messages[0]
    assert _wallet(programme, enterprise).balance_fen == CAP - 100


def test_grant_beyond_budget_is_refused(programme, officer, make_enterprise):
    for _ in range(5):
        e, _o = make_enterprise()
        services.voucher_grant(actor=officer, programme=programme, enterprise=e, amount_fen=CAP)
    late, _o = make_enterprise()
    with pytest.raises(ValidationError) as exc:
        services.voucher_grant(actor=officer, programme=programme, enterprise=late, amount_fen=1)
    assert exc.value.messages[0].startswith("预算不足")


def test_only_officers_grant(programme, caseworker, make_enterprise):
    enterprise, owner = make_enterprise()
    for actor in (caseworker, owner):
        with pytest.raises(PermissionDenied):
            services.voucher_grant(actor=actor, programme=programme, enterprise=enterprise, amount_fen=1)


def test_claim_flow_partial_redemptions(programme, officer, caseworker, provider, make_enterprise):
    enterprise, owner = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=10_000_000)
    claim = submit_claim(programme, enterprise, provider, 4_000_000, "inv-a")
    assert claim.invoice_no == "INV-A" and claim.state == Claim.State.SUBMITTED
    assert _wallet(programme, enterprise).balance_fen == 6_000_000  # held at once
    claim = services.claim_confirm(actor=owner, claim=claim, expected_version=1)
    claim = services.claim_approve(actor=caseworker, claim=claim, expected_version=2)
    assert claim.state == Claim.State.APPROVED
    receivable = Account.objects.get(kind="receivable", provider=provider[0])
    assert selectors.account_balance_fen(receivable) == 4_000_000
    assert (receivable.keeps_total, receivable.balance_fen) == (False, 0)  # derived, never stored
    second = submit_claim(programme, enterprise, provider, 6_000_000, "inv-b")
    assert _wallet(programme, enterprise).balance_fen == 0
    with pytest.raises(ValidationError) as exc:
        submit_claim(programme, enterprise, provider, 1, "inv-c")
    assert exc.value.messages[0].startswith("券余额不足")
    services.claim_decline(actor=owner, claim=second, note="服务未交付")
    assert _wallet(programme, enterprise).balance_fen == 6_000_000
    assert selectors.books_check().ok


def test_same_invoice_cannot_be_claimed_twice(programme, officer, provider, make_enterprise):
    enterprise, owner = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=10_000_000)
    first = submit_claim(programme, enterprise, provider, 100, "F-001")
    with pytest.raises(ValidationError) as exc:
        submit_claim(programme, enterprise, provider, 100, " f-001 ")
    assert exc.value.message_dict["invoice_no"] == ["发票号码 F-001 已经申请过核销。"]
    services.claim_decline(actor=owner, claim=first, note="金额不对")
    assert (
        submit_claim(programme, enterprise, provider, 90, "F-001").amount_fen == 90
    )  # a refused one frees the number


def test_claim_stale_version_and_wrong_state(programme, officer, caseworker, provider, make_enterprise):
    enterprise, owner = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=1000)
    claim = submit_claim(programme, enterprise, provider, 500)
    with pytest.raises(ValidationError, match="不能执行此操作"):
        services.claim_approve(actor=caseworker, claim=claim)  # not confirmed yet
    services.claim_confirm(actor=owner, claim=claim, expected_version=1)
    with pytest.raises(ValidationError, match="请刷新"):
        services.claim_approve(actor=caseworker, claim=claim, expected_version=1)


def test_other_enterprise_and_strangers_cannot_touch_claims(
    programme, officer, provider, make_enterprise, make_provider
):
    enterprise, _owner = make_enterprise()
    _other, stranger = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=1000)
    claim = submit_claim(programme, enterprise, provider, 500)
    with pytest.raises(Http404):
        services.claim_confirm(actor=stranger, claim=claim)
    with pytest.raises(Http404):
        selectors.claim_get(actor=stranger, pk=claim.pk)
    with pytest.raises(Http404):
        selectors.wallets_for(actor=stranger, enterprise_id=enterprise.pk)
    other_provider = make_provider("别家语料公司")
    with pytest.raises(PermissionDenied):  # a member of one provider claiming for another
        services.claim_submit(
            actor=other_provider[1],
            programme=programme,
            enterprise=enterprise,
            provider=provider[0],
            amount_fen=1,
            invoice_no="X",
            service_from=dt.date(YEAR, 1, 1),
            service_to=dt.date(YEAR, 1, 2),
        )
    with pytest.raises(ValidationError, match=r"不是 .* 的签约服务商"):
        submit_claim(programme, enterprise, other_provider, 1, "Y")


def test_service_period_outside_validity(programme, officer, provider, make_enterprise):
    enterprise, _ = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=1000)
    with pytest.raises(ValidationError) as exc:
        submit_claim(
            programme,
            enterprise,
            provider,
            1,
            "Z",
            service_from=dt.date(YEAR - 1, 12, 1),
            service_to=dt.date(YEAR, 1, 2),
        )
    assert exc.value.message_dict["service_from"] == ["服务期须在券的有效期内（2026-01-01 至 2026-12-31）。"]


def test_expiry_returns_unspent_balance(programme, officer, caseworker, provider, make_enterprise):
    enterprise, _owner = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=10_000)
    pending = submit_claim(programme, enterprise, provider, 3_000, "P1")
    with pytest.raises(ValidationError, match="尚未到期"):
        services.programme_expire(actor=officer, programme=programme, today=dt.date(YEAR, 12, 31))
    returned = services.programme_expire(actor=officer, programme=programme, today=dt.date(YEAR + 1, 1, 1))
    assert returned == 7_000
    programme.budget_account.refresh_from_db()
    assert programme.budget_account.balance_fen == 500_000_000 - 3_000
    services.claim_reject(actor=caseworker, claim=pending, note="发票无效")  # the hold goes to the budget
    programme.budget_account.refresh_from_db()
    assert programme.budget_account.balance_fen == 500_000_000
    with pytest.raises(ValidationError, match="已到期"):
        services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=1)
    assert selectors.books_check().ok


def test_reversal_negates_a_grant_once(programme, officer, make_enterprise):
    enterprise, _ = make_enterprise()
    grant = services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=CAP)
    with pytest.raises(ValidationError, match="必须说明原因"):
        services.journal_reverse(actor=officer, journal=grant, reason=" ")
    reversal = services.journal_reverse(actor=officer, journal=grant, reason="企业名称录错")
    assert reversal.reverses_id == grant.pk and reversal.memo == "企业名称录错"
    wallet = _wallet(programme, enterprise)
    assert (wallet.balance_fen, wallet.capped_fen) == (0, 0)
    with pytest.raises(ValidationError, match="已经冲正过"):
        services.journal_reverse(actor=officer, journal=grant, reason="again")
    # The cap is free again after the reversal.
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=CAP)


def test_reversal_refused_when_the_vouchers_are_spent(programme, officer, provider, make_enterprise):
    enterprise, _ = make_enterprise()
    grant = services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=1000)
    submit_claim(programme, enterprise, provider, 600)
    with pytest.raises(ValidationError, match="券余额不足"):
        services.journal_reverse(actor=officer, journal=grant, reason="错误")


def test_entries_are_append_only_in_the_database(programme):
    entry = Entry.objects.first()
    assert entry is not None
    for statement in (
        f"UPDATE ledger_entry SET amount_fen = 1 WHERE id = {entry.pk}",
        f"DELETE FROM ledger_entry WHERE id = {entry.pk}",
        f"UPDATE ledger_journal SET memo = 'x' WHERE id = {entry.journal_id}",
    ):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement)


def test_database_refuses_an_overdraft_even_without_python_checks(programme, make_enterprise):
    enterprise, _ = make_enterprise()
    wallet = services.wallet_account(programme=programme, enterprise=enterprise)
    journal = Journal.objects.create(kind="grant")
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(journal=journal, account=wallet, amount_fen=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(journal=journal, account=wallet, amount_fen=CAP + 1, counts_to_cap=True)


def _approved_claim(programme, officer, caseworker, provider, make_enterprise, amount):
    enterprise, owner = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=amount)
    return approve_claim(programme, enterprise, owner, provider, caseworker, amount, "INV-OWED")


def test_a_receivable_keeps_no_stored_total_and_never_goes_below_zero(
    programme, officer, caseworker, provider, make_enterprise
):
    _approved_claim(programme, officer, caseworker, provider, make_enterprise, 7_000)
    receivable = services.receivable_account(provider=provider[0])
    paid_out = services.paid_out_account()
    assert [(a.keeps_total, a.balance_fen) for a in (receivable, paid_out)] == [(False, 0), (False, 0)]
    books.balances(receivable, paid_out)
    assert (receivable.balance_fen, paid_out.balance_fen) == (7_000, 0)
    # Paying out more than is owed is refused by the database, with the balance in plain words.
    with pytest.raises(ValidationError) as exc, books.atomic():
        books.post(
            kind=Journal.Kind.PAY,
            lines=[books.Line(receivable, -7_001), books.Line(paid_out, 7_001)],
            actor="system:test",
        )
    assert exc.value.messages == [f"账户 {receivable.name} 余额不足：剩余 70.00 元，本次需要 70.01 元。"]
    with books.atomic():
        books.post(
            kind=Journal.Kind.PAY,
            lines=[books.Line(receivable, -7_000), books.Line(paid_out, 7_000)],
            actor="system:test",
        )
    assert selectors.account_balance_fen(receivable) == 0
    assert selectors.account_balance_fen(paid_out) == 7_000
    assert selectors.books_check().ok


def test_database_refuses_a_derived_account_below_zero_without_python_checks(
    programme, officer, caseworker, provider, make_enterprise
):
    _approved_claim(programme, officer, caseworker, provider, make_enterprise, 500)
    receivable = Account.objects.get(kind="receivable")
    journal = Journal.objects.create(kind="pay")
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(journal=journal, account=receivable, amount_fen=-501)
    # A stored total on such an account is refused too: there must be nothing to mistake for one.
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=receivable.pk).update(balance_fen=500)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(key="x", kind="wallet", name="x", keeps_total=False)


def test_batch_grant_preview_then_all_or_nothing(programme, officer, make_enterprise):
    a, _ = make_enterprise(name="甲")
    b, _ = make_enterprise(name="乙")
    preview = services.voucher_batch_preview(
        actor=officer, programme=programme, rows=[(a, CAP), (b, CAP + 1)]
    )
    assert [r.ok for r in preview] == [True, False]
    assert "超过每年每项上限" in preview[1].message
    with pytest.raises(ValidationError):
        services.voucher_batch_grant(actor=officer, programme=programme, rows=[(a, CAP), (b, CAP + 1)])
    assert not Account.objects.filter(kind="wallet", balance_fen__gt=0).exists()
    journals = services.voucher_batch_grant(actor=officer, programme=programme, rows=[(a, 100), (b, 200)])
    assert len(journals) == 2


def test_two_programmes_share_one_budget(catalogue, officer, provider, make_enterprise):
    budget = services.budget_account_create(
        actor=officer, key="shared-2026", name="共用预算", year=YEAR, amount_fen=1000
    )
    kwargs = {"year": YEAR, "valid_from": dt.date(YEAR, 1, 1), "valid_until": dt.date(YEAR, 12, 31)}
    model = services.programme_open(actor=officer, item="model", budget_account=budget, **kwargs)
    corpus = services.programme_open(actor=officer, item="corpus", budget_account=budget, **kwargs)
    assert model.clause_id == "xuhui.model_voucher" and corpus.cap_fen == CAP
    enterprise, _ = make_enterprise()
    services.voucher_grant(actor=officer, programme=model, enterprise=enterprise, amount_fen=700)
    with pytest.raises(ValidationError, match="预算不足"):
        services.voucher_grant(actor=officer, programme=corpus, enterprise=enterprise, amount_fen=301)
    services.voucher_grant(actor=officer, programme=corpus, enterprise=enterprise, amount_fen=300)


def test_clause_budget_reserve_consume_release(catalogue, officer, make_enterprise):
    enterprise, _ = make_enterprise()
    budget = services.clause_budget_set(
        actor=officer, clause_id="xuhui.events", year=YEAR, amount_fen=300_000_000
    )
    r1 = services.budget_reserve(
        actor="system:cases",
        case_id=1,
        clause_id="xuhui.events",
        year=YEAR,
        enterprise_id=enterprise.pk,
        amount_fen=200_000_000,
    )
    assert r1 is not None and r1.state == Reservation.State.RESERVED
    with pytest.raises(ValidationError) as exc:
        services.budget_reserve(
            actor="system:cases",
            case_id=2,
            clause_id="xuhui.events",
            year=YEAR,
            enterprise_id=enterprise.pk,
            amount_fen=100_000_001,
        )
    assert exc.value.messages[0] == (
        "超出条款年度预算：xuhui.events 2026 剩余 1,000,000.00 元，本次核定 1,000,000.01 元。"
    )
    services.budget_release(actor="system:cases", case_id=1)
    services.budget_reserve(
        actor="system:cases",
        case_id=2,
        clause_id="xuhui.events",
        year=YEAR,
        enterprise_id=enterprise.pk,
        amount_fen=300_000_000,
    )
    services.budget_consume(actor="system:cases", case_id=2)
    rows = selectors.clause_budgets(year=YEAR)
    assert (rows[0]["available_fen"], rows[0]["reserved_fen"], rows[0]["consumed_fen"]) == (0, 0, 300_000_000)
    assert budget.clause_id == "xuhui.events"
    # No budget for a clause: nothing to reserve.
    assert (
        services.budget_reserve(
            actor="system:cases",
            case_id=3,
            clause_id="xuhui.settlement",
            year=YEAR,
            enterprise_id=enterprise.pk,
            amount_fen=5,
        )
        is None
    )


def test_disbursement_batch_pays_claims_and_subsidies(
    programme, officer, caseworker, provider, make_enterprise
):
    enterprise, owner = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=10_000)
    claim = submit_claim(programme, enterprise, provider, 4_000)
    services.claim_confirm(actor=owner, claim=claim)
    services.claim_approve(actor=caseworker, claim=claim)
    services.clause_budget_set(actor=officer, clause_id="xuhui.events", year=YEAR, amount_fen=10_000)
    services.budget_reserve(
        actor="system:cases",
        case_id=9,
        clause_id="xuhui.events",
        year=YEAR,
        enterprise_id=enterprise.pk,
        amount_fen=2_500,
    )
    batch = services.disbursement_batch_create(actor=caseworker)
    payments = list(batch.payments.order_by("id"))
    assert [(p.payee, p.amount_fen) for p in payments] == [
        (provider[0].name, 4_000),
        (enterprise.name, 2_500),
    ]
    with pytest.raises(ValidationError, match="没有待拨付"):
        services.disbursement_batch_create(actor=caseworker)
    services.payment_mark(actor=caseworker, payment=payments[0], status=Payment.Status.PAID)
    services.payment_mark(
        actor=caseworker, payment=payments[1], status=Payment.Status.FAILED, note="账号错误"
    )
    assert selectors.account_balance_fen(Account.objects.get(key="paid_out")) == 4_000
    assert selectors.account_balance_fen(Account.objects.get(kind="receivable")) == 0
    retry = services.disbursement_batch_create(actor=caseworker)
    (again,) = retry.payments.all()
    services.payment_mark(actor=caseworker, payment=again, status=Payment.Status.PAID)
    assert Reservation.objects.get(case_id=9).state == Reservation.State.CONSUMED
    assert selectors.account_balance_fen(Account.objects.get(key="paid_out")) == 6_500
    assert selectors.books_check().ok

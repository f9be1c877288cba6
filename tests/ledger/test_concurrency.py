"""On PostgreSQL with real connections: concurrent claims and grants never over-spend."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shouzhan.ledger import books, selectors, services
from shouzhan.ledger.models import Account, Claim
from tests.ledger.conftest import CAP, YEAR, approve_claim

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16


def _run(n: int, work) -> Counter:
    """Call work(i) for i in range(n) from THREADS threads, each with its own connection."""
    outcomes: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(k: int) -> None:
        try:
            barrier.wait()
            for i in range(k, n, THREADS):
                try:
                    work(i)
                    result = "ok"
                except ValidationError as exc:
                    result = exc.messages[0].split("：")[0]
                with lock:
                    outcomes[result] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_200_concurrent_claims_against_one_voucher(programme, officer, caseworker, provider, make_enterprise):
    enterprise, owner = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=CAP)
    amount = CAP // 150  # room for 150 of the 200 claims

    def claim_and_approve(i: int) -> None:
        claim = services.claim_submit(
            actor=provider[1],
            programme=programme,
            enterprise=enterprise,
            provider=provider[0],
            amount_fen=amount,
            invoice_no=f"C{i:04d}",
            service_from=dt.date(YEAR, 6, 1),
            service_to=dt.date(YEAR, 6, 30),
        )
        claim = services.claim_confirm(actor=owner, claim=claim, expected_version=1)
        services.claim_approve(actor=caseworker, claim=claim, expected_version=2)

    outcomes = _run(200, claim_and_approve)
    assert outcomes == Counter({"ok": 150, "券余额不足": 50})
    wallet = Account.objects.get(kind="wallet", enterprise=enterprise)
    assert wallet.balance_fen == CAP - 150 * amount >= 0
    assert wallet.capped_fen == CAP
    assert Claim.objects.filter(state="approved").count() == 150
    assert selectors.account_balance_fen(Account.objects.get(kind="receivable")) == 150 * amount
    check = selectors.books_check()
    assert check.ok, check
    assert check.entries_total_fen == 0


def test_concurrent_grants_and_claims_on_two_programmes_sharing_a_budget(
    catalogue, officer, caseworker, provider, make_enterprise
):
    budget = services.budget_account_create(
        actor=officer, key="shared", name="算力模型共用预算", year=YEAR, amount_fen=3 * CAP
    )
    kwargs = {"year": YEAR, "valid_from": dt.date(YEAR, 1, 1), "valid_until": dt.date(YEAR, 12, 31)}
    model = services.programme_open(
        actor=officer, item="model", budget_account=budget, providers=[provider[0]], **kwargs
    )
    corpus = services.programme_open(
        actor=officer, item="corpus", budget_account=budget, providers=[provider[0]], **kwargs
    )
    enterprises = [make_enterprise() for _ in range(4)]
    step = CAP // 4

    # 4 enterprises × 2 programmes × 4 grants of a quarter cap = 8 caps asked, 3 caps of budget.
    def grant(i: int) -> None:
        programme = (model, corpus)[i % 2]
        enterprise = enterprises[(i // 2) % 4][0]
        services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=step)

    outcomes = _run(32, grant)
    assert outcomes["ok"] == 12 and outcomes["预算不足"] == 20
    budget.refresh_from_db()
    assert budget.balance_fen == 0

    def claim(i: int) -> None:
        programme = (model, corpus)[i % 2]
        enterprise, owner = enterprises[(i // 2) % 4]
        c = services.claim_submit(
            actor=provider[1],
            programme=programme,
            enterprise=enterprise,
            provider=provider[0],
            amount_fen=step // 2,
            invoice_no=f"S{i:04d}",
            service_from=dt.date(YEAR, 6, 1),
            service_to=dt.date(YEAR, 6, 2),
        )
        c = services.claim_confirm(actor=owner, claim=c)
        services.claim_approve(actor=caseworker, claim=c)

    outcomes = _run(200, claim)
    assert outcomes["ok"] == 24  # 12 quarter-caps granted, two half-quarter claims each
    for account in Account.objects.filter(kind__in=["wallet", "programme_budget"]):
        assert account.balance_fen >= 0
        assert account.cap_fen is None or account.capped_fen <= account.cap_fen
    check = selectors.books_check()
    assert check.ok, check


def test_concurrent_payments_never_take_a_receivable_below_zero(
    programme, officer, caseworker, provider, make_enterprise
):
    """A receivable keeps no stored total; its guard trigger locks it before summing the entries,
    so 40 payments of 1/20 of what is owed, racing from 16 connections, let exactly 20 through."""
    enterprise, owner = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=2_000)
    approve_claim(programme, enterprise, owner, provider, caseworker, 2_000, "OWED-1")
    receivable = services.receivable_account(provider=provider[0])
    paid_out = services.paid_out_account()

    def pay(i: int) -> None:
        with books.atomic():
            books.post(
                kind="pay",
                lines=[books.Line(receivable.pk, -100), books.Line(paid_out.pk, 100)],
                actor="system:test",
            )

    outcomes = _run(40, pay)
    assert outcomes == Counter({"ok": 20, f"账户 {receivable.name} 余额不足": 20})
    assert selectors.account_balance_fen(receivable) == 0
    assert selectors.account_balance_fen(paid_out) == 2_000
    check = selectors.books_check()
    assert check.ok, check

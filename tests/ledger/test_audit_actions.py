"""Every public write of the ledger records exactly its declared audit entries, in order.

Each case prepares what the service needs (not counted), then calls the one service and lists the
action codes it wrote. A code nobody declared in ledger/audit_actions.py fails too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from shouzhan.core.audit import audit_action_get
from shouzhan.core.models import AuditEntry
from shouzhan.ledger import batch_sheet, services
from shouzhan.ledger.models import Account, Journal, Payment, Programme
from tests.ledger.conftest import YEAR, submit_claim

pytestmark = pytest.mark.django_db

SYSTEM = "system:cases"


@dataclass
class World:
    programme: Programme
    officer: Any
    caseworker: Any
    provider: Any
    enterprise: Any
    owner: Any


@pytest.fixture
def world(programme, officer, caseworker, provider, make_enterprise) -> World:
    enterprise, owner = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=100_000)
    return World(programme, officer, caseworker, provider, enterprise, owner)


def _claim(w: World, invoice: str = "A-1", state: str = "submitted") -> Any:
    claim = submit_claim(w.programme, w.enterprise, w.provider, 1_000, invoice)
    if state in ("confirmed", "approved"):
        claim = services.claim_confirm(actor=w.owner, claim=claim)
    if state == "approved":
        claim = services.claim_approve(actor=w.caseworker, claim=claim)
    return claim


def _reserve(w: World, case_id: int = 7) -> None:
    services.clause_budget_set(actor=w.officer, clause_id="xuhui.events", year=YEAR, amount_fen=10_000)
    services.budget_reserve(
        actor=SYSTEM,
        case_id=case_id,
        clause_id="xuhui.events",
        year=YEAR,
        enterprise_id=w.enterprise.pk,
        amount_fen=500,
    )


def _sheet_rows(w: World) -> list[batch_sheet.SheetRow]:
    return [
        batch_sheet.SheetRow(
            row=2, credit_code=w.enterprise.credit_code, amount_fen=300, note="", enterprise=w.enterprise
        )
    ]


def _open_model_programme(w: World) -> None:
    services.programme_open(
        actor=w.officer,
        item="model",
        year=YEAR,
        valid_from=dt.date(YEAR, 1, 1),
        valid_until=dt.date(YEAR, 12, 31),
        budget_fen=1_000,
    )


def _expire(w: World) -> None:
    services.programme_expire(actor=w.officer, programme=w.programme, today=dt.date(YEAR + 1, 1, 1))


def _payment(w: World) -> Payment:
    _claim(w, state="approved")
    return services.disbursement_batch_create(actor=w.caseworker).payments.get()


# (name, prepare → the one call, expected action codes)
CASES: list[tuple[str, Callable[[World], Callable[[], Any]], list[str]]] = [
    (
        "budget_account_create",
        lambda w: (
            lambda: services.budget_account_create(
                actor=w.officer, key="extra", name="追加预算", year=YEAR, amount_fen=100
            )
        ),
        ["ledger.budget_fund"],
    ),
    (
        "budget_fund",
        lambda w: (
            lambda: services.budget_fund(
                actor=w.officer, account=Account.objects.get(pk=w.programme.budget_account_id), amount_fen=100
            )
        ),
        ["ledger.budget_fund"],
    ),
    (
        "programme_open",
        lambda w: lambda: _open_model_programme(w),
        ["ledger.budget_fund", "ledger.programme_open"],
    ),
    ("programme_expire", lambda w: lambda: _expire(w), ["ledger.programme_expire"]),
    (
        "voucher_grant",
        lambda w: (
            lambda: services.voucher_grant(
                actor=w.officer, programme=w.programme, enterprise=w.enterprise, amount_fen=100
            )
        ),
        ["ledger.voucher_grant"],
    ),
    (
        "voucher_batch_grant",
        lambda w: (
            lambda: services.voucher_batch_grant(
                actor=w.officer, programme=w.programme, rows=[(w.enterprise, 100)]
            )
        ),
        ["ledger.voucher_grant"],
    ),
    (
        "voucher_batch_sheet_grant",
        lambda w: (
            lambda: services.voucher_batch_sheet_grant(
                actor=w.officer, programme=w.programme, rows=_sheet_rows(w)
            )
        ),
        ["ledger.voucher_grant", "ledger.voucher_batch_grant"],
    ),
    (
        "journal_reverse",
        lambda w: (
            lambda: services.journal_reverse(
                actor=w.officer, journal=Journal.objects.get(kind="grant"), reason="发错了"
            )
        ),
        ["ledger.journal_reverse"],
    ),
    ("claim_submit", lambda w: lambda: _claim(w), ["ledger.claim_submit"]),
    (
        "claim_confirm",
        lambda w: (lambda c: lambda: services.claim_confirm(actor=w.owner, claim=c))(_claim(w)),
        ["ledger.claim_confirm"],
    ),
    (
        "claim_decline",
        lambda w: (lambda c: lambda: services.claim_decline(actor=w.owner, claim=c, note="没做"))(_claim(w)),
        ["ledger.claim_decline"],
    ),
    (
        "claim_approve",
        lambda w: (lambda c: lambda: services.claim_approve(actor=w.caseworker, claim=c))(
            _claim(w, state="confirmed")
        ),
        ["ledger.claim_approve"],
    ),
    (
        "claim_reject",
        lambda w: (lambda c: lambda: services.claim_reject(actor=w.caseworker, claim=c, note="不符"))(
            _claim(w, state="confirmed")
        ),
        ["ledger.claim_reject"],
    ),
    (
        "claim_reverse",
        lambda w: (lambda c: lambda: services.claim_reverse(actor=w.caseworker, claim=c, reason="错批"))(
            _claim(w, state="approved")
        ),
        ["ledger.claim_reverse"],
    ),
    (
        "clause_budget_set",
        lambda w: (
            lambda: services.clause_budget_set(
                actor=w.officer, clause_id="xuhui.events", year=YEAR, amount_fen=100
            )
        ),
        ["ledger.budget_fund"],
    ),
    (
        "budget_reserve",
        lambda w: lambda: _reserve(w, case_id=8),
        ["ledger.budget_fund", "ledger.budget_reserve"],
    ),
    (
        "budget_consume",
        lambda w: (lambda _r: lambda: services.budget_consume(actor=SYSTEM, case_id=7))(_reserve(w)),
        ["ledger.budget_consume"],
    ),
    (
        "budget_release",
        lambda w: (lambda _r: lambda: services.budget_release(actor=SYSTEM, case_id=7))(_reserve(w)),
        ["ledger.budget_release"],
    ),
    (
        "disbursement_batch_create",
        lambda w: (lambda _c: lambda: services.disbursement_batch_create(actor=w.caseworker))(
            _claim(w, state="approved")
        ),
        ["ledger.disbursement_batch_create"],
    ),
    (
        "payment_mark",
        lambda w: (lambda p: lambda: services.payment_mark(actor=w.caseworker, payment=p, status="paid"))(
            _payment(w)
        ),
        ["ledger.payment_mark"],
    ),
]


@pytest.mark.parametrize(("name", "prepare", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_service_writes_exactly_its_entries(world, name, prepare, expected):
    call = prepare(world)
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    call()
    written = list(AuditEntry.objects.filter(id__gt=last).order_by("id").values_list("action", flat=True))
    assert written == expected
    assert all(audit_action_get(code) is not None for code in written)


def test_every_public_write_is_covered():
    """A new public service must join CASES (a read or an account helper is not a write of its own)."""
    reads = {
        "BatchRow",
        "SheetReportRow",
        "MAX_AMOUNT_FEN",
        "catalogue_cap_fen",
        "funding_account",
        "paid_out_account",
        "wallet_account",
        "hold_account",
        "receivable_account",
        "voucher_batch_preview",
        "voucher_batch_sheet_preview",
    }
    assert set(services.__all__) - reads == {c[0] for c in CASES}

"""The approval's hot path stays small: the number of statements per approval is pinned.

Counted without the SAVEPOINT / RELEASE pairs the test's own transaction adds around nested
blocks (in production the service's block is the outermost transaction, so it has none).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouzhan.ledger import selectors, services
from shouzhan.ledger.models import Claim
from tests.ledger.conftest import YEAR

pytestmark = pytest.mark.django_db

# Lock the claim (with its accounts' ids), journal, entries, claim update, audit; on PostgreSQL the
# journal and its entries are one statement. (The old path took 8 statements and a savepoint.)
MAX_APPROVE = 4 if connection.vendor == "postgresql" else 5
MAX_SUBMIT = 7
MAX_CONFIRM = 3


def _statements(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))
    ]


def _submit(programme, enterprise, provider, invoice):
    return services.claim_submit(
        actor=provider[1],
        programme=programme,
        enterprise=enterprise,
        provider=provider[0],
        amount_fen=10_000,
        invoice_no=invoice,
        service_from=dt.date(YEAR, 3, 1),
        service_to=dt.date(YEAR, 3, 31),
    )


def test_statements_per_claim_step_are_pinned(programme, officer, caseworker, provider, make_enterprise):
    enterprise, owner = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=1_000_000)
    # The first claim creates the hold and receivable accounts; the steady state is what we pin.
    first = _submit(programme, enterprise, provider, "WARM-1")
    services.claim_confirm(actor=owner, claim=first, expected_version=1)
    services.claim_approve(actor=caseworker, claim=Claim(pk=first.pk), expected_version=2)

    with CaptureQueriesContext(connection) as submitted:
        claim = _submit(programme, enterprise, provider, "INV-2")
    with CaptureQueriesContext(connection) as confirmed:
        services.claim_confirm(actor=owner, claim=claim, expected_version=1)
    with CaptureQueriesContext(connection) as approved:
        services.claim_approve(actor=caseworker, claim=Claim(pk=claim.pk), expected_version=2)

    assert len(_statements(approved)) <= MAX_APPROVE, _statements(approved)
    assert len(_statements(submitted)) <= MAX_SUBMIT, _statements(submitted)
    assert len(_statements(confirmed)) <= MAX_CONFIRM, _statements(confirmed)
    # No statement of the approval reads an account row: the ids come with the claim's lock.
    assert not any(s.upper().startswith('SELECT "LEDGER_ACCOUNT"') for s in _statements(approved))
    assert Claim.objects.get(pk=claim.pk).state == "approved"
    assert selectors.books_check().ok


def test_refusal_by_the_database_keeps_the_clear_message(programme, officer, provider, make_enterprise):
    """No SELECT checks the wallet first: the CHECK constraint refuses and the message is rebuilt."""
    enterprise, _owner = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=5_000)
    with pytest.raises(Exception) as exc:
        _submit(programme, enterprise, provider, "INV-BIG")
    assert exc.value.messages[0].startswith("券余额不足")  # type: ignore[attr-defined]
    # A provider is told only that the amount exceeds what is available, never the balance (#13 item 9).
    assert exc.value.messages[0] == "券余额不足：本次申请 100.00 元，超过该企业可用的券额度，未能提交。"  # type: ignore[attr-defined]
    assert not Claim.objects.filter(invoice_no="INV-BIG").exists()
    assert selectors.books_check().ok

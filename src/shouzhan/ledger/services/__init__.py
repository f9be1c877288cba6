"""Writes to the ledger. Keyword-only, atomic, each recording its own audit entry; who may do what is
asked of `shouzhan.ledger.permissions`.

Money moves only through `books.post` (balanced journals); the voucher flow is:
  fund:     funding        → programme budget    (the district's money set aside)
  grant:    programme budget → enterprise wallet (commits the budget; counts toward the yearly cap)
  claim:    wallet          → hold               (a provider's invoice waits for confirmation)
  approve:  hold            → provider receivable
  decline / reject: hold    → wallet
  expire:   wallet          → programme budget   (the unspent balance goes back)
  pay:      receivable      → paid out           (a disbursement batch's payment)
Clause budgets: fund → budget; reserve (case approved) budget → reserved; consume (disbursed)
reserved → paid out; release (cancelled) reserved → budget.

One module a section: accounts, budgets, programmes, grants, claims, disbursements. Callers import from
here (`from shouzhan.ledger.services import voucher_grant` or `services.voucher_grant`).
"""

from __future__ import annotations

from shouzhan.ledger.services.accounts import (
    MAX_AMOUNT_FEN,
    funding_account,
    hold_account,
    paid_out_account,
    receivable_account,
    wallet_account,
)
from shouzhan.ledger.services.budgets import (
    budget_account_create,
    budget_consume,
    budget_fund,
    budget_release,
    budget_reserve,
    clause_budget_set,
)
from shouzhan.ledger.services.claims import (
    claim_approve,
    claim_confirm,
    claim_decline,
    claim_reject,
    claim_reverse,
    claim_submit,
)
from shouzhan.ledger.services.disbursements import disbursement_batch_create, payment_mark
from shouzhan.ledger.services.grants import (
    BatchRow,
    SheetReportRow,
    journal_reverse,
    voucher_batch_grant,
    voucher_batch_preview,
    voucher_batch_sheet_grant,
    voucher_batch_sheet_preview,
    voucher_grant,
)
from shouzhan.ledger.services.programmes import catalogue_cap_fen, programme_expire, programme_open

__all__ = [
    "MAX_AMOUNT_FEN",
    "BatchRow",
    "SheetReportRow",
    "budget_account_create",
    "budget_consume",
    "budget_fund",
    "budget_release",
    "budget_reserve",
    "catalogue_cap_fen",
    "claim_approve",
    "claim_confirm",
    "claim_decline",
    "claim_reject",
    "claim_reverse",
    "claim_submit",
    "clause_budget_set",
    "disbursement_batch_create",
    "funding_account",
    "hold_account",
    "journal_reverse",
    "paid_out_account",
    "payment_mark",
    "programme_expire",
    "programme_open",
    "receivable_account",
    "voucher_batch_grant",
    "voucher_batch_preview",
    "voucher_batch_sheet_grant",
    "voucher_batch_sheet_preview",
    "voucher_grant",
    "wallet_account",
]

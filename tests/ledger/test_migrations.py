"""Migration 0004 on a database that already has books: stored totals of receivables and paid-out
go, their balances read the same from the entries, and going back rebuilds the stored totals."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from shouzhan.ledger import books, selectors
from shouzhan.ledger.models import Account

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("ledger", "0003_claim_reversed")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == "ledger"]


def test_existing_books_move_to_derived_totals_and_back():
    latest = _latest()
    try:
        old = _migrate(BEFORE)
        OldAccount = old.get_model("ledger", "Account")
        OldJournal = old.get_model("ledger", "Journal")
        OldEntry = old.get_model("ledger", "Entry")
        funding = OldAccount.objects.create(key="funding", kind="funding", name="f", allow_negative=True)
        owed = OldAccount.objects.create(key="receivable:1", kind="receivable", name="r")
        paid = OldAccount.objects.create(key="paid_out", kind="paid_out", name="p")
        for kind, lines in [
            ("approve", [(funding, -1_000), (owed, 1_000)]),
            ("pay", [(owed, -400), (paid, 400)]),
        ]:
            journal = OldJournal.objects.create(kind=kind)
            OldEntry.objects.bulk_create(
                [OldEntry(journal=journal, account=a, amount_fen=amount) for a, amount in lines]
            )
        owed.refresh_from_db()
        assert owed.balance_fen == 600  # the old trigger kept it

        _migrate(latest)
        owed_now, paid_now = Account.objects.get(key="receivable:1"), Account.objects.get(key="paid_out")
        assert [(a.keeps_total, a.balance_fen) for a in (owed_now, paid_now)] == [(False, 0), (False, 0)]
        books.balances(owed_now, paid_now)
        assert (owed_now.balance_fen, paid_now.balance_fen) == (600, 400)
        assert Account.objects.get(key="funding").keeps_total is True
        assert selectors.books_check().ok

        old = _migrate(BEFORE)
        OldAccount = old.get_model("ledger", "Account")
        assert OldAccount.objects.get(key="receivable:1").balance_fen == 600
        assert OldAccount.objects.get(key="paid_out").balance_fen == 400
    finally:
        _migrate(latest)

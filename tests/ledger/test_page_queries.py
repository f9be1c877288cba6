"""Query counts of the ledger's main pages are pinned, and do not grow with the rows they show."""

from __future__ import annotations

import datetime as dt

import pytest

from shouzhan.ledger import services
from tests.ledger.conftest import YEAR, approve_claim, submit_claim

pytestmark = pytest.mark.django_db

# Session, user, the page's reads and the menu. Measured on SQLite with the fixture below (three
# programmes, claims in every state): wallet 9, provider 14 (was 17: its provider ids read four times),
# staff 14 (was 16, and one more a programme: a burn-down query each), export 8. Pinned with two to spare
# for the shell's menu.
WALLET = 11
PROVIDER = 16
STAFF = 16
EXPORT = 10


@pytest.fixture
def busy(programme, officer, caseworker, provider, make_enterprise):
    """Three programmes, two enterprises with vouchers, claims in every state, a clause budget, a batch."""
    for item in ("model", "corpus"):
        services.programme_open(
            actor=officer,
            item=item,
            year=YEAR,
            valid_from=dt.date(YEAR, 1, 1),
            valid_until=dt.date(YEAR, 12, 31),
            budget_fen=10_000_000,
            providers=[provider[0]],
        )
    services.clause_budget_set(actor=officer, clause_id="xuhui.events", year=YEAR, amount_fen=10_000)
    firms = [make_enterprise() for _ in range(2)]
    for n, (enterprise, owner) in enumerate(firms):
        services.voucher_grant(
            actor=officer, programme=programme, enterprise=enterprise, amount_fen=1_000_000
        )
        approve_claim(programme, enterprise, owner, provider, caseworker, 1_000, f"Q-{n}-1")
        submit_claim(programme, enterprise, provider, 2_000, f"Q-{n}-2")
        claim = submit_claim(programme, enterprise, provider, 3_000, f"Q-{n}-3")
        services.claim_confirm(actor=owner, claim=claim)
    services.disbursement_batch_create(actor=caseworker)
    return firms


def test_wallet_page(busy, login_client, django_assert_max_num_queries):
    client = login_client(busy[0][1])
    client.get("/ledger/wallet/")  # the session and caches warm
    with django_assert_max_num_queries(WALLET):
        r = client.get("/ledger/wallet/")
    assert r.status_code == 200


def test_provider_claims_page(busy, provider, login_client, django_assert_max_num_queries):
    client = login_client(provider[1])
    client.get("/ledger/provider/")
    with django_assert_max_num_queries(PROVIDER):
        r = client.get("/ledger/provider/")
    assert r.status_code == 200 and "Q-1-3" in r.content.decode()


def test_staff_programmes_and_budgets_page(busy, officer, login_client, django_assert_max_num_queries):
    client = login_client(officer)
    client.get("/ledger/staff/")
    with django_assert_max_num_queries(STAFF):
        r = client.get("/ledger/staff/")
    assert r.status_code == 200 and "xuhui.events" in r.content.decode()


def test_staff_export(busy, officer, login_client, django_assert_max_num_queries):
    client = login_client(officer)
    with django_assert_max_num_queries(EXPORT):
        r = client.get("/ledger/staff/export.xlsx")
    assert r.status_code == 200

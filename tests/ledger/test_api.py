"""The ledger API: idempotent grants, claims and decisions; bilingual errors; no reading another's wallet."""

from __future__ import annotations

import pytest

from shouzhan.core.models import AuditEntry
from shouzhan.ledger.models import Claim, Entry, IdempotencyKey, Journal
from tests.ledger.conftest import YEAR

pytestmark = pytest.mark.django_db


def _post(client, url, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, body, content_type="application/json", **headers)


def test_grant_retried_with_the_same_key_writes_once(programme, officer, login_client, make_enterprise):
    enterprise, _ = make_enterprise()
    client = login_client(officer)
    body = {"programme_id": programme.pk, "enterprise_id": enterprise.pk, "amount_yuan": "250000.50"}
    first = _post(client, "/api/v1/ledger/grants", body, key="grant-1")
    assert first.status_code == 201, first.content
    entries, audits = Entry.objects.count(), AuditEntry.objects.count()
    again = _post(client, "/api/v1/ledger/grants", body, key="grant-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert first.json()["wallet_balance_yuan"] == "250000.50"
    assert (Entry.objects.count(), AuditEntry.objects.count()) == (entries, audits)
    assert Journal.objects.filter(kind="grant").count() == 1
    other = _post(client, "/api/v1/ledger/grants", {**body, "amount_yuan": "1"}, key="grant-1")
    assert other.status_code == 422 and "幂等键已用于另一个不同的请求" in other.json()["error"]
    assert (
        _post(client, "/api/v1/ledger/grants", body, key="grant-2").json()["wallet_balance_yuan"]
        == "500001.00"
    )


def test_bad_amounts_and_limits_are_422_in_two_languages(programme, officer, login_client, make_enterprise):
    enterprise, _ = make_enterprise()
    client = login_client(officer)
    r = _post(
        client,
        "/api/v1/ledger/grants",
        {"programme_id": programme.pk, "enterprise_id": enterprise.pk, "amount_yuan": "1.234"},
    )
    assert r.status_code == 422 and r.json()["error"].startswith("invalid amount / 金额有误")
    r = _post(
        client,
        "/api/v1/ledger/grants",
        {"programme_id": programme.pk, "enterprise_id": enterprise.pk, "amount_yuan": "1000000.01"},
    )
    assert r.status_code == 422
    assert r.json()["detail"][0].startswith("超过每年每项上限")
    assert IdempotencyKey.objects.count() == 0


def test_claim_flow_through_the_api_with_retries(
    programme, officer, caseworker, provider, login_client, make_enterprise
):
    enterprise, owner = make_enterprise()
    _post(
        login_client(officer),
        "/api/v1/ledger/grants",
        {"programme_id": programme.pk, "enterprise_id": enterprise.pk, "amount_yuan": "1000"},
    )
    body = {
        "programme_id": programme.pk,
        "enterprise_id": enterprise.pk,
        "provider_id": provider[0].pk,
        "amount_yuan": "400",
        "invoice_no": "24312000000000000001",
        "service_from": f"{YEAR}-02-01",
        "service_to": f"{YEAR}-02-28",
    }
    pc = login_client(provider[1])
    r1 = _post(pc, "/api/v1/ledger/claims", body, key="c1")
    r2 = _post(pc, "/api/v1/ledger/claims", body, key="c1")
    assert r1.status_code == 201 and r2.json() == r1.json()
    assert Claim.objects.count() == 1
    cid = r1.json()["id"]
    dup = _post(pc, "/api/v1/ledger/claims", body, key="c2")
    assert dup.status_code == 422 and dup.json()["detail"]["invoice_no"] == [
        "发票号码 24312000000000000001 已经申请过核销。"
    ]
    ec = login_client(owner)
    assert (
        _post(ec, f"/api/v1/ledger/claims/{cid}/confirm", {"expected_version": 1}).json()["state"]
        == "confirmed"
    )
    cc = login_client(caseworker)
    a1 = _post(cc, f"/api/v1/ledger/claims/{cid}/approve", {"expected_version": 2}, key="a1")
    a2 = _post(cc, f"/api/v1/ledger/claims/{cid}/approve", {"expected_version": 2}, key="a1")
    assert a1.status_code == 200 and a2.json() == a1.json() and a1.json()["state"] == "approved"
    assert Journal.objects.filter(kind="approve").count() == 1
    stale = _post(cc, f"/api/v1/ledger/claims/{cid}/reject", {"expected_version": 2, "note": "x"})
    assert stale.status_code == 409
    wallets = ec.get(f"/api/v1/ledger/enterprises/{enterprise.pk}/wallets").json()
    assert wallets == [
        {
            "programme_id": programme.pk,
            "item": "compute",
            "year": YEAR,
            "balance_yuan": "600.00",
            "granted_yuan": "1000.00",
            "held_yuan": "0.00",
            "spent_yuan": "400.00",
            "cap_yuan": "1000000.00",
        }
    ]


def test_other_enterprises_get_404(programme, officer, provider, login_client, make_enterprise):
    enterprise, _ = make_enterprise()
    _other, stranger = make_enterprise()
    client = login_client(stranger)
    assert client.get(f"/api/v1/ledger/enterprises/{enterprise.pk}/wallets").status_code == 404
    r = _post(
        client,
        "/api/v1/ledger/grants",
        {"programme_id": programme.pk, "enterprise_id": enterprise.pk, "amount_yuan": "1"},
    )
    assert r.status_code == 404
    r = _post(client, "/api/v1/ledger/claims/999/approve", {"expected_version": 1})
    assert r.status_code == 404
    r = _post(client, "/api/v1/ledger/claims/1/frobnicate", {"expected_version": 1})
    assert r.status_code == 404

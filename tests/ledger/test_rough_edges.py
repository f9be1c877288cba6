"""Issue #13 item 9, claims: a provider's refused claim says only that the amount exceeds what is
available — never the enterprise's voucher balance — on the page, in the API and in notifications."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from shouzhan.accounts.models import Membership
from shouzhan.core.models import Notification
from shouzhan.ledger import services
from shouzhan.ledger.models import Claim
from tests.ledger.conftest import YEAR, submit_claim

pytestmark = pytest.mark.django_db

BALANCE = "1,500.00"  # the enterprise's voucher balance: never in what the provider reads
REFUSED = "券余额不足：本次申请 2,000.00 元，超过该企业可用的券额度，未能提交。"


@pytest.fixture
def granted(programme: Any, officer: Any, make_enterprise: Any) -> tuple[Any, Any]:
    enterprise, owner = make_enterprise(name="光合剧场")
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=150_000)
    return enterprise, owner


def test_the_provider_is_told_the_amount_exceeds_what_is_available(
    programme: Any, granted: Any, provider: Any
) -> None:
    with pytest.raises(ValidationError) as exc:
        submit_claim(programme, granted[0], provider, 200_000, "OVER-1")
    assert exc.value.messages == [REFUSED]
    assert BALANCE not in exc.value.messages[0]
    assert not Claim.objects.exists()


def test_the_enterprise_itself_still_sees_its_balance(programme: Any, granted: Any, provider: Any) -> None:
    """Someone both of the provider and of the enterprise may read the enterprise's own books."""
    enterprise, _owner = granted
    Membership.objects.create(user=provider[1], organisation=enterprise.organisation)
    with pytest.raises(ValidationError) as exc:
        submit_claim(programme, enterprise, provider, 200_000, "OVER-2")
    assert exc.value.messages == [
        f"券余额不足：光合剧场 · {YEAR} 算力券 可用 1,500.00 元，本次需要 2,000.00 元。"
    ]


def test_the_provider_page_does_not_show_the_balance(
    programme: Any, granted: Any, provider: Any, login_client: Any
) -> None:
    r = login_client(provider[1]).post(
        "/ledger/provider/",
        {
            "programme": programme.pk,
            "enterprise": granted[0].pk,
            "amount": "2000",
            "invoice_no": "OVER-3",
            "service_from": f"{YEAR}-03-01",
            "service_to": f"{YEAR}-03-02",
        },
    )
    body = r.content.decode()
    assert r.status_code == 422
    assert REFUSED in body
    assert BALANCE not in body and "1500.00" not in body


def test_the_api_does_not_give_the_balance(
    programme: Any, granted: Any, provider: Any, login_client: Any
) -> None:
    r = login_client(provider[1]).post(
        "/api/v1/ledger/claims",
        json.dumps(
            {
                "programme_id": programme.pk,
                "enterprise_id": granted[0].pk,
                "provider_id": provider[0].pk,
                "amount_yuan": "2000.00",
                "invoice_no": "OVER-4",
                "service_from": f"{YEAR}-03-01",
                "service_to": f"{YEAR}-03-02",
            }
        ),
        content_type="application/json",
    )
    assert (r.status_code, r.json()) == (422, {"error": "invalid input / 输入有误", "detail": [REFUSED]})


def test_no_notification_tells_the_provider_the_balance(programme: Any, granted: Any, provider: Any) -> None:
    with pytest.raises(ValidationError):
        submit_claim(programme, granted[0], provider, 200_000, "OVER-5")
    messages = list(Notification.objects.filter(user=provider[1]).values_list("message", flat=True))
    assert not any(BALANCE in m or "1500" in m for m in messages), messages


def test_within_the_balance_the_claim_goes_through(programme: Any, granted: Any, provider: Any) -> None:
    claim = submit_claim(programme, granted[0], provider, 150_000, "EXACT-1")
    assert claim.state == Claim.State.SUBMITTED

"""Ledger fixtures: the catalogue, staff, a provider with a member, and an open 2026 compute programme."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from shouzhan.accounts.models import Membership, Organisation, User
from shouzhan.core.roles import Role
from shouzhan.ledger import services
from shouzhan.ledger.models import Claim, Programme

# Ledger entries and journals are append-only by trigger; tests/conftest.py lifts every trigger
# around Django's test flush.

YEAR = 2026
CAP = 100_000_000  # 1,000,000 yuan in fen: asserted against the catalogue, not used to configure anything


@pytest.fixture
def catalogue(db: Any) -> None:
    from shouzhan.policies.services import catalogue_sync

    catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user(role=Role.POLICY_OFFICER, name="王政")


@pytest.fixture
def caseworker(make_user: Callable[..., User]) -> User:
    return make_user(role=Role.CASEWORKER, name="张洁")


@pytest.fixture
def make_provider(make_user: Callable[..., User]) -> Callable[..., tuple[Organisation, User]]:
    def make(name: str = "徐汇算力服务有限公司") -> tuple[Organisation, User]:
        org = Organisation.objects.create(name=name, kind=Organisation.Kind.PROVIDER)
        user = make_user(name=f"{name}专员")
        Membership.objects.create(user=user, organisation=org, is_owner=True)
        return org, user

    return make


@pytest.fixture
def provider(make_provider: Callable[..., tuple[Organisation, User]]) -> tuple[Organisation, User]:
    return make_provider()


@pytest.fixture
def programme(catalogue: None, officer: User, provider: tuple[Organisation, User]) -> Programme:
    return services.programme_open(
        actor=officer,
        item="compute",
        year=YEAR,
        valid_from=dt.date(YEAR, 1, 1),
        valid_until=dt.date(YEAR, 12, 31),
        budget_fen=500_000_000,  # 5,000,000 yuan
        providers=[provider[0]],
    )


def submit_claim(
    programme: Programme,
    enterprise: Any,
    provider: tuple[Organisation, User],
    amount_fen: int,
    invoice_no: str = "INV-1",
    **fields: Any,
) -> Claim:
    """A provider's claim, for a March service period unless `fields` say otherwise."""
    fields.setdefault("service_from", dt.date(YEAR, 3, 1))
    fields.setdefault("service_to", dt.date(YEAR, 3, 31))
    return services.claim_submit(
        actor=provider[1],
        programme=programme,
        enterprise=enterprise,
        provider=provider[0],
        amount_fen=amount_fen,
        invoice_no=invoice_no,
        **fields,
    )


def approve_claim(
    programme: Programme,
    enterprise: Any,
    owner: User,
    provider: tuple[Organisation, User],
    caseworker: User,
    amount_fen: int,
    invoice_no: str,
) -> Claim:
    """Submitted by the provider, confirmed by the enterprise's owner, approved by the caseworker."""
    claim = submit_claim(programme, enterprise, provider, amount_fen, invoice_no)
    claim = services.claim_confirm(actor=owner, claim=claim)
    return services.claim_approve(actor=caseworker, claim=claim)

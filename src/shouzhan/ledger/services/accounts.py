"""The ledger's accounts, found or opened by key, and the amount check every write shares."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shouzhan.accounts.models import Organisation
from shouzhan.ledger import books
from shouzhan.ledger.models import Account, Programme
from shouzhan.registry.models import Enterprise

MAX_AMOUNT_FEN = 10**14


def positive_fen(amount_fen: int) -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise ValidationError(_("金额必须是整数分。"))
    if amount_fen <= 0:
        raise ValidationError(_("金额必须大于零。"))
    if amount_fen > MAX_AMOUNT_FEN:
        raise ValidationError(_("金额过大。"))
    return amount_fen


def funding_account() -> Account:
    """Where the district's money comes from: the one account that may go negative."""
    return books.account_get_or_create(
        key="funding", kind=Account.Kind.FUNDING, name=str(_("区财政资金")), allow_negative=True
    )


def paid_out_account() -> Account:
    return books.account_get_or_create(key="paid_out", kind=Account.Kind.PAID_OUT, name=str(_("已拨付")))


def wallet_account(*, programme: Programme, enterprise: Enterprise) -> Account:
    """The enterprise's vouchers of the programme: capped at the programme's yearly cap per item."""
    return _enterprise_account(
        "wallet", Account.Kind.WALLET, programme, enterprise, "", cap_fen=programme.cap_fen
    )


def hold_account(*, programme: Programme, enterprise: Enterprise) -> Account:
    """Where a claim's amount waits, out of the wallet, until the claim is decided."""
    return _enterprise_account("hold", Account.Kind.HOLD, programme, enterprise, f" · {_('核销冻结')}")


def _enterprise_account(
    prefix: str, kind: str, programme: Programme, enterprise: Enterprise, suffix: str, **fields: Any
) -> Account:
    return books.account_get_or_create(
        key=f"{prefix}:{programme.pk}:{enterprise.pk}",
        kind=kind,
        name=f"{enterprise.name} · {programme.name}{suffix}",
        year=programme.year,
        enterprise=enterprise,
        programme=programme,
        **fields,
    )


def receivable_account(*, provider: Organisation) -> Account:
    return books.account_get_or_create(
        key=f"receivable:{provider.pk}",
        kind=Account.Kind.RECEIVABLE,
        name=f"{provider.name} · {_('应收')}",
        provider=provider,
    )

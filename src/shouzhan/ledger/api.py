"""The ledger's API: programmes, wallets, grants, claims and decisions. Money is yuan as text, never a float.

Grant, claim and decision endpoints accept an `Idempotency-Key` header: a retry gets the first
answer and writes nothing twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from shouzhan.accounts.models import Organisation
from shouzhan.core.errors import ErrorOut
from shouzhan.core.limits import Key, MoneyText
from shouzhan.core.money import MoneyError, parse_yuan_fen, yuan_decimal
from shouzhan.core.workdays import IsoDate
from shouzhan.ledger import permissions, selectors, services
from shouzhan.ledger.idempotency import run_once
from shouzhan.ledger.models import Claim, Programme
from shouzhan.registry.models import Enterprise
from shouzhan.registry.permissions import require_enterprise_read

router = Router(tags=["ledger"])


class ProgrammeOut(Schema):
    id: int
    item: str
    year: int
    name: str
    clause_id: str
    cap_yuan: str
    valid_from: dt.date
    valid_until: dt.date
    budget_left_yuan: str
    expired: bool


class WalletOut(Schema):
    programme_id: int
    item: str
    year: int
    balance_yuan: str
    granted_yuan: str
    held_yuan: str
    spent_yuan: str
    cap_yuan: str


class GrantIn(Schema):
    programme_id: int
    enterprise_id: int
    amount_yuan: MoneyText = Field(description='Yuan as text, e.g. "100000.00"')
    note: str = Field("", max_length=255)


class GrantOut(Schema):
    journal_id: int
    programme_id: int
    enterprise_id: int
    amount_yuan: str
    wallet_balance_yuan: str


class ClaimIn(Schema):
    programme_id: int
    enterprise_id: int
    provider_id: int
    amount_yuan: MoneyText
    invoice_no: str = Field(max_length=40)
    service_from: IsoDate
    service_to: IsoDate
    description: str = Field("", max_length=255)


class DecisionIn(Schema):
    expected_version: int
    note: str = Field("", max_length=255)


class ClaimOut(Schema):
    id: int
    programme_id: int
    enterprise_id: int
    provider_id: int
    amount_yuan: str
    invoice_no: str
    service_from: dt.date
    service_to: dt.date
    state: str
    state_label: str
    version: int
    note: str


def _yuan(fen: int) -> str:
    return str(yuan_decimal(fen))


def _fen(text: str) -> int:
    try:
        return parse_yuan_fen(text)
    except MoneyError as exc:
        raise HttpError(422, f"invalid amount / 金额有误：{exc}") from exc


def _programme_and_enterprise(programme_id: int, enterprise_id: int) -> tuple[Programme, Enterprise]:
    return selectors.programme_get(pk=programme_id), get_object_or_404(Enterprise, pk=enterprise_id)


def claim_out(c: Claim) -> dict[str, Any]:
    return {
        "id": c.pk,
        "programme_id": c.programme_id,
        "enterprise_id": c.enterprise_id,
        "provider_id": c.provider_id,
        "amount_yuan": _yuan(c.amount_fen),
        "invoice_no": c.invoice_no,
        "service_from": c.service_from.isoformat(),
        "service_to": c.service_to.isoformat(),
        "state": c.state,
        "state_label": str(c.get_state_display()),
        "version": c.version,
        "note": c.note,
    }


@router.get("/ledger/programmes", response=list[ProgrammeOut], summary="Voucher programmes")
def programmes(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": u.programme.pk,
            "item": u.programme.item,
            "year": u.programme.year,
            "name": u.programme.name,
            "clause_id": u.programme.clause_id,
            "cap_yuan": _yuan(u.programme.cap_fen),
            "valid_from": u.programme.valid_from,
            "valid_until": u.programme.valid_until,
            "budget_left_yuan": _yuan(u.budget_left_fen),
            "expired": u.programme.expired_at is not None,
        }
        for u in selectors.programme_usage()
    ]


@router.get(
    "/ledger/enterprises/{enterprise_id}/wallets",
    response=list[WalletOut],
    summary="An enterprise's vouchers",
)
def wallets(request: HttpRequest, enterprise_id: int) -> list[dict[str, Any]]:
    return [
        {
            "programme_id": w.programme.pk,
            "item": w.programme.item,
            "year": w.programme.year,
            "balance_yuan": _yuan(w.balance_fen),
            "granted_yuan": _yuan(w.granted_fen),
            "held_yuan": _yuan(w.held_fen),
            "spent_yuan": _yuan(w.spent_fen),
            "cap_yuan": _yuan(w.cap_fen),
        }
        for w in selectors.wallets_for(actor=request.user, enterprise_id=enterprise_id)
    ]


@router.post("/ledger/grants", response={201: GrantOut}, summary="Grant vouchers (Idempotency-Key supported)")
def grant(request: HttpRequest, payload: GrantIn) -> Status:
    def work() -> tuple[int, Any]:
        # Another enterprise is not known (404); one the user may see but not grant to is refused (403).
        require_enterprise_read(request.user, payload.enterprise_id)
        programme, enterprise = _programme_and_enterprise(payload.programme_id, payload.enterprise_id)
        journal = services.voucher_grant(
            actor=request.user,
            programme=programme,
            enterprise=enterprise,
            amount_fen=_fen(payload.amount_yuan),
            note=payload.note,
        )
        wallet = services.wallet_account(programme=programme, enterprise=enterprise)
        return 201, {
            "journal_id": journal.pk,
            "programme_id": programme.pk,
            "enterprise_id": enterprise.pk,
            "amount_yuan": _yuan(_fen(payload.amount_yuan)),
            "wallet_balance_yuan": _yuan(wallet.balance_fen),
        }

    return Status(*run_once(request, payload.dict(), work))


@router.post(
    "/ledger/claims", response={201: ClaimOut}, summary="A provider's claim (Idempotency-Key supported)"
)
def claim_create(request: HttpRequest, payload: ClaimIn) -> Status:
    def work() -> tuple[int, Any]:
        provider = get_object_or_404(Organisation, pk=payload.provider_id, kind=Organisation.Kind.PROVIDER)
        permissions.require_provider_known(request.user, provider)
        programme, enterprise = _programme_and_enterprise(payload.programme_id, payload.enterprise_id)
        claim = services.claim_submit(
            actor=request.user,
            programme=programme,
            enterprise=enterprise,
            provider=provider,
            amount_fen=_fen(payload.amount_yuan),
            invoice_no=payload.invoice_no,
            service_from=payload.service_from,
            service_to=payload.service_to,
            description=payload.description,
        )
        return 201, claim_out(claim)

    return Status(*run_once(request, payload.dict(), work))


@router.get("/ledger/claims/{claim_id}", response=ClaimOut, summary="One claim")
def claim_detail(request: HttpRequest, claim_id: int) -> dict[str, Any]:
    return claim_out(selectors.claim_get(actor=request.user, pk=claim_id))


_DECISIONS = {
    "confirm": services.claim_confirm,
    "decline": services.claim_decline,
    "approve": services.claim_approve,
    "reject": services.claim_reject,
}


@router.post(
    "/ledger/claims/{claim_id}/{action}",
    response={200: ClaimOut, 409: ErrorOut},
    summary="confirm / decline (enterprise), approve / reject (caseworker); Idempotency-Key supported",
)
def claim_decide(request: HttpRequest, claim_id: int, action: Key, payload: DecisionIn) -> Status:
    if action not in _DECISIONS:
        raise HttpError(404, "unknown action / 未知操作")

    def work() -> tuple[int, Any]:
        claim = selectors.claim_get(actor=request.user, pk=claim_id)
        decided = _DECISIONS[action](
            actor=request.user, claim=claim, expected_version=payload.expected_version, note=payload.note
        )
        return 200, claim_out(decided)

    return Status(*run_once(request, {"action": action, **payload.dict()}, work))

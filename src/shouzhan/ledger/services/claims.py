"""Claims: a provider asks to be paid from an enterprise's vouchers (the amount is held at once), the
enterprise confirms or declines, the caseworker approves or rejects, and a wrong approval is reversed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.accounts.models import Organisation
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.core.errors import Conflict
from shouzhan.core.money import format_yuan
from shouzhan.ledger import books, permissions
from shouzhan.ledger.books import Line
from shouzhan.ledger.models import Account, Claim, Journal, Payment, Programme
from shouzhan.ledger.services.accounts import hold_account, positive_fen, receivable_account, wallet_account
from shouzhan.registry.models import Enterprise

# A refused or reversed claim frees its invoice number.
_REFUSED = (Claim.State.DECLINED, Claim.State.REJECTED, Claim.State.REVERSED)
# The audit action of each move (one declared code per decision).
_MOVE_ACTIONS: dict[str, str] = {
    Claim.State.CONFIRMED: "ledger.claim_confirm",
    Claim.State.DECLINED: "ledger.claim_decline",
    Claim.State.APPROVED: "ledger.claim_approve",
    Claim.State.REJECTED: "ledger.claim_reject",
}


# ----------------------------------------------------------------------------- submit
def claim_submit(
    *,
    actor: Actor,
    programme: Programme,
    enterprise: Enterprise,
    provider: Organisation,
    amount_fen: int,
    invoice_no: str,
    service_from: dt.date,
    service_to: dt.date,
    description: str = "",
) -> Claim:
    """A provider asks to be paid from the enterprise's voucher; the amount is held at once.

    The wallet's balance and the invoice's uniqueness are enforced by the database (CHECK constraint,
    partial unique index); a refusal comes back with the same clear message as before.
    """
    works_for, contracted = permissions.provider_standing(actor=actor, programme=programme, provider=provider)
    permissions.require_claim_submit(actor, works_for_provider=works_for)
    positive_fen(amount_fen)
    invoice_no = _invoice_clean(invoice_no)
    _claim_terms_check(
        programme=programme,
        provider=provider,
        contracted=contracted,
        service_from=service_from,
        service_to=service_to,
    )
    wallet_id, hold_id = _claim_account_ids(programme=programme, enterprise=enterprise)
    claim = Claim(
        programme=programme,
        enterprise=enterprise,
        provider=provider,
        amount_fen=amount_fen,
        invoice_no=invoice_no,
        service_from=service_from,
        service_to=service_to,
        description=description[:255],
        submitted_by=actor_user(actor),
    )
    try:
        return _claim_hold(actor=actor, claim=claim, wallet_id=wallet_id, hold_id=hold_id)
    except ValidationError as exc:
        raise _refusal_for(
            actor, exc, enterprise=enterprise, wallet_id=wallet_id, amount_fen=amount_fen
        ) from None
    except IntegrityError as exc:  # the invoice number is taken (possibly by a concurrent claim)
        if Claim.objects.filter(invoice_no=invoice_no).exclude(state__in=_REFUSED).exists():
            raise ValidationError(
                {"invoice_no": _("发票号码 %(no)s 已经申请过核销。") % {"no": invoice_no}}
            ) from exc
        raise


def _refusal_for(
    actor: Actor, exc: ValidationError, *, enterprise: Enterprise, wallet_id: int, amount_fen: int
) -> ValidationError:
    """The books' refusal as the submitter may read it. The voucher balance is the enterprise's own
    business: a provider is told only that the amount exceeds what is available, never the balance
    (the enterprise and the centre's staff still see the books' full message)."""
    if getattr(exc, "code", None) != "ledger_limit" or permissions.is_staff(actor):
        return exc
    if enterprise.pk in permissions.enterprise_ids(actor):
        return exc
    balance, _capped = books.totals([wallet_id]).get(wallet_id, (0, 0))
    if balance >= amount_fen:  # not the wallet: the state moved meanwhile (that message names no balance)
        return exc
    return ValidationError(
        _("券余额不足：本次申请 %(wanted)s，超过该企业可用的券额度，未能提交。")
        % {"wanted": format_yuan(amount_fen)},
        code="ledger_limit",
    )


def _invoice_clean(invoice_no: str) -> str:
    invoice_no = (invoice_no or "").strip().upper()
    if not invoice_no or len(invoice_no) > 40:
        raise ValidationError({"invoice_no": _("请填写发票号码（不超过40个字符）。")})
    return invoice_no


def _claim_terms_check(
    *,
    programme: Programme,
    provider: Organisation,
    contracted: bool,
    service_from: dt.date,
    service_to: dt.date,
) -> None:
    """The service period lies in the vouchers' validity, which has not ended, and the provider is contracted."""
    if service_to < service_from:
        raise ValidationError({"service_to": _("服务期结束日期不能早于开始日期。")})
    if service_from < programme.valid_from or service_to > programme.valid_until:
        raise ValidationError(
            {
                "service_from": _("服务期须在券的有效期内（%(start)s 至 %(end)s）。")
                % {"start": programme.valid_from.isoformat(), "end": programme.valid_until.isoformat()}
            }
        )
    if programme.expired_at is not None:
        raise ValidationError(_("%(name)s 已到期。") % {"name": programme.name})
    if not contracted:
        raise ValidationError(
            _("%(provider)s 不是 %(name)s 的签约服务商。")
            % {"provider": provider.name, "name": programme.name}
        )


def _claim_account_ids(*, programme: Programme, enterprise: Enterprise) -> tuple[int, int]:
    """The ids of the enterprise's wallet and hold accounts for the programme (one read; opened if missing)."""
    ids = dict(
        Account.objects.filter(
            programme=programme, enterprise=enterprise, kind__in=(Account.Kind.WALLET, Account.Kind.HOLD)
        ).values_list("kind", "pk")
    )
    wallet_id = ids.get(Account.Kind.WALLET) or wallet_account(programme=programme, enterprise=enterprise).pk
    hold_id = ids.get(Account.Kind.HOLD) or hold_account(programme=programme, enterprise=enterprise).pk
    return wallet_id, hold_id


@books.atomic()  # a refusal by the books' limits comes out as a ValidationError with the reason
def _claim_hold(*, actor: Actor, claim: Claim, wallet_id: int, hold_id: int) -> Claim:
    """Save the claim, audit it, and hold its amount: wallet → hold."""
    claim.save(force_insert=True)
    audit_record(
        actor=actor,
        action="ledger.claim_submit",
        target=claim,
        after={"amount_fen": claim.amount_fen, "invoice_no": claim.invoice_no, "state": claim.state},
        enterprise_id=claim.enterprise_id,
    )
    # Last, so the wallet stays locked only until the commit.
    _claim_post(actor=actor, claim=claim, kind=Journal.Kind.HOLD, source=wallet_id, target=hold_id)
    return claim


def _claim_post(
    *, actor: Actor, claim: Claim, kind: str, source: int, target: int, memo: str = ""
) -> Journal:
    """Move the claim's amount from one account to another: a journal linked to the claim."""
    return books.post(
        kind=kind,
        lines=[Line(source, -claim.amount_fen), Line(target, claim.amount_fen)],
        actor=actor,
        memo=memo or claim.invoice_no,
        programme_id=claim.programme_id,
        enterprise_id=claim.enterprise_id,
        claim=claim,
    )


# ----------------------------------------------------------------------------- decisions
_CLAIM_LOCK_SQL = """
SELECT c.*,
  (SELECT a.id FROM ledger_account a WHERE a.kind = %s AND a.programme_id = c.programme_id
     AND a.enterprise_id = c.enterprise_id LIMIT 1) AS hold_id,
  (SELECT a.id FROM ledger_account a WHERE a.kind = %s AND a.programme_id = c.programme_id
     AND a.enterprise_id = c.enterprise_id LIMIT 1) AS wallet_id,
  (SELECT a.id FROM ledger_account a WHERE a.kind = %s AND a.provider_id = c.provider_id LIMIT 1) AS receivable_id
FROM ledger_claim c WHERE c.id = %s"""


def _claim_locked(claim: Claim, expected_version: int | None) -> Claim:
    """Lock the claim row and fetch, in the same statement, the ids of the accounts it moves.

    Written as SQL on purpose: it is the approval's hot path, and building the same statement
    through the ORM (three correlated subqueries) cost several milliseconds of CPU per approval.
    Only the claim row is locked (the subqueries read); the accounts are locked by the posting.
    """
    sql = _CLAIM_LOCK_SQL + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    kinds = (Account.Kind.HOLD.value, Account.Kind.WALLET.value, Account.Kind.RECEIVABLE.value)
    rows = list(Claim.objects.raw(sql, [*kinds, claim.pk]))
    if not rows:
        raise Claim.DoesNotExist
    locked = rows[0]
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("该申请已被他人处理，请刷新后再试。"),
            detail={"current_version": locked.version},
            api_error="the claim was changed by someone else; reload and retry",
        )
    return locked


@books.atomic()  # a refusal by the books' limits comes out as a ValidationError with the reason
def _claim_move(
    *,
    actor: Actor,
    claim: Claim,
    to: str,
    expected_version: int | None,
    note: str,
    allowed_from: tuple[str, ...],
) -> Claim:
    """Move a claim: one locking read, the journal and its entries, the claim's update, the audit entry."""
    locked = _claim_locked(claim, expected_version)
    if locked.state not in allowed_from:
        raise ValidationError(
            _("该申请当前状态为“%(state)s”，不能执行此操作。") % {"state": locked.get_state_display()}
        )
    before = locked.state
    hold_id: int = locked.hold_id  # type: ignore[attr-defined]
    locked.state = to
    locked.version += 1
    locked.note = note[:255] if note else locked.note
    if to != Claim.State.CONFIRMED:
        locked.decided_at = timezone.now()
    locked.save(update_fields=["state", "version", "note", "decided_at"])
    audit_record(
        actor=actor,
        action=_MOVE_ACTIONS[to],
        target=locked,
        before={"state": before},
        after={"state": to, "amount_fen": locked.amount_fen},
        note=note,
        enterprise_id=locked.enterprise_id,
    )
    # The posting goes last: its trigger locks the shared accounts (a provider's receivable is
    # touched by every approval for that provider), so they stay locked only until the commit.
    if to == Claim.State.APPROVED:
        receivable_id = (
            locked.receivable_id  # type: ignore[attr-defined]
            or receivable_account(provider=locked.provider).pk
        )
        _claim_post(
            actor=actor, claim=locked, kind=Journal.Kind.APPROVE, source=hold_id, target=receivable_id
        )
    elif to in _REFUSED:
        _claim_release_hold(actor=actor, claim=locked, hold_id=hold_id, memo=note or locked.invoice_no)
    return locked


def _claim_release_hold(*, actor: Actor, claim: Claim, hold_id: int, memo: str) -> Journal:
    """The held amount goes back to the wallet — or to the budget if the vouchers have expired since."""
    programme = claim.programme
    back = (
        programme.budget_account_id
        if programme.expired_at is not None
        else (claim.wallet_id or wallet_account(programme=programme, enterprise=claim.enterprise).pk)  # type: ignore[attr-defined]
    )
    return _claim_post(
        actor=actor, claim=claim, kind=Journal.Kind.RELEASE_HOLD, source=hold_id, target=back, memo=memo
    )


@dataclass(frozen=True)
class _Decision:
    """One answer to a claim: where it moves from and to, who gives it, and whether it must say why."""

    to: str
    allowed_from: tuple[str, ...]
    by_enterprise: bool  # the claimed enterprise itself; otherwise the caseworker
    why_needed: Any = ""  # the refusal's message when no note says why


_CONFIRM = _Decision(Claim.State.CONFIRMED, (Claim.State.SUBMITTED,), by_enterprise=True)
_DECLINE = _Decision(Claim.State.DECLINED, (Claim.State.SUBMITTED,), True, _l("请说明不认可的原因。"))
_APPROVE = _Decision(Claim.State.APPROVED, (Claim.State.CONFIRMED,), by_enterprise=False)
_REJECT = _Decision(
    Claim.State.REJECTED, (Claim.State.SUBMITTED, Claim.State.CONFIRMED), False, _l("请说明不通过的原因。")
)


def _decide(
    decision: _Decision, *, actor: Actor, claim: Claim, expected_version: int | None, note: str
) -> Claim:
    if decision.by_enterprise:
        permissions.require_enterprise_itself(actor, claim)
    else:
        permissions.require_approve(actor)
    if decision.why_needed and not note.strip():
        raise ValidationError({"note": str(decision.why_needed)})
    return _claim_move(
        actor=actor,
        claim=claim,
        to=decision.to,
        expected_version=expected_version,
        note=note,
        allowed_from=decision.allowed_from,
    )


def claim_confirm(
    *, actor: Actor, claim: Claim, expected_version: int | None = None, note: str = ""
) -> Claim:
    """The enterprise says the service was delivered as invoiced."""
    return _decide(_CONFIRM, actor=actor, claim=claim, expected_version=expected_version, note=note)


def claim_decline(
    *, actor: Actor, claim: Claim, expected_version: int | None = None, note: str = ""
) -> Claim:
    """The enterprise says it was not: the held amount goes back to its wallet."""
    return _decide(_DECLINE, actor=actor, claim=claim, expected_version=expected_version, note=note)


def claim_approve(
    *, actor: Actor, claim: Claim, expected_version: int | None = None, note: str = ""
) -> Claim:
    """The caseworker approves a confirmed claim: the held amount becomes the provider's receivable.

    Five statements on the hot path: lock the claim (fetching its accounts' ids), insert the
    journal, insert its entries, update the claim, insert the audit entry.
    """
    return _decide(_APPROVE, actor=actor, claim=claim, expected_version=expected_version, note=note)


def claim_reject(*, actor: Actor, claim: Claim, expected_version: int | None = None, note: str = "") -> Claim:
    """The caseworker refuses the claim: the held amount goes back to the enterprise's wallet."""
    return _decide(_REJECT, actor=actor, claim=claim, expected_version=expected_version, note=note)


def claim_reverse(*, actor: Actor, claim: Claim, reason: str, expected_version: int | None = None) -> Claim:
    """Correct a wrongly approved claim: a reversing journal takes the amount back from the provider's
    receivable, and the held amount returns to the enterprise's wallet (or to the budget once the
    vouchers have expired). Refused once the claim is in a disbursement batch (pending or paid).
    The invoice number is freed so a corrected claim can be submitted."""
    permissions.require_approve(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("冲正必须说明原因。")})
    with books.atomic():
        locked = _claim_locked(claim, expected_version)
        if locked.state != Claim.State.APPROVED:
            raise ValidationError(
                _("只有已核销的申请可以冲正；该申请当前状态为“%(state)s”。")
                % {"state": locked.get_state_display()}
            )
        if Payment.objects.filter(claim=locked).exclude(status=Payment.Status.FAILED).exists():
            raise ValidationError(_("该笔核销款已进入拨付批次，不能冲正；请先在拨付批次中标记支付失败。"))
        approval = Journal.objects.get(claim=locked, kind=Journal.Kind.APPROVE, reversed_by__isnull=True)
        reversal = books.reverse(journal=approval, actor=actor, reason=reason)
        hold_id: int = locked.hold_id  # type: ignore[attr-defined]
        release = _claim_release_hold(actor=actor, claim=locked, hold_id=hold_id, memo=reason)
        locked.state = Claim.State.REVERSED
        locked.version += 1
        locked.note = reason[:255]
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "version", "note", "decided_at"])
        audit_record(
            actor=actor,
            action="ledger.claim_reverse",
            target=locked,
            before={"state": Claim.State.APPROVED},
            after={
                "state": Claim.State.REVERSED,
                "amount_fen": locked.amount_fen,
                "reversal": reversal.pk,
                "release": release.pk,
            },
            note=reason,
            enterprise_id=locked.enterprise_id,
        )
        return locked

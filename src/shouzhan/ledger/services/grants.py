"""Grants: vouchers into an enterprise's wallet, one by one or as a batch (typed rows or an uploaded sheet,
all or nothing), and the correction of a grant or a funding by a reversing journal."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.core.money import format_yuan
from shouzhan.ledger import books, permissions
from shouzhan.ledger.batch_sheet import SheetRow
from shouzhan.ledger.books import Line
from shouzhan.ledger.models import Account, IdempotencyKey, Journal, Programme
from shouzhan.ledger.services.accounts import positive_fen, wallet_account
from shouzhan.registry.models import Enterprise


def voucher_grant(
    *,
    actor: Actor,
    programme: Programme,
    enterprise: Enterprise,
    amount_fen: int,
    case_id: int | None = None,
    note: str = "",
) -> Journal:
    """Put vouchers in an enterprise's wallet: within the yearly cap and the programme's budget.

    A policy officer grants directly; an approved application case (`case_id`) carries the
    approving caseworker's authority.
    """
    permissions.require_grant(actor, by_case=case_id is not None)
    positive_fen(amount_fen)
    if programme.expired_at is not None:
        raise ValidationError(_("%(name)s 已到期，不能再发券。") % {"name": programme.name})
    wallet = wallet_account(programme=programme, enterprise=enterprise)
    try:
        with books.atomic():
            journal = books.post(
                kind=Journal.Kind.GRANT,
                lines=[
                    Line(programme.budget_account_id, -amount_fen),
                    Line(wallet, amount_fen, counts_to_cap=True),
                ],
                actor=actor,
                memo=note or _("发券"),
                programme=programme,
                enterprise=enterprise,
                case_id=case_id,
            )
            books.balances(wallet)
            audit_record(
                actor=actor,
                action="ledger.voucher_grant",
                target=wallet,
                after={"amount_fen": amount_fen, "balance_fen": wallet.balance_fen, "journal": journal.pk},
                note=note,
                enterprise_id=enterprise.pk,
            )
            return journal
    except IntegrityError as exc:  # the one-grant-per-case constraint
        if case_id is not None and Journal.objects.filter(kind=Journal.Kind.GRANT, case_id=case_id).exists():
            raise ValidationError(_("该申请已经发过券。")) from exc
        raise


@dataclass
class BatchRow:
    enterprise: Enterprise
    amount_fen: int
    granted_fen: int
    ok: bool
    message: str


def _batch_check(*, programme: Programme, rows: list[tuple[Enterprise, int]]) -> list[tuple[int, bool, str]]:
    """(granted this year so far, ok, reason) for each row, in order: duplicates, cap, budget."""
    budget_left = Account.objects.get(pk=programme.budget_account_id).balance_fen
    granted = dict(
        Account.objects.filter(kind=Account.Kind.WALLET, programme=programme).values_list(
            "enterprise_id", "capped_fen"
        )
    )
    if programme.expired_at is not None:
        return [
            (granted.get(e.pk, 0), False, _("%(name)s 已到期，不能再发券。") % {"name": programme.name})
            for e, _a in rows
        ]
    seen: set[int] = set()
    out = []
    for enterprise, amount in rows:
        used = granted.get(enterprise.pk, 0)
        message, ok = "", True
        if enterprise.pk in seen:
            ok, message = False, _("同一企业在批次中重复出现。")
        elif amount <= 0:
            ok, message = False, _("金额必须大于零。")
        elif used + amount > programme.cap_fen:
            ok, message = (
                False,
                _("超过每年每项上限：上限 %(cap)s，已发放 %(used)s。")
                % {"cap": format_yuan(programme.cap_fen), "used": format_yuan(used)},
            )
        elif amount > budget_left:
            ok, message = False, _("预算不足：剩余 %(left)s。") % {"left": format_yuan(budget_left)}
        if ok:
            budget_left -= amount
        seen.add(enterprise.pk)
        out.append((used, ok, message))
    return out


def voucher_batch_preview(
    *, actor: Actor, programme: Programme, rows: list[tuple[Enterprise, int]]
) -> list[BatchRow]:
    """What a batch grant would do, row by row, without writing anything."""
    permissions.require_grant(actor)
    checks = _batch_check(programme=programme, rows=rows)
    return [
        BatchRow(enterprise, amount, used, ok, message)
        for (enterprise, amount), (used, ok, message) in zip(rows, checks, strict=True)
    ]


def voucher_batch_grant(
    *, actor: Actor, programme: Programme, rows: list[tuple[Enterprise, int]], note: str = ""
) -> list[Journal]:
    """All or nothing: a batch with any refused row writes nothing."""
    preview = voucher_batch_preview(actor=actor, programme=programme, rows=rows)
    bad = [r for r in preview if not r.ok]
    if bad:
        raise ValidationError([f"{r.enterprise.name}：{r.message}" for r in bad])
    with transaction.atomic():
        return _grant_each(actor=actor, programme=programme, rows=[(e, a, note) for e, a in rows])


def _grant_each(
    *, actor: Actor, programme: Programme, rows: list[tuple[Enterprise, int, str]]
) -> list[Journal]:
    """One grant per checked row of a batch (the caller holds the transaction: all or nothing)."""
    return [
        voucher_grant(
            actor=actor, programme=programme, enterprise=e, amount_fen=a, note=note or _("批量发券")
        )
        for e, a, note in rows
    ]


@dataclass
class SheetReportRow:
    """One row of an uploaded batch, as the preview reports it."""

    row: int
    credit_code: str
    enterprise: Enterprise | None
    amount_fen: int | None
    note: str
    granted_fen: int
    ok: bool
    message: str


def voucher_batch_sheet_preview(
    *, actor: Actor, programme: Programme, rows: list[SheetRow]
) -> list[SheetReportRow]:
    """Row by row: what reading the sheet found wrong, then the ledger's checks on the readable rows."""
    permissions.require_grant(actor)
    readable = [r for r in rows if not r.error and r.enterprise is not None and r.amount_fen is not None]
    checks = dict(
        zip(
            (r.row for r in readable),
            _batch_check(
                programme=programme,
                rows=[(r.enterprise, r.amount_fen) for r in readable],  # type: ignore[misc]
            ),
            strict=True,
        )
    )
    report = []
    for r in rows:
        used, ok, message = checks.get(r.row, (0, False, r.error))
        report.append(
            SheetReportRow(
                row=r.row,
                credit_code=r.credit_code,
                enterprise=r.enterprise,
                amount_fen=r.amount_fen,
                note=r.note,
                granted_fen=used,
                ok=ok,
                message=message,
            )
        )
    return report


def _sheet_token_take(*, actor: Actor, programme: Programme, token: str, rows: int) -> None:
    """Take the confirmed preview's token: a second confirmation of the same preview is refused."""
    user = actor_user(actor)
    if not token or user is None:
        return
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                user=user,
                key=f"batch_sheet:{token}"[:200],
                endpoint="ledger.voucher_batch_sheet_grant",
                request_hash="",
                status=201,
                body={"programme": programme.pk, "rows": rows},
            )
    except IntegrityError as exc:
        raise ValidationError(_("这份名单已经确认发放过，不会重复发放。")) from exc


def voucher_batch_sheet_grant(
    *, actor: Actor, programme: Programme, rows: list[SheetRow], source: str = "", token: str = ""
) -> list[Journal]:
    """Grant every row of an uploaded batch, or nothing: the rows are checked again at the moment of
    granting (with the balances as they are now), and any refusal rolls the whole batch back.

    `token` names one confirmed preview: confirming the same preview twice (a double click, a
    resent form) is refused by a unique row instead of granting twice."""
    permissions.require_grant(actor)
    with transaction.atomic():  # the token and the grants commit together, or neither
        _sheet_token_take(actor=actor, programme=programme, token=token, rows=len(rows))
        report = voucher_batch_sheet_preview(actor=actor, programme=programme, rows=rows)
        bad = [r for r in report if not r.ok]
        if bad:
            raise ValidationError(
                [
                    _("第 %(row)s 行（%(code)s）：%(reason)s")
                    % {"row": r.row, "code": r.credit_code or "—", "reason": r.message}
                    for r in bad
                ]
            )
        journals = _grant_each(
            actor=actor,
            programme=programme,
            rows=[(r.enterprise, r.amount_fen, r.note) for r in report],  # type: ignore[misc]
        )
        audit_record(
            actor=actor,
            action="ledger.voucher_batch_grant",
            target=programme,
            after={
                "rows": len(journals),
                "total_fen": sum(r.amount_fen or 0 for r in report),
                "journals": [j.pk for j in journals],
                "source": source[:200],
            },
        )
        return journals


def journal_reverse(*, actor: Actor, journal: Journal, reason: str) -> Journal:
    """Correct a grant or a funding by a reversing journal (claims: decline, reject or `claim_reverse`)."""
    permissions.require_budget(actor)
    if journal.kind not in (Journal.Kind.GRANT, Journal.Kind.FUND):
        raise ValidationError(_("只能冲正发券或预算下达凭证；核销申请请走不认可、不通过或核销冲正。"))
    with books.atomic():
        reversal = books.reverse(journal=journal, actor=actor, reason=reason)
        audit_record(
            actor=actor,
            action="ledger.journal_reverse",
            target=journal,
            after={"reversal": reversal.pk},
            note=reason,
            enterprise_id=journal.enterprise_id,
        )
        return reversal

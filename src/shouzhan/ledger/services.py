"""Writes to the ledger. Keyword-only, atomic, each recording its own audit entry.

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
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.accounts.models import Membership, Organisation, User
from shouzhan.core.audit import audit_record
from shouzhan.core.money import format_yuan
from shouzhan.core.permissions import has_role, user_role
from shouzhan.core.roles import Role
from shouzhan.ledger import books
from shouzhan.ledger.batch_sheet import SheetRow
from shouzhan.ledger.books import Line
from shouzhan.ledger.models import (
    ITEM_CLAUSES,
    Account,
    Claim,
    ClauseBudget,
    DisbursementBatch,
    IdempotencyKey,
    Item,
    Journal,
    Payment,
    Programme,
    Reservation,
)
from shouzhan.registry.models import Enterprise
from shouzhan.registry.permissions import member_enterprise_ids, require_enterprise_read

GRANT_ROLES = (Role.POLICY_OFFICER, Role.ADMIN)
APPROVE_ROLES = (Role.CASEWORKER, Role.ADMIN)
BUDGET_ROLES = (Role.POLICY_OFFICER, Role.ADMIN)
PAY_ROLES = (Role.CASEWORKER, Role.POLICY_OFFICER, Role.ADMIN)
MAX_AMOUNT_FEN = 10**14


def _is_system(actor: Any) -> bool:
    return isinstance(actor, str) and actor.startswith("system:")


def _require(actor: Any, *roles: str) -> None:
    if _is_system(actor):
        return
    if not has_role(actor, *roles):
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


def provider_ids(user: Any) -> set[int]:
    """The provider organisations the user works for."""
    if user_role(user) is None:
        return set()
    return set(
        Organisation.objects.filter(kind=Organisation.Kind.PROVIDER, memberships__user=user).values_list(
            "id", flat=True
        )
    )


def _positive(amount_fen: int) -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise ValidationError(_("金额必须是整数分。"))
    if amount_fen <= 0:
        raise ValidationError(_("金额必须大于零。"))
    if amount_fen > MAX_AMOUNT_FEN:
        raise ValidationError(_("金额过大。"))
    return amount_fen


# ----------------------------------------------------------------------------- accounts
def funding_account() -> Account:
    """Where the district's money comes from: the one account that may go negative."""
    return books.account_get_or_create(
        key="funding", kind=Account.Kind.FUNDING, name=str(_("区财政资金")), allow_negative=True
    )


def paid_out_account() -> Account:
    return books.account_get_or_create(key="paid_out", kind=Account.Kind.PAID_OUT, name=str(_("已拨付")))


def wallet_account(*, programme: Programme, enterprise: Enterprise) -> Account:
    return books.account_get_or_create(
        key=f"wallet:{programme.pk}:{enterprise.pk}",
        kind=Account.Kind.WALLET,
        name=f"{enterprise.name} · {programme.name}",
        year=programme.year,
        enterprise=enterprise,
        programme=programme,
        cap_fen=programme.cap_fen,
    )


def hold_account(*, programme: Programme, enterprise: Enterprise) -> Account:
    return books.account_get_or_create(
        key=f"hold:{programme.pk}:{enterprise.pk}",
        kind=Account.Kind.HOLD,
        name=f"{enterprise.name} · {programme.name} · {_('核销冻结')}",
        year=programme.year,
        enterprise=enterprise,
        programme=programme,
    )


def receivable_account(*, provider: Organisation) -> Account:
    return books.account_get_or_create(
        key=f"receivable:{provider.pk}",
        kind=Account.Kind.RECEIVABLE,
        name=f"{provider.name} · {_('应收')}",
        provider=provider,
    )


# ----------------------------------------------------------------------------- programmes
def catalogue_cap_fen(*, clause_id: str, on: dt.date) -> int:
    """The yearly per-item cap as the catalogue's rule states it (never typed a second time)."""
    from shouzhan.policies.selectors import catalogue_in_force

    try:
        clause = catalogue_in_force(on=on).clause(clause_id)
    except KeyError as exc:
        raise ValidationError(
            _("政策目录中没有 %(on)s 生效的条款 %(clause)s。") % {"on": on.isoformat(), "clause": clause_id}
        ) from exc
    if clause.cap is None or clause.cap.per != "item_per_year":
        raise ValidationError(_("条款 %(clause)s 没有“每年每项”的上限。") % {"clause": clause_id})
    return int(clause.cap.fen)


def budget_account_create(*, actor: Any, key: str, name: str, year: int, amount_fen: int) -> Account:
    """A programme budget (several programmes may share one), funded from the district."""
    _require(actor, *BUDGET_ROLES)
    _positive(amount_fen)
    with transaction.atomic():
        account = books.account_get_or_create(
            key=f"budget:{key}", kind=Account.Kind.PROGRAMME_BUDGET, name=name, year=year
        )
        budget_fund(actor=actor, account=account, amount_fen=amount_fen, memo=_("预算下达"))
        return account


def budget_fund(*, actor: Any, account: Account, amount_fen: int, memo: str = "") -> Journal:
    _require(actor, *BUDGET_ROLES)
    _positive(amount_fen)
    if account.kind not in (Account.Kind.PROGRAMME_BUDGET, Account.Kind.CLAUSE_BUDGET):
        raise ValidationError(_("只能向预算账户下达资金。"))
    with books.atomic():
        before = account.balance_fen
        journal = books.post(
            kind=Journal.Kind.FUND,
            lines=[Line(funding_account(), -amount_fen), Line(account, amount_fen)],
            actor=actor,
            memo=memo or _("预算下达"),
        )
        books.balances(account)
        audit_record(
            actor=actor,
            action="ledger.budget_fund",
            target=account,
            before={"balance_fen": before},
            after={"balance_fen": account.balance_fen, "journal": journal.pk},
            note=memo,
        )
        return journal


def programme_open(
    *,
    actor: Any,
    item: str,
    year: int,
    valid_from: dt.date,
    valid_until: dt.date,
    budget_fen: int | None = None,
    budget_account: Account | None = None,
    providers: list[Organisation] | None = None,
    name: str = "",
) -> Programme:
    """Open the programme for one item and year. Either a new budget (`budget_fen`) or a shared one."""
    _require(actor, *BUDGET_ROLES)
    if item not in Item.values:
        raise ValidationError(_("未知券种：%(item)s。") % {"item": item})
    if valid_until < valid_from:
        raise ValidationError(_("有效期结束日期不能早于开始日期。"))
    if (budget_fen is None) == (budget_account is None):
        raise ValueError("give either budget_fen or budget_account")
    clause_id = ITEM_CLAUSES[Item(item)]
    cap = catalogue_cap_fen(clause_id=clause_id, on=valid_from)
    label = name or f"{year} {Item(item).label}"
    with transaction.atomic():
        if Programme.objects.filter(item=item, year=year).exists():
            raise ValidationError(
                _("%(year)s 年的%(item)s项目已经存在。") % {"year": year, "item": Item(item).label}
            )
        if budget_account is None:
            assert budget_fen is not None
            budget_account = budget_account_create(
                actor=actor,
                key=f"{item}:{year}",
                name=f"{label} {_('预算')}",
                year=year,
                amount_fen=budget_fen,
            )
        elif budget_account.kind != Account.Kind.PROGRAMME_BUDGET:
            raise ValidationError(_("只能共用券项目预算账户。"))
        programme = Programme.objects.create(
            item=item,
            year=year,
            name=label,
            clause_id=clause_id,
            cap_fen=cap,
            valid_from=valid_from,
            valid_until=valid_until,
            budget_account=budget_account,
        )
        if providers:
            for provider in providers:
                if provider.kind != Organisation.Kind.PROVIDER:
                    raise ValidationError(_("%(name)s 不是服务商。") % {"name": provider.name})
            programme.providers.set(providers)
        audit_record(
            actor=actor,
            action="ledger.programme_open",
            target=programme,
            after={
                "item": item,
                "year": year,
                "cap_fen": cap,
                "budget_account": budget_account.pk,
                "valid_from": valid_from,
                "valid_until": valid_until,
                "providers": [p.pk for p in providers or []],
            },
        )
        return programme


# ----------------------------------------------------------------------------- grants
def voucher_grant(
    *,
    actor: Any,
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
    _require(actor, *GRANT_ROLES, *(APPROVE_ROLES if case_id is not None else ()))
    _positive(amount_fen)
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
    *, actor: Any, programme: Programme, rows: list[tuple[Enterprise, int]]
) -> list[BatchRow]:
    """What a batch grant would do, row by row, without writing anything."""
    _require(actor, *GRANT_ROLES)
    checks = _batch_check(programme=programme, rows=rows)
    return [
        BatchRow(enterprise, amount, used, ok, message)
        for (enterprise, amount), (used, ok, message) in zip(rows, checks, strict=True)
    ]


def voucher_batch_grant(
    *, actor: Any, programme: Programme, rows: list[tuple[Enterprise, int]], note: str = ""
) -> list[Journal]:
    """All or nothing: a batch with any refused row writes nothing."""
    preview = voucher_batch_preview(actor=actor, programme=programme, rows=rows)
    bad = [r for r in preview if not r.ok]
    if bad:
        raise ValidationError([f"{r.enterprise.name}：{r.message}" for r in bad])
    with transaction.atomic():
        return [
            voucher_grant(
                actor=actor, programme=programme, enterprise=e, amount_fen=a, note=note or _("批量发券")
            )
            for e, a in rows
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
    *, actor: Any, programme: Programme, rows: list[SheetRow]
) -> list[SheetReportRow]:
    """Row by row: what reading the sheet found wrong, then the ledger's checks on the readable rows."""
    _require(actor, *GRANT_ROLES)
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


def voucher_batch_sheet_grant(
    *, actor: Any, programme: Programme, rows: list[SheetRow], source: str = "", token: str = ""
) -> list[Journal]:
    """Grant every row of an uploaded batch, or nothing: the rows are checked again at the moment of
    granting (with the balances as they are now), and any refusal rolls the whole batch back.

    `token` names one confirmed preview: confirming the same preview twice (a double click, a
    resent form) is refused by a unique row instead of granting twice."""
    _require(actor, *GRANT_ROLES)
    user = _user(actor)
    with transaction.atomic():  # the token and the grants commit together, or neither
        if token and user is not None:
            try:
                with transaction.atomic():
                    IdempotencyKey.objects.create(
                        user=user,
                        key=f"batch_sheet:{token}"[:200],
                        endpoint="ledger.voucher_batch_sheet_grant",
                        request_hash="",
                        status=201,
                        body={"programme": programme.pk, "rows": len(rows)},
                    )
            except IntegrityError as exc:
                raise ValidationError(_("这份名单已经确认发放过，不会重复发放。")) from exc
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
        journals = []
        for r in report:
            assert r.enterprise is not None and r.amount_fen is not None
            journals.append(
                voucher_grant(
                    actor=actor,
                    programme=programme,
                    enterprise=r.enterprise,
                    amount_fen=r.amount_fen,
                    note=r.note or _("批量发券"),
                )
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


# ----------------------------------------------------------------------------- claims
def _provider_standing(*, actor: Any, programme: Programme, provider: Organisation) -> tuple[bool, bool]:
    """(the actor works for the provider, the provider is contracted for the programme) — one query."""
    user = _user(actor)
    members = Membership.objects.filter(organisation=OuterRef("pk"))
    members = members.filter(user=user) if user is not None else members.none()
    row = (
        Organisation.objects.filter(pk=provider.pk)
        .annotate(
            member=Exists(members),
            contracted=Exists(
                Programme.providers.through.objects.filter(
                    programme_id=programme.pk, organisation_id=OuterRef("pk")
                )
            ),
        )
        .values_list("kind", "member", "contracted")
        .first()
    )
    if row is None:
        return False, False
    kind, member, contracted = row
    return bool(member and kind == Organisation.Kind.PROVIDER and user_role(actor) is not None), bool(
        contracted
    )


def _invoice_taken(invoice_no: str) -> ValidationError:
    return ValidationError({"invoice_no": _("发票号码 %(no)s 已经申请过核销。") % {"no": invoice_no}})


def claim_submit(
    *,
    actor: Any,
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
    member, contracted = _provider_standing(actor=actor, programme=programme, provider=provider)
    if not _is_system(actor) and not member and not has_role(actor, Role.ADMIN):
        raise PermissionDenied(_("只有该服务商的成员可以提交核销申请。"))
    _positive(amount_fen)
    invoice_no = (invoice_no or "").strip().upper()
    if not invoice_no or len(invoice_no) > 40:
        raise ValidationError({"invoice_no": _("请填写发票号码（不超过40个字符）。")})
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
    ids = dict(
        Account.objects.filter(
            programme=programme, enterprise=enterprise, kind__in=(Account.Kind.WALLET, Account.Kind.HOLD)
        ).values_list("kind", "pk")
    )
    wallet_id = ids.get(Account.Kind.WALLET) or wallet_account(programme=programme, enterprise=enterprise).pk
    hold_id = ids.get(Account.Kind.HOLD) or hold_account(programme=programme, enterprise=enterprise).pk
    try:
        with books.atomic():
            claim = Claim.objects.create(
                programme=programme,
                enterprise=enterprise,
                provider=provider,
                amount_fen=amount_fen,
                invoice_no=invoice_no,
                service_from=service_from,
                service_to=service_to,
                description=description[:255],
                submitted_by=_user(actor),
            )
            audit_record(
                actor=actor,
                action="ledger.claim_submit",
                target=claim,
                after={"amount_fen": amount_fen, "invoice_no": invoice_no, "state": claim.state},
                enterprise_id=enterprise.pk,
            )
            # Last, so the wallet stays locked only until the commit.
            books.post(
                kind=Journal.Kind.HOLD,
                lines=[Line(wallet_id, -amount_fen), Line(hold_id, amount_fen)],
                actor=actor,
                memo=invoice_no,
                programme_id=programme.pk,
                enterprise_id=enterprise.pk,
                claim=claim,
            )
            return claim
    except IntegrityError as exc:  # the invoice number is taken (possibly by a concurrent claim)
        if Claim.objects.filter(invoice_no=invoice_no).exclude(state__in=_REFUSED).exists():
            raise _invoice_taken(invoice_no) from exc
        raise


# A refused or reversed claim frees its invoice number.
_REFUSED = (Claim.State.DECLINED, Claim.State.REJECTED, Claim.State.REVERSED)


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
        raise ValidationError(_("该申请已被他人处理，请刷新后再试。"), code="stale")
    return locked


@books.atomic()  # a refusal by the books' limits comes out as a ValidationError with the reason
def _claim_move(
    *,
    actor: Any,
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
        action=f"ledger.claim_{to}",
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
        books.post(
            kind=Journal.Kind.APPROVE,
            lines=[Line(hold_id, -locked.amount_fen), Line(receivable_id, locked.amount_fen)],
            actor=actor,
            memo=locked.invoice_no,
            programme_id=locked.programme_id,
            enterprise_id=locked.enterprise_id,
            claim=locked,
        )
    elif to in _REFUSED:
        _claim_release_hold(actor=actor, claim=locked, hold_id=hold_id, memo=note or locked.invoice_no)
    return locked


def _claim_release_hold(*, actor: Any, claim: Claim, hold_id: int, memo: str) -> Journal:
    """The held amount goes back to the wallet — or to the budget if the vouchers have expired since."""
    programme = claim.programme
    back = (
        programme.budget_account_id
        if programme.expired_at is not None
        else (claim.wallet_id or wallet_account(programme=programme, enterprise=claim.enterprise).pk)  # type: ignore[attr-defined]
    )
    return books.post(
        kind=Journal.Kind.RELEASE_HOLD,
        lines=[Line(hold_id, -claim.amount_fen), Line(back, claim.amount_fen)],
        actor=actor,
        memo=memo,
        programme_id=claim.programme_id,
        enterprise_id=claim.enterprise_id,
        claim=claim,
    )


def _require_enterprise_itself(actor: Any, claim: Claim) -> None:
    """Only the claimed enterprise's own people answer a claim (staff who can read it may not)."""
    require_enterprise_read(actor, claim.enterprise_id)
    if claim.enterprise_id not in member_enterprise_ids(actor):
        raise PermissionDenied(_("只有企业本身可以确认核销申请。"))


def claim_confirm(*, actor: Any, claim: Claim, expected_version: int | None = None, note: str = "") -> Claim:
    """The enterprise says the service was delivered as invoiced."""
    _require_enterprise_itself(actor, claim)
    return _claim_move(
        actor=actor,
        claim=claim,
        to=Claim.State.CONFIRMED,
        expected_version=expected_version,
        note=note,
        allowed_from=(Claim.State.SUBMITTED,),
    )


def claim_decline(*, actor: Any, claim: Claim, expected_version: int | None = None, note: str = "") -> Claim:
    _require_enterprise_itself(actor, claim)
    if not note.strip():
        raise ValidationError({"note": _("请说明不认可的原因。")})
    return _claim_move(
        actor=actor,
        claim=claim,
        to=Claim.State.DECLINED,
        expected_version=expected_version,
        note=note,
        allowed_from=(Claim.State.SUBMITTED,),
    )


def claim_approve(*, actor: Any, claim: Claim, expected_version: int | None = None, note: str = "") -> Claim:
    """The caseworker approves a confirmed claim: the held amount becomes the provider's receivable.

    Five statements on the hot path: lock the claim (fetching its accounts' ids), insert the
    journal, insert its entries, update the claim, insert the audit entry.
    """
    _require(actor, *APPROVE_ROLES)
    return _claim_move(
        actor=actor,
        claim=claim,
        to=Claim.State.APPROVED,
        expected_version=expected_version,
        note=note,
        allowed_from=(Claim.State.CONFIRMED,),
    )


def claim_reject(*, actor: Any, claim: Claim, expected_version: int | None = None, note: str = "") -> Claim:
    _require(actor, *APPROVE_ROLES)
    if not note.strip():
        raise ValidationError({"note": _("请说明不通过的原因。")})
    return _claim_move(
        actor=actor,
        claim=claim,
        to=Claim.State.REJECTED,
        expected_version=expected_version,
        note=note,
        allowed_from=(Claim.State.SUBMITTED, Claim.State.CONFIRMED),
    )


def claim_reverse(*, actor: Any, claim: Claim, reason: str, expected_version: int | None = None) -> Claim:
    """Correct a wrongly approved claim: a reversing journal takes the amount back from the provider's
    receivable, and the held amount returns to the enterprise's wallet (or to the budget once the
    vouchers have expired). Refused once the claim is in a disbursement batch (pending or paid).
    The invoice number is freed so a corrected claim can be submitted."""
    _require(actor, *APPROVE_ROLES)
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


# ----------------------------------------------------------------------------- expiry, reversal
def programme_expire(*, actor: Any, programme: Programme, today: dt.date | None = None) -> int:
    """After the validity ends, every unspent wallet balance returns to the budget. Returns fen returned."""
    _require(actor, *BUDGET_ROLES)
    today = today or timezone.localdate()
    if today <= programme.valid_until:
        raise ValidationError(_("有效期至 %(end)s，尚未到期。") % {"end": programme.valid_until.isoformat()})
    with books.atomic():
        locked = Programme.objects.select_for_update().get(pk=programme.pk)
        if locked.expired_at is not None:
            raise ValidationError(_("%(name)s 已经到期收回。") % {"name": locked.name})
        returned = 0
        # Lock the programme's wallets in one statement, in id order; their balances cannot move under us.
        wallets = list(
            Account.objects.select_for_update()
            .filter(kind=Account.Kind.WALLET, programme=locked, balance_fen__gt=0)
            .order_by("pk")
            .values_list("pk", "enterprise_id", "balance_fen")
        )
        for wallet_id, enterprise_id, amount in wallets:
            books.post(
                kind=Journal.Kind.EXPIRE,
                lines=[Line(wallet_id, -amount), Line(locked.budget_account_id, amount)],
                actor=actor,
                memo=_("到期收回"),
                programme=locked,
                enterprise_id=enterprise_id,
            )
            returned += amount
        locked.expired_at = timezone.now()
        locked.save(update_fields=["expired_at"])
        programme.expired_at = locked.expired_at
        audit_record(
            actor=actor,
            action="ledger.programme_expire",
            target=locked,
            after={"returned_fen": returned, "expired_at": locked.expired_at},
        )
        return returned


def journal_reverse(*, actor: Any, journal: Journal, reason: str) -> Journal:
    """Correct a grant or a funding by a reversing journal (claims: decline, reject or `claim_reverse`)."""
    _require(actor, *BUDGET_ROLES)
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


# ----------------------------------------------------------------------------- clause budgets
def clause_budget_set(*, actor: Any, clause_id: str, year: int, amount_fen: int) -> ClauseBudget:
    """Create a clause's yearly budget, or add to it."""
    _require(actor, *BUDGET_ROLES)
    _positive(amount_fen)
    with transaction.atomic():
        budget = ClauseBudget.objects.filter(clause_id=clause_id, year=year).first()
        if budget is None:
            account = books.account_get_or_create(
                key=f"clause:{clause_id}:{year}",
                kind=Account.Kind.CLAUSE_BUDGET,
                name=f"{clause_id} {year}",
                year=year,
            )
            reserved = books.account_get_or_create(
                key=f"clause_reserved:{clause_id}:{year}",
                kind=Account.Kind.CLAUSE_RESERVED,
                name=f"{clause_id} {year} {_('已核定')}",
                year=year,
            )
            budget = ClauseBudget.objects.create(
                clause_id=clause_id, year=year, account=account, reserved_account=reserved
            )
        budget_fund(actor=actor, account=budget.account, amount_fen=amount_fen, memo=f"{clause_id} {year}")
        return budget


def budget_reserve(
    *, actor: Any, case_id: int, clause_id: str, year: int, enterprise_id: int, amount_fen: int
) -> Reservation | None:
    """An approval takes its amount out of the clause's remaining budget. No budget set: nothing to do."""
    budget = (
        ClauseBudget.objects.select_related("account", "reserved_account")
        .filter(clause_id=clause_id, year=year)
        .first()
    )
    if budget is None:
        return None
    _positive(amount_fen)
    with books.atomic():
        existing = Reservation.objects.select_for_update().filter(case_id=case_id).first()
        if existing is not None and existing.state != Reservation.State.RELEASED:
            return existing  # the same approval seen twice
        books.post(
            kind=Journal.Kind.RESERVE,
            lines=[Line(budget.account, -amount_fen), Line(budget.reserved_account, amount_fen)],
            actor=actor,
            memo=f"{clause_id} case {case_id}",
            enterprise_id=enterprise_id,
            case_id=case_id,
        )
        if existing is not None:  # re-approved after a release
            existing.amount_fen, existing.state = amount_fen, Reservation.State.RESERVED
            existing.save(update_fields=["amount_fen", "state"])
            reservation = existing
        else:
            reservation = Reservation.objects.create(
                budget=budget, case_id=case_id, enterprise_id=enterprise_id, amount_fen=amount_fen
            )
        books.balances(budget.account)
        audit_record(
            actor=actor,
            action="ledger.budget_reserve",
            target=reservation,
            after={"amount_fen": amount_fen, "available_fen": budget.account.balance_fen},
            enterprise_id=enterprise_id,
        )
        return reservation


def _reservation_finish(*, actor: Any, case_id: int, to: str) -> Reservation | None:
    with books.atomic():
        reservation = (
            Reservation.objects.select_for_update(of=("self",))
            .select_related("budget")
            .filter(case_id=case_id)
            .first()
        )
        if reservation is None or reservation.state != Reservation.State.RESERVED:
            return reservation
        budget = reservation.budget
        target = paid_out_account() if to == Reservation.State.CONSUMED else budget.account
        books.post(
            kind=Journal.Kind.CONSUME if to == Reservation.State.CONSUMED else Journal.Kind.RELEASE,
            lines=[
                Line(budget.reserved_account, -reservation.amount_fen),
                Line(target, reservation.amount_fen),
            ],
            actor=actor,
            memo=f"{budget.clause_id} case {case_id}",
            enterprise_id=reservation.enterprise_id,
            case_id=case_id,
        )
        before = reservation.state
        reservation.state = to
        reservation.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action=f"ledger.budget_{'consume' if to == Reservation.State.CONSUMED else 'release'}",
            target=reservation,
            before={"state": before},
            after={"state": to, "amount_fen": reservation.amount_fen},
            enterprise_id=reservation.enterprise_id,
        )
        return reservation


def budget_consume(*, actor: Any, case_id: int) -> Reservation | None:
    return _reservation_finish(actor=actor, case_id=case_id, to=Reservation.State.CONSUMED)


def budget_release(*, actor: Any, case_id: int) -> Reservation | None:
    return _reservation_finish(actor=actor, case_id=case_id, to=Reservation.State.RELEASED)


# ----------------------------------------------------------------------------- disbursements
def disbursement_batch_create(*, actor: Any, note: str = "") -> DisbursementBatch:
    """Collect every approved, unpaid claim and every reserved subsidy into one batch of payments."""
    _require(actor, *PAY_ROLES)
    with transaction.atomic():
        claims = list(
            Claim.objects.select_for_update(of=("self",))
            .filter(state=Claim.State.APPROVED)
            .exclude(
                pk__in=Payment.objects.exclude(status=Payment.Status.FAILED)
                .filter(claim__isnull=False)
                .values("claim_id")
            )
            .select_related("provider")
        )
        reservations = list(
            Reservation.objects.select_for_update(of=("self",))
            .filter(state=Reservation.State.RESERVED)
            .exclude(
                pk__in=Payment.objects.exclude(status=Payment.Status.FAILED)
                .filter(reservation__isnull=False)
                .values("reservation_id")
            )
            .select_related("enterprise")
        )
        if not claims and not reservations:
            raise ValidationError(_("没有待拨付的款项。"))
        batch = DisbursementBatch.objects.create(created_by=_user(actor), note=note[:255])
        Payment.objects.bulk_create(
            [Payment(batch=batch, payee=c.provider.name, amount_fen=c.amount_fen, claim=c) for c in claims]
            + [
                Payment(batch=batch, payee=r.enterprise.name, amount_fen=r.amount_fen, reservation=r)
                for r in reservations
            ]
        )
        audit_record(
            actor=actor,
            action="ledger.disbursement_batch_create",
            target=batch,
            after={
                "payments": len(claims) + len(reservations),
                "total_fen": sum(c.amount_fen for c in claims) + sum(r.amount_fen for r in reservations),
            },
        )
        return batch


def payment_mark(*, actor: Any, payment: Payment, status: str, note: str = "") -> Payment:
    """Record the bank's answer. Paid moves the money out of the books; failed lets it be retried."""
    _require(actor, *PAY_ROLES)
    if status not in (Payment.Status.PAID, Payment.Status.FAILED):
        raise ValidationError(_("支付状态只能是已支付或支付失败。"))
    with books.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status != Payment.Status.PENDING:
            raise ValidationError(_("该笔支付已经是“%(s)s”。") % {"s": locked.get_status_display()})
        if status == Payment.Status.PAID:
            if locked.claim_id is not None:
                claim = Claim.objects.select_related("provider").get(pk=locked.claim_id)
                books.post(
                    kind=Journal.Kind.PAY,
                    lines=[
                        Line(receivable_account(provider=claim.provider), -locked.amount_fen),
                        Line(paid_out_account(), locked.amount_fen),
                    ],
                    actor=actor,
                    memo=claim.invoice_no,
                    programme_id=claim.programme_id,
                    enterprise_id=claim.enterprise_id,
                    claim=claim,
                )
            else:
                assert locked.reservation is not None
                budget_consume(actor=actor, case_id=locked.reservation.case_id)
        locked.status = status
        locked.status_note = note[:255]
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "status_note", "updated_at"])
        audit_record(
            actor=actor,
            action="ledger.payment_mark",
            target=locked,
            before={"status": Payment.Status.PENDING},
            after={"status": status, "amount_fen": locked.amount_fen},
            note=note,
        )
        return locked

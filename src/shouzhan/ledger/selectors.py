"""Reads of the ledger: wallets, claims, programme usage, burn-down, and the books' own check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Count, Model, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan.accounts.models import Organisation
from shouzhan.core.actors import Actor
from shouzhan.ledger import books, permissions
from shouzhan.ledger.models import (
    Account,
    Claim,
    ClauseBudget,
    DisbursementBatch,
    Entry,
    Journal,
    Payment,
    Programme,
    Reservation,
)
from shouzhan.registry.models import Enterprise
from shouzhan.registry.permissions import require_enterprise_read, scope_to_enterprises

M = TypeVar("M", bound=Model)


# ----------------------------------------------------------------------------- the books' check
@dataclass
class BooksCheck:
    entries_total_fen: int
    unbalanced_journals: list[int] = field(default_factory=list)
    drifted_accounts: list[int] = field(default_factory=list)
    negative_accounts: list[int] = field(default_factory=list)
    over_cap_accounts: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.entries_total_fen
            or self.unbalanced_journals
            or self.drifted_accounts
            or self.negative_accounts
            or self.over_cap_accounts
        )


def account_balance_fen(account: Account) -> int:
    """An account's balance now, whether it keeps a stored total or derives it from its entries."""
    return books.totals([account.pk])[account.pk][0]


def books_check() -> BooksCheck:
    """Recompute every total from the entries and compare: the invariants the tests and the bench assert."""
    total = Entry.objects.aggregate(s=Sum("amount_fen"))["s"] or 0
    unbalanced = list(
        Journal.objects.annotate(s=Sum("entries__amount_fen")).filter(~Q(s=0)).values_list("pk", flat=True)
    )
    sums = {
        row["account_id"]: (row["s"] or 0, row["c"] or 0)
        for row in Entry.objects.values("account_id").annotate(
            s=Sum("amount_fen"), c=Sum("amount_fen", filter=Q(counts_to_cap=True))
        )
    }
    check = BooksCheck(entries_total_fen=total, unbalanced_journals=unbalanced)
    for account in Account.objects.all():
        balance, capped = sums.get(account.pk, (0, 0))
        # A stored total must equal its entries; an account without one must store nothing.
        stored = (balance, capped) if account.keeps_total else (0, 0)
        if stored != (account.balance_fen, account.capped_fen):
            check.drifted_accounts.append(account.pk)
        if balance < 0 and not account.allow_negative:
            check.negative_accounts.append(account.pk)
        if account.cap_fen is not None and capped > account.cap_fen:
            check.over_cap_accounts.append(account.pk)
    return check


# ----------------------------------------------------------------------------- enterprise
@dataclass
class WalletRow:
    programme: Programme
    balance_fen: int
    granted_fen: int
    held_fen: int
    spent_fen: int
    cap_fen: int

    @property
    def cap_left_fen(self) -> int:
        return self.cap_fen - self.granted_fen


def wallets_for(*, actor: Actor, enterprise_id: int) -> list[WalletRow]:
    require_enterprise_read(actor, enterprise_id)
    accounts = Account.objects.filter(
        enterprise_id=enterprise_id, kind__in=[Account.Kind.WALLET, Account.Kind.HOLD]
    )
    by_programme: dict[int, dict[str, Account]] = {}
    for a in accounts:
        by_programme.setdefault(a.programme_id or 0, {})[a.kind] = a
    spent = dict(
        Claim.objects.filter(enterprise_id=enterprise_id, state=Claim.State.APPROVED)
        .values("programme_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("programme_id", "s")
    )
    rows = []
    for programme in Programme.objects.filter(pk__in=by_programme.keys()).order_by("-year", "item"):
        wallet = by_programme[programme.pk].get(Account.Kind.WALLET)
        hold = by_programme[programme.pk].get(Account.Kind.HOLD)
        rows.append(
            WalletRow(
                programme=programme,
                balance_fen=wallet.balance_fen if wallet else 0,
                granted_fen=wallet.capped_fen if wallet else 0,
                held_fen=hold.balance_fen if hold else 0,
                spent_fen=spent.get(programme.pk, 0),
                cap_fen=programme.cap_fen,
            )
        )
    return rows


def wallet_enterprise(*, actor: Actor, enterprise_id: int | None) -> Enterprise:
    """The enterprise whose wallet the page shows: the one asked for, else the user's first. 404 for one
    the user may not read (never a hint that it exists)."""
    mine = sorted(permissions.enterprise_ids(actor))
    if not mine:
        raise Http404(_("没有找到该企业。"))
    wanted = enterprise_id if enterprise_id is not None else mine[0]
    require_enterprise_read(actor, wanted)
    return _one(Enterprise.objects.filter(pk=wanted), _("没有找到该企业。"))


def wallet_history(*, actor: Actor, enterprise_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The wallet's entries, newest first, each with what happened."""
    require_enterprise_read(actor, enterprise_id)
    entries = (
        Entry.objects.filter(account__enterprise_id=enterprise_id, account__kind=Account.Kind.WALLET)
        .select_related("journal", "account__programme", "journal__claim")
        .order_by("-id")[:limit]
    )
    return [
        {
            "at": e.journal.created_at,
            "kind": e.journal.get_kind_display(),
            "programme": e.account.programme.name if e.account.programme else "",
            "amount_fen": e.amount_fen,
            "memo": e.journal.memo,
        }
        for e in entries
    ]


def claims_visible(*, actor: Actor) -> QuerySet[Claim]:
    """Staff see every claim; an enterprise its own; a provider the ones it submitted."""
    return permissions.claims_scope(
        actor, Claim.objects.select_related("programme", "enterprise", "provider")
    )


def claim_get(*, actor: Actor, pk: int) -> Claim:
    return _one(claims_visible(actor=actor).filter(pk=pk), _("没有找到该核销申请。"))


def claims_for_enterprise(*, actor: Actor, enterprise_id: int) -> QuerySet[Claim]:
    require_enterprise_read(actor, enterprise_id)
    return scope_to_enterprises(actor, Claim.objects.select_related("programme", "provider")).filter(
        enterprise_id=enterprise_id
    )


# ----------------------------------------------------------------------------- provider
def provider_organisation(*, actor: Actor) -> Organisation:
    """The provider the actor works for (the first, when several). 404 for someone who works for none."""
    organisation = Organisation.objects.filter(pk__in=permissions.provider_ids(actor)).order_by("pk").first()
    if organisation is None:
        raise Http404(_("您不是服务商成员。"))
    return organisation


def claims_for_provider(*, actor: Actor, limit: int = 100) -> list[Claim]:
    """The claims the actor's provider organisations submitted, newest first."""
    mine = permissions.provider_ids(actor)
    return list(Claim.objects.filter(provider_id__in=mine).select_related("programme", "enterprise")[:limit])


@dataclass
class ProviderTotals:
    pending_fen: int  # claims waiting for the enterprise or the caseworker
    owed_fen: int  # approved and not yet paid: the receivable's balance
    paid_fen: int  # paid out by disbursement batches


def provider_totals(*, actor: Actor) -> ProviderTotals:
    """What the actor's provider organisations are waiting for, are owed and have been paid (the
    receivable is summed from its entries). Someone who works for no provider sees zeros."""
    mine = permissions.provider_ids(actor)
    pending = (
        Claim.objects.filter(
            provider_id__in=mine, state__in=[Claim.State.SUBMITTED, Claim.State.CONFIRMED]
        ).aggregate(s=Sum("amount_fen"))["s"]
        or 0
    )
    receivables = Account.objects.filter(kind=Account.Kind.RECEIVABLE, provider_id__in=mine)
    owed = sum(
        balance for balance, _capped in books.totals(receivables.values_list("pk", flat=True)).values()
    )
    paid = (
        Payment.objects.filter(claim__provider_id__in=mine, status=Payment.Status.PAID).aggregate(
            s=Sum("amount_fen")
        )["s"]
        or 0
    )
    return ProviderTotals(pending_fen=pending, owed_fen=owed, paid_fen=paid)


# ----------------------------------------------------------------------------- staff
def claims_to_approve(*, actor: Actor, limit: int = 100) -> list[Claim]:
    return list(_staff_claims(actor).filter(state=Claim.State.CONFIRMED)[:limit])


def claims_recent(*, actor: Actor, limit: int = 20) -> list[Claim]:
    return list(_staff_claims(actor)[:limit])


def _staff_claims(actor: Actor) -> QuerySet[Claim]:
    permissions.require_staff(actor)
    return Claim.objects.select_related("programme", "enterprise", "provider")


def disbursement_batches(*, actor: Actor, limit: int = 10) -> list[DisbursementBatch]:
    permissions.require_staff(actor)
    return list(DisbursementBatch.objects.prefetch_related("payments")[:limit])


def disbursement_batch_get(*, actor: Actor, pk: int) -> DisbursementBatch:
    permissions.require_staff(actor)
    return _one(DisbursementBatch.objects.filter(pk=pk), _("没有找到该拨付批次。"))


def payment_get(*, actor: Actor, pk: int) -> Payment:
    permissions.require_staff(actor)
    return _one(Payment.objects.filter(pk=pk), _("没有找到该笔支付。"))


def programme_get(*, pk: int) -> Programme:
    """A voucher programme (the programmes are public: the API lists them to anyone logged in)."""
    return _one(Programme.objects.filter(pk=pk), _("没有找到该券项目。"))


def _one(rows: QuerySet[M], missing: str) -> M:
    """The one row, or 404 with the words for what is missing."""
    row = rows.first()
    if row is None:
        raise Http404(missing)
    return row


@dataclass
class ProgrammeUsage:
    programme: Programme
    budget_left_fen: int
    granted_fen: int
    held_fen: int
    redeemed_fen: int
    wallets: int


def programme_usage(*, year: int | None = None) -> list[ProgrammeUsage]:
    programmes = Programme.objects.select_related("budget_account").order_by("-year", "item")
    if year:
        programmes = programmes.filter(year=year)
    wallet_totals = {
        row["programme_id"]: row
        for row in Account.objects.filter(kind=Account.Kind.WALLET)
        .values("programme_id")
        .annotate(g=Sum("capped_fen"), n=Count("id"))
    }
    held = dict(
        Account.objects.filter(kind=Account.Kind.HOLD)
        .values("programme_id")
        .annotate(s=Sum("balance_fen"))
        .values_list("programme_id", "s")
    )
    redeemed = dict(
        Claim.objects.filter(state=Claim.State.APPROVED)
        .values("programme_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("programme_id", "s")
    )
    out = []
    for p in programmes:
        totals = wallet_totals.get(p.pk, {})
        out.append(
            ProgrammeUsage(
                programme=p,
                budget_left_fen=p.budget_account.balance_fen,
                granted_fen=totals.get("g") or 0,
                held_fen=held.get(p.pk) or 0,
                redeemed_fen=redeemed.get(p.pk) or 0,
                wallets=totals.get("n") or 0,
            )
        )
    return out


def budget_series(*, account_ids: list[int]) -> dict[int, list[tuple[dt.date, int]]]:
    """Each account's balance at the end of each day something moved (a burn-down's points), in one query."""
    points: dict[int, list[tuple[dt.date, int]]] = {pk: [] for pk in account_ids}
    running: dict[int, int] = dict.fromkeys(account_ids, 0)
    rows = (
        Entry.objects.filter(account_id__in=account_ids)
        .values_list("account_id", "journal__created_at", "amount_fen")
        .order_by("journal__created_at", "id")
    )
    for pk, at, amount in rows:
        running[pk] += amount
        day, line = at.date(), points[pk]
        if line and line[-1][0] == day:
            line[-1] = (day, running[pk])
        else:
            line.append((day, running[pk]))
    return points


def clause_budgets(*, year: int | None = None) -> list[dict[str, Any]]:
    budgets = ClauseBudget.objects.select_related("account", "reserved_account")
    if year:
        budgets = budgets.filter(year=year)
    consumed = dict(
        Reservation.objects.filter(state=Reservation.State.CONSUMED)
        .values("budget_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("budget_id", "s")
    )
    return [
        {
            "budget": b,
            "available_fen": b.account.balance_fen,
            "reserved_fen": b.reserved_account.balance_fen,
            "consumed_fen": consumed.get(b.pk) or 0,
        }
        for b in budgets
    ]

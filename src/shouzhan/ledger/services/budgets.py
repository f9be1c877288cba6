"""Budgets: a programme's budget account and its funding, and the clauses' yearly budgets that an approved
application reserves, a disbursement consumes and a cancellation releases."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record
from shouzhan.ledger import books, permissions
from shouzhan.ledger.books import Line
from shouzhan.ledger.models import Account, ClauseBudget, Journal, Reservation
from shouzhan.ledger.services.accounts import funding_account, paid_out_account, positive_fen


def budget_account_create(*, actor: Actor, key: str, name: str, year: int, amount_fen: int) -> Account:
    """A programme budget (several programmes may share one), funded from the district."""
    permissions.require_budget(actor)
    positive_fen(amount_fen)
    with transaction.atomic():
        account = books.account_get_or_create(
            key=f"budget:{key}", kind=Account.Kind.PROGRAMME_BUDGET, name=name, year=year
        )
        budget_fund(actor=actor, account=account, amount_fen=amount_fen, memo=_("预算下达"))
        return account


def budget_fund(*, actor: Actor, account: Account, amount_fen: int, memo: str = "") -> Journal:
    permissions.require_budget(actor)
    positive_fen(amount_fen)
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


def clause_budget_set(*, actor: Actor, clause_id: str, year: int, amount_fen: int) -> ClauseBudget:
    """Create a clause's yearly budget, or add to it."""
    permissions.require_budget(actor)
    positive_fen(amount_fen)
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
    *, actor: Actor, case_id: int, clause_id: str, year: int, enterprise_id: int, amount_fen: int
) -> Reservation | None:
    """An approval takes its amount out of the clause's remaining budget. No budget set: nothing to do."""
    budget = (
        ClauseBudget.objects.select_related("account", "reserved_account")
        .filter(clause_id=clause_id, year=year)
        .first()
    )
    if budget is None:
        return None
    positive_fen(amount_fen)
    with books.atomic():
        existing = Reservation.objects.select_for_update().filter(case_id=case_id).first()
        if existing is not None and existing.state == Reservation.State.RESERVED:
            # Reserved before the decision (a confirmed offer reserves its maximum): the approval
            # sets it to the approved amount; the same amount seen twice changes nothing.
            return _reservation_adjust(
                actor=actor, reservation=existing, budget=budget, amount_fen=amount_fen
            )
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


def _reservation_adjust(
    *, actor: Actor, reservation: Reservation, budget: ClauseBudget, amount_fen: int
) -> Reservation:
    difference = amount_fen - reservation.amount_fen
    if difference == 0:
        return reservation
    books.post(
        kind=Journal.Kind.RESERVE if difference > 0 else Journal.Kind.RELEASE,
        lines=[Line(budget.account, -difference), Line(budget.reserved_account, difference)],
        actor=actor,
        memo=f"{budget.clause_id} case {reservation.case_id}",
        enterprise_id=reservation.enterprise_id,
        case_id=reservation.case_id,
    )
    before = reservation.amount_fen
    reservation.amount_fen = amount_fen
    reservation.save(update_fields=["amount_fen"])
    books.balances(budget.account)
    audit_record(
        actor=actor,
        action="ledger.budget_reserve",
        target=reservation,
        before={"amount_fen": before},
        after={"amount_fen": amount_fen, "available_fen": budget.account.balance_fen},
        enterprise_id=reservation.enterprise_id,
    )
    return reservation


# A reservation ends paid out (the subsidy was disbursed) or back in the budget (the case was cancelled).
_FINISH: dict[str, tuple[str, str]] = {
    Reservation.State.CONSUMED: (Journal.Kind.CONSUME, "ledger.budget_consume"),
    Reservation.State.RELEASED: (Journal.Kind.RELEASE, "ledger.budget_release"),
}


def _reservation_finish(*, actor: Actor, case_id: int, to: str) -> Reservation | None:
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
        kind, action = _FINISH[to]
        target = paid_out_account() if to == Reservation.State.CONSUMED else budget.account
        books.post(
            kind=kind,
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
            action=action,
            target=reservation,
            before={"state": before},
            after={"state": to, "amount_fen": reservation.amount_fen},
            enterprise_id=reservation.enterprise_id,
        )
        return reservation


def budget_consume(*, actor: Actor, case_id: int) -> Reservation | None:
    return _reservation_finish(actor=actor, case_id=case_id, to=Reservation.State.CONSUMED)


def budget_release(*, actor: Actor, case_id: int) -> Reservation | None:
    return _reservation_finish(actor=actor, case_id=case_id, to=Reservation.State.RELEASED)

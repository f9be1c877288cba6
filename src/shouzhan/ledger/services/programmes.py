"""Voucher programmes: opened for one item and year with the catalogue's cap, and expired when their
validity ends (every unspent wallet balance goes back to the budget)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.accounts.models import Organisation
from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record
from shouzhan.ledger import books, permissions
from shouzhan.ledger.books import Line
from shouzhan.ledger.models import ITEM_CLAUSES, Account, Item, Journal, Programme
from shouzhan.ledger.services.budgets import budget_account_create


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


def programme_open(
    *,
    actor: Actor,
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
    permissions.require_budget(actor)
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


def programme_expire(*, actor: Actor, programme: Programme, today: dt.date | None = None) -> int:
    """After the validity ends, every unspent wallet balance returns to the budget. Returns fen returned."""
    permissions.require_budget(actor)
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

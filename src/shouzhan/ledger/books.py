"""Posting to the books: lock the accounts, check the limits with a clear message, insert the entries.

The database enforces the same limits again (CHECK constraints on the trigger-maintained balances),
so a bug here can refuse an operation but never over-spend.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shouzhan.core.money import format_yuan
from shouzhan.ledger.models import Account, Entry, Journal


@dataclass(frozen=True)
class Line:
    account: Account
    amount_fen: int
    counts_to_cap: bool = False


def actor_label(actor: Any) -> str:
    if isinstance(actor, str):
        return actor[:150]
    return (getattr(actor, "display_name", "") or str(actor))[:150]


def account_get_or_create(*, key: str, kind: str, name: str, **fields: Any) -> Account:
    account, _created = Account.objects.get_or_create(
        key=key, defaults={"kind": kind, "name": name, **fields}
    )
    return account


def _refusal(account: Account, balance: int, delta: int) -> str:
    available, wanted = format_yuan(balance), format_yuan(-delta)
    if account.kind == Account.Kind.WALLET:
        return _("券余额不足：%(name)s 可用 %(available)s，本次需要 %(wanted)s。") % {
            "name": account.name,
            "available": available,
            "wanted": wanted,
        }
    if account.kind == Account.Kind.PROGRAMME_BUDGET:
        return _("预算不足：%(name)s 剩余 %(available)s，本次需要 %(wanted)s。") % {
            "name": account.name,
            "available": available,
            "wanted": wanted,
        }
    if account.kind == Account.Kind.CLAUSE_BUDGET:
        return _("超出条款年度预算：%(name)s 剩余 %(available)s，本次核定 %(wanted)s。") % {
            "name": account.name,
            "available": available,
            "wanted": wanted,
        }
    return _("账户 %(name)s 余额不足：剩余 %(available)s，本次需要 %(wanted)s。") % {
        "name": account.name,
        "available": available,
        "wanted": wanted,
    }


def post(*, kind: str, lines: list[Line], actor: Any, memo: str = "", **links: Any) -> Journal:
    """Write one balanced journal. Locks every touched account (in id order, so no deadlocks)."""
    if not lines:
        raise ValueError("a journal needs entries")
    if sum(line.amount_fen for line in lines) != 0:
        raise ValueError("a journal must balance")  # a programming error, never user input
    if any(line.amount_fen == 0 for line in lines):
        raise ValueError("an entry cannot be zero")
    with transaction.atomic():
        ids = sorted({line.account.pk for line in lines})
        locked = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        delta: dict[int, int] = defaultdict(int)
        cap_delta: dict[int, int] = defaultdict(int)
        for line in lines:
            delta[line.account.pk] += line.amount_fen
            if line.counts_to_cap:
                cap_delta[line.account.pk] += line.amount_fen
        for pk in ids:
            account = locked[pk]
            if not account.allow_negative and account.balance_fen + delta[pk] < 0:
                raise ValidationError(_refusal(account, account.balance_fen, delta[pk]))
            if account.cap_fen is not None and account.capped_fen + cap_delta[pk] > account.cap_fen:
                raise ValidationError(
                    _("超过每年每项上限：上限 %(cap)s，本年已发放 %(used)s，本次 %(wanted)s。")
                    % {
                        "cap": format_yuan(account.cap_fen),
                        "used": format_yuan(account.capped_fen),
                        "wanted": format_yuan(cap_delta[pk]),
                    }
                )
        journal = Journal.objects.create(kind=kind, memo=memo[:255], actor_label=actor_label(actor), **links)
        try:
            with transaction.atomic():
                Entry.objects.bulk_create(
                    [
                        Entry(
                            journal=journal,
                            account_id=line.account.pk,
                            amount_fen=line.amount_fen,
                            counts_to_cap=line.counts_to_cap,
                        )
                        for line in lines
                    ]
                )
        except IntegrityError as exc:  # the database's own limits: the last word
            raise ValidationError(_("账目校验未通过，操作未执行。")) from exc
        for pk in ids:  # keep the callers' objects current (the trigger moved the stored totals)
            account = locked[pk]
            account.balance_fen += delta[pk]
            account.capped_fen += cap_delta[pk]
        for line in lines:
            line.account.balance_fen = locked[line.account.pk].balance_fen
            line.account.capped_fen = locked[line.account.pk].capped_fen
        return journal


def reverse(*, journal: Journal, actor: Any, reason: str) -> Journal:
    """The only correction: a new journal with every entry negated, linked to the one it reverses."""
    if not reason.strip():
        raise ValidationError(_("冲正必须说明原因。"))
    if journal.kind == Journal.Kind.REVERSAL:
        raise ValidationError(_("冲正凭证不能再次冲正。"))
    if Journal.objects.filter(reverses=journal).exists():
        raise ValidationError(_("该凭证已经冲正过。"))
    lines = [
        Line(e.account, -e.amount_fen, e.counts_to_cap) for e in journal.entries.select_related("account")
    ]
    try:
        with transaction.atomic():
            return post(
                kind=Journal.Kind.REVERSAL,
                lines=lines,
                actor=actor,
                memo=reason,
                reverses=journal,
                programme=journal.programme,
                enterprise=journal.enterprise,
                claim=journal.claim,
                case_id=journal.case_id,
            )
    except IntegrityError as exc:  # two reversals raced: the one-to-one link lets only one in
        raise ValidationError(_("该凭证已经冲正过。")) from exc

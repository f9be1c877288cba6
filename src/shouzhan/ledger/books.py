"""Posting to the books: insert a balanced journal's entries and let the database enforce the limits.

Inserting an entry moves its account's stored totals (a trigger), and CHECK constraints on the
account refuse a balance below zero or a wallet above its yearly cap. So a posting takes no
locks and reads nothing first: the trigger's UPDATE locks the touched accounts (entries go in
ordered by account id, so two postings always lock in the same order and cannot deadlock), and
the constraint has the last word. When the database refuses, `atomic()` rolls back and reads
the accounts once to say in plain words which limit stopped the operation.

A provider's receivable and the paid-out account keep no stored total (`Account.keeps_total`):
every approval credits a receivable, and a stored total there would make concurrent approvals
for one provider wait on its row until each commits. Their balance is the sum of their entries
(`totals`), and a trigger refuses an entry that would take one below zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_label
from shouzhan.core.money import format_yuan
from shouzhan.ledger.models import Account, Entry, Journal


@dataclass(frozen=True)
class Line:
    """One entry to post: an account (or its id) and a signed amount in fen."""

    account: Account | int
    amount_fen: int
    counts_to_cap: bool = False

    @property
    def account_id(self) -> int:
        account = self.account
        return account if isinstance(account, int) else int(account.pk)


class Refused(ValidationError):
    """The database refused a posting (a balance below zero or above a cap). `atomic()` explains it."""

    def __init__(self, lines: list[Line]) -> None:
        super().__init__(_("账目校验未通过，操作未执行。"), code="ledger_limit")
        self.lines = lines


def account_get_or_create(*, key: str, kind: str, name: str, **fields: Any) -> Account:
    fields.setdefault("keeps_total", kind not in Account.DERIVED_KINDS)
    account, _created = Account.objects.get_or_create(
        key=key, defaults={"kind": kind, "name": name, **fields}
    )
    return account


def totals(account_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """{account id: (balance, counted toward the cap)} as of now: the stored totals where the
    account keeps them, the sum of its entries where it does not. Two queries at most."""
    ids = set(account_ids)
    out: dict[int, tuple[int, int]] = {}
    derived: list[int] = []
    for pk, balance, capped, keeps in Account.objects.filter(pk__in=ids).values_list(
        "pk", "balance_fen", "capped_fen", "keeps_total"
    ):
        if keeps:
            out[pk] = (balance, capped)
        else:
            derived.append(pk)
            out[pk] = (0, 0)
    if derived:
        for pk, balance, capped in (
            Entry.objects.filter(account_id__in=derived)
            .values("account_id")
            .annotate(s=Sum("amount_fen"), c=Sum("amount_fen", filter=Q(counts_to_cap=True)))
            .values_list("account_id", "s", "c")
        ):
            out[pk] = (balance or 0, capped or 0)
    return out


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


def _deltas(lines: list[Line]) -> tuple[dict[int, int], dict[int, int]]:
    delta: dict[int, int] = defaultdict(int)
    cap_delta: dict[int, int] = defaultdict(int)
    for line in lines:
        delta[line.account_id] += line.amount_fen
        if line.counts_to_cap:
            cap_delta[line.account_id] += line.amount_fen
    return delta, cap_delta


def explain(lines: list[Line]) -> str:
    """Which limit the lines break, read from the accounts as they are now (after the rollback)."""
    delta, cap_delta = _deltas(lines)
    fresh = {a.pk: a for a in Account.objects.filter(pk__in=delta)}
    now = totals(fresh)
    # An account created inside the rolled-back transaction is gone: judge it as it was passed in.
    given = {line.account_id: line.account for line in lines if isinstance(line.account, Account)}
    for pk in sorted(delta):
        account = fresh.get(pk) or given.get(pk)
        if account is None:
            continue
        balance, capped = now.get(pk, (account.balance_fen, account.capped_fen))
        if not account.allow_negative and balance + delta[pk] < 0:
            return _refusal(account, balance, delta[pk])
        if account.cap_fen is not None and capped + cap_delta[pk] > account.cap_fen:
            return _("超过每年每项上限：上限 %(cap)s，本年已发放 %(used)s，本次 %(wanted)s。") % {
                "cap": format_yuan(account.cap_fen),
                "used": format_yuan(capped),
                "wanted": format_yuan(cap_delta[pk]),
            }
    # The limit was hit by a posting that has since been undone: the state moved under us.
    return _("账户余额刚刚发生变化，操作未执行，请重试。")


@contextmanager
def atomic() -> Iterator[None]:
    """`transaction.atomic()` for a service that posts: a refusal by the database's limits comes out
    as a ValidationError with the clear message (read after the rollback, so the connection is usable)."""
    try:
        with transaction.atomic():
            yield
    except Refused as exc:
        raise ValidationError(explain(exc.lines), code="ledger_limit") from exc


_JOURNAL_LINKS = ("programme", "enterprise", "claim", "case", "reverses")

# PostgreSQL: the journal and its entries in one statement (one round trip). The entries go in
# ordered by account id, so the trigger locks the accounts in that order.
_POST_SQL = """
WITH j AS (
  INSERT INTO ledger_journal
    (kind, memo, actor_label, programme_id, enterprise_id, claim_id, case_id, reverses_id, created_at)
  VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id
)
INSERT INTO ledger_entry (journal_id, account_id, amount_fen, counts_to_cap)
SELECT j.id, e.account_id, e.amount_fen, e.counts_to_cap
FROM j, unnest(%s::bigint[], %s::bigint[], %s::boolean[]) WITH ORDINALITY AS e(account_id, amount_fen, counts_to_cap, n)
ORDER BY e.n
RETURNING journal_id"""


def _link_ids(links: dict[str, Any]) -> dict[str, Any]:
    """`programme=obj` or `programme_id=1` → {"programme_id": 1}; refuses anything else."""
    ids: dict[str, Any] = {}
    for key, value in links.items():
        name = key.removesuffix("_id")
        if name not in _JOURNAL_LINKS:
            raise TypeError(f"unknown journal link {key}")
        ids[f"{name}_id"] = value if key.endswith("_id") or value is None else value.pk
    return ids


def post(*, kind: str, lines: list[Line], actor: Actor, memo: str = "", **links: Any) -> Journal:
    """Write one balanced journal and its entries (one statement on PostgreSQL, two elsewhere).

    Must run inside `atomic()` (or a transaction that rolls back on `Refused`). Account objects
    passed in are not refreshed: read the balances again if you need them.
    """
    if not lines:
        raise ValueError("a journal needs entries")
    if sum(line.amount_fen for line in lines) != 0:
        raise ValueError("a journal must balance")  # a programming error, never user input
    if any(line.amount_fen == 0 for line in lines):
        raise ValueError("an entry cannot be zero")
    ids = _link_ids(links)
    ordered = sorted(lines, key=lambda line: line.account_id)  # lock order: account id
    journal = Journal(kind=kind, memo=memo[:255], actor_label=actor_label(actor), **ids)
    if connection.vendor == "postgresql":
        params = [
            journal.kind,
            journal.memo,
            journal.actor_label,
            *(ids.get(f"{name}_id") for name in _JOURNAL_LINKS),
            journal.created_at,
            [line.account_id for line in ordered],
            [line.amount_fen for line in ordered],
            [line.counts_to_cap for line in ordered],
        ]
        try:
            with connection.cursor() as cursor:
                cursor.execute(_POST_SQL, params)
                journal.pk = cursor.fetchone()[0]
        except IntegrityError as exc:
            if getattr(exc.__cause__, "sqlstate", None) == "23514":  # check_violation: a limit
                raise Refused(lines) from exc
            raise  # a unique link (one grant per case, one reversal per journal): the caller says which
        journal._state.adding = False
        journal._state.db = connection.alias
        return journal
    journal.save(force_insert=True)
    try:
        Entry.objects.bulk_create(
            [
                Entry(
                    journal=journal,
                    account_id=line.account_id,
                    amount_fen=line.amount_fen,
                    counts_to_cap=line.counts_to_cap,
                )
                for line in ordered
            ]
        )
    except IntegrityError as exc:  # the account's CHECK constraints: below zero or above a cap
        raise Refused(lines) from exc
    return journal


def balances(*accounts: Account) -> None:
    """Refresh the balances of the given account objects (derived from the entries where the
    account keeps no stored total), so `account.balance_fen` reads true."""
    fresh = totals(a.pk for a in accounts)
    for account in accounts:
        account.balance_fen, account.capped_fen = fresh[account.pk]


def reverse(*, journal: Journal, actor: Actor, reason: str) -> Journal:
    """The only correction: a new journal with every entry negated, linked to the one it reverses."""
    if not reason.strip():
        raise ValidationError(_("冲正必须说明原因。"))
    if journal.kind == Journal.Kind.REVERSAL:
        raise ValidationError(_("冲正凭证不能再次冲正。"))
    if Journal.objects.filter(reverses=journal).exists():
        raise ValidationError(_("该凭证已经冲正过。"))
    lines = [
        Line(account_id, -amount, counts)
        for account_id, amount, counts in journal.entries.values_list(
            "account_id", "amount_fen", "counts_to_cap"
        )
    ]
    try:
        with atomic():
            return post(
                kind=Journal.Kind.REVERSAL,
                lines=lines,
                actor=actor,
                memo=reason,
                reverses=journal,
                programme_id=journal.programme_id,
                enterprise_id=journal.enterprise_id,
                claim_id=journal.claim_id,
                case_id=journal.case_id,
            )
    except IntegrityError as exc:  # two reversals raced: the one-to-one link lets only one in
        raise ValidationError(_("该凭证已经冲正过。")) from exc

"""Posting and reversing in the books, asserted to the fen and to the word (issue #20).

Accounts are made with `books.account_get_or_create` and journals posted with `books.post` inside
`books.atomic()`, so the database's triggers and CHECK constraints (SQLite here, PostgreSQL in CI)
do the refusing, and `books.atomic()` turns it into the plain-words message asserted here.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from shouzhan.ledger import books, services
from shouzhan.ledger.models import Account, Journal

from .conftest import submit_claim

pytestmark = pytest.mark.django_db


def _account(key: str, kind: str, name: str, **fields: Any) -> Account:
    return books.account_get_or_create(key=f"test:{key}", kind=kind, name=name, **fields)


@pytest.fixture
def funding() -> Account:
    return _account("funding", Account.Kind.FUNDING, "财政资金", allow_negative=True)


def _fund(funding: Account, account: Account, amount_fen: int, *, counts_to_cap: bool = False) -> Journal:
    with books.atomic():
        return books.post(
            kind=Journal.Kind.FUND,
            lines=[books.Line(funding, -amount_fen), books.Line(account, amount_fen, counts_to_cap)],
            actor="system:test",
        )


def _refusal(lines: list[books.Line]) -> list[str]:
    with pytest.raises(ValidationError) as exc, books.atomic():
        books.post(kind=Journal.Kind.HOLD, lines=lines, actor="system:test")
    assert exc.value.code == "ledger_limit"
    return exc.value.messages


def _entries(journal: Journal) -> list[tuple[int, int, bool]]:
    return list(journal.entries.order_by("id").values_list("account_id", "amount_fen", "counts_to_cap"))


def _stored(*accounts: Account) -> list[tuple[int, int]]:
    books.balances(*accounts)
    return [(a.balance_fen, a.capped_fen) for a in accounts]


# --- post: the journal's fields and its entries ---------------------------------------------


def test_post_writes_the_journal_its_links_and_who_posted_it(
    programme, provider, make_enterprise, officer, funding
):
    enterprise, _owner = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=1_000)
    claim = submit_claim(programme, enterprise, provider, 1_000)
    wallet = _account("wallet", Account.Kind.WALLET, "券额度")
    with books.atomic():
        journal = books.post(
            kind=Journal.Kind.GRANT,
            lines=[books.Line(wallet, 1_234, counts_to_cap=True), books.Line(funding.pk, -1_234)],
            actor=officer,
            memo="发券 " + "长" * 300,
            programme=programme,
            enterprise_id=enterprise.pk,
            claim=claim,
            case_id=42,
        )
    stored = Journal.objects.get(pk=journal.pk)
    assert journal.pk is not None and journal._state.adding is False
    assert (stored.kind, stored.memo, stored.actor_label) == ("grant", ("发券 " + "长" * 300)[:255], "王政")
    assert len(stored.memo) == 255
    assert (
        stored.programme_id,
        stored.enterprise_id,
        stored.claim_id,
        stored.case_id,
        stored.reverses_id,
    ) == (
        programme.pk,
        enterprise.pk,
        claim.pk,
        42,
        None,
    )
    # Entries go in ordered by account id (the lock order), each with its own cap flag.
    assert _entries(stored) == [(funding.pk, -1_234, False), (wallet.pk, 1_234, True)]
    assert _stored(funding, wallet) == [(-1_234, 0), (1_234, 1_234)]


def test_post_without_links_leaves_them_empty_and_labels_the_actor(funding):
    hold = _account("hold", Account.Kind.HOLD, "冻结")

    class Robot:
        def __str__(self) -> str:
            return "机器人" * 60

    with books.atomic():
        by_text = books.post(
            kind=Journal.Kind.FUND,
            lines=[books.Line(funding, -5), books.Line(hold, 5)],
            actor="系" * 200,
            programme=None,
        )
        by_object = books.post(
            kind=Journal.Kind.FUND, lines=[books.Line(funding, -1), books.Line(hold, 1)], actor=Robot()
        )
    first = Journal.objects.get(pk=by_text.pk)
    assert (first.kind, first.memo, first.actor_label) == ("fund", "", "系" * 150)
    assert (first.programme_id, first.enterprise_id, first.claim_id, first.case_id) == (
        None,
        None,
        None,
        None,
    )
    assert Journal.objects.get(pk=by_object.pk).actor_label == ("机器人" * 60)[:150]
    assert _stored(hold) == [(6, 0)]


def test_post_refuses_a_journal_that_is_empty_unbalanced_has_a_zero_entry_or_an_unknown_link(funding):
    hold = _account("hold", Account.Kind.HOLD, "冻结")
    cases: list[tuple[list[books.Line], dict[str, Any], type[Exception], str]] = [
        ([], {}, ValueError, "a journal needs entries"),
        ([books.Line(funding, -5), books.Line(hold, 4)], {}, ValueError, "a journal must balance"),
        ([books.Line(funding, 0), books.Line(hold, 0)], {}, ValueError, "an entry cannot be zero"),
        (
            [books.Line(funding, -5), books.Line(hold, 5)],
            {"batch": 1},
            TypeError,
            "unknown journal link batch",
        ),
        (
            [books.Line(funding, -5), books.Line(hold, 5)],
            {"batch_id": 1},
            TypeError,
            "unknown journal link batch_id",
        ),
    ]
    for lines, links, error, message in cases:
        with pytest.raises(error) as exc, books.atomic():
            books.post(kind=Journal.Kind.FUND, lines=lines, actor="system:test", **links)
        assert str(exc.value) == message
    assert Journal.objects.count() == 0


# --- refusals: the message says which limit, with the combined amount -----------------------


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        (Account.Kind.WALLET, "券余额不足：某账户 可用 10.00 元，本次需要 12.34 元。"),
        (Account.Kind.PROGRAMME_BUDGET, "预算不足：某账户 剩余 10.00 元，本次需要 12.34 元。"),
        (Account.Kind.CLAUSE_BUDGET, "超出条款年度预算：某账户 剩余 10.00 元，本次核定 12.34 元。"),
        (Account.Kind.HOLD, "账户 某账户 余额不足：剩余 10.00 元，本次需要 12.34 元。"),
    ],
)
def test_two_lines_on_one_account_are_refused_with_their_combined_amount(funding, kind, message):
    account = _account("limited", kind, "某账户")
    sink = _account("sink", Account.Kind.HOLD, "冻结")
    _fund(funding, account, 1_000)
    # 6.00 + 6.34 yuan against 10.00: each line alone would pass, together they do not.
    assert _refusal([books.Line(account, -600), books.Line(account, -634), books.Line(sink, 1_234)]) == [
        message
    ]
    assert _stored(account, sink) == [(1_000, 0), (0, 0)]


def test_taking_exactly_the_balance_is_allowed(funding):
    wallet = _account("wallet", Account.Kind.WALLET, "券额度")
    sink = _account("sink", Account.Kind.HOLD, "冻结")
    _fund(funding, wallet, 1_000)
    with books.atomic():
        books.post(
            kind=Journal.Kind.HOLD,
            lines=[books.Line(wallet, -400), books.Line(wallet, -600), books.Line(sink, 1_000)],
            actor="system:test",
        )
    assert _stored(wallet, sink) == [(0, 0), (1_000, 0)]


def test_the_yearly_cap_counts_only_the_lines_that_count_to_it(funding):
    wallet = _account("capped", Account.Kind.WALLET, "券额度", cap_fen=1_000)
    _fund(funding, wallet, 700, counts_to_cap=True)
    _fund(funding, wallet, 5_000)  # does not count toward the cap
    assert _stored(wallet) == [(5_700, 700)]
    # 2.00 + 1.01 yuan counted toward the cap on top of 7.00 used: over by one fen. The 0.50 not
    # counted is left out of "本次".
    lines = [
        books.Line(funding, -351),
        books.Line(wallet, 200, counts_to_cap=True),
        books.Line(wallet, 101, counts_to_cap=True),
        books.Line(wallet, 50),
    ]
    assert _refusal(lines) == ["超过每年每项上限：上限 10.00 元，本年已发放 7.00 元，本次 3.01 元。"]
    with books.atomic():  # exactly up to the cap is allowed
        books.post(
            kind=Journal.Kind.GRANT,
            lines=[books.Line(funding, -300), books.Line(wallet, 300, counts_to_cap=True)],
            actor="system:test",
        )
    assert _stored(wallet) == [(6_000, 1_000)]


def test_a_refusal_names_the_first_account_by_id_that_breaks_a_limit(funding):
    first = _account("first", Account.Kind.WALLET, "甲")
    second = _account("second", Account.Kind.PROGRAMME_BUDGET, "乙")
    sink = _account("sink", Account.Kind.HOLD, "冻结")
    _fund(funding, first, 100)
    _fund(funding, second, 100)
    lines = [books.Line(second, -101), books.Line(first, -101), books.Line(sink, 202)]
    assert _refusal(lines) == ["券余额不足：甲 可用 1.00 元，本次需要 1.01 元。"]
    # The funding account may go negative: it never appears in a refusal.
    assert _refusal([books.Line(funding, -50), books.Line(second, -101), books.Line(sink, 151)]) == [
        "预算不足：乙 剩余 1.00 元，本次需要 1.01 元。"
    ]


def test_a_derived_account_is_refused_by_the_sum_of_its_entries(funding):
    receivable = _account("receivable", Account.Kind.RECEIVABLE, "应收")
    paid_out = _account("paid_out", Account.Kind.PAID_OUT, "已拨付")
    assert (receivable.keeps_total, paid_out.keeps_total) == (False, False)
    _fund(funding, receivable, 300, counts_to_cap=True)
    _fund(funding, receivable, 200)
    assert _stored(receivable, paid_out) == [(500, 300), (0, 0)]
    lines = [books.Line(receivable, -250), books.Line(receivable, -251), books.Line(paid_out, 501)]
    assert _refusal(lines) == ["账户 应收 余额不足：剩余 5.00 元，本次需要 5.01 元。"]
    assert _stored(receivable, paid_out) == [(500, 300), (0, 0)]


# --- reverse ------------------------------------------------------------------------------


def test_reverse_keeps_the_links_negates_every_entry_and_says_who(
    programme, provider, make_enterprise, officer, caseworker, funding
):
    enterprise, _owner = make_enterprise()
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=1_000)
    claim = submit_claim(programme, enterprise, provider, 1_000)
    wallet = _account("wallet", Account.Kind.WALLET, "券额度", cap_fen=10_000)
    hold = _account("hold", Account.Kind.HOLD, "冻结")
    with books.atomic():
        original = books.post(
            kind=Journal.Kind.GRANT,
            lines=[
                books.Line(funding, -1_500),
                books.Line(wallet, 1_000, counts_to_cap=True),
                books.Line(hold, 500),
            ],
            actor="system:test",
            programme=programme,
            enterprise=enterprise,
            claim=claim,
            case_id=7,
        )
    reversal = books.reverse(journal=original, actor=caseworker, reason="金额录入错误")
    stored = Journal.objects.get(pk=reversal.pk)
    assert (stored.kind, stored.memo, stored.actor_label, stored.reverses_id) == (
        "reversal",
        "金额录入错误",
        "张洁",
        original.pk,
    )
    assert (stored.programme_id, stored.enterprise_id, stored.claim_id, stored.case_id) == (
        programme.pk,
        enterprise.pk,
        claim.pk,
        7,
    )
    assert _entries(stored) == sorted(
        [(funding.pk, 1_500, False), (wallet.pk, -1_000, True), (hold.pk, -500, False)]
    )
    assert _stored(funding, wallet, hold) == [(0, 0), (0, 0), (0, 0)]


def test_reverse_refuses_without_a_reason_a_reversal_and_a_second_time(funding):
    hold = _account("hold", Account.Kind.HOLD, "冻结")
    original = _fund(funding, hold, 100)
    for reason in ("", "  "):
        with pytest.raises(ValidationError) as exc:
            books.reverse(journal=original, actor="system:test", reason=reason)
        assert exc.value.messages == ["冲正必须说明原因。"]
    reversal = books.reverse(journal=original, actor="system:test", reason="错")
    with pytest.raises(ValidationError) as exc:
        books.reverse(journal=reversal, actor="system:test", reason="再错")
    assert exc.value.messages == ["冲正凭证不能再次冲正。"]
    with pytest.raises(ValidationError) as exc:
        books.reverse(journal=original, actor="system:test", reason="再错")
    assert exc.value.messages == ["该凭证已经冲正过。"]
    assert Journal.objects.filter(kind="reversal").count() == 1
    assert _stored(hold) == [(0, 0)]


def test_reverse_is_refused_when_the_money_has_moved_on(funding):
    wallet = _account("wallet", Account.Kind.WALLET, "券额度")
    sink = _account("sink", Account.Kind.HOLD, "冻结")
    grant = _fund(funding, wallet, 1_000)
    with books.atomic():
        books.post(
            kind=Journal.Kind.HOLD,
            lines=[books.Line(wallet, -800), books.Line(sink, 800)],
            actor="system:test",
        )
    with pytest.raises(ValidationError) as exc:
        books.reverse(journal=grant, actor="system:test", reason="错")
    assert exc.value.messages == ["券余额不足：券额度 可用 2.00 元，本次需要 10.00 元。"]
    assert Journal.objects.filter(kind="reversal").count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reversals_racing_let_one_in_and_refuse_the_other_in_plain_words():
    """The second passes the "already reversed?" check before the first commits, then waits on the
    one-to-one link: the database lets only one in, and the other hears why (not an IntegrityError)."""
    funding = _account("funding", Account.Kind.FUNDING, "财政资金", allow_negative=True)
    hold = _account("hold", Account.Kind.HOLD, "冻结")
    original = _fund(funding, hold, 100)
    outcome: list[object] = []

    def second() -> None:
        try:
            books.reverse(journal=original, actor="system:second", reason="错")
            outcome.append("ok")
        except ValidationError as exc:
            outcome.append(exc.messages)
        finally:
            connection.close()

    with transaction.atomic():
        first = books.reverse(journal=original, actor="system:first", reason="错")
        thread = threading.Thread(target=second)
        thread.start()
        # Commit only once the second is blocked on the first's uncommitted reversal.
        with connection.cursor() as cursor:
            while thread.is_alive():
                cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the view is read once a transaction
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    break
    thread.join()
    assert outcome == [["该凭证已经冲正过。"]]
    assert list(Journal.objects.filter(kind="reversal").values_list("pk", "actor_label")) == [
        (first.pk, "system:first")
    ]
    assert _stored(hold) == [(0, 0)]


def test_an_account_created_in_the_refused_transaction_is_judged_as_it_was_passed_in(funding):
    sink = _account("sink", Account.Kind.HOLD, "冻结")
    with pytest.raises(ValidationError) as exc, books.atomic():
        fresh = _account("fresh", Account.Kind.WALLET, "新券")
        books.post(
            kind=Journal.Kind.HOLD,
            lines=[books.Line(fresh, -100), books.Line(sink, 100)],
            actor="system:test",
        )
    assert exc.value.messages == ["券余额不足：新券 可用 0.00 元，本次需要 1.00 元。"]
    assert not Account.objects.filter(key="test:fresh").exists()


def test_outside_books_atomic_the_refusal_carries_its_lines_and_a_generic_message(funding):
    wallet = _account("wallet", Account.Kind.WALLET, "券额度")
    sink = _account("sink", Account.Kind.HOLD, "冻结")
    lines = [books.Line(wallet, -1), books.Line(sink, 1)]
    with pytest.raises(books.Refused) as exc, transaction.atomic():
        books.post(kind=Journal.Kind.HOLD, lines=lines, actor="system:test")
    assert (exc.value.messages, exc.value.code, exc.value.lines) == (
        ["账目校验未通过，操作未执行。"],
        "ledger_limit",
        lines,
    )


# --- explain: which limit, when several accounts are involved ------------------------------


def test_accounts_before_the_one_that_breaks_may_sit_exactly_at_their_limits(funding):
    """Taken to exactly zero, or counted up to exactly the cap, an account is within its limits: the
    refusal names the later account (by id) that goes below zero."""
    emptied = _account("emptied", Account.Kind.WALLET, "甲")
    capped = _account("capped", Account.Kind.WALLET, "丙", cap_fen=1_000)
    short = _account("short", Account.Kind.WALLET, "乙")
    _fund(funding, emptied, 100)
    _fund(funding, capped, 700, counts_to_cap=True)
    lines = [
        books.Line(funding, -199),
        books.Line(emptied, -100),
        books.Line(capped, 300, counts_to_cap=True),
        books.Line(short, -1),
    ]
    assert _refusal(lines) == ["券余额不足：乙 可用 0.00 元，本次需要 0.01 元。"]
    assert _stored(emptied, capped, short) == [(100, 0), (700, 700), (0, 0)]


def test_an_account_gone_with_the_rollback_and_passed_by_id_is_skipped_not_the_end(funding):
    """A service may create an account and post to it by id in one transaction: after the rollback that
    account is gone and nothing is known of it, so the accounts after it are still judged."""
    sink = _account("sink", Account.Kind.HOLD, "冻结")
    with pytest.raises(ValidationError) as exc, books.atomic():
        by_id = _account("by-id", Account.Kind.HOLD, "按编号")
        given = _account("given", Account.Kind.WALLET, "新券")
        assert by_id.pk < given.pk
        books.post(
            kind=Journal.Kind.HOLD,
            lines=[books.Line(by_id.pk, 100), books.Line(given, -100)],
            actor="system:test",
        )
    assert exc.value.messages == ["券余额不足：新券 可用 0.00 元，本次需要 1.00 元。"]
    # Only by id: nothing left to name, so the posting is refused as "changed under us".
    with pytest.raises(ValidationError) as exc, books.atomic():
        by_id = _account("by-id", Account.Kind.WALLET, "按编号")
        books.post(
            kind=Journal.Kind.HOLD,
            lines=[books.Line(by_id.pk, -100), books.Line(sink, 100)],
            actor="system:test",
        )
    assert exc.value.messages == ["账户余额刚刚发生变化，操作未执行，请重试。"]
    assert not Account.objects.filter(key__in=["test:by-id", "test:given"]).exists()


def test_a_refusal_whose_cause_is_gone_after_the_rollback_asks_to_try_again(funding):
    """The database refused, but read again after the rollback every account has room (another
    transaction moved the money meanwhile): the message says the state changed, not a wrong limit."""
    wallet = _account("wallet", Account.Kind.WALLET, "券额度", cap_fen=1_000)
    _fund(funding, wallet, 500, counts_to_cap=True)
    lines = [books.Line(wallet, -500), books.Line(funding, 500)]
    assert books.explain(lines) == "账户余额刚刚发生变化，操作未执行，请重试。"
    with pytest.raises(ValidationError) as exc, books.atomic():
        raise books.Refused(lines)
    assert (exc.value.messages, exc.value.code) == (
        ["账户余额刚刚发生变化，操作未执行，请重试。"],
        "ledger_limit",
    )
    assert _stored(wallet) == [(500, 500)]


def test_a_derived_account_counts_toward_the_cap_only_its_entries_that_do(funding):
    receivable = _account("receivable", Account.Kind.RECEIVABLE, "应收")
    settled = _account("settled", Account.Kind.RECEIVABLE, "已结清")
    _fund(funding, receivable, 200)  # not counted toward the cap
    _fund(funding, settled, 300, counts_to_cap=True)
    with books.atomic():
        books.post(
            kind=Journal.Kind.HOLD,
            lines=[books.Line(settled, -300, counts_to_cap=True), books.Line(funding, 300)],
            actor="system:test",
        )
    assert _stored(receivable, settled) == [(200, 0), (0, 0)]

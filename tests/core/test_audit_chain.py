"""The audit trail proves itself: entries are hash-chained, and `shouzhan audit verify` finds the
first entry that was removed or changed — also when someone switched the append-only triggers off."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from shouzhan.cli import main as shouzhan
from shouzhan.core import audit_chain
from shouzhan.core.audit import audit_record
from shouzhan.core.audit_chain import GENESIS, chain_pending, chain_verify, entry_hash
from shouzhan.core.models import AuditEntry

pytestmark = pytest.mark.usefixtures("trail_test_actions")


def write(n: int, **extra: Any) -> list[AuditEntry]:
    """n entries, chained as their transaction commits would chain them."""
    entries = [
        audit_record(
            actor="system:test", action="test.step", target_type="t", target_id=i, note=f"第{i}步", **extra
        )
        for i in range(1, n + 1)
    ]
    chain_pending()
    return entries


def cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """The `shouzhan` command line in this process. A management command run from the command line
    closes the database connections when it ends, which would end the test's transaction."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)
    return shouzhan(list(args))


def chained() -> list[dict[str, Any]]:
    rows = AuditEntry.objects.filter(sequence__isnull=False).order_by("sequence")
    return [dict(row) for row in rows.values("id", "sequence", "prev_hash", "hash")]


@pytest.fixture
def triggers_off() -> Iterator[None]:
    """What someone with the database's owner rights can do: switch the append-only triggers off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
            yield
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no ALTER TABLE while checks are pending
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
            return
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'core_auditentry'"
        )
        triggers = cursor.fetchall()
        assert len(triggers) == 2
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        yield
        for _name, sql in triggers:
            cursor.execute(sql)


def verify_fails() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify")
    return str(failure.value)


@pytest.mark.django_db
def test_entries_form_one_chain_in_order() -> None:
    write(4)
    rows = chained()
    assert [r["sequence"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["prev_hash"] == GENESIS
    assert [r["prev_hash"] for r in rows[1:]] == [r["hash"] for r in rows[:-1]]
    # Each hash is sha256 over the canonical fields, recomputed here from what the database holds.
    for row in AuditEntry.objects.filter(sequence__isnull=False).order_by("sequence").values():
        assert row["hash"] == entry_hash(int(row["sequence"] or 0), row["prev_hash"], row)
    state = chain_verify()
    assert (state.ok, state.entries, state.head_sequence, state.head_hash) == (True, 4, 4, rows[-1]["hash"])


@pytest.mark.django_db
def test_odd_values_hash_the_same_when_read_back() -> None:
    """Nested JSON, decimals, CJK text, an IPv6 address, big numbers: chaining and verifying agree."""
    from decimal import Decimal

    from shouzhan.core.audit import current_ip

    token = current_ip.set("2001:DB8::0:1")
    try:
        audit_record(
            actor="system:test",
            action="test.odd",
            target_type="t",
            before={"金额": Decimal("12.30"), "list": [1, {"b": None, "a": True}], "big": 2**62},
            after={"text": '引号"和\\反斜杠\n换行', "emoji": "🎬"},
            note="说明",
            enterprise_id=7,
        )
    finally:
        current_ip.reset(token)
    chain_pending()
    assert chain_verify().ok


@pytest.mark.django_db
def test_verify_command_prints_the_head_and_the_cli_exits_zero(
    capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(3)
    head = chained()[-1]
    assert cli(monkeypatch, "audit", "verify") == 0
    out = capsys.readouterr().out
    assert "audit chain OK: 3 entries" in out
    assert f"head #3 sha256 {head['hash']}" in out
    # The check itself is in the trail: it says how far the chain was proven.
    check = AuditEntry.objects.get(action="core.chain_verify")
    assert check.after == {
        "ok": True,
        "entries": 3,
        "head_sequence": 3,
        "head_hash": head["hash"],
        "unchained": 0,
        "problem": "",
        "at_sequence": None,
    }
    assert check.note == "审计链完整：已核验 3 条记录。"


@pytest.mark.django_db
def test_a_deleted_entry_is_found_with_the_triggers_off(
    triggers_off: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE sequence = 3")
    message = verify_fails()
    assert "entry #3 (missing)" in message
    assert "第 3 条记录不见了：它被删除了。" in message
    assert "the 2 entries before it are intact" in message
    # Through the `shouzhan` command line: exit status 1.
    with pytest.raises(SystemExit) as exit_status:
        cli(monkeypatch, "audit", "verify")
    assert exit_status.value.code == 1


@pytest.mark.django_db
def test_a_changed_entry_is_found_with_the_triggers_off(triggers_off: None) -> None:
    write(5)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET note = '第2步（改过）' WHERE sequence = 2")
    message = verify_fails()
    assert "entry #2 (changed)" in message and "它被改动过" in message


@pytest.mark.django_db
def test_a_changed_entry_with_its_hash_recomputed_breaks_the_next_link(triggers_off: None) -> None:
    write(4)
    row = AuditEntry.objects.filter(sequence=2).values().get()
    row["note"] = "改过"
    forged = entry_hash(2, row["prev_hash"], row)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET note = %s, hash = %s WHERE sequence = 2", ["改过", forged])
    assert "entry #3 (relinked)" in verify_fails()


@pytest.mark.django_db
def test_an_anchor_catches_entries_cut_off_the_end(triggers_off: None, tmp_path: Path, capsys: Any) -> None:
    write(4)
    anchor = tmp_path / "anchor.txt"
    call_command("audit_verify", anchor=str(anchor))
    # The head is written down: the 4 entries plus the check's own entry, chained after them.
    written = anchor.read_text().split()
    assert written[:2] == ["4", chained()[3]["hash"]]
    write(1)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE sequence >= 4")
    # Without the anchor, a cut-off tail looks like a shorter chain …
    assert chain_verify().ok
    # … with it, the cut is found.
    with pytest.raises(CommandError, match=r"entry #4 \(truncated\)"):
        call_command("audit_verify", anchor=str(anchor))


@pytest.mark.django_db
def test_a_rewritten_chain_does_not_match_its_anchor(triggers_off: None, tmp_path: Path) -> None:
    write(3)
    anchor = tmp_path / "anchor.txt"
    call_command("audit_verify", anchor=str(anchor))
    # Someone patient changes entry 2 and recomputes every hash after it.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET note = '改过' WHERE sequence = 2")
        prev = AuditEntry.objects.get(sequence=1).hash
        for row in AuditEntry.objects.filter(sequence__gte=2).order_by("sequence").values():
            digest = entry_hash(int(row["sequence"] or 0), prev, row)
            cursor.execute(
                "UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
                [prev, digest, row["id"]],
            )
            prev = digest
    assert chain_verify().ok  # the chain alone cannot tell …
    with pytest.raises(CommandError, match=r"entry #3 \(anchor\)"):
        call_command("audit_verify", anchor=str(anchor))  # … the head written down can


@pytest.mark.django_db
def test_the_triggers_let_only_the_chaining_through() -> None:
    # An entry not chained yet (written straight, as a transaction that has not committed leaves it).
    waiting = AuditEntry.objects.create(action="test.raw", target_type="t", note="原文")
    for sql, params in [
        ("UPDATE core_auditentry SET note = 'x' WHERE id = %s", [waiting.pk]),
        ("UPDATE core_auditentry SET sequence = 99, note = 'x' WHERE id = %s", [waiting.pk]),
        ("DELETE FROM core_auditentry WHERE id = %s", [waiting.pk]),
    ]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    chain_pending()
    entry = AuditEntry.objects.get(pk=waiting.pk)
    assert entry.sequence == 1 and entry.note == "原文"
    # Once chained, not even the chain columns change.
    for sql in (
        "UPDATE core_auditentry SET sequence = 2 WHERE id = %s",
        "UPDATE core_auditentry SET hash = '' WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [waiting.pk])
    assert chain_verify().ok


@pytest.mark.django_db
def test_bad_anchor_file_is_a_clear_error(tmp_path: Path) -> None:
    anchor = tmp_path / "anchor.txt"
    anchor.write_text("not a head\n")
    with pytest.raises(CommandError, match="cannot read the anchor file"):
        call_command("audit_verify", anchor=str(anchor))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_transactions_keep_one_line() -> None:
    """16 connections writing entries at once: one chain, sequence 1…N without gaps or forks.

    Chaining happens after each commit; a transaction that writes its entry and then waits for a
    row another one holds (which writes its entry next) must not deadlock on the chain either."""
    from shouzhan.accounts.models import Organisation

    org = Organisation.objects.create(name="锁测试")
    clients, each = 16, 12
    barrier = threading.Barrier(clients)
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            barrier.wait()
            for i in range(each):
                with transaction.atomic():
                    if k % 2:
                        audit_record(
                            actor=f"client:{k}", action="test.concurrent", target_type="t", target_id=i
                        )
                        Organisation.objects.select_for_update().get(pk=org.pk)
                    else:
                        Organisation.objects.select_for_update().get(pk=org.pk)
                        audit_record(
                            actor=f"client:{k}", action="test.concurrent", target_type="t", target_id=i
                        )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEntry.objects.filter(sequence__isnull=True).count() == 0
    sequences = list(AuditEntry.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, clients * each + 1))
    assert chain_verify().ok


def test_anchor_lines_are_read_strictly() -> None:
    digest = "a" * 64
    assert audit_chain.read_anchors(f"# heads\n\n12 {digest} 2026-11-30T10:00:00\n13 {digest.upper()}\n") == [
        (12, digest),
        (13, digest),
    ]
    with pytest.raises(ValueError, match="line 1"):
        audit_chain.read_anchors("12 abc\n")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_chaining_per_transaction_and_a_failed_one_is_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The change is committed before its entry is chained: if chaining fails, the caller sees no
    error (the failure is logged) and the entry waits for the next chaining."""
    with transaction.atomic():
        audit_record(actor="system:test", action="test.one", target_type="t")
        audit_record(actor="system:test", action="test.two", target_type="t")
        assert len([f for f in connection.run_on_commit if getattr(f[1], "chains_audit", False)]) == 1
    assert list(AuditEntry.objects.order_by("sequence").values_list("sequence", "action")) == [
        (1, "test.one"),
        (2, "test.two"),
    ]

    def broken(**kwargs: Any) -> int:
        raise DatabaseError("the chaining failed")

    working = audit_chain.chain_pending
    monkeypatch.setattr(audit_chain, "chain_pending", broken)
    with transaction.atomic():
        audit_record(
            actor="system:test", action="test.three", target_type="t"
        )  # no exception after the commit
    assert AuditEntry.objects.get(action="test.three").sequence is None
    monkeypatch.setattr(audit_chain, "chain_pending", working)
    with transaction.atomic():
        audit_record(actor="system:test", action="test.four", target_type="t")
    assert list(AuditEntry.objects.order_by("sequence").values_list("sequence", "action"))[2:] == [
        (3, "test.three"),
        (4, "test.four"),
    ]
    assert chain_verify().ok

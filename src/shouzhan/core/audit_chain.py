"""The audit trail proves itself: every entry is hash-chained to the one before, and the chain can be
walked to find the first entry that was removed or changed — even by someone who switched the
append-only triggers off.

Once chained, an entry has
  sequence   1, 2, 3 … without gaps: a gap means an entry was removed;
  prev_hash  the hash of the entry before it (GENESIS for the first);
  hash       sha256 over the canonical JSON of its fields, its sequence and prev_hash: a
             mismatch means the entry was changed.

Entries are chained when their transaction commits, not when they are written. A chain is one
line, so chaining must be serialised; a lock taken in the middle of a service's transaction would
be held until that transaction commits, making every transaction that writes an entry wait for
the one before it (the ledger's concurrent approvals), and a transaction that takes other row
locks after its audit entry could deadlock with one that holds them. So `audit_record` inserts
the entry unchained and, after the commit, `chain_pending` takes the chain's lock (a
transaction-level advisory lock on PostgreSQL, the database's write lock on SQLite), chains
every committed entry still waiting in id order, and commits: a short transaction that touches
nothing else, and one that chains a whole batch when many commits arrive at once (the same on
both engines, so a service's own transaction carries no extra statements). An entry whose
chaining failed, or whose process died right after its commit, waits for the next chaining
(any later entry, or `audit verify`); the append-only trigger keeps it unchanged meanwhile.

The canonical form is computed from the values as read back from the database, by chaining and
verifying alike, so both engines and a restored backup agree on it: one JSON object, keys
sorted, no spaces, UTF-8, times in UTC with microseconds, IP addresses in compressed form.

A chain without a secret can be rewritten from the changed entry onwards by someone patient.
What guards against that, and against cutting entries off the end, is the head written down
outside the database: `shouzhan audit verify` prints it and can keep it in an anchor file, and a
later verify checks that every anchored entry is still there with the same hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

if TYPE_CHECKING:
    from shouzhan.core.actors import Actor

GENESIS = "0" * 64
# The fields an entry's hash covers besides its sequence and prev_hash.
CHAINED_FIELDS = (
    "at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "enterprise_id",
    "before",
    "after",
    "note",
    "ip",
)
# Advisory lock keys: the chain's lock ("ZSAUDIT" in ASCII) and the place in line to take it.
LOCK_KEY = 0x5A_53_41_55_44_49_54
QUEUE_KEY = LOCK_KEY + 1
READ_COMMITTED = {"READ_COMMITTED", "READ_UNCOMMITTED"}  # PostgreSQL runs READ UNCOMMITTED as READ COMMITTED
BATCH = 2000


def _model() -> type[models.Model]:
    from shouzhan.core.models import AuditEntry

    return AuditEntry


def _canonical_value(name: str, value: Any) -> Any:
    if name == "at" and isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat(timespec="microseconds")
    if name == "ip" and value:
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            return str(value)
    return value


def canonical(sequence: int, prev_hash: str, values: Mapping[str, Any]) -> bytes:
    """The bytes an entry's hash is taken over."""
    document = {name: _canonical_value(name, values[name]) for name in CHAINED_FIELDS}
    document["sequence"] = sequence
    document["prev_hash"] = prev_hash
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(sequence: int, prev_hash: str, values: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(sequence, prev_hash, values)).hexdigest()


def _lock(using: str, table: str, own_transaction: bool, in_line: bool) -> None:
    """Take the chain's lock for this transaction (one statement on PostgreSQL)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            # SQLite: a write statement, even one that matches nothing, takes the database's write
            # lock now (waiting its turn), so the head read next cannot go stale before we write.
            cursor.execute(f"UPDATE {table} SET sequence = sequence WHERE 0 = 1")  # noqa: S608 (table: model metadata)
            return
        # Once the chain's lock is ours: give up our place in line (`_chain_after_commit`), and
        # do not wait for the disk at commit. The entries are durable already (their transactions
        # committed); a crash can only lose the last chainings, a prefix of the chain survives
        # whole (the log is replayed in order) and the entries they covered are chained again.
        # Waiting here, lock held, would make each chaining wait for the one before it to reach
        # the disk. (Not when chaining inside a caller's transaction: its commit is its own.)
        level = getattr(connection, "isolation_level", None)
        if own_transaction and level is not None and getattr(level, "name", "") not in READ_COMMITTED:
            # What follows reads what committed while we waited for the lock: that needs a fresh
            # snapshot per statement. (Inside a caller's stricter transaction a stale head cannot
            # fork the chain either: the unique sequence refuses it.)
            cursor.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        after = []
        if own_transaction:
            after.append("set_config('synchronous_commit', 'off', true)")
        if in_line:
            after.append(f"pg_advisory_unlock({QUEUE_KEY})")
        if after:
            # The subquery in FROM runs first (a volatile function is never pulled up), so the lock
            # is held before anything after it happens.
            cursor.execute(
                f"SELECT {', '.join(after)} FROM (SELECT pg_advisory_xact_lock(%s)) AS locked",  # noqa: S608
                [LOCK_KEY],
            )
        else:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _write(using: str, table: str, rows: list[tuple[int, int, str, str]]) -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ids, sequences, prevs, hashes = (list(column) for column in zip(*rows, strict=True))
            sql = (
                f"UPDATE {table} AS e SET sequence = v.sequence, prev_hash = v.prev_hash, hash = v.hash "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::varchar[]) "
                "AS v(id, sequence, prev_hash, hash) WHERE e.id = v.id"
            )
            cursor.execute(sql, [ids, sequences, prevs, hashes])
        else:
            cursor.executemany(
                f"UPDATE {table} SET sequence = %s, prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608
                [(sequence, prev, digest, pk) for pk, sequence, prev, digest in rows],
            )


def chain_pending(
    *, using: str = DEFAULT_DB_ALIAS, model: type[models.Model] | None = None, _in_line: bool = False
) -> int:
    """Chain every entry not chained yet, in id order, under the chain's lock. Returns how many.

    `model` lets a migration pass its historical model.
    """
    model = model or _model()
    table = connections[using].ops.quote_name(model._meta.db_table)
    manager = model._default_manager.db_manager(using)
    head = manager.filter(sequence__isnull=False).order_by("-sequence")
    chained = 0
    own_transaction = not connections[using].in_atomic_block
    with transaction.atomic(using=using, savepoint=False):
        _lock(using, table, own_transaction, _in_line)
        while True:
            # The entries waiting, each row carrying the chain's head (one query, not two).
            pending = list(
                manager.filter(sequence__isnull=True)
                .order_by("pk")
                .annotate(
                    head_sequence=models.Subquery(head.values("sequence")[:1]),
                    head_hash=models.Subquery(head.values("hash")[:1]),
                )
                .values("pk", "head_sequence", "head_hash", *CHAINED_FIELDS)[:BATCH]
            )
            if not pending:
                return chained
            sequence, prev = pending[0]["head_sequence"] or 0, pending[0]["head_hash"] or GENESIS
            rows = []
            for values in pending:
                sequence += 1
                digest = entry_hash(sequence, prev, values)
                rows.append((values["pk"], sequence, prev, digest))
                prev = digest
            _write(using, table, rows)
            chained += len(rows)
            if len(rows) < BATCH:
                return chained


def _chain_after_commit(using: str) -> None:
    """After a commit: chain, unless (on PostgreSQL) someone is already waiting to.

    Many transactions commit at once; each passing through the chain's lock in turn would make
    them queue behind each other. Only one needs to wait: a place in line (a session advisory
    lock) is taken without waiting. Whoever cannot get it returns at once, its entry committed
    before it tried, and the one in line reads the entries waiting only after it holds the chain's
    lock and has given up its place, so it takes that entry with its own.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        chain_pending(using=using)  # SQLite: one writer at a time already
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [QUEUE_KEY])
        if not cursor.fetchone()[0]:
            return
    try:
        chain_pending(using=using, _in_line=True)
    except BaseException:
        _leave_line(using)
        raise


def _leave_line(using: str) -> None:
    """Give the place in line back if chaining failed before it did (a no-op if not held)."""
    connection = connections[using]
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_unlock(%s) FROM pg_locks WHERE locktype = 'advisory' "
                "AND pid = pg_backend_pid() AND classid = %s AND objid = %s AND objsubid = 1",
                [QUEUE_KEY, QUEUE_KEY >> 32, QUEUE_KEY & 0xFFFFFFFF],
            )
    except Exception:
        connection.close()  # a closed session holds no locks


def chain_at_commit(using: str = DEFAULT_DB_ALIAS) -> None:
    """Called by `audit_record` right after it inserts an entry (inside that transaction)."""
    connection = connections[using]
    for registered in connection.run_on_commit:
        func = registered[1]  # (savepoint ids, func, robust)
        if getattr(func, "chains_audit", False):
            return  # once per transaction: one chaining takes every entry it wrote

    # robust: the change is committed by now; a failure to chain must not turn it into an error
    # page. The entry stays waiting, and the next chaining (or `audit verify`) takes it.
    # (A plain function, not a functools.partial: Django names it by __qualname__ when it fails.)
    def chain_after_commit() -> None:
        _chain_after_commit(using)

    chain_after_commit.chains_audit = True  # type: ignore[attr-defined]
    transaction.on_commit(chain_after_commit, using=using, robust=True)


@dataclass(frozen=True)
class ChainState:
    """What a walk of the chain found. `problem` names the first broken link, at `at_sequence`:
    missing (an entry removed), changed (an entry's fields changed), relinked (an entry no longer
    follows the one before: that one was replaced), truncated (entries written down in an anchor
    are gone from the end), anchor (an anchored entry's hash differs: the chain was rewritten)."""

    ok: bool
    entries: int
    head_sequence: int
    head_hash: str
    head_at: dt.datetime | None
    unchained: int
    problem: str = ""
    at_sequence: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_sequence": self.head_sequence,
            "head_hash": self.head_hash,
            "unchained": self.unchained,
            "problem": self.problem,
            "at_sequence": self.at_sequence,
        }


def chain_verify(
    *,
    using: str = DEFAULT_DB_ALIAS,
    anchors: Iterable[tuple[int, str]] = (),
) -> ChainState:
    """Walk the chained entries in sequence order and stop at the first broken link.

    `anchors` are (sequence, hash) pairs written down earlier: each must still be in the chain.
    Entries not chained yet are counted, not judged (call `chain_pending` first to take them in).
    """
    manager = _model()._default_manager.db_manager(using)
    expected_anchor = dict(anchors)
    unchained = manager.filter(sequence__isnull=True).count()
    expected, prev, head_at = 1, GENESIS, None
    fields = ("sequence", "prev_hash", "hash", *CHAINED_FIELDS)

    def state(problem: str = "", at: int | None = None) -> ChainState:
        return ChainState(
            ok=not problem,
            entries=expected - 1,
            head_sequence=expected - 1,
            head_hash=prev if expected > 1 else "",
            head_at=head_at,
            unchained=unchained,
            problem=problem,
            at_sequence=at,
        )

    rows = manager.filter(sequence__isnull=False).order_by("sequence").values(*fields)
    for row in rows.iterator(chunk_size=BATCH):
        sequence = row["sequence"]
        if sequence != expected:
            return state("missing", expected)
        if row["prev_hash"] != prev:
            return state("relinked", sequence)
        if entry_hash(sequence, prev, row) != row["hash"]:
            return state("changed", sequence)
        if sequence in expected_anchor and expected_anchor[sequence] != row["hash"]:
            return state("anchor", sequence)
        prev, head_at = row["hash"], row["at"]
        expected += 1
    beyond = [sequence for sequence in expected_anchor if sequence >= expected]
    if beyond:
        return state("truncated", expected)
    return state()


def read_anchors(text: str) -> list[tuple[int, str]]:
    """Anchor lines are `<sequence> <hash> [when]`; blank lines and # comments are skipped."""
    anchors = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) < 2 or not parts[0].isdigit() or len(parts[1]) != 64:
            raise ValueError(f"line {number}: expected '<sequence> <sha256 hex>', got {line!r}")
        anchors.append((int(parts[0]), parts[1].lower()))
    return anchors


def problem_text(problem: str, sequence: int | None) -> str:
    """The first broken link in plain words."""
    from django.utils.translation import gettext as _

    words = {
        "missing": _("第 %(n)s 条记录不见了：它被删除了。"),
        "changed": _("第 %(n)s 条记录的内容与它的哈希不符：它被改动过。"),
        "relinked": _("第 %(n)s 条记录与前一条对不上：前一条被改动或替换过。"),
        "anchor": _("第 %(n)s 条记录与此前抄下的链头不符：链条被改写过。"),
        "truncated": _("链条在第 %(n)s 条之前就结束了，而此前抄下的链头更靠后：末尾的记录被删除了。"),
    }
    return words.get(problem, problem) % {"n": sequence}


def chain_check(*, actor: Actor, anchors: Iterable[tuple[int, str]] = ()) -> ChainState:
    """Chain what is waiting, walk the chain and record the result in the trail itself (action
    `core.chain_verify`), so the auditor's page can say how far the chain was proven and when."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from shouzhan.core.audit import audit_record
    from shouzhan.core.audit_actions import CHAIN_VERIFY
    from shouzhan.core.permissions import can_read_audit

    if not isinstance(actor, str) and not can_read_audit(actor):  # a str is a system actor (the command)
        raise PermissionDenied(_("只有审计、领导和管理员可以核验审计链。"))
    chain_pending()
    state = chain_verify(anchors=anchors)
    if state.ok:
        note = _("审计链完整：已核验 %(n)s 条记录。") % {"n": state.entries}
    else:
        note = _("审计链断裂：%(problem)s") % {"problem": problem_text(state.problem, state.at_sequence)}
    audit_record(
        actor=actor,
        action=CHAIN_VERIFY,
        target_type="core.auditentry",
        target_label=_("审计链"),
        after=state.as_dict(),
        note=note,
    )
    return state

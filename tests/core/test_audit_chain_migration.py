"""Migration 0004 on a database that already has audit entries: they are chained in id order, the
append-only triggers are in place afterwards (SQLite rebuilds the table, which drops them), and
going back puts the old triggers back."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from shouzhan.core.audit_chain import GENESIS, chain_verify
from shouzhan.core.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("core", "0003_audit_fewer_indexes")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    # Every app's last migration: going back in core also takes back the migrations that depend on it
    # (cases moving its notifications into core), and those must come forward again too.
    executor = MigrationExecutor(connection)
    return list(executor.loader.graph.leaf_nodes())


def _refused(sql: str, params: list[Any]) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


def test_existing_entries_are_chained_and_stay_append_only() -> None:
    latest = _latest()
    try:
        old = _migrate(BEFORE)
        OldEntry = old.get_model("core", "AuditEntry")
        ids = [
            OldEntry.objects.create(action=f"old.{i}", target_type="t", note=f"旧记录{i}", after={"n": i}).pk
            for i in range(5)
        ]
        _migrate(latest)
        rows = list(AuditEntry.objects.order_by("id").values_list("id", "sequence", "prev_hash"))
        assert [(pk, sequence) for pk, sequence, _prev in rows] == list(zip(ids, range(1, 6), strict=True))
        assert rows[0][2] == GENESIS
        state = chain_verify()
        assert (state.ok, state.entries, state.unchained) == (True, 5, 0)
        assert _refused("UPDATE core_auditentry SET note = 'x' WHERE id = %s", [ids[0]])
        assert _refused("DELETE FROM core_auditentry WHERE id = %s", [ids[1]])

        _migrate(BEFORE)
        assert _refused("UPDATE core_auditentry SET note = 'x' WHERE id = %s", [ids[0]])
        assert _refused("DELETE FROM core_auditentry WHERE id = %s", [ids[1]])
    finally:
        _migrate(latest)
    assert _refused("UPDATE core_auditentry SET note = 'x' WHERE id = %s", [ids[0]])
    assert chain_verify().ok

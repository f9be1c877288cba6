"""The restore drill: back up a populated database (a case with an uploaded document, a voucher
programme with a grant and an approved claim, their audit entries), restore the archive with the
`shouzhan` command into an empty database in another process, and check the row counts, the
ledger's balances and invariants, the audit chain and the uploaded file."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection

from shouzhan.core.audit_chain import chain_pending
from shouzhan.core.backup import FORMAT, VERSION
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from tests.cases import samples

ROOT = Path(__file__).resolve().parents[2]
FILING = {
    "work_title": "弄堂里的光",
    "episodes": 60,
    "episode_minutes": 2,
    "synopsis": "上海弄堂里一家人的故事。",
    "producer": "光影工作室",
    "ai_share": 40,
}


@pytest.fixture
def populated(db: Any, settings: Any, tmp_path: Path, make_enterprise: Any, make_user: Any) -> dict[str, Any]:
    import datetime as dt

    from shouzhan.accounts.models import Membership, Organisation
    from shouzhan.cases.services import case_submit, document_upload
    from shouzhan.ledger import services as ledger
    from shouzhan.policies.services import catalogue_sync

    settings.MEDIA_ROOT = tmp_path / "source-media"
    catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)
    enterprise, owner = make_enterprise(name="光影工作室", district="徐汇", sector="micro_drama")
    case = case_submit(
        actor=owner,
        case_type="planning_filing",
        enterprise=enterprise,
        title="《弄堂里的光》规划备案",
        data=FILING,
    )
    document = document_upload(
        actor=owner, case=case, name="剧本", filename="剧本.pdf", content=samples.pdf("备份演练")
    )
    officer, caseworker = make_user(role=Role.POLICY_OFFICER), make_user(role=Role.CASEWORKER)
    provider = Organisation.objects.create(name="徐汇算力服务有限公司", kind=Organisation.Kind.PROVIDER)
    provider_user = make_user(name="算力专员")
    Membership.objects.create(user=provider_user, organisation=provider, is_owner=True)
    programme = ledger.programme_open(
        actor=officer,
        item="compute",
        year=2026,
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2026, 12, 31),
        budget_fen=500_000_000,
        providers=[provider],
    )
    ledger.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=30_000_000)
    claim = ledger.claim_submit(
        actor=provider_user,
        programme=programme,
        enterprise=enterprise,
        provider=provider,
        amount_fen=12_345_600,
        invoice_no="INV-DRILL-1",
        service_from=dt.date(2026, 3, 1),
        service_to=dt.date(2026, 3, 31),
    )
    claim = ledger.claim_confirm(actor=owner, claim=claim)
    ledger.claim_approve(actor=caseworker, claim=claim)
    chain_pending()
    return {"document": document, "media": Path(settings.MEDIA_ROOT)}


def _manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive, "r:gz") as tar:
        first = tar.getmembers()[0]
        assert first.name == "manifest.json"
        stream = tar.extractfile(first)
        assert stream is not None
        return dict(json.load(stream))


def _count_here(tables: list[str]) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _query_here(sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]


def shouzhan(args: list[str], database_url: str, var_dir: Path) -> subprocess.CompletedProcess[str]:
    """The `shouzhan` command line in its own process, against another database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SHOUZHAN_VAR_DIR": str(var_dir),
        # A new site's var/ holds no secret key yet: the command takes this site's (DEBUG is off).
        "SHOUZHAN_SECRET_KEY": django_settings.SECRET_KEY,
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "shouzhan.settings",
    }
    return subprocess.run(
        [sys.executable, "-m", "shouzhan.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def postgres_target() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the test server, dropped afterwards."""
    from urllib.parse import quote

    import psycopg

    db = django_settings.DATABASES["default"]
    login = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    server = f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    name = f"shouzhan_restore_drill_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _target_query(database_url: str) -> Callable[[str], list[tuple[Any, ...]]]:
    def query(sql: str) -> list[tuple[Any, ...]]:
        if database_url.startswith("sqlite"):
            with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
                return [tuple(row) for row in db.execute(sql).fetchall()]
        import psycopg

        with psycopg.connect(database_url) as db:
            return [tuple(row) for row in db.execute(sql).fetchall()]  # type: ignore[arg-type]

    return query


def drill(populated: dict[str, Any], tmp_path: Path, target_url: str) -> None:
    archive = tmp_path / "shouzhan.tar.gz"
    call_command("backup", output=str(archive))
    manifest = _manifest(archive)

    # The manifest: what the source held when it was backed up.
    tables = sorted(manifest["tables"])
    source_counts = _count_here(tables)
    assert manifest["format"] == FORMAT and manifest["version"] == VERSION
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"] == source_counts
    assert source_counts["ledger_entry"] > 0 and source_counts["cases_document"] == 1
    assert source_counts["ledger_programme_providers"] == 1  # a many-to-many link travels too
    found = (
        AuditEntry.objects.filter(sequence__isnull=False)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )
    assert found is not None and found[0] is not None
    head = (int(found[0]), found[1])
    assert (manifest["audit"]["head_sequence"], manifest["audit"]["head_hash"]) == head
    document = populated["document"]
    uploaded = (populated["media"] / document.file.name).read_bytes()
    assert [(m["path"], m["bytes"]) for m in manifest["media"]] == [(document.file.name, len(uploaded))]

    # Restore into an empty database, in another process, with the command an operator types.
    target_var = tmp_path / "target"
    restored = shouzhan(["restore", "--input", str(archive)], target_url, target_var)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "审计链完整 / audit chain OK" in restored.stdout
    assert "账目自检: 通过 / OK" in restored.stdout
    assert "恢复完成，检查全部通过" in restored.stdout

    query = _target_query(target_url)
    target_counts = {table: query(f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in tables}
    expected = {
        **source_counts,
        "core_auditentry": source_counts["core_auditentry"] + 1,
    }  # + the restore's own entry
    assert target_counts == expected
    # The ledger's stored balances came back as they were (not applied twice by the entry trigger).
    balances = "SELECT key, balance_fen, capped_fen FROM ledger_account ORDER BY key"
    assert query(balances) == _query_here(balances)
    # The audit chain: the same entries with the same hashes, then the restore's own entry.
    chain = "SELECT sequence, hash FROM core_auditentry WHERE sequence IS NOT NULL ORDER BY sequence"
    restored_chain = query(chain)
    assert restored_chain[: head[0]] == _query_here(chain)
    assert query(
        "SELECT action FROM core_auditentry WHERE sequence = (SELECT MAX(sequence) FROM core_auditentry)"
    ) == [("core.backup_restore",)]
    # The uploaded file, byte for byte.
    assert (target_var / "media" / document.file.name).read_bytes() == uploaded

    # `shouzhan audit verify` on the restored database: exit 0 and the head.
    verified = shouzhan(["audit", "verify"], target_url, target_var)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"audit chain OK: {head[0] + 1} entries" in verified.stdout
    assert f"head #{head[0] + 1} sha256 {restored_chain[-1][1]}" in verified.stdout
    # The ledger's own invariants, checked again in the restored database.
    books = shouzhan(
        [
            "manage",
            "shell",
            "-c",
            "from shouzhan.ledger.selectors import books_check; c = books_check(); "
            "print('books', c.ok, c.entries_total_fen, len(c.drifted_accounts))",
        ],
        target_url,
        target_var,
    )
    assert "books True 0 0" in books.stdout, books.stdout + books.stderr

    # A second restore into the now populated database is refused, and changes nothing.
    again = shouzhan(["restore", "--input", str(archive)], target_url, target_var)
    assert again.returncode == 1
    assert "只能恢复到空数据库" in again.stderr
    assert query("SELECT COUNT(*) FROM core_auditentry")[0][0] == head[0] + 2
    # --force empties it first (past the append-only triggers) and restores the archive again.
    forced = shouzhan(["restore", "--input", str(archive), "--force"], target_url, target_var)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert {table: query(f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in tables} == expected
    assert query(chain)[: head[0]] == _query_here(chain)
    assert (target_var / "media" / document.file.name).read_bytes() == uploaded


@pytest.mark.django_db
def test_restore_drill_into_an_empty_sqlite_file(populated: dict[str, Any], tmp_path: Path) -> None:
    """On SQLite: SQLite to SQLite. On PostgreSQL: PostgreSQL to SQLite (the archive is portable)."""
    drill(populated, tmp_path, f"sqlite:///{tmp_path / 'restored.sqlite3'}")


@pytest.mark.postgres
@pytest.mark.django_db
def test_restore_drill_into_a_fresh_postgresql_database(
    populated: dict[str, Any], tmp_path: Path, postgres_target: str
) -> None:
    drill(populated, tmp_path, postgres_target)


@pytest.mark.django_db
def test_a_damaged_archive_is_refused_and_nothing_is_loaded(
    populated: dict[str, Any], tmp_path: Path
) -> None:
    archive = tmp_path / "shouzhan.tar.gz"
    call_command("backup", output=str(archive))
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            stream = source.extractfile(member)
            assert stream is not None
            body = stream.read()
            if member.name == "data.jsonl":
                body = body.replace(b"INV-DRILL-1", b"INV-DRILL-9")  # one invoice number changed
            member.size = len(body)
            target.addfile(member, io.BytesIO(body))
    target_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    restored = shouzhan(["restore", "--input", str(damaged)], target_url, tmp_path / "target")
    assert restored.returncode == 1
    assert "data.jsonl does not match its sha256" in restored.stderr
    query = _target_query(target_url)
    assert query("SELECT COUNT(*) FROM core_auditentry") == [(0,)]
    assert query("SELECT COUNT(*) FROM ledger_entry") == [(0,)]


@pytest.mark.django_db
def test_backup_never_overwrites_and_restore_refuses_what_is_not_an_archive(tmp_path: Path) -> None:
    existing = tmp_path / "old.tar.gz"
    existing.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="will not overwrite"):
        call_command("backup", output=str(existing))
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(CommandError, match="cannot read the archive"):
        call_command("restore", input=str(existing))
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", input=str(tmp_path / "missing.tar.gz"))

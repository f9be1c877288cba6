"""Backup and restore: one archive for SQLite and PostgreSQL alike, with the uploaded files.

The archive is a .tar.gz holding, in this order:
  manifest.json  format and version, when and from which engine, the migrations applied, the
                 rows in every table, the audit chain's head, and the size and sha256 of the data
                 and of every uploaded file;
  data.jsonl     every row of every model (except sessions), one JSON object a line, by primary
                 key, times to the microsecond;
  media/…        the uploaded files (MEDIA_ROOT).

Why a dump through Django's serialisers rather than pg_dump or SQLite's backup API: the same
archive restores into either engine (a site can move from SQLite to PostgreSQL), and it needs no
client tools of the server's exact version on the machine. The rows are read in one snapshot
(REPEATABLE READ on PostgreSQL, one read transaction on SQLite); the files are copied after it,
so every file a row names is already there (uploads are written before their row commits).

A restore goes into an empty database only (`force` empties it first): it migrates to the
backup's migrations, loads every row with the database's triggers lifted (the rows already hold
what the triggers would compute: the ledger's stored totals, the audit chain), puts the triggers
back, checks the row counts and the data's sha256 against the manifest (any difference rolls
the load back), writes the files (each checked against its sha256), migrates to the latest
schema, and then proves the result: the audit chain is walked and must end at the manifest's
head, and each module's own integrity check runs (`<module>/integrity.py`: the ledger's books).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from shouzhan.core.audit_chain import ChainState, chain_pending, chain_verify

FORMAT = "shouzhan-backup"
VERSION = 1
EXCLUDED_MODELS = {"sessions.session"}  # logins do not travel with a backup
# Rows `migrate` writes by itself: an "empty" database may hold them (the archive's replace them).
DERIVED_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
CHUNK = 1000


class BackupError(Exception):
    """A backup or restore refused, with the reason in words."""


class _ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds; a restore must give back the microseconds
    (the audit chain's hashes cover them)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def _models() -> list[type[models.Model]]:
    """Every model whose rows the archive holds, in dependency order."""
    ordered = serializers.sort_dependencies(
        [(config, None) for config in apps.get_app_configs()], allow_cycles=True
    )
    return [
        m
        for m in ordered
        if m is not None
        and m._meta.managed
        and not m._meta.proxy
        and m._meta.label_lower not in EXCLUDED_MODELS
    ]


def _tables(model_list: list[type[models.Model]]) -> list[str]:
    """The tables those models fill: their own and their many-to-many link tables."""
    tables = []
    for model in model_list:
        tables.append(model._meta.db_table)
        for m2m in model._meta.local_many_to_many:
            through: Any = m2m.remote_field.through
            if through._meta.auto_created:
                tables.append(through._meta.db_table)
    return tables


def _count(connection: BaseDatabaseWrapper, tables: list[str]) -> dict[str, int]:
    qn = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {qn(table)}")  # noqa: S608 (table names from the schema)
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files() -> list[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    files = []
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                files.append((path.relative_to(root).as_posix(), path))
    return sorted(files)


def _applied_migrations(connection: BaseDatabaseWrapper) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def _audit_head(using: str) -> dict[str, Any]:
    from shouzhan.core.models import AuditEntry

    entries = AuditEntry.objects.using(using)
    head = (
        entries.filter(sequence__isnull=False).order_by("-sequence").values_list("sequence", "hash").first()
    )
    return {
        "entries": entries.count(),
        "head_sequence": head[0] if head else 0,
        "head_hash": head[1] if head else "",
    }


def backup_create(*, output: Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write the archive to `output` (never over an existing file). Returns the manifest."""
    output = Path(output)
    if output.exists():
        raise BackupError(f"备份文件已存在，不会覆盖 / will not overwrite an existing file: {output}")
    if not output.parent.is_dir():
        raise BackupError(f"目录不存在 / no such directory: {output.parent}")
    connection = connections[using]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BackupError(
            "数据库还有未执行的迁移，请先运行 migrate / the database has unapplied migrations: run migrate first"
        )
    chain_pending(using=using)  # entries still waiting are chained first, so the head is the last entry
    model_list = _models()
    tables = _tables(model_list)
    with tempfile.TemporaryDirectory(prefix=".shouzhan-backup-", dir=output.parent) as tmp:
        data_path = Path(tmp) / "data.jsonl"
        outermost = not connection.in_atomic_block
        with transaction.atomic(using=using):
            if outermost and connection.vendor == "postgresql":
                # One snapshot for every table: a journal is never dumped without its entries.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            counts = _count(connection, tables)
            with data_path.open("w", encoding="utf-8") as fh:
                for model in model_list:
                    queryset = model._base_manager.using(using).order_by("pk")
                    m2m = [f.name for f in model._meta.local_many_to_many]
                    if m2m:
                        queryset = queryset.prefetch_related(*m2m)
                    serializers.serialize(
                        "jsonl", queryset.iterator(chunk_size=CHUNK), stream=fh, cls=_ExactEncoder
                    )
            audit = _audit_head(using)
            migrations = _applied_migrations(connection)
        media: list[dict[str, Any]] = [
            {"path": rel, "bytes": path.stat().st_size, "sha256": _sha256_file(path)}
            for rel, path in _media_files()
        ]
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created": timezone.now().isoformat(),
            "engine": connection.vendor,
            "migrations": migrations,
            "tables": counts,
            "audit": audit,
            "data": {
                "path": "data.jsonl",
                "bytes": data_path.stat().st_size,
                "sha256": _sha256_file(data_path),
            },
            "media": media,
        }
        archive = Path(tmp) / "archive.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(body), int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(body))
            tar.add(data_path, "data.jsonl")
            root = Path(settings.MEDIA_ROOT)
            for item in media:
                tar.add(root / item["path"], f"media/{item['path']}", recursive=False)
        os.replace(archive, output)
    return manifest


# ----------------------------------------------------------------------------------- restore
@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    rows: int
    files: int
    chain: ChainState
    checks: list[tuple[str, list[str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class _HashingReader(io.RawIOBase):
    """Reads through to `raw` and hashes what passes."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.sha256, self.bytes = raw, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.sha256.update(data)
        self.bytes += len(data)
        return len(data)


def _check_manifest(manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("这不是首站的备份文件 / not a Shouzhan backup archive")
    if manifest.get("version") != VERSION:
        raise BackupError(f"不支持的备份格式版本 / unsupported archive version: {manifest.get('version')!r}")


def _busy_tables(connection: BaseDatabaseWrapper, tables: list[str]) -> list[str]:
    qn = connection.ops.quote_name
    existing = set(connection.introspection.table_names())
    busy = []
    with connection.cursor() as cursor:
        for table in sorted(set(tables) & existing - DERIVED_TABLES):
            cursor.execute(f"SELECT 1 FROM {qn(table)} LIMIT 1")  # noqa: S608 (table names from the schema)
            if cursor.fetchone():
                busy.append(table)
    return busy


@contextmanager
def _triggers_lifted(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Inside a transaction: the database's own triggers off, and back on at the end. If the
    transaction fails they come back with its rollback."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE NOT t.tgisinternal AND n.nspname = ANY(current_schemas(false))"
            )
            tables = [row[0] for row in cursor.fetchall()]
            for table in tables:
                cursor.execute(f"ALTER TABLE {qn(table)} DISABLE TRIGGER USER")
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER IF EXISTS {qn(name)}")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table with deferred checks pending cannot be altered: run them now (every row is in).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f"ALTER TABLE {qn(table)} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for _name, sql in triggers:
                cursor.execute(sql)


def _wipe(connection: BaseDatabaseWrapper) -> None:
    tables = [t for t in connection.introspection.table_names() if t != "django_migrations"]
    with transaction.atomic(using=connection.alias), _triggers_lifted(connection):
        connection.ops.execute_sql_flush(
            connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
        )


def _migrate_to(connection: BaseDatabaseWrapper, wanted: dict[str, list[str]]) -> None:
    """Bring an empty database to exactly the backup's migrations, so its rows fit the tables."""
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    nodes = {(app, name) for app, names in wanted.items() for name in names}
    unknown = sorted(nodes - set(graph.nodes))
    if unknown:
        raise BackupError(
            "备份来自更新的版本，本程序不认识它的数据库迁移 / the backup comes from a newer version "
            f"(unknown migrations: {', '.join(f'{a}.{n}' for a, n in unknown[:5])})"
        )
    applied = set(executor.loader.applied_migrations or {})
    ahead = sorted(applied - nodes)
    if ahead:
        raise BackupError(
            "目标数据库的结构比备份新，请恢复到一个全新的空数据库 / the target database is migrated "
            f"beyond the backup ({', '.join(f'{a}.{n}' for a, n in ahead[:5])}): restore into a fresh database"
        )
    full = executor.migration_plan(graph.leaf_nodes(), clean_start=True)
    plan = [(m, False) for m, _back in full if (m.app_label, m.name) in nodes - applied]
    if plan:
        executor.migrate(targets=None, plan=plan)


def _insert(connection: BaseDatabaseWrapper, model: type[models.Model], objs: list[models.Model]) -> None:
    """Insert rows as they are (raw: no auto_now, no save(), no signals), in batches."""
    fields = [f for f in model._meta.local_concrete_fields if objs[0].pk is not None or not f.primary_key]
    size = max(1, min(CHUNK, 30_000 // max(1, len(fields)), connection.ops.bulk_batch_size(fields, objs)))
    manager = model._base_manager.db_manager(connection.alias)
    for start in range(0, len(objs), size):
        manager._insert(objs[start : start + size], fields=fields, using=connection.alias, raw=True)  # type: ignore[attr-defined]


def _load(connection: BaseDatabaseWrapper, stream: IO[bytes], manifest: dict[str, Any]) -> int:
    """Every row of data.jsonl, in one transaction: refused whole if anything disagrees."""
    qn = connection.ops.quote_name
    reader = _HashingReader(stream)
    text = io.TextIOWrapper(io.BufferedReader(reader, 1 << 20), encoding="utf-8")
    loaded: set[type[models.Model]] = set()
    rows = 0
    with transaction.atomic(using=connection.alias):
        with _triggers_lifted(connection):
            existing = set(connection.introspection.table_names())
            with connection.cursor() as cursor:
                # `migrate` made these from the models; the archive has them with their original ids.
                for table in ("auth_permission", "django_content_type"):
                    if table in existing and table in manifest["tables"]:
                        cursor.execute(f"DELETE FROM {qn(table)}")  # noqa: S608 (two fixed names)
            batch: list[models.Model] = []
            links: dict[type[models.Model], list[models.Model]] = {}

            def flush() -> None:
                if batch:
                    _insert(connection, type(batch[0]), batch)
                    batch.clear()
                for through, objs in links.items():
                    if objs:
                        _insert(connection, through, objs)
                links.clear()

            for item in serializers.deserialize("jsonl", text, using=connection.alias):
                obj = item.object
                if (batch and type(batch[0]) is not type(obj)) or len(batch) >= CHUNK:
                    flush()
                batch.append(obj)
                loaded.add(type(obj))
                rows += 1
                for name, pks in (item.m2m_data or {}).items():
                    m2m = obj._meta.get_field(name)
                    through = m2m.remote_field.through  # type: ignore[union-attr]
                    source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()  # type: ignore[union-attr]
                    links.setdefault(through, []).extend(
                        through(**{f"{source}_id": obj.pk, f"{target}_id": pk}) for pk in pks
                    )
            flush()
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(loaded)):
                    cursor.execute(sql)
        data = manifest["data"]
        if reader.sha256.hexdigest() != data["sha256"] or reader.bytes != data["bytes"]:
            raise BackupError(
                "备份中的数据与清单的校验和不符，文件已损坏 / data.jsonl does not match its sha256"
            )
        counts = _count(
            connection, [t for t in manifest["tables"] if t in set(connection.introspection.table_names())]
        )
        wrong = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
        if wrong:
            listed = ", ".join(f"{t}: {got} ≠ {n}" for t, (n, got) in sorted(wrong.items())[:5])
            raise BackupError(f"恢复后的行数与清单不符 / row counts differ from the manifest ({listed})")
    return rows


def _media_target(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.parts[:1] != ("media",) or len(path.parts) < 2 or path.is_absolute() or ".." in path.parts:
        raise BackupError(f"备份中有不安全的路径 / unsafe path in the archive: {name!r}")
    return PurePosixPath(*path.parts[1:])


def _write_media(tar: tarfile.TarFile, member: tarfile.TarInfo, expected: dict[str, dict[str, Any]]) -> None:
    rel = _media_target(member.name)
    if not member.isfile():
        raise BackupError(f"备份中有非普通文件 / not a regular file in the archive: {member.name!r}")
    item = expected.get(str(rel))
    if item is None:
        raise BackupError(f"清单中没有这个文件 / a file the manifest does not list: {member.name!r}")
    target = Path(settings.MEDIA_ROOT) / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    source = tar.extractfile(member)
    assert source is not None
    digest = hashlib.sha256()
    partial = target.with_name(f".{target.name}.restoring")
    with partial.open("wb") as fh:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            fh.write(block)
    if digest.hexdigest() != item["sha256"]:
        partial.unlink()
        raise BackupError(f"文件与清单的校验和不符 / a file does not match its sha256: {rel}")
    os.replace(partial, target)


def media_is_empty() -> bool:
    return not _media_files()


def backup_restore(
    *,
    archive: Path,
    using: str = DEFAULT_DB_ALIAS,
    force: bool = False,
    log: Callable[[str], None] = lambda line: None,
) -> RestoreReport:
    """Restore the archive into an empty database and MEDIA_ROOT, then prove the result."""
    connection = connections[using]
    if connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]) != ":memory:":
        Path(connection.settings_dict["NAME"]).parent.mkdir(
            parents=True, exist_ok=True
        )  # a new site: no var/ yet
    archive = Path(archive)
    with _archive_open(archive) as tar:
        manifest = _manifest_read(tar)
        _room_make(connection, manifest, force=force, log=log)
        _migrate_to(connection, manifest["migrations"])
        log("数据库结构已就绪 / schema ready; 正在载入数据 / loading rows")
        rows = _rows_restore(tar, connection, manifest)
        log(f"已载入 {rows} 行 / rows loaded")
        expected = {item["path"]: item for item in manifest["media"]}
        files = 0
        while (member := tar.next()) is not None:
            _write_media(tar, member, expected)
            files += 1
    problems = []
    if files != len(expected):
        problems.append(
            f"清单列出 {len(expected)} 个文件，备份中只有 {files} 个 / files missing from the archive"
        )
    call_command("migrate", database=using, interactive=False, verbosity=0)
    report = _restore_prove(using, manifest, rows=rows, files=files, problems=problems)
    if using == DEFAULT_DB_ALIAS:
        _restore_audit(archive, manifest, rows=rows, files=files, ok=not report.problems)
    return report


def _archive_open(archive: Path) -> tarfile.TarFile:
    """The archive as a stream (read once, front to back: manifest, data, then the files)."""
    if not archive.is_file():
        raise BackupError(f"没有这个文件 / no such file: {archive}")
    try:
        return tarfile.open(archive, "r|gz")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"无法读取备份文件 / cannot read the archive: {exc}") from exc


def _manifest_read(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        first = tar.next()
        manifest = json.load(tar.extractfile(first)) if first and first.name == "manifest.json" else None  # type: ignore[arg-type]
    except (tarfile.TarError, OSError, ValueError) as exc:
        raise BackupError(f"无法读取备份文件 / cannot read the archive: {exc}") from exc
    _check_manifest(manifest)
    assert isinstance(manifest, dict)
    return manifest


def _room_make(
    connection: BaseDatabaseWrapper, manifest: dict[str, Any], *, force: bool, log: Callable[[str], None]
) -> None:
    """Refuse a database or MEDIA_ROOT that holds anything — or, with `force`, empty them."""
    busy = _busy_tables(connection, list(manifest["tables"]) + _tables(_models()))
    if not busy and media_is_empty():
        return
    if not force:
        where = ", ".join(busy[:5]) if busy else str(settings.MEDIA_ROOT)
        raise BackupError(
            "只能恢复到空数据库（和空的上传目录）；确需覆盖请加 --force / restore goes into an "
            f"empty database and MEDIA_ROOT only, use --force to empty them first (not empty: {where})"
        )
    log("--force: 清空现有数据 / emptying the database")
    _wipe(connection)
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir():
        for child in media_root.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()


def _rows_restore(tar: tarfile.TarFile, connection: BaseDatabaseWrapper, manifest: dict[str, Any]) -> int:
    member = tar.next()
    if member is None or member.name != "data.jsonl":
        raise BackupError("备份中缺少 data.jsonl / the archive has no data.jsonl")
    stream = tar.extractfile(member)
    assert stream is not None
    return _load(connection, stream, manifest)


def _restore_prove(
    using: str, manifest: dict[str, Any], *, rows: int, files: int, problems: list[str]
) -> RestoreReport:
    """Walk the audit chain to the manifest's head and run every module's integrity check."""
    from shouzhan.core.integrity import integrity_checks

    chain = chain_verify(using=using)
    audit = manifest["audit"]
    if chain.ok and (chain.head_sequence, chain.head_hash) != (audit["head_sequence"], audit["head_hash"]):
        problems.append(
            f"审计链止于第 {chain.head_sequence} 条，备份时止于第 {audit['head_sequence']} 条 / "
            "the audit chain does not end where the backup's did"
        )
    checks = integrity_checks()
    report = RestoreReport(manifest=manifest, rows=rows, files=files, chain=chain, checks=checks)
    if not chain.ok:
        problems.append("审计链断裂 / the audit chain is broken")
    problems += [f"{label}: {problem}" for label, found in checks for problem in found]
    report.problems = problems
    return report


def _restore_audit(archive: Path, manifest: dict[str, Any], *, rows: int, files: int, ok: bool) -> None:
    from shouzhan.core.audit import audit_record
    from shouzhan.core.audit_actions import BACKUP_RESTORE

    audit_record(
        actor="system:restore",
        action=BACKUP_RESTORE,
        target_type="core.backup",
        target_label=archive.name[:255],
        after={
            "created": manifest["created"],
            "engine": manifest["engine"],
            "rows": rows,
            "files": files,
            "head_sequence": manifest["audit"]["head_sequence"],
            "ok": ok,
        },
    )

"""`shouzhan backup --output FILE`: the database and the uploaded files in one .tar.gz archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouzhan.core.backup import BackupError, backup_create


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # must work in an emergency, whatever else is broken
    help = "Back up the database (SQLite or PostgreSQL) and MEDIA_ROOT into one archive (see shouzhan.core.backup)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", required=True, help="the archive to write (.tar.gz); never overwritten"
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create(output=Path(options["output"]), using=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        audit = manifest["audit"]
        self.stdout.write(
            f"备份完成 / backup written: {options['output']}\n"
            f"  {manifest['engine']}, {rows} rows in {len(manifest['tables'])} tables, "
            f"{len(manifest['media'])} uploaded files\n"
            f"  audit head #{audit['head_sequence']} sha256 {audit['head_hash'] or '-'}"
        )

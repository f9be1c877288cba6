"""`shouzhan restore --input FILE [--force]`: into an empty database, then prove the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouzhan.core.audit_chain import problem_text
from shouzhan.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # must work in an emergency, whatever else is broken
    help = (
        "Restore a `shouzhan backup` archive into an empty database and MEDIA_ROOT, then check the row counts, "
        "the audit chain and each module's integrity (the ledger's books). Exit status 1 if any check fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, help="the archive written by `shouzhan backup`")
        parser.add_argument(
            "--force", action="store_true", help="empty a database (and MEDIA_ROOT) that is not empty first"
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup_restore(
                archive=Path(options["input"]),
                using=options["database"],
                force=options["force"],
                log=self.stdout.write,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest, chain = report.manifest, report.chain
        self.stdout.write(
            f"恢复自 / restored from: {manifest['engine']} backup of {manifest['created']}\n"
            f"  {report.rows} rows, counts match the manifest in {len(manifest['tables'])} tables; "
            f"{report.files} uploaded files"
        )
        if chain.ok:
            self.stdout.write(
                f"  审计链完整 / audit chain OK: head #{chain.head_sequence} sha256 {chain.head_hash or '-'}"
            )
        else:
            self.stdout.write(
                f"  审计链断裂 / audit chain broken: {problem_text(chain.problem, chain.at_sequence)}"
            )
        for label, problems in report.checks:
            self.stdout.write(f"  {label}: {'通过 / OK' if not problems else '; '.join(problems)}")
        if report.problems:
            raise CommandError(
                "恢复后的检查未通过 / restore checks failed:\n  " + "\n  ".join(report.problems)
            )
        self.stdout.write(self.style.SUCCESS("恢复完成，检查全部通过 / restore complete, every check passed"))

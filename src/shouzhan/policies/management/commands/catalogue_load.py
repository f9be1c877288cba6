"""`shouzhan manage catalogue_load [DIR]`: load the rule files into the database as versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouzhan.policies.services import catalogue_sync


class Command(BaseCommand):
    help = "Load the policy catalogue: new documents are published, changed files become drafts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", default=str(settings.CATALOGUE_DIR))

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(f"not a directory: {directory}")
        try:
            report = catalogue_sync(actor="system:catalogue", directory=directory)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"政策目录：新发布 {len(report.published)}，新草稿 {len(report.drafted)}，未变化 {len(report.unchanged)}"
        )

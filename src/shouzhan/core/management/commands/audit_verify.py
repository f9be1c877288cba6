"""`shouzhan audit verify [--anchor FILE]`: walk the audit chain; non-zero exit at the first broken link."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shouzhan.core.audit_chain import chain_check, problem_text, read_anchors


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # must work in an emergency, whatever else is broken
    help = (
        "Verify the audit trail's hash chain: prints the head (write it down, or keep it with --anchor) "
        "or the first entry removed or changed, with exit status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            default=os.environ.get("SHOUZHAN_AUDIT_ANCHOR") or None,
            help="a file of heads written down earlier (default $SHOUZHAN_AUDIT_ANCHOR): each must still be "
            "in the chain; after a good check the current head is appended. Keep it where the database's "
            "users cannot write.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = Path(options["anchor"]) if options["anchor"] else None
        anchors: list[tuple[int, str]] = []
        if anchor is not None and anchor.exists():
            try:
                anchors = read_anchors(anchor.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise CommandError(f"cannot read the anchor file {anchor}: {exc}") from exc
        state = chain_check(actor="system:audit-verify", anchors=anchors)
        if not state.ok:
            raise CommandError(
                f"审计链断裂 / audit chain broken at entry #{state.at_sequence} ({state.problem}): "
                f"{problem_text(state.problem, state.at_sequence)} "
                f"前 {state.entries} 条完好 / the {state.entries} entries before it are intact."
            )
        self.stdout.write(
            f"审计链完整 / audit chain OK: {state.entries} entries"
            + (f", {len(anchors)} anchor(s) matched" if anchors else "")
        )
        self.stdout.write(f"head #{state.head_sequence} sha256 {state.head_hash or '-'}")
        if (
            anchor is not None
            and state.head_sequence
            and (not anchors or anchors[-1][0] != state.head_sequence)
        ):
            try:
                with anchor.open("a", encoding="utf-8") as fh:
                    fh.write(
                        f"{state.head_sequence} {state.head_hash} {timezone.now().isoformat(timespec='seconds')}\n"
                    )
            except OSError as exc:
                raise CommandError(f"cannot write the anchor file {anchor}: {exc}") from exc
            self.stdout.write(f"head written to {anchor}")

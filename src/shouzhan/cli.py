"""The `shouzhan` command.

`shouzhan rules …` never imports Django (batch runs must start fast);
everything else sets Django up and runs a management command.
"""

from __future__ import annotations

import os
import sys

USAGE = """usage: shouzhan <command> [args]

commands:
  workdays add YYYY-MM-DD N   due date after N Chinese working days (prints ' provisional' when unsure)
  workdays between A B        working days after A up to and including B
  rules check|explain|batch   policy rules (see `shouzhan rules --help`)
  demo                        load the policy catalogue and the demo district
  push [--engine polars|spark] [--scope full|changed] [--on YYYY-MM-DD]
                              政策直达推送: evaluate the catalogue over the register, reconcile offers
  backup --output FILE        the database and uploaded files in one archive (.tar.gz)
  restore --input FILE        into an empty database (--force empties it first), then checked
  audit verify [--anchor F]   walk the audit trail's hash chain; exit 1 at the first broken link
  manage <args>               any Django management command (migrate, runserver, …)
"""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "rules":
        from shouzhan.rules.cli import main as rules_main

        return rules_main(rest)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouzhan.settings")
    from django.core.management import execute_from_command_line

    if command == "manage":
        execute_from_command_line(["shouzhan", *rest])
        return 0
    if command in {"workdays", "demo", "backup", "restore", "push"}:
        execute_from_command_line(["shouzhan", command, *rest])
        return 0
    if command == "audit" and rest[:1] == ["verify"]:
        execute_from_command_line(["shouzhan", "audit_verify", *rest[1:]])
        return 0
    print(f"shouzhan: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())

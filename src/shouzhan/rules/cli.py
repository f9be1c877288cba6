"""`shouzhan rules check | explain | batch` — no Django, and heavy imports only when needed.

Exit codes: 0 ok, 1 rule or input error (message on stderr naming file, clause,
line/column or row), 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from shouzhan.rules.errors import RuleError

if TYPE_CHECKING:  # the catalogue's module loads when a command needs it
    from shouzhan.rules.catalogue import Catalogue


def default_catalogue_dir() -> Path:
    """`catalogue/` under the current directory, else the repository's own catalogue."""
    here = Path("catalogue")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[3] / "catalogue"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="shouzhan rules", description="Policy rules: check, explain one case, batch a register."
    )
    sub = p.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="validate every rule file")
    check.add_argument("catalogue", nargs="?", type=Path, help="directory or file (default: catalogue/)")

    ex = sub.add_parser("explain", help="explain every clause for one case (JSON to stdout)")
    ex.add_argument("--facts", required=True, type=Path, help='JSON: {"enterprise": {...}, "project": {...}}')
    ex.add_argument("--on", type=_date, default=None, help="evaluation date YYYY-MM-DD (default: today)")
    ex.add_argument("--catalogue", type=Path, default=None)

    b = sub.add_parser("batch", help="run the catalogue over a register (parquet or CSV) → parquet")
    b.add_argument("--input", required=True, type=Path)
    b.add_argument("--output", required=True, type=Path)
    b.add_argument("--engine", choices=("polars", "spark"), default="polars")
    b.add_argument("--catalogue", type=Path, default=None)
    b.add_argument("--on", type=_date, default=None, help="evaluation date YYYY-MM-DD (default: today)")
    b.add_argument(
        "--progress", action="store_true", help="show a progress bar even when stderr is not a terminal"
    )
    return p


def main(argv: list[str]) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and usage errors
        return int(exc.code or 0)
    try:
        if args.command == "check":
            return _check(args.catalogue or default_catalogue_dir())
        if args.command == "explain":
            return _explain(args)
        return _batch(args)
    except RuleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `… | head` closed stdout early: not an error of ours
        sys.stderr.close()
        return 0


def _load(path: Path | None):  # type: ignore[no-untyped-def]
    from shouzhan.rules.catalogue import load_catalogue

    return load_catalogue(path or default_catalogue_dir())


def _check(path: Path) -> int:
    catalogue = _load(path)
    for policy in catalogue.policies:
        print(
            f"ok  {policy.file}: {policy.id} — {len(policy.clauses)} clauses, {len(policy.modifiers)} modifiers"
        )
    print(f"{len(catalogue.policies)} files, {len(catalogue.clauses)} clauses: no errors")
    return 0


def _explain(args: argparse.Namespace) -> int:
    from shouzhan.rules.interpreter import explain, normalize_facts

    catalogue = _load(args.catalogue)
    try:
        # JSON numbers with decimals become Decimal, never float: 12345.67 yuan stays exact.
        data = json.loads(args.facts.read_text(encoding="utf-8"), parse_float=Decimal)
    except OSError as exc:
        raise RuleError(f"cannot read facts: {exc.strerror}", file=str(args.facts)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        raise RuleError(f"not valid JSON: {exc}", file=str(args.facts), line=line, column=col) from None
    try:
        facts = normalize_facts(data)
    except RuleError as exc:
        raise exc.located(file=str(args.facts)) from None
    on = args.on or dt.date.today()
    results = explain(catalogue, facts, on, normalized=True)
    out = {"on": on.isoformat(), "clauses": [r.to_dict() for r in results]}
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _about_subjects(catalogue: Catalogue, path: str | Path) -> Catalogue:
    import polars as pl

    path = Path(path)
    try:
        lf = (
            pl.scan_parquet(path)
            if path.suffix.lower() == ".parquet"
            else pl.scan_csv(path, infer_schema=False)
        )
        names = lf.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError):
        return catalogue  # scan_input says what is wrong with the file
    if any(name.startswith("person.") for name in names):
        return catalogue
    return catalogue.select(lambda c: not c.reads_person())


def _batch(args: argparse.Namespace) -> int:
    from shouzhan.rules.batch import run_batch

    # A register with no `person.*` column is not about people: the clauses about a person are left out
    # (over enterprises alone each would be "unknown" for every row).
    catalogue = _about_subjects(_load(args.catalogue), args.input)
    progress = bool(args.progress or sys.stderr.isatty())
    run_batch(
        catalogue,
        args.input,
        args.output,
        args.on or dt.date.today(),
        engine=args.engine,
        progress=progress,
    )
    return 0

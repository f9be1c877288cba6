#!/usr/bin/env python3
"""`make mutation`: mutmut 3 over the files whose tests must catch a wrong fen or a wrong deadline (issue #20).

Each file is mutated on its own, in a throwaway copy of the working tree (tracked and untracked files that
git does not ignore, so tests not yet committed count too): the repository itself never gets a `mutants/`
folder. mutmut first runs the file's tests once to learn which tests call which function, then runs each
mutant against only the tests that call the mutated function.

    python tools/mutation.py                     # all files in FILES
    python tools/mutation.py core/workdays.py    # the files whose path ends with that
    python tools/mutation.py --keep ...          # keep the copy (to run `mutmut show <name>` there)

Prints a table: file, mutants, killed, survived, equivalent (listed by name in docs/mutation.md, left out
of the score), score = killed / (mutants - equivalent). Exits 1 when a file scores below THRESHOLD.
See docs/mutation.md.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THRESHOLD = 90.0

# Each file and the tests that cover it (globs, relative to the repository root).
FILES: dict[str, list[str]] = {
    "src/shouzhan/rules/money.py": ["tests/rules"],
    "src/shouzhan/rules/interpreter.py": ["tests/rules"],
    "src/shouzhan/core/workdays.py": ["tests/core/test_workdays*.py"],
    "src/shouzhan/core/calendar.py": ["tests/core/test_workdays*.py"],
    "src/shouzhan/ledger/books.py": [
        "tests/ledger/test_services.py",
        "tests/ledger/test_claim_reverse.py",
        "tests/ledger/test_books_mutation.py",
    ],
}
PYTEST_ARGS = ["-p", "no:cacheprovider", "-m", "not browser and not spark and not postgres"]
ALSO_COPY = ["catalogue", "docs", "manage.py"]
# mutmut statuses counted as caught: the mutant made a test fail, time out or the type checker refuse it.
CAUGHT = {"killed", "timeout", "caught by type check"}
# An equivalent mutant in docs/mutation.md: a list item starting with its name in backticks.
EQUIVALENT_LINE = re.compile(r"^\s*[-*]\s+`([A-Za-z0-9_.]+__mutmut_\d+)`")


def equivalent_mutants() -> set[str]:
    doc = ROOT / "docs" / "mutation.md"
    if not doc.exists():
        return set()
    return {m.group(1) for line in doc.read_text("utf-8").splitlines() if (m := EQUIVALENT_LINE.match(line))}


def copy_tree(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if not source.is_file():  # deleted in the working tree
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name)
    (target / "var").mkdir(exist_ok=True)


def toml_list(values: list[str]) -> str:
    return "[" + ", ".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "]"


def configure(copy: Path, source: str, tests: list[str]) -> None:
    """Replace the copy's [tool.mutmut] section by one limited to `source` and its tests."""
    pyproject = copy / "pyproject.toml"
    text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", pyproject.read_text("utf-8"))
    selection = sorted({p for pattern in tests for p in glob.glob(pattern, root_dir=copy)})
    if not selection:
        raise SystemExit(f"no tests match {tests} for {source}")
    text = (
        text.rstrip("\n")
        + "\n\n"
        + "\n".join(
            [
                "[tool.mutmut]",
                'source_paths = ["src"]',
                f"only_mutate = {toml_list([source])}",
                f"also_copy = {toml_list(ALSO_COPY)}",
                f"pytest_add_cli_args = {toml_list(PYTEST_ARGS)}",
                f"pytest_add_cli_args_test_selection = {toml_list(selection)}",
                # Forking a process whose Polars worker threads hold a lock hangs some mutants for ever
                # (seen on rules/money.py and rules/interpreter.py): start each worker fresh instead.
                'process_isolation = "forkserver"',
                "",
            ]
        )
    )
    pyproject.write_text(text, "utf-8")


def run_file(copy: Path, source: str, tests: list[str], mutmut: list[str]) -> dict[str, str]:
    configure(copy, source, tests)
    shutil.rmtree(copy / "mutants", ignore_errors=True)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DATABASE_URL", None)  # SQLite, as `make test-sqlite`
    print(f"== {source} ({len(tests)} test pattern(s))", flush=True)
    run = subprocess.run([*mutmut, "run"], cwd=copy, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        sys.stderr.write(run.stdout[-4000:] + run.stderr[-4000:])
        raise SystemExit(f"mutmut run failed for {source} (exit {run.returncode})")
    listed = subprocess.run(
        [*mutmut, "results", "--all", "true"], cwd=copy, env=env, capture_output=True, text=True, check=True
    ).stdout
    statuses: dict[str, str] = {}
    for line in listed.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            statuses[name] = status
    return statuses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="*", help="only the files whose path ends with one of these")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway copy and print its path")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants' names")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # progress and survivors as they come, even into a file
    chosen = {f: t for f, t in FILES.items() if not args.files or any(f.endswith(a) for a in args.files)}
    if not chosen:
        parser.error(f"none of {args.files} in {list(FILES)}")
    mutmut = [sys.executable, "-m", "mutmut"]
    equivalent = equivalent_mutants()
    copy = Path(tempfile.mkdtemp(prefix="shouzhan-mutation-"))
    rows = []
    try:
        copy_tree(copy)
        for source, tests in chosen.items():
            statuses = run_file(copy, source, tests, mutmut)
            equiv = {n for n in statuses if n in equivalent}
            killed = sum(1 for n, s in statuses.items() if s in CAUGHT)
            survivors = sorted(n for n, s in statuses.items() if s not in CAUGHT and n not in equiv)
            scored = len(statuses) - len(equiv)
            score = 100.0 * killed / scored if scored else 100.0
            rows.append((source, len(statuses), killed, len(survivors), len(equiv), score))
            if args.survivors:
                for name in survivors:
                    print(f"   survived: {name} ({statuses[name]})")
    finally:
        if args.keep:
            print(f"copy kept in {copy}")
        else:
            shutil.rmtree(copy, ignore_errors=True)
    header = ("file", "mutants", "killed", "survived", "equivalent", "score")
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for source, total, killed, survived, n_equiv, score in rows:
        print(
            f"| `{source.removeprefix('src/shouzhan/')}` | {total} | {killed} | {survived} | {n_equiv} | {score:.1f} % |"
        )
    low = [r[0] for r in rows if r[5] < THRESHOLD]
    if low:
        print(f"\nbelow {THRESHOLD:.0f} %: {', '.join(low)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

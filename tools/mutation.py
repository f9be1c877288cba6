#!/usr/bin/env python3
"""`make mutation`: mutmut 3 over the files whose tests must catch a wrong fen or a wrong deadline (issue #20).

Each file is mutated on its own, in a throwaway copy of the working tree (tracked and untracked files that
git does not ignore, so tests not yet committed count too): the repository itself never gets a `mutants/`
folder. mutmut first runs the file's tests once to learn which tests call which function, then runs each
mutant against only the tests that call the mutated function.

    python tools/mutation.py                     # all files in FILES
    python tools/mutation.py core/workdays.py    # the files whose path ends with that
    python tools/mutation.py --keep ...          # keep the copy (to run `mutmut show <name>` there)
    python tools/mutation.py --sqlite ...        # SQLite only, even where a file also wants PostgreSQL

Tests that use the database start from a test database built once and copied for each mutant
(tools/mutation_conftest.py, copied as the copy's root conftest.py), not from migrations each time.
A file listed with PostgreSQL too (ledger/books.py: one statement on PostgreSQL, another path elsewhere)
runs on SQLite first, then its survivors run again against PostgreSQL (MUTATION_DATABASE_URL, by default
postgres://postgres@127.0.0.1:5432/shouzhan_mut) with the `postgres` tests included: a mutant counts as
killed when either run catches it, as `make test` runs the suite on both. When PostgreSQL does not answer,
a line says so and the file is scored on SQLite alone.

Prints a table: file, mutants, killed, survived, equivalent (listed by name in docs/mutation.md, left out
of the score), score = killed / (mutants - equivalent) and wall time; before it, per file, the mean
seconds of a mutant's pytest session (all of them, and those that used the database). Exits 1 when a file scores below THRESHOLD. See docs/mutation.md.
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
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THRESHOLD = 90.0


@dataclass(frozen=True)
class Target:
    tests: list[str]  # globs, relative to the repository root
    # Databases the tests run on, in order; a later one runs only the earlier runs' survivors.
    databases: tuple[str, ...] = ("sqlite",)


# Each file and the tests that cover it.
FILES: dict[str, Target] = {
    "src/shouzhan/rules/money.py": Target(["tests/rules"]),
    "src/shouzhan/rules/interpreter.py": Target(["tests/rules"]),
    "src/shouzhan/core/workdays.py": Target(["tests/core/test_workdays*.py"]),
    "src/shouzhan/core/calendar.py": Target(["tests/core/test_workdays*.py"]),
    "src/shouzhan/offers/caps.py": Target(["tests/offers/test_caps.py"]),
    "src/shouzhan/frontline/tickets.py": Target(
        ["tests/frontline/test_dispatch.py", "tests/frontline/test_tickets.py"]
    ),
    "src/shouzhan/frontline/rates.py": Target(
        ["tests/frontline/test_rates.py", "tests/frontline/test_rates_pages.py"]
    ),
    "src/shouzhan/patrols/rules.py": Target(
        ["tests/patrols/test_rules.py", "tests/patrols/test_compliance.py"]
    ),
    "src/shouzhan/patrols/honesty.py": Target(
        ["tests/patrols/test_honesty.py", "tests/patrols/test_honesty_edges.py", "tests/patrols/test_geo.py"]
    ),
    "src/shouzhan/insight/figures.py": Target(
        [
            "tests/insight/test_figures.py",
            "tests/insight/test_targets.py",
            "tests/insight/test_frames.py",
            "tests/insight/test_definition_words.py",
        ]
    ),
    "src/shouzhan/insight/frames.py": Target(
        [
            "tests/insight/test_frames_records.py",
            "tests/insight/test_frames.py",
            "tests/insight/test_targets.py",
        ],
        databases=("sqlite", "postgresql"),
    ),
    "src/shouzhan/ledger/books.py": Target(
        [
            "tests/ledger/test_services.py",
            "tests/ledger/test_claim_reverse.py",
            "tests/ledger/test_books_mutation.py",
        ],
        databases=("sqlite", "postgresql"),
    ),
    # Attendance → the trainees hu8.training_course pays for.
    "src/shouzhan/registry/talent/training.py": Target(
        ["tests/talent/test_training.py", "tests/talent/test_training_counts.py"]
    ),
}
PG_URL = os.environ.get("MUTATION_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shouzhan_mut")
MARKERS = {
    "sqlite": "not browser and not spark and not postgres",
    "postgresql": "not browser and not spark",
}
ALSO_COPY = ["catalogue", "docs", "manage.py", "conftest.py"]
# mutmut statuses counted as caught: the mutant made a test fail, time out or the type checker refuse it.
CAUGHT = {"killed", "timeout", "caught by type check"}
# An equivalent mutant in docs/mutation.md: a list item starting with its name in backticks.
EQUIVALENT_LINE = re.compile(r"^[-*]\s+`([^`\s]+__mutmut_\d+)`")  # methods: `xǁClassǁmethod__mutmut_N`


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
    if (target / "conftest.py").exists():
        raise SystemExit("the tree has a root conftest.py: tools/mutation.py needs that name for its own")
    shutil.copy2(ROOT / "tools" / "mutation_conftest.py", target / "conftest.py")


def toml_list(values: list[str]) -> str:
    return "[" + ", ".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "]"


def configure(copy: Path, source: str, tests: list[str], database: str) -> None:
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
                f"pytest_add_cli_args = {toml_list(['-p', 'no:cacheprovider', '-m', MARKERS[database]])}",
                f"pytest_add_cli_args_test_selection = {toml_list(selection)}",
                # Forking a process whose Polars worker threads hold a lock hangs some mutants for ever
                # (seen on rules/money.py and rules/interpreter.py): start each worker fresh instead.
                'process_isolation = "forkserver"',
                "",
            ]
        )
    )
    pyproject.write_text(text, "utf-8")


def postgresql_answers(url: str) -> bool:
    try:
        import psycopg

        psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
    except Exception:  # not installed, not running, refused: all mean "run on SQLite"
        return False
    return True


def drop_test_databases(url: str, prefix: str) -> None:
    """The PostgreSQL template and any copy left by a mutant killed mid-test (a timeout)."""
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        names = [
            r[0]
            for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"])
        ]
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Run:
    statuses: dict[str, str] = field(default_factory=dict)
    # Seconds of each mutant's pytest session (tools/mutation_conftest.py), and whether it used the database.
    seconds: dict[str, tuple[float, bool]] = field(default_factory=dict)


def run_mutmut(
    copy: Path,
    source: str,
    tests: list[str],
    database: str,
    mutmut: list[str],
    names: list[str],
    fresh_db: bool,
) -> Run:
    """One `mutmut run` of `source` on `database` (all its mutants, or only `names`), in a fresh mutants/."""
    configure(copy, source, tests, database)
    shutil.rmtree(copy / "mutants", ignore_errors=True)
    times = copy / "var" / "mutation-times.tsv"
    times.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "MUTATION_TEST_DB_LOCK": str(copy / "var" / "mutation-test-db.lock"),
        "MUTATION_TIMES": str(times),
        # the settings refuse to start without a key (DEBUG off); mutmut runs in a tree with no var/secret_key
        "SHOUZHAN_SECRET_KEY_FILE": str(ROOT / "var" / "secret_key"),
    }
    if database == "postgresql":
        env["DATABASE_URL"] = PG_URL
        env["MUTATION_TEST_DB"] = pg_template_name(copy)
    else:
        env.pop("DATABASE_URL", None)  # SQLite, as `make test-sqlite`
        env["MUTATION_TEST_DB"] = str(copy / "var" / "mutation-test.sqlite3")
    if fresh_db:
        del env["MUTATION_TEST_DB"]
    run = subprocess.run([*mutmut, "run", *names], cwd=copy, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        sys.stderr.write(run.stdout[-4000:] + run.stderr[-4000:])
        raise SystemExit(f"mutmut run failed for {source} on {database} (exit {run.returncode})")
    listed = subprocess.run(
        [*mutmut, "results", "--all", "true"], cwd=copy, env=env, capture_output=True, text=True, check=True
    ).stdout
    result = Run()
    for line in listed.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name and (not names or name in names):
            result.statuses[name] = status
    if times.exists():
        for line in times.read_text("utf-8").splitlines():
            name, seconds, used_db = line.split("\t")
            if name in result.statuses:
                result.seconds[name] = (float(seconds), used_db == "1")
    return result


def pg_template_name(copy: Path) -> str:
    # One name per copy (its random suffix), so two runs on one server do not share databases.
    return "test_shouzhan_mut_" + re.sub(r"[^a-z0-9]", "", copy.name.rsplit("-", 1)[-1].lower())


def run_file(
    copy: Path, source: str, target: Target, mutmut: list[str], sqlite_only: bool, fresh_db: bool
) -> Run:
    print(f"== {source} ({len(target.tests)} test pattern(s))", flush=True)
    combined = Run()
    for database in target.databases:
        names: list[str] = []
        if combined.statuses:
            names = sorted(n for n, s in combined.statuses.items() if s not in CAUGHT)
            if not names:
                break
        if database == "postgresql" and (sqlite_only or not postgresql_answers(PG_URL)):
            why = "--sqlite given" if sqlite_only else f"PostgreSQL does not answer at {PG_URL}"
            print(
                f"   {why}: {source} is scored on SQLite alone (its PostgreSQL-only code counts as survived)"
            )
            break
        started = time.monotonic()
        try:
            run = run_mutmut(copy, source, target.tests, database, mutmut, names, fresh_db)
        finally:
            if database == "postgresql":
                drop_test_databases(PG_URL, pg_template_name(copy))
        killed = sum(1 for s in run.statuses.values() if s in CAUGHT)
        timed = [seconds for seconds, _used_db in run.seconds.values()]
        mean = f", {sum(timed) / len(timed):.1f} s a mutant's tests" if timed else ""
        print(
            f"   {database}: {len(run.statuses)} mutants run, {killed} killed,"
            f" {time.monotonic() - started:.0f} s{mean}",
            flush=True,
        )
        combined.statuses.update(run.statuses)
        combined.seconds.update(run.seconds)
    return combined


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="*", help="only the files whose path ends with one of these")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway copy and print its path")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants' names")
    parser.add_argument(
        "--sqlite", action="store_true", help="SQLite only, even for files that also want PostgreSQL"
    )
    parser.add_argument(
        "--fresh-db",
        action="store_true",
        help="create the test database in every mutant's session (no copy of a template): to compare times",
    )
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
        for source, target in chosen.items():
            started = time.monotonic()
            run = run_file(copy, source, target, mutmut, args.sqlite, args.fresh_db)
            wall = time.monotonic() - started
            statuses = run.statuses
            equiv = {n for n in statuses if n in equivalent}
            killed = sum(1 for n, s in statuses.items() if s in CAUGHT)
            survivors = sorted(n for n, s in statuses.items() if s not in CAUGHT and n not in equiv)
            scored = len(statuses) - len(equiv)
            score = 100.0 * killed / scored if scored else 100.0
            rows.append((source, len(statuses), killed, len(survivors), len(equiv), score, wall))
            timed = list(run.seconds.values())
            with_db = [seconds for seconds, used_db in timed if used_db]
            if timed:
                print(
                    f"   {len(timed)} mutants' tests timed: {sum(s for s, _ in timed) / len(timed):.1f} s each"
                    f" ({len(with_db)} used the database"
                    + (f": {sum(with_db) / len(with_db):.1f} s each)" if with_db else ")")
                )
            if args.survivors:
                for name in survivors:
                    print(f"   survived: {name} ({statuses[name]})")
    finally:
        if args.keep:
            print(f"copy kept in {copy}")
        else:
            shutil.rmtree(copy, ignore_errors=True)
    header = ("file", "mutants", "killed", "survived", "equivalent", "score", "wall")
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for source, total, killed, survived, n_equiv, score, wall in rows:
        print(
            f"| `{source.removeprefix('src/shouzhan/')}` | {total} | {killed} | {survived} | {n_equiv}"
            f" | {score:.1f} % | {wall / 60:.1f} min |"
        )
    low = [r[0] for r in rows if r[5] < THRESHOLD]
    if low:
        print(f"\nbelow {THRESHOLD:.0f} %: {', '.join(low)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

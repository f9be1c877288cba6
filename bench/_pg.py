"""What the PostgreSQL benchmarks share (bench_ledger.py, bench_audit.py).

`run_child` is a benchmark's main(): skip with a message when PostgreSQL does not answer, else run the
benchmark file again as `--child` against its own database (so its Django settings never mix with another
benchmark's). `fresh_database` is the child's set-up: the database dropped and created, Django set up,
migrated. `processes` times work over items from forked client processes, each with its own connection.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASE_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
CLIENTS = 16


def run_child(script: str, db: str) -> None:
    try:
        import psycopg

        psycopg.connect(f"{BASE_URL}/postgres", connect_timeout=3).close()
    except Exception as exc:
        print(f"skipped: PostgreSQL not reachable at {BASE_URL} ({exc.__class__.__name__})")
        return
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "DATABASE_URL": f"{BASE_URL}/{db}"}
    subprocess.run([sys.executable, script, "--child"], env=env, check=True)


def fresh_database(db: str) -> None:
    """Drop and create `db`, set Django up on it (DATABASE_URL names it) and migrate."""
    import psycopg

    with psycopg.connect(f"{BASE_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {db}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouzhan.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def processes(items: list[Any], work: Callable[[Any], None], clients: int = CLIENTS) -> float:
    """Run work(item) over items from `clients` forked processes; returns wall seconds."""
    import multiprocessing as mp

    from django.db import connections

    connections.close_all()  # each process opens its own connection
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(clients + 1, timeout=120)
    errors = ctx.Queue()

    def run(k: int) -> None:
        try:
            connections["default"].ensure_connection()  # connecting is not what is measured
            barrier.wait()
            for item in items[k::clients]:
                work(item)
        except BaseException as exc:
            errors.put(repr(exc))
            raise
        finally:
            connections.close_all()

    procs = [ctx.Process(target=run, args=(k,)) for k in range(clients)]
    for proc in procs:
        proc.start()
    barrier.wait()
    started = time.perf_counter()
    for proc in procs:
        proc.join()
    seconds = time.perf_counter() - started
    if not errors.empty() or any(proc.exitcode for proc in procs):
        raise RuntimeError(f"a client process failed: {errors.get() if not errors.empty() else 'exit code'}")
    return seconds


def run_on_both(script: str, db: str, *, only_env: str) -> bool:
    """A benchmark's main() for SQLite and PostgreSQL (bench_frontline, bench_patrols, bench_insight): run the
    file again as `--child <label>` on a fresh SQLite file, then on PostgreSQL's `db` (or DATABASE_URL when it
    names a PostgreSQL database) when it answers; `only_env` names the variable that picks one of the two.
    True when every child succeeded (a child exits non-zero when it misses a target)."""
    import tempfile

    given = os.environ.get("DATABASE_URL", "")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("SQLite", f"sqlite:///{tmp}/bench.sqlite3")]
        try:
            import psycopg

            pg = given if given.startswith("postgres") else f"{BASE_URL}/{db}"
            psycopg.connect(pg.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
            runs.append(("PostgreSQL", pg))
        except Exception as exc:
            print(f"  PostgreSQL skipped: not reachable ({exc.__class__.__name__})")
        only = os.environ.get(only_env, "")  # "SQLite" or "PostgreSQL": one of the two
        for label, url in runs:
            if only and label != only:
                continue
            env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "DATABASE_URL": url}
            ok &= subprocess.run([sys.executable, script, "--child", label], env=env).returncode == 0
    return ok


def child_database(build: Callable[[], Any]) -> tuple[Any, float]:
    """A `run_on_both` child's set-up on DATABASE_URL: a PostgreSQL database dropped and created first, Django
    set up and migrated, `build()` run in one transaction, the planner's statistics refreshed. Returns what
    `build` returned and the seconds it took."""
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        import psycopg

        base, db = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {db}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouzhan.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with transaction.atomic():
        built = build()
    seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return built, seconds

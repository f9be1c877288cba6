"""Audit benchmark: what the hash chain costs a transaction that writes an audit entry, on PostgreSQL.

Creates its own database (`shouzhan_bench_audit`), migrates it, then times transactions that each
write one audit entry and lock one of 64 rows (as a service does), two ways in the same run:
  * baseline: the entry is written but not chained (the chaining switched off);
  * chained: the entry is chained after its commit, as the site does;
each by 1 client serially and by 16 client processes, and checks at the end that the chained
entries form one unbroken chain. PostgreSQL's settings are left as they are (durable commits).
Skips with a message if PostgreSQL is not reachable.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_AUDIT_DB", "shouzhan_bench_audit")
CLIENTS = 16
SERIAL = int(os.environ.get("BENCH_AUDIT_SERIAL", "300"))
PARALLEL = int(os.environ.get("BENCH_AUDIT_PARALLEL", "1600"))


def main() -> None:
    try:
        import psycopg

        psycopg.connect(f"{BASE_URL}/postgres", connect_timeout=3).close()
    except Exception as exc:
        print(f"skipped: PostgreSQL not reachable at {BASE_URL} ({exc.__class__.__name__})")
        return
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "DATABASE_URL": f"{BASE_URL}/{DB}"}
    subprocess.run([sys.executable, __file__, "--child"], env=env, check=True)


def _processes(count: int, work, clients: int = CLIENTS) -> float:
    """Run work(i) for i in range(count) from `clients` forked processes; returns wall seconds."""
    import multiprocessing as mp

    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(clients + 1, timeout=120)

    def run(k: int) -> None:
        try:
            connections["default"].ensure_connection()
            barrier.wait()
            for i in range(k, count, clients):
                work(i)
        finally:
            connections.close_all()

    procs = [ctx.Process(target=run, args=(k,)) for k in range(clients)]
    for proc in procs:
        proc.start()
    barrier.wait()
    started = time.perf_counter()
    for proc in procs:
        proc.join()
    if any(proc.exitcode for proc in procs):
        raise RuntimeError("a client process failed")
    return time.perf_counter() - started


def child() -> None:
    import psycopg

    with psycopg.connect(f"{BASE_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouzhan.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from shouzhan.accounts.models import Organisation
    from shouzhan.core import audit
    from shouzhan.core.audit_chain import chain_at_commit, chain_pending, chain_verify
    from shouzhan.core.models import AuditEntry

    rows = [Organisation.objects.create(name=f"机构{i}").pk for i in range(64)]

    def work(i: int) -> None:
        with transaction.atomic():
            Organisation.objects.select_for_update().get(pk=rows[i % len(rows)])
            audit.audit_record(
                actor="bench", action="bench.step", target_type="bench", target_id=i, after={"i": i}
            )

    results = {}
    for mode in ("baseline", "chained"):
        audit.chain_at_commit = chain_at_commit if mode == "chained" else (lambda using="default": None)  # type: ignore[assignment]
        started = time.perf_counter()
        for i in range(SERIAL):
            work(i)
        serial = SERIAL / (time.perf_counter() - started)
        parallel = PARALLEL / _processes(PARALLEL, work)
        results[mode] = (serial, parallel)
        print(
            f"{mode}: 1 client {serial:.0f} transactions/s; {CLIENTS} client processes {parallel:.0f} transactions/s"
        )
        if mode == "baseline":
            chain_pending()  # the unchained baseline entries go in before the chained run starts
    (base_serial, base_parallel), (serial, parallel) = results["baseline"], results["chained"]
    print(
        f"chained vs baseline: 1 client {serial / base_serial:.2f}x, {CLIENTS} clients {parallel / base_parallel:.2f}x"
    )
    waiting = AuditEntry.objects.filter(sequence__isnull=True).count()
    state = chain_verify()
    total = AuditEntry.objects.count()
    ok = state.ok and waiting == 0 and state.entries == total
    print(
        f"chain: {'OK' if ok else 'FAILED'} — {state.entries} of {total} entries chained, {waiting} waiting"
    )
    connection.close()
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        main()

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
import sys
import time

import _pg

DB = os.environ.get("BENCH_AUDIT_DB", "shouzhan_bench_audit")
CLIENTS = _pg.CLIENTS
SERIAL = int(os.environ.get("BENCH_AUDIT_SERIAL", "300"))
PARALLEL = int(os.environ.get("BENCH_AUDIT_PARALLEL", "1600"))


def main() -> None:
    _pg.run_child(__file__, DB)


def child() -> None:
    _pg.fresh_database(DB)
    from django.db import connection, transaction

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
        parallel = PARALLEL / _pg.processes(list(range(PARALLEL)), work)
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

"""Ledger benchmark: approved voucher claims per second with 16 concurrent clients on PostgreSQL.

Creates its own database (`shouzhan_bench`), migrates it, grants vouchers to 64 enterprises,
submits and confirms the claims, all from one provider unless BENCH_LEDGER_PROVIDERS says
otherwise (not timed), then times their approval by calling the service
directly (no HTTP, no test client), each client with its own connection:
  * baseline: one client approving claims serially (measured in this run);
  * 16 client threads in one process (they share one Python interpreter lock);
  * 16 client processes (how a site is served: one worker process per concurrent request);
and checks the books at the end (every entry sums to zero, no balance below zero or above a cap,
stored totals, where an account keeps one, equal its entries). PostgreSQL's settings are left as
they are (durable commits).
Skips with a message if PostgreSQL is not reachable.
Runs in a child process so its Django settings never mix with another benchmark's.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
import time

import _pg

DB = "shouzhan_bench"
CLIENTS = _pg.CLIENTS
CLAIMS = int(os.environ.get("BENCH_LEDGER_CLAIMS", "1920"))  # for the 16 processes
THREADED = int(os.environ.get("BENCH_LEDGER_THREADED", "960"))  # for the 16 threads
BASELINE = int(os.environ.get("BENCH_LEDGER_BASELINE", "400"))
ENTERPRISES = 64
# One provider by default: every approval credits the same receivable, the hardest case for
# concurrency (a district's compute vouchers often go mostly to one big provider).
PROVIDERS = int(os.environ.get("BENCH_LEDGER_PROVIDERS", "1"))


def main() -> None:
    _pg.run_child(__file__, DB)


def _parallel(items: list, work, clients: int = CLIENTS) -> float:
    """Run work(item) over items from `clients` threads; returns wall seconds."""
    from django.db import connection

    barrier = threading.Barrier(clients + 1)
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            connection.ensure_connection()  # connecting is not what is measured
            barrier.wait()
            for item in items[k::clients]:
                work(item)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def child() -> None:
    started = time.perf_counter()
    _pg.fresh_database(DB)
    from django.conf import settings

    from shouzhan.accounts.models import Membership, Organisation, User
    from shouzhan.ledger import selectors, services
    from shouzhan.ledger.models import Claim
    from shouzhan.policies.services import catalogue_sync
    from shouzhan.registry.models import Enterprise

    catalogue_sync(actor="system:bench", directory=settings.CATALOGUE_DIR)
    officer = User.objects.create_user(
        name="bench officer", password=None, mobile="13900000001", role="policy_officer"
    )
    caseworker = User.objects.create_user(
        name="bench caseworker", password=None, mobile="13900000002", role="caseworker"
    )
    providers = []
    for i in range(PROVIDERS):
        org = Organisation.objects.create(name=f"服务商{i}", kind=Organisation.Kind.PROVIDER)
        user = User.objects.create_user(name=f"provider {i}", password=None, mobile=f"139000001{i:02d}")
        Membership.objects.create(user=user, organisation=org, is_owner=True)
        providers.append((org, user))
    year = 2026
    programme = services.programme_open(
        actor=officer,
        item="compute",
        year=year,
        valid_from=dt.date(year, 1, 1),
        valid_until=dt.date(year, 12, 31),
        budget_fen=ENTERPRISES * 100_000_000,
        providers=[p[0] for p in providers],
    )
    enterprises = []
    for i in range(ENTERPRISES):
        org = Organisation.objects.create(name=f"企业{i}")
        owner = User.objects.create_user(name=f"owner {i}", password=None, mobile=f"13900002{i:03d}")
        Membership.objects.create(user=owner, organisation=org, is_owner=True)
        enterprise = Enterprise.objects.create(name=f"企业{i}", organisation=org)
        services.voucher_grant(
            actor=officer, programme=programme, enterprise=enterprise, amount_fen=programme.cap_fen
        )
        enterprises.append((enterprise, owner))
    total = CLAIMS + THREADED + BASELINE
    amount = programme.cap_fen // (total // ENTERPRISES + 1)

    def submit(i: int) -> None:
        enterprise, owner = enterprises[i % ENTERPRISES]
        org, user = providers[i % PROVIDERS]
        claim = services.claim_submit(
            actor=user,
            programme=programme,
            enterprise=enterprise,
            provider=org,
            amount_fen=amount,
            invoice_no=f"B{i:06d}",
            service_from=dt.date(year, 3, 1),
            service_to=dt.date(year, 3, 31),
        )
        services.claim_confirm(actor=owner, claim=claim, expected_version=1)

    setup_claims = _pg.processes(list(range(total)), submit)
    print(
        f"setup: migrate + {ENTERPRISES} wallets + {total} claims for {PROVIDERS} provider(s) submitted and confirmed "
        f"in {time.perf_counter() - started:.1f} s (claims: {total / setup_claims:.0f}/s for submit+confirm)"
    )
    ids = list(Claim.objects.filter(state="confirmed").order_by("id").values_list("id", flat=True))

    def approve(pk: int) -> None:
        claim = Claim(pk=pk)
        services.claim_approve(actor=caseworker, claim=claim, expected_version=2)

    baseline_ids = ids[:BASELINE]
    threaded_ids = ids[BASELINE : BASELINE + THREADED]
    process_ids = ids[BASELINE + THREADED :]
    t0 = time.perf_counter()
    for pk in baseline_ids:
        approve(pk)
    serial_rate = len(baseline_ids) / (time.perf_counter() - t0)
    thread_seconds = _parallel(threaded_ids, approve)
    thread_rate = len(threaded_ids) / thread_seconds
    seconds = _pg.processes(process_ids, approve)
    rate = len(process_ids) / seconds
    check = selectors.books_check()
    approved = Claim.objects.filter(state="approved").count()
    load = "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"baseline, 1 client serially: {serial_rate:.0f} approved claims/s ({len(baseline_ids)} claims)")
    print(
        f"{CLIENTS} client threads in one process: {thread_rate:.0f} approved claims/s "
        f"({len(threaded_ids)} claims in {thread_seconds:.2f} s; ratio vs baseline {thread_rate / serial_rate:.2f}x)"
    )
    print(
        f"{CLIENTS} client processes: {rate:.0f} approved claims/s ({len(process_ids)} claims in {seconds:.2f} s; "
        f"ratio vs baseline {rate / serial_rate:.2f}x)"
    )
    best, mode = max((rate, "processes"), (thread_rate, "threads"))
    print(
        f"goal ≥ 500/s with {CLIENTS} clients: {'met' if best >= 500 else 'NOT met'} "
        f"(best {best:.0f}/s with {mode}; {load}, {os.cpu_count()} CPUs)"
    )
    ok = check.ok and approved == total
    print(
        f"invariants: {'OK' if ok else 'FAILED'} — sum of entries {check.entries_total_fen}, approved {approved}/{total}, "
        f"unbalanced {len(check.unbalanced_journals)}, drifted {len(check.drifted_accounts)}, "
        f"negative {len(check.negative_accounts)}, over cap {len(check.over_cap_accounts)}"
    )
    from django.db import connection

    connection.close()
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        main()

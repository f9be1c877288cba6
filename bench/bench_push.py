"""Push benchmark (offers, 免申即享): a synthetic register in PostgreSQL, a full run from the database to
offers written, against the floor measured in the same run.

Size: BENCH_PUSH_SIZE enterprises (default 1,000,000; `bench/run.py push --size 100000` for a quick
run), each with 0–3 projects, written with COPY. Printed:
  * the floor: the same columns read with COPY, and the same number of offer rows written with COPY
    into a table shaped like the offers' (same indexes), nothing else;
  * a full run (a separate process, for its peak memory): read / compute / reconcile / write seconds;
  * a second full run over the unchanged register (changes nothing);
  * an incremental run after 1 % of the enterprises changed.
Goals on a 2-core machine, for 1,000,000: full run < 60 s and ≤ 2 × the floor; incremental < 5 s;
peak memory < 4 GB. Figures are printed, not asserted (never a timed test).
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import ROOT, fresh_database, run_child

DB = "shouzhan_bench_push"
SIZE = int(os.environ.get("BENCH_PUSH_SIZE", "1000000"))
KINDS = [
    "micro_drama",
    "agent",
    "skill_library",
    "asset_library",
    "course",
    "event",
    "overseas",
    "settlement",
    "vouchers",
]
DISTRICTS = ["徐汇"] * 4 + ["浦东新区", "黄浦", "静安", "杨浦", "闵行", "长宁"]
SECTORS = ["micro_drama", "ai_agent", "live_streaming", "ip_design", "cross_border", "other"]


def main() -> None:
    run_child(__file__, DB)


def _pick(values: list[str], seed: int, n: int):  # type: ignore[no-untyped-def]
    import polars as pl

    codes = pl.int_range(0, n, eager=True).hash(seed) % len(values)
    return pl.Series(values).gather(codes)


def _maybe(seed: int, n: int, null_per_100: int, true_per_100: int):  # type: ignore[no-untyped-def]
    """A nullable boolean column: null_per_100 unknown, else true_per_100 % true."""
    import polars as pl

    row = pl.int_range(0, n)
    return pl.select(
        pl.when(row.hash(seed) % 100 < null_per_100)
        .then(None)
        .otherwise(row.hash(seed + 1) % 100 < true_per_100)
    ).to_series()


def build_register(n: int) -> tuple[int, float]:
    """n enterprises and their projects written with COPY; returns (projects, seconds)."""
    import polars as pl
    from django.db import connection

    started = time.perf_counter()
    ids = pl.int_range(1, n + 1, eager=True)
    h = ids.hash(7)
    enterprises = pl.DataFrame(
        {
            "id": ids,
            "name": "企业" + ids.cast(pl.String),
            "district": _pick(DISTRICTS, 11, n),
            "employees": (h % 300).cast(pl.Int64),
            "annual_revenue_fen": ((ids.hash(13) % 5_000_000) * 100).cast(pl.Int64),
            "is_one_person_company": _maybe(17, n, 10, 20),
            "sector": _pick(SECTORS, 19, n),
            "in_cluster": _maybe(23, n, 15, 40),
            "is_startup": _maybe(29, n, 15, 50),
        }
    ).with_columns(
        (pl.date(2015, 1, 1) + pl.duration(days=(pl.col("id").hash(31) % 3650).cast(pl.Int64))).alias(
            "registered_on"
        )
    )
    per = (ids.hash(37) % 4).cast(pl.Int64)  # 0–3 projects each
    owners = ids.repeat_by(per).explode().drop_nulls()
    m = owners.len()
    pids = pl.int_range(1, m + 1, eager=True)
    extra = (
        pl.DataFrame(
            {
                "a": (pids.hash(41) % 10 == 0).cast(pl.String).str.to_lowercase(),
                "b": (pids.hash(43) % 20 == 0).cast(pl.String).str.to_lowercase(),
                "v": _pick(["compute", "model", "corpus"], 47, m),
            }
        )
        .select(
            pl.format('{{"award_winning": {}, "benchmark_work": {}, "voucher_item": "{}"}}', "a", "b", "v")
        )
        .to_series()
    )
    projects = pl.DataFrame(
        {
            "id": pids,
            "enterprise_id": owners,
            "kind": _pick(KINDS, 53, m),
            "title": "项目" + pids.cast(pl.String),
            "year": pl.Series([2026] * m, dtype=pl.Int64),
            "rd_investment_fen": ((pids.hash(59) % 8_000_000) * 100).cast(pl.Int64),
            "self_developed": _maybe(61, m, 10, 60),
            "market_recognized": _maybe(67, m, 20, 30),
            "national_selection": _maybe(71, m, 20, 5),
            "excellent": _maybe(73, m, 20, 15),
            "promotes_city_image": _maybe(79, m, 30, 10),
            "trainees": (pids.hash(83) % 200).cast(pl.Int64),
            "extra_facts": extra,
        }
    )
    now = "2026-11-01T00:00:00+00:00"
    e_rows = enterprises.with_columns(
        pl.lit("").alias("legal_representative"),
        pl.lit("").alias("address"),
        pl.lit("").alias("phone"),
        pl.lit("").alias("description"),
        pl.lit("idea").alias("stage"),
        pl.lit(now).alias("created_at"),
        pl.lit(now).alias("updated_at"),
        pl.lit(1).alias("version"),
    )
    p_rows = projects.with_columns(
        pl.lit("").alias("description"), pl.lit(now).alias("created_at"), pl.lit(now).alias("updated_at")
    )
    with connection.cursor() as cursor:
        for table, frame, not_null in (
            ("registry_enterprise", e_rows, ["legal_representative", "address", "phone", "description"]),
            ("registry_project", p_rows, ["description"]),
        ):
            buffer = io.BytesIO()
            frame.write_csv(buffer, include_header=False, null_value="")
            cols = ", ".join(frame.columns)
            with cursor.cursor.copy(
                f"COPY {table} ({cols}) FROM STDIN (FORMAT csv, FORCE_NOT_NULL ({', '.join(not_null)}))"
            ) as copy:
                copy.write(buffer.getvalue())
        for table in ("registry_enterprise", "registry_project"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
            cursor.execute(f"ANALYZE {table}")
    return m, time.perf_counter() - started


def floor_read() -> float:
    """The register's columns, read with the same COPY queries the push uses — and nothing else."""
    from django.db import connection

    from shouzhan.offers.register import enterprise_query, project_query

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, _params, _schema in (enterprise_query(), project_query()):
            buffer = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
                for chunk in copy:
                    buffer.write(chunk)
    return time.perf_counter() - started


def floor_write() -> tuple[int, float]:
    """As many offer rows as the run wrote, written with COPY into a table like the offers' (same
    columns, constraints and indexes) — and nothing else."""
    from django.db import connection

    from shouzhan.offers.reconcile import INSERT_COLUMNS

    cols = ", ".join(INSERT_COLUMNS)
    with connection.cursor() as cursor:
        buffer = io.BytesIO()
        with cursor.cursor.copy(f"COPY (SELECT {cols} FROM offers_offer) TO STDOUT (FORMAT csv)") as copy:
            for chunk in copy:
                buffer.write(chunk)
        cursor.execute("DROP TABLE IF EXISTS floor_offer")
        cursor.execute("CREATE TABLE floor_offer (LIKE offers_offer INCLUDING ALL)")
        data = buffer.getvalue()
        rows = data.count(b"\n")
        started = time.perf_counter()
        with cursor.cursor.copy(
            f"COPY floor_offer ({cols}) FROM STDIN (FORMAT csv, FORCE_NOT_NULL (period, withdraw_cause, reason, contact))"
        ) as copy:
            copy.write(data)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE floor_offer")
    return rows, seconds


def push(scope: str = "full") -> dict[str, object]:
    from shouzhan.offers.models import PushRun
    from shouzhan.offers.services import push_run_execute, push_run_start

    started = time.perf_counter()
    run = push_run_start(actor="system:bench", trigger=PushRun.Trigger.MANUAL, scope=scope)
    run = push_run_execute(run_id=run.pk)
    wall = time.perf_counter() - started
    assert run.status == PushRun.Status.DONE, run.error
    return {
        "wall": wall,
        "timings": run.timings,
        "new": run.offers_new,
        "changed": run.offers_changed,
        "withdrawn": run.offers_withdrawn,
        "kept": run.offers_kept,
        "subjects": run.subjects_total,
    }


def child() -> None:
    fresh_database(DB)
    from django.conf import settings
    from django.db import connection

    from shouzhan.policies.services import catalogue_sync

    catalogue_sync(actor="system:bench", directory=settings.CATALOGUE_DIR)
    projects, build_s = build_register(SIZE)
    print(
        f"register: {SIZE:,} enterprises, {projects:,} projects, written with COPY in {build_s:.1f} s",
        flush=True,
    )

    # The full run in a process of its own, for its peak memory.
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(
        [sys.executable, __file__, "--run-full"], env=env, check=True, capture_output=True, text=True
    )
    peak_mib = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    full = json.loads(out.stdout.strip().splitlines()[-1])

    read_s = floor_read()
    rows, write_s = floor_write()
    floor = read_s + write_s
    t = full["timings"]
    print(
        f"floor: COPY read {read_s:.2f} s + COPY write of {rows:,} offer rows {write_s:.2f} s = {floor:.2f} s",
        flush=True,
    )
    print(
        f"full run: {full['wall']:.2f} s (read {t.get('read', 0):.2f} · compute {t.get('compute', 0):.2f} · "
        f"reconcile {t.get('reconcile', 0):.2f} · write {t.get('write', 0):.2f} · "
        f"commit and audit {t.get('finish', 0):.2f}, the rest queueing and progress); "
        f"{full['subjects']:,} subjects → {full['new']:,} offers and prompts; peak memory {peak_mib:,.0f} MiB",
        flush=True,
    )
    print(
        f"  ratio to the floor: {full['wall'] / floor:.2f}× (goal ≤ 2×); under 60 s: {full['wall'] < 60}; "
        f"peak under 4 GiB: {peak_mib < 4096}",
        flush=True,
    )
    again = push("full")
    print(
        f"second full run, nothing changed: {again['wall']:.2f} s — new {again['new']}, changed {again['changed']}, "
        f"withdrawn {again['withdrawn']}, kept {again['kept']:,}",
        flush=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_enterprise SET employees = COALESCE(employees, 0) + 400, "
            "in_cluster = NOT COALESCE(in_cluster, false), updated_at = now() WHERE id % 100 = 0"
        )
        changed = cursor.rowcount
    inc = push("changed")
    print(
        f"incremental run after {changed:,} enterprises changed (1 %): {inc['wall']:.2f} s (goal < 5 s) — "
        f"{inc['subjects']:,} subjects, new {inc['new']:,}, changed {inc['changed']:,}, withdrawn {inc['withdrawn']:,}",
        flush=True,
    )


def run_full() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouzhan.settings")
    import django

    django.setup()
    print(json.dumps(push("full")))


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    elif "--run-full" in sys.argv:
        run_full()
    else:
        main()

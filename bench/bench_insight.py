"""Insight: 100,000 enterprises and 20,000 relations, then the leader's dashboard and the chain map.

Builds, on SQLite and (when it answers) PostgreSQL, each in a database of its own, 100,000 enterprises written
in bulk (bulk_create, synthetic and deterministic: districts, sectors, stages, revenue, joined over 18 months),
20,000 relations between them, placements on the chains for 30 % of them (confirmed, suggested, rejected),
10,000 patents, 400 desks with 4,000 tenancies and 5,000 finished-film filings, then:
  (a) the dashboard's queries at a month's end — `insight.selectors.targets_measure(as_of=…)` (every target's
      definition in the rule language, compiled for Polars over one frame per table) plus
      `insight.service_figures.service_figures(as_of=…)` — p50/p95 over repeated runs, next to a baseline in
      the same run: the same definitions evaluated row by row in Python by the rules' interpreter
      (`shouzhan.rules.interpreter.Evaluator`) over the same frames; the counts must agree; target p95 < 300 ms;
  (b) the chain map's data for a 2,000-node view — `insight.mapdata.map_data` for the AI micro-drama chain
      (its nodes and the 2,000 most certain of its enterprises, laid out on the server) — p50/p95, next to a
      baseline in the same run: the same rows' JSON built with a query per enterprise; target p95 < 500 ms.
A benchmark, not a timed test: it prints its figures and ratios, and exits non-zero if a target is missed.

    .venv/bin/python bench/run.py insight                 # SQLite, then PostgreSQL at BENCH_PG_URL
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/insight_bench …   # PostgreSQL in that database (dropped first)
    BENCH_INSIGHT_SIZE=20000 …                            # a quicker run
    BENCH_INSIGHT_ONLY=PostgreSQL …                       # one of the two
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SIZE = int(os.environ.get("BENCH_INSIGHT_SIZE", "100000"))
RELATIONS = SIZE // 5
RUNS = int(os.environ.get("BENCH_INSIGHT_RUNS", "15"))
BATCH = 5_000
DB_PG = "insight_bench"
AS_OF = dt.date(2026, 11, 30)
START = dt.date(2025, 6, 1)
DASHBOARD_TARGET_MS, MAP_TARGET_MS = 300.0, 500.0
DISTRICTS = ["徐汇"] * 6 + ["杨浦", "闵行", "浦东新区", "黄浦", "静安", "长宁", "普陀", "虹口"]
SECTORS = [
    "micro_drama",
    "ai_agent",
    "live_streaming",
    "ip_design",
    "cross_border",
    "compute",
    "games",
    "other",
]
STAGES = ["idea", "registered", "ip_design", "commercialisation", "overseas"]
# Where a sector's enterprises sit (chain, node); the other sectors spread over the chains' keyword nodes.
NODES = {
    "micro_drama": [("ai_micro_drama", "production")],
    "ai_agent": [("ai_micro_drama", "tools"), ("brain_inspired", "algorithms")],
    "live_streaming": [("live_streaming", "ecommerce"), ("live_streaming", "mcn")],
    "ip_design": [("ai_micro_drama", "assets"), ("live_streaming", "merch")],
    "cross_border": [("ai_micro_drama", "overseas"), ("live_streaming", "crossborder")],
    "compute": [("ai_micro_drama", "compute")],
    "games": [("ai_micro_drama", "distribution")],
    "other": [("ai_micro_drama", "script"), ("brain_inspired", "bci"), ("live_streaming", "supply")],
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    out: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


# ----------------------------------------------------------------------------- the district, in bulk
def build(rng: random.Random) -> None:
    from django.utils import timezone

    from shouzhan.cases.models import Case
    from shouzhan.cases.workflow import case_type_get
    from shouzhan.core.actors import system_actor
    from shouzhan.insight.models import Placement, Relation
    from shouzhan.insight.services.data import insight_data_load
    from shouzhan.registry import patent_number
    from shouzhan.registry.models import Enterprise, Patent
    from shouzhan.spaces.models import Resource, Site, Tenancy

    insight_data_load(actor=system_actor("bench"))
    tz = timezone.get_current_timezone()
    span = (AS_OF - START).days + 150
    first = START - dt.timedelta(days=150)
    for at in range(0, SIZE, BATCH):
        rows = []
        for i in range(at, min(SIZE, at + BATCH)):
            district, sector = rng.choice(DISTRICTS), rng.choice(SECTORS)
            joined = first + dt.timedelta(days=rng.randrange(span))
            rows.append(Enterprise(
                name=f"基准企业{i:06d}", district=district, sector=sector, stage=rng.choice(STAGES),
                registered_on=joined - dt.timedelta(days=rng.randrange(30, 3000)),
                employees=rng.randint(1, 300), annual_revenue_fen=rng.randint(0, 20_000) * 1_000_000
                if rng.random() > 0.1 else None,
                is_one_person_company=rng.random() < 0.2, in_cluster=district == "徐汇" and rng.random() < 0.6,
                is_startup=rng.random() < 0.5, description=f"{sector} 基准企业",
                created_at=dt.datetime.combine(joined, dt.time(10, 0), tzinfo=tz),
            ))  # fmt: skip
        Enterprise.objects.bulk_create(rows)
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", "sector"))
    pks = [pk for pk, _s in ids]

    placements, seen = [], set()
    statuses = ["confirmed"] * 7 + ["suggested"] * 2 + ["rejected"]
    for pk, sector in rng.sample(ids, k=int(SIZE * 0.3)):
        chain, node = rng.choice(NODES[sector])
        if (pk, chain, node) in seen:
            continue
        seen.add((pk, chain, node))
        placements.append(Placement(enterprise_id=pk, chain=chain, node=node, status=rng.choice(statuses),
                                    confidence=rng.randint(40, 100), evidence=[{"kind": "sector", "text": sector}]))  # fmt: skip
    Placement.objects.bulk_create(placements, batch_size=BATCH)

    kinds = ["supplier", "customer", "partner", "investor", "tenant"]
    pairs: set[tuple[int, int, str]] = set()
    while len(pairs) < RELATIONS:
        a, b = rng.choice(pks), rng.choice(pks)
        if a != b:
            pairs.add((a, b, rng.choice(kinds)))
    Relation.objects.bulk_create(
        [
            Relation(source_id=a, target_id=b, kind=k, source_note="基准：走访记录")
            for a, b, k in sorted(pairs)
        ],
        batch_size=BATCH,
    )

    Patent.objects.bulk_create(
        [Patent(number=patent_number.make(f"2020{1 + i % 2}{i:07d}"), title=f"基准专利{i}",
                holder_enterprise_id=rng.choice(pks)) for i in range(SIZE // 10)],
        batch_size=BATCH,
    )  # fmt: skip

    site = Site.objects.create(name="基准创业首站", district="徐汇")
    desks = Resource.objects.bulk_create(
        [Resource(site=site, kind=Resource.Kind.DESK, name=f"工位 B-{i:03d}", unit=Resource.Unit.MONTH,
                  price_month_fen=80_000) for i in range(400)]
    )  # fmt: skip
    tenancies = []
    for desk in desks:
        day = START + dt.timedelta(days=rng.randrange(60))
        for _n in range(10):
            months = rng.choice([1, 3, 6])
            end = day + dt.timedelta(days=30 * months)
            tenancies.append(Tenancy(enterprise_id=rng.choice(pks), resource=desk, start_on=day, end_on=end,
                                     months=months, monthly_fee_fen=80_000))  # fmt: skip
            day = end + dt.timedelta(days=rng.randrange(1, 10))
    Tenancy.objects.bulk_create(tenancies, batch_size=BATCH)

    ok = next(s.key for s in case_type_get("finished_film_filing").states if s.outcome == "ok")
    cases = []
    for i in range(SIZE // 20):
        day = START + dt.timedelta(days=rng.randrange((AS_OF - START).days))
        cases.append(Case(case_type="finished_film_filing", state=ok, enterprise_id=rng.choice(pks),
                          title=f"《基准剧{i}》完成片上线备案", submitted_on=day,
                          closed_on=day + dt.timedelta(days=rng.randint(1, 7)),
                          data={"ai_share": rng.choice([10, 30, 50, 70, 90]), "episodes": 60}))  # fmt: skip
    Case.objects.bulk_create(cases, batch_size=BATCH)


# ----------------------------------------------------------------------------- (a) the dashboard
def measure_dashboard() -> tuple[list[float], list[float], dict[str, str], dict[str, str]]:
    from shouzhan.insight.frames import enterprise_frame, filing_frame
    from shouzhan.insight.models import Target
    from shouzhan.insight.selectors import target_list, targets_measure
    from shouzhan.insight.service_figures import service_figures
    from shouzhan.insight.vocabulary import facts_for
    from shouzhan.rules.interpreter import Evaluator
    from shouzhan.rules.types import compile_expression

    def dashboard() -> dict[str, str]:
        """The rows each target counts (a share's enterprises summed), and the service figures' values."""
        figures = [*targets_measure(as_of=AS_OF), *service_figures(as_of=AS_OF)]
        return {f.key: str(f.detail.get("enterprises", f.value) if f.unit == "percent" else f.value)
                for f in figures}  # fmt: skip

    def baseline() -> dict[str, str]:
        """The same definitions, one row at a time in Python: the rules' interpreter per enterprise / filing."""
        targets = target_list()
        enterprises = enterprise_frame(as_of=AS_OF)
        filings = filing_frame(as_of=AS_OF, enterprises=enterprises)
        out = {}
        for target in targets:
            tree = compile_expression(target.definition, "bool", facts=facts_for(target.counts))
            frame = filings if target.counts == Target.Counts.FILING else enterprises
            met = 0
            for row in frame.iter_rows(named=True):
                facts = {k: v for k, v in row.items() if "." in k and v is not None}
                met += Evaluator(facts, AS_OF, {}).eval(tree)[0] is True
            out[target.key] = str(met)
        return out

    dashboard()  # warm: imports, the compiled definitions
    ms = timed(dashboard, RUNS)
    base = timed(baseline, 3)
    return ms, base, dashboard(), baseline()


# ----------------------------------------------------------------------------- (b) the map's data
def measure_map() -> tuple[list[float], list[float], int]:
    from shouzhan.core.actors import system_actor
    from shouzhan.insight import layout
    from shouzhan.insight.mapdata import MAX_ENTERPRISES, SHOWN, map_data
    from shouzhan.insight.models import Placement
    from shouzhan.insight.selectors import chains_current
    from shouzhan.registry.models import Enterprise

    actor = system_actor("bench")

    def fast() -> int:
        return len(map_data(actor=actor, chain="ai_micro_drama")["enterprises"])

    def baseline() -> int:
        """The same 2,000 enterprises' JSON built the naive way: a query per enterprise, then laid out."""
        version = next(v for v in chains_current() if v.chain == "ai_micro_drama")
        nodes = list(version.nodes.all())
        rows = list(
            Placement.objects.filter(chain="ai_micro_drama", status__in=SHOWN)
            .order_by("status", "-confidence", "pk")
            .values_list("pk", "node", "status", "confidence", "enterprise_id")[:MAX_ENTERPRISES]
        )
        centres = layout.chain_positions([(n.key, n.stage) for n in nodes])
        places = layout.satellite_positions([r[1] for r in rows], centres)
        out = []
        for (pk, node, status, confidence, enterprise_id), (x, y) in zip(rows, places, strict=True):
            ent = Enterprise.objects.get(pk=enterprise_id)
            out.append({"id": f"p:{pk}", "name": ent.name, "district": ent.district, "node": node,
                        "status": status, "confidence": confidence, "x": x, "y": y})  # fmt: skip
        return len(out)

    shown = fast()
    ms = timed(fast, RUNS)
    base = timed(baseline, 3)
    return ms, base, shown


def child(label: str) -> int:
    from _pg import child_database

    _built, took = child_database(lambda: build(random.Random(17)))
    from shouzhan.insight.models import Placement, Relation

    print(f"{label}: {SIZE:,} enterprises, {Relation.objects.count():,} relations, "
          f"{Placement.objects.count():,} placements, written in {took:.1f} s",
          flush=True)  # fmt: skip
    ms, base, fast_counts, base_counts = measure_dashboard()
    p50, p95, b50 = statistics.median(ms), percentile(ms, 0.95), statistics.median(base)
    agree = all(fast_counts[k] == v for k, v in base_counts.items())
    ok_a = p95 < DASHBOARD_TARGET_MS and agree
    print(f"  baseline: the targets row by row (rules interpreter)  p50 {b50:9.1f} ms")
    print(f"  dashboard: targets_measure + service_figures  p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  "
          f"(baseline ÷ dashboard × {b50 / p50 if p50 else float('inf'):.1f})  target < {DASHBOARD_TARGET_MS:.0f} ms: "
          f"{'met' if ok_a else 'NOT MET'}; counts {'agree' if agree else 'DIFFER'}: "
          f"{', '.join(f'{k} {v}' for k, v in base_counts.items())}", flush=True)  # fmt: skip
    ms, base, shown = measure_map()
    p50, p95, b50 = statistics.median(ms), percentile(ms, 0.95), statistics.median(base)
    ok_b = p95 < MAP_TARGET_MS and shown == 2000
    print(f"  baseline: the same {shown} enterprises, a query each  p50 {b50:9.1f} ms")
    print(f"  map data ({shown}-enterprise view, laid out)  p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  "
          f"(baseline ÷ map × {b50 / p50 if p50 else float('inf'):.1f})  target < {MAP_TARGET_MS:.0f} ms: "
          f"{'met' if ok_b else 'NOT MET'}", flush=True)  # fmt: skip
    return 0 if ok_a and ok_b else 1


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        raise SystemExit(child(sys.argv[2]))
    from _pg import run_on_both

    if not run_on_both(__file__, DB_PG, only_env="BENCH_INSIGHT_ONLY"):
        print("  insight: a target was missed (or a run failed)")
        raise SystemExit(1)


if __name__ == "__main__":
    main()

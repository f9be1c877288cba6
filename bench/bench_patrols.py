"""Patrols: 50,000 patrols with 200-point tracks by ~1,000 chiefs, then the compliance page and the verdicts.

Builds, on SQLite and (when it answers) PostgreSQL, each in a database of its own, 500 targets with three
checkpoints each, a street and a village chief on each (1,000 chiefs), a few warning spells, and 50,000
patrols written in bulk (bulk_create with their fields precomputed, not through the service) over
2026-01 … 2026-11, some flagged, some reviewed, then:
  (a) the compliance page's queries for a month — `compliance_rows` + `summarise` by street and by level —
      p50/p95 over repeated runs, next to a baseline in the same run: a plain COUNT over the patrols table;
      target p95 < 200 ms;
  (b) verdicts and honesty checks for 1,000 patrols — RuleBook and Warnings loaded once, then per patrol
      `honesty.measure` + `honesty.checks_run` + `rules.verdict_for` — next to a baseline in the same run:
      the same tracks' lengths summed in pure Python (haversine); target < 1 s.
A benchmark, not a timed test: it prints its figures and ratios, and exits non-zero if a target is missed.

    .venv/bin/python bench/run.py patrols                 # SQLite, then PostgreSQL at BENCH_PG_URL
    DATABASE_URL=postgres://…/bench_patrols_x …          # PostgreSQL in that database (dropped first)
    BENCH_PATROLS_SIZE=10000 …                           # a quicker run
    BENCH_PATROLS_ONLY=PostgreSQL …                      # one of the two
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
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

SIZE = int(os.environ.get("BENCH_PATROLS_SIZE", "50000"))
RUNS = int(os.environ.get("BENCH_PATROLS_RUNS", "20"))
TARGETS = 500
POINTS = 200
JUDGED = 1_000
BATCH = 2_000
STREETS = ["徐家汇街道", "田林街道", "龙华街道", "漕河泾街道", "康健新村街道", "华泾镇", "长桥街道",
           "湖南路街道", "天平路街道", "枫林路街道", "斜土路街道", "凌云路街道", "虹梅路街道"]  # fmt: skip
START, END = dt.date(2026, 1, 1), dt.date(2026, 11, 30)
MONTH, TODAY = dt.date(2026, 11, 1), dt.date(2026, 11, 20)
DB_PG = "bench_patrols"
COMPLIANCE_TARGET_MS, VERDICTS_TARGET_S = 200.0, 1.0
M_PER_DEG = math.radians(1.0) * 6_371_008.8


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

    from shouzhan.accounts.models import User
    from shouzhan.core.actors import system_actor
    from shouzhan.core.roles import Role
    from shouzhan.frontline import services as frontline
    from shouzhan.frontline.models import Department
    from shouzhan.patrols import services
    from shouzhan.patrols.models import Checkpoint, Chief, Target, WarningSpell

    system = system_actor("bench")
    frontline.frontline_data_load(actor=system)
    services.frequency_load(actor=system)
    office = Department.objects.get(key="water")
    User.objects.bulk_create(
        User(name=f"河长{i:04d}", mobile=f"1370000{i:04d}", role=Role.OFFICER, password="!")
        for i in range(2 * TARGETS)
    )
    users = list(
        User.objects.filter(mobile__startswith="1370000").order_by("mobile").values_list("pk", flat=True)
    )
    targets = []
    for i in range(TARGETS):
        lat, lon = 31.14 + rng.random() * 0.06, 121.41 + rng.random() * 0.06
        path = [[round(lat + k * 0.003, 6), round(lon + k * 0.002, 6)] for k in range(5)]
        targets.append(Target(code=f"bench-{i:04d}", name=f"基准河段{i:04d}", street=STREETS[i % len(STREETS)],
                              level="street", length_m=1400, path=path, office=office))  # fmt: skip
    Target.objects.bulk_create(targets)
    targets = list(Target.objects.order_by("code"))
    Checkpoint.objects.bulk_create(
        Checkpoint(target=t, order=k + 1, name=f"打卡点{k + 1}", latitude=t.path[2 * k][0],
                   longitude=t.path[2 * k][1], code=f"B-{t.pk}-{k}")
        for t in targets for k in range(3)
    )  # fmt: skip
    Chief.objects.bulk_create(
        Chief(target=t, user_id=users[2 * i + k], level=("street", "village")[k], from_on=START)
        for i, t in enumerate(targets) for k in range(2)
    )  # fmt: skip
    WarningSpell.objects.bulk_create(
        WarningSpell(target=t, level="yellow", from_on=dt.date(2026, 11, 3), to_on=dt.date(2026, 11, 16),
                     reason="基准预警")
        for t in targets[::10]
    )  # fmt: skip
    chiefs = list(Chief.objects.values_list("target_id", "user_id", "level"))
    paths = {t.pk: t.path for t in targets}
    tz = timezone.get_current_timezone()
    made = 0
    while made < SIZE:
        n = min(BATCH, SIZE - made)
        _batch(rng, chiefs, paths, made, n, tz)
        made += n


def _track(rng: random.Random, path: list[list[float]], t0: float) -> tuple[list[list[float]], float]:
    """200 fixes walking the path at about 4 km/h with a few metres of noise (numpy), and its length."""
    import numpy as np

    route = np.asarray(path, dtype=np.float64)
    f = np.linspace(0, len(path) - 1, POINTS)
    k = np.minimum(f.astype(int), len(path) - 2)
    share = (f - k)[:, None]
    noise = np.random.default_rng(rng.getrandbits(32)).normal(0, 3, (POINTS, 2)) / M_PER_DEG
    at = route[k] + (route[k + 1] - route[k]) * share + noise
    steps = np.diff(at, axis=0) * M_PER_DEG * np.array([1.0, 0.856])
    points = np.column_stack([at.round(6), (t0 + np.arange(POINTS) * 12.0).round(1), np.full(POINTS, 8.0)])
    return points.tolist(), float(np.hypot(steps[:, 0], steps[:, 1]).sum())


def _batch(
    rng: random.Random, chiefs: list[tuple[int, int, str]], paths: dict[int, Any], first: int, n: int, tz: Any
) -> None:
    from shouzhan.patrols.models import FrequencyRule, FrequencyVersion, Patrol

    version = FrequencyVersion.objects.get()
    rules = {(r.level, r.warning, r.season): r for r in FrequencyRule.objects.all()}
    days = (END - START).days + 1
    rows = []
    for i in range(first, first + n):
        target_id, user_id, level = chiefs[i % len(chiefs)]
        day = START + dt.timedelta(days=(i * days) // SIZE)
        start = dt.datetime.combine(day, dt.time(8 + i % 9, i % 60), tzinfo=tz)
        track, length = _track(rng, paths[target_id], start.timestamp())
        season = "flood" if 6 <= day.month <= 9 else "normal"
        rule = rules[(level, "none", season)]
        flagged = rng.random() < 0.04
        review = (
            rng.choice([Patrol.Review.FLAGGED, Patrol.Review.ACCEPTED, Patrol.Review.REJECTED])
            if flagged
            else Patrol.Review.CLEAN
        )
        rows.append(Patrol(
            target_id=target_id, patroller_id=user_id, level=level, started_at=start,
            ended_at=start + dt.timedelta(seconds=12 * (POINTS - 1)), on=day, track=track, points=POINTS,
            distance_m=round(length), duration_s=12 * (POINTS - 1), rule_version=version, rule=rule,
            season=season, meets_rules=length >= rule.min_distance_m,
            verdict=[{"check": "rule", "ok": True, "version": 1}],
            flags=[{"check": "checkpoints", "missed": ["打卡点2"], "of": 3}] if flagged else [], review=review,
        ))  # fmt: skip
    Patrol.objects.bulk_create(rows)


# ----------------------------------------------------------------------------- the measurements
def measure_compliance() -> tuple[list[float], list[float], int]:
    from shouzhan.patrols.compliance import compliance_rows, summarise
    from shouzhan.patrols.models import Patrol

    def page() -> int:
        rows = compliance_rows(month=MONTH, today=TODAY)
        summarise(rows, "street")
        summarise(rows, "level")
        return len(rows)

    rows = page()  # warm: the first run pays for the import and the connection
    base = timed(lambda: Patrol.objects.count(), RUNS * 3)
    return timed(page, RUNS), base, rows


def measure_verdicts() -> tuple[float, float, int]:
    from shouzhan.patrols import honesty
    from shouzhan.patrols.models import Patrol, Target
    from shouzhan.patrols.rules import RuleBook, Warnings, verdict_for

    patrols = list(
        Patrol.objects.filter(on__range=(MONTH, TODAY)).order_by("pk")
        .values_list("target_id", "level", "on", "duration_s", "track")[:JUDGED]
    )  # fmt: skip
    targets = {
        t.pk: t for t in Target.objects.filter(pk__in={p[0] for p in patrols}).prefetch_related("checkpoints")
    }
    names = {pk: [c.name for c in t.checkpoints.all()] for pk, t in targets.items()}

    def judge() -> int:
        book = RuleBook.load()
        warnings = Warnings.load(targets)
        met = 0
        for target_id, level, on, duration, track in patrols:
            m = honesty.measure(track)
            verdict = verdict_for(book, day=on, level=level, warning=warnings.on(target_id, on),
                                  duration_s=duration, distance_m=m.distance_m)  # fmt: skip
            honesty.checks_run(
                m, path=targets[target_id].path, duration_s=duration, min_minutes=verdict.rule.min_minutes,
                min_distance_m=verdict.rule.min_distance_m, checkpoints=names[target_id],
                checked_in=names[target_id], reused_photos=[],
            )  # fmt: skip
            met += verdict.meets
        return met

    def baseline() -> float:
        total = 0.0
        for _t, _l, _o, _d, track in patrols:
            for a, b in itertools.pairwise(track):
                p1, p2 = math.radians(a[0]), math.radians(b[0])
                h = (
                    math.sin((p2 - p1) / 2) ** 2
                    + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
                )
                total += 2 * 6_371_008.8 * math.asin(math.sqrt(h))
        return total

    judge()
    verdict_s = statistics.median(timed(judge, 3)) / 1000
    base_s = statistics.median(timed(baseline, 3)) / 1000
    return verdict_s, base_s, len(patrols)


def child(label: str) -> int:
    from _pg import child_database

    _built, took = child_database(lambda: build(random.Random(16)))
    from shouzhan.patrols.models import Chief

    print(f"{label}: {SIZE:,} patrols of {POINTS} points, {Chief.objects.count():,} chiefs on {TARGETS} targets, "
          f"written in {took:.1f} s", flush=True)  # fmt: skip
    ms, base, rows = measure_compliance()
    p50, p95, b95 = statistics.median(ms), percentile(ms, 0.95), percentile(base, 0.95)
    ok_a = p95 < COMPLIANCE_TARGET_MS
    print(f"  baseline: COUNT over the patrols table     p95 {b95:8.2f} ms")
    print(f"  compliance page ({rows} rows, by street and level) p50 {p50:8.2f} ms  p95 {p95:8.2f} ms  "
          f"(× {p95 / b95 if b95 else float('inf'):.1f} the baseline)  target < {COMPLIANCE_TARGET_MS:.0f} ms: "
          f"{'met' if ok_a else 'NOT MET'}")  # fmt: skip
    verdict_s, base_s, n = measure_verdicts()
    ok_b = verdict_s < VERDICTS_TARGET_S
    print(f"  baseline: {n} tracks' lengths in pure Python {base_s * 1000:8.1f} ms")
    print(f"  verdicts + honesty checks for {n} patrols   {verdict_s * 1000:8.1f} ms  "
          f"(× {verdict_s / base_s if base_s else float('inf'):.1f} the baseline)  target < "
          f"{VERDICTS_TARGET_S:.0f} s: {'met' if ok_b else 'NOT MET'}", flush=True)  # fmt: skip
    return 0 if ok_a and ok_b else 1


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        raise SystemExit(child(sys.argv[2]))
    from _pg import run_on_both

    if not run_on_both(__file__, DB_PG, only_env="BENCH_PATROLS_ONLY"):
        print("  patrols: a target was missed (or a run failed)")
        raise SystemExit(1)


if __name__ == "__main__":
    main()

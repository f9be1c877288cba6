"""Frontline: 100,000 demands over a year, then the three rates' dashboard and the repeat suggestion.

Builds, on SQLite and (when it answers) PostgreSQL, each in a database of its own, a year of demands as
rows written in bulk (Demand, its cases.Case, its TicketMoves and FollowUps, with believable shares:
most accepted and answered within their limits, some late, some returned and re-dispatched, some repeats
merged, follow-ups mostly 满意 / 基本满意, some not resolved and reopened, some unrated, a few excluded), then:
  (a) `rates_compute(by=department | category | month)` over the year, p50/p95 over repeated runs with the
      cache emptied before each (cold: what the first look after a move costs) and kept (warm), next to a
      baseline in the same run: `Demand.objects.filter(received_on__range=…).count()`;
  (b) `repeat_candidates(…)` for 200 varied new demands, p50/p95, next to a baseline in the same run: one
      demand fetched by its primary key.
Targets printed, never asserted: rates p95 < 200 ms, repeats p95 < 50 ms.

    .venv/bin/python bench/run.py frontline                 # SQLite, then PostgreSQL at BENCH_PG_URL
    BENCH_FRONTLINE_SIZE=20000 .venv/bin/python bench/run.py frontline   # a quicker run
    DATABASE_URL=postgres://…/shouzhan_bench15 …            # PostgreSQL in that database (dropped first)
    BENCH_FRONTLINE_ONLY=PostgreSQL …                        # one of the two
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SIZE = int(os.environ.get("BENCH_FRONTLINE_SIZE", "100000"))
RUNS = int(os.environ.get("BENCH_FRONTLINE_RUNS", "15"))
NEW_DEMANDS = 200
ENTERPRISES = 2_000
BATCH = 5_000
START, END = dt.date(2025, 12, 1), dt.date(2026, 11, 30)
TODAY = dt.date(2026, 12, 1)
DB_PG = "shouzhan_bench_frontline"
RATES_TARGET_MS, REPEATS_TARGET_MS = 200.0, 50.0
HOURS = (9, 10, 11, 14, 15, 16)
QUERY_BUDGET_S = float(os.environ.get("BENCH_FRONTLINE_BUDGET", "120"))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def timed(
    fn: Callable[[], Any], runs: int, before: Callable[[], None] | None = None, budget_s: float = 60.0
) -> list[float]:
    """Milliseconds of each run; stops early once the runs have taken `budget_s` (a far-off figure is enough)."""
    out: list[float] = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
        if sum(out) > budget_s * 1000:
            break
    return out


def line(name: str, ms: list[float], base: list[float], target: float | None = None) -> str:
    p50, p95, b95 = statistics.median(ms), percentile(ms, 0.95), percentile(base, 0.95)
    name = name if len(ms) > 2 else f"{name} ({len(ms)} run{'s' if len(ms) > 1 else ''}, over budget)"
    verdict = "" if target is None else f"  target < {target:.0f} ms: {'met' if p95 < target else 'NOT MET'}"
    return (
        f"  {name:<34} p50 {p50:8.2f} ms  p95 {p95:8.2f} ms  "
        f"(baseline p95 {b95:6.2f} ms, × {p95 / b95 if b95 else float('inf'):7.1f}){verdict}"
    )


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Interrupt a query still running after `seconds` (OperationalError): a figure far off needs no more."""
    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
        return
    ends = time.monotonic() + seconds
    raw = connection.connection
    raw.set_progress_handler(lambda: int(time.monotonic() > ends), 10_000)
    try:
        yield
    finally:
        raw.set_progress_handler(None, 0)


# ----------------------------------------------------------------------------- the year, in bulk
class Year:
    """The working days of the year and the catalogue's rules, read once."""

    def __init__(self) -> None:
        from shouzhan.core.workdays import is_workday
        from shouzhan.frontline.models import DispatchRule

        self.days = [
            d for d in (START + dt.timedelta(days=i) for i in range((END - START).days + 1)) if is_workday(d)
        ]
        rules = DispatchRule.objects.select_related("department").order_by("category")
        self.rules = {r.category: r for r in rules}
        self.version_id = next(iter(self.rules.values())).version_id
        self.departments = sorted({r.department_id for r in self.rules.values()})

    def day(self, index: int) -> dt.date | None:
        return self.days[index] if index < len(self.days) else None


def moment(day: dt.date, step: int) -> dt.datetime:
    from django.utils import timezone

    return dt.datetime.combine(
        day, dt.time(HOURS[step % len(HOURS)], step % 60), tzinfo=timezone.get_current_timezone()
    )


def texts() -> tuple[list[str], dict[str, list[tuple[str, list[str]]]]]:
    from shouzhan.frontline.demo_year import CATEGORIES

    weighted = [key for key, (weight, _p, _t) in CATEGORIES.items() for _ in range(weight)]
    said = {
        key: [(text, places or [""]) for first, again in problems for text in (first, again)]
        for key, (_w, places, problems) in CATEGORIES.items()
    }
    return weighted, said


def demand_text(
    rng: random.Random, said: dict[str, list[tuple[str, list[str]]]], category: str
) -> tuple[str, str]:
    text, places = rng.choice(said[category])
    place = rng.choice(places)
    extra = rng.choice(["", "", "希望尽快处理。", "已经反映过一次。", "影响正常经营。", "请相关部门协调。"])
    return text.format(place=place) + extra, place


def build(rng: random.Random) -> Year:
    from shouzhan.core.actors import system_actor
    from shouzhan.frontline import services
    from shouzhan.registry.models import Enterprise

    services.frontline_data_load(actor=system_actor("bench"))
    Enterprise.objects.bulk_create(
        Enterprise(name=f"上海基准测试{i:04d}文化科技有限公司", credit_code=None) for i in range(ENTERPRISES)
    )
    year = Year()
    enterprises = list(Enterprise.objects.values_list("pk", flat=True))
    weighted, said = texts()
    made = 0
    while made < SIZE:
        n = min(BATCH, SIZE - made)
        _batch(rng, year, enterprises, weighted, said, made, n)
        made += n
    return year


def _batch(
    rng: random.Random,
    year: Year,
    enterprises: list[int],
    weighted: list[str],
    said: dict[str, list[tuple[str, list[str]]]],
    first: int,
    n: int,
) -> None:
    """n demands: their cases, their lives (moves, follow-ups) decided first, then each table in one bulk insert."""
    from shouzhan.cases.models import Case
    from shouzhan.frontline.models import Demand, FollowUp, TicketMove
    from shouzhan.frontline.tickets import KEY

    cases, demands, lives = [], [], []
    for i in range(n):
        category = rng.choice(weighted)
        rule = year.rules[category]
        index = ((first + i) * len(year.days)) // SIZE  # spread evenly over the year's working days
        text, place = demand_text(rng, said, category)
        enterprise = rng.choice(enterprises) if rng.random() < 0.7 else None
        case = Case(
            case_type=KEY,
            state="dispatched",
            enterprise_id=enterprise,
            title=f"{rule.label}：{text[:40]}",
            data={"need": text, "category_label": rule.label, "place": place},
            submitted_on=year.days[index],
            due_on=year.day(index + rule.accept_days),
        )
        demand = Demand(
            source=rng.choice(["visit", "desk", "hotline", "enterprise", "patrol"]),
            category=category,
            description=text,
            enterprise_id=enterprise,
            requester_name="" if enterprise else "王先生",
            place=place,
            received_on=year.days[index],
            received_at=moment(year.days[index], 0),
            case=case,
            department_id=rule.department_id,
            dispatch_version_id=year.version_id,
            accept_days=rule.accept_days,
            resolve_days=rule.resolve_days,
            accept_due_on=year.day(index + rule.accept_days),
            accept_limit_on=year.day(index + rule.accept_days),
            resolve_due_on=year.day(index + rule.resolve_days),
        )
        life = Life(year, demand)
        case.state = life.live(rng, rule, index)
        cases.append(case)
        demands.append(demand)
        lives.append(life)
    Case.objects.bulk_create(cases)
    for case, demand in zip(cases, demands, strict=True):
        demand.case = case  # the saved case: its id now
    Demand.objects.bulk_create(demands)
    TicketMove.objects.bulk_create([m for life in lives for m in life.moves], batch_size=BATCH)
    FollowUp.objects.bulk_create([f for life in lives for f in life.follow_ups], batch_size=BATCH)


class Life:
    """One demand's moves and follow-ups by the shares of a believable year (only what happened before TODAY)."""

    def __init__(self, year: Year, demand: Any) -> None:
        self.year, self.demand = year, demand
        self.moves: list[Any] = []
        self.follow_ups: list[Any] = []
        self.step = 0

    def move(
        self, action: str, at: int, department: int | None, due: dt.date | None = None, note: str = ""
    ) -> bool:
        from shouzhan.frontline.models import TicketMove

        day = self.year.day(at)
        if day is None or day >= TODAY:
            return False
        self.step += 1
        if action == "accept" and self.demand.first_accept_on_time is None:  # what the rates read, kept
            self.demand.first_accept_on_time = due is None or day <= due  # on the demand as effects.py does
        self.moves.append(
            TicketMove(
                demand=self.demand,
                action=action,
                department_id=department,
                actor_label="基准测试",
                on=day,
                at=moment(day, self.step),
                due_on=due,
                on_time=None if due is None else day <= due,
                note=note,
            )
        )
        return True

    def live(self, rng: random.Random, rule: Any, index: int) -> str:
        demand, fate = self.demand, rng.random()
        dept = rule.department_id
        self.move("dispatch", index, dept, demand.accept_due_on)
        state, at = "dispatched", index
        if fate < 0.05:  # a repeat, merged into its original the day it came
            return "merged" if self.move("merge", index, dept) else state
        if fate < 0.08:  # misrouted: returned, re-dispatched to another department the next day
            self.move("return", index, dept)
            dept = rng.choice([d for d in self.year.departments if d != dept])
            at, limit = index + 1, self.year.day(index + 1 + rule.accept_days)
            if not self.move("dispatch", at, dept, limit):
                demand.department_id = None
                return "returned"
            demand.department_id, demand.accept_due_on, demand.accept_limit_on = dept, limit, limit
        late = rng.random() < 0.12
        accept = at + rng.choice([0, 1, 1, rule.accept_days + (2 if late else 0)])
        if self.move("accept", accept, dept, self.year.day(at + rule.accept_days)):
            state, demand.accepted_by_id = "accepted", dept
            days = rule.resolve_days + rng.randint(1, 4) if late else rng.randint(1, rule.resolve_days)
            reply = max(index + days, accept)
            if self.move("reply", reply, dept, demand.resolve_due_on, note="已办理并答复。"):
                state = self.follow(rng, dept, reply + rng.choice([1, 1, 2, 3])) or "replied"
        if fate > 0.99:
            demand.excluded_reason = "经核实属不合理诉求。"
            self.move("exclude", index + 1, dept)
        return state

    def answer(self, rng: random.Random, dept: int, at: int, resolved: bool, satisfaction: str) -> bool:
        from shouzhan.frontline.models import FollowUp

        day = self.year.day(at)
        if day is None or day >= TODAY:
            return False
        self.follow_ups.append(
            FollowUp(
                demand=self.demand,
                resolved=resolved,
                satisfaction=satisfaction,
                channel=rng.choice(["site", "phone"]),
                note="" if resolved else "问题依旧存在。",
                on=day,
                at=moment(day, 2),
            )
        )
        self.demand.last_resolved = resolved
        self.demand.last_satisfaction = satisfaction or self.demand.last_satisfaction
        return self.move("resolved" if resolved else "reopen", at, dept)

    def follow(self, rng: random.Random, dept: int, at: int) -> str | None:
        """Mostly resolved and 满意 / 基本满意; some not resolved (reopened, answered again, then rated); some
        nobody answers (closed unrated by the pass)."""
        roll = rng.random()
        if roll < 0.07:
            if not self.answer(rng, dept, at, False, ""):
                return None
            again = at + rng.randint(2, 4)
            if not self.move(
                "reply", again, dept, self.year.day(at + self.demand.resolve_days), note="再次答复。"
            ):
                return "accepted"
            return "closed" if self.answer(rng, dept, again + 1, True, "basic") else "replied"
        if roll < 0.82:
            mood = rng.choices(["satisfied", "basic", "unsatisfied"], [62, 28, 10])[0]
            return "closed" if self.answer(rng, dept, at, True, mood) else None
        return "closed" if self.move("close", at + 4, dept) else None


# ----------------------------------------------------------------------------- the measurements
def measure(year: Year, rng: random.Random) -> None:
    from django.core.cache import cache
    from django.db import OperationalError

    from shouzhan.accounts.models import User
    from shouzhan.core.roles import Role
    from shouzhan.frontline.models import Demand
    from shouzhan.frontline.rates import rates_compute
    from shouzhan.frontline.repeats import repeat_candidates

    leader = User.objects.create_user(name="基准领导", password=None, mobile="13899999999", role=Role.LEADER)
    base = timed(lambda: Demand.objects.filter(received_on__range=(START, END)).count(), RUNS * 3)
    print(line("baseline: count of the year's demands", base, base))
    for by in ("department", "category", "month"):

        def rates(by: str = by) -> Any:
            return rates_compute(actor=leader, start=START, end=END, by=by, today=TODAY)

        try:
            with deadline(QUERY_BUDGET_S):
                cold = timed(rates, RUNS, cache.clear)
        except OperationalError:
            print(f"  rates by {by}, cold: a run did not finish within {QUERY_BUDGET_S:.0f} s (stopped)")
            continue
        rows = rates()
        print(line(f"rates by {by} ({len(rows)} rows), cold", cold, base, RATES_TARGET_MS))
        print(line(f"rates by {by}, warm (cached)", timed(rates, RUNS * 3), base))
    ids = list(Demand.objects.values_list("pk", flat=True))
    enterprises = list(
        Demand.objects.exclude(enterprise=None).values_list("enterprise_id", flat=True).distinct()[:500]
    )
    _weighted, said = texts()
    news = []
    for _ in range(NEW_DEMANDS):
        category = rng.choice(_weighted)
        text, place = demand_text(rng, said, category)
        news.append(
            (
                text,
                category,
                rng.choice(enterprises) if rng.random() < 0.7 else None,
                place,
                rng.choice(year.days),
            )
        )
    pk_base = timed(lambda: Demand.objects.get(pk=rng.choice(ids)), NEW_DEMANDS)
    found = []
    queue = iter(news)

    def suggest() -> None:
        text, category, enterprise, place, on = next(queue)
        found.append(
            repeat_candidates(
                description=text, category=category, enterprise_id=enterprise, place=place, on=on
            )
        )

    suggest_ms = timed(suggest, NEW_DEMANDS)
    print(line("baseline: one demand by primary key", pk_base, pk_base))
    shown = sum(1 for f in found if f)
    print(
        line(
            f"repeat suggestion ({shown}/{NEW_DEMANDS} with candidates)",
            suggest_ms,
            pk_base,
            REPEATS_TARGET_MS,
        )
    )


def child(label: str) -> None:
    from _pg import child_database

    rng = random.Random(15)
    year, took = child_database(lambda: build(rng))
    from shouzhan.frontline.models import FollowUp, TicketMove

    print(
        f"{label}: {SIZE:,} demands, {TicketMove.objects.count():,} moves, {FollowUp.objects.count():,} follow-ups "
        f"over {len(year.days)} working days, written in {took:.1f} s",
        flush=True,
    )
    measure(year, rng)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    from _pg import run_on_both

    if not run_on_both(__file__, DB_PG, only_env="BENCH_FRONTLINE_ONLY"):
        raise SystemExit(1)


if __name__ == "__main__":
    main()

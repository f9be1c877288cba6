"""The insight part of the demo district (`shouzhan demo`): the chains and targets published, the enterprises
that sit on the chains joining the platform over the target period (data/demo_enterprises.yaml), their
patents, desks rented at 创业首站 between the other startups' tenancies, the 徐汇 producers' finished films
filed and approved through the cases services, where each enterprise sits on a chain (suggested, then decided
by the demo caseworker 张洁), the relations the caseworkers learnt, the city's industry revenue entered by the
policy officer with its source and date, and a month-end snapshot for every month of the period that is over,
each taken on the next month's first working day and measured at its month's end — so the targets' history
grows as the district did, and the charts read what the records say.

Deterministic (random.Random(SEED) and the given `today`); loaded once (a stored snapshot marks it). The past
moves the clock with time-machine like the other modules' histories (cases.demo.travel); without it (a
production install) only the chains and targets are published.

The district's register of the registry demo is made today; it is dated here to the platform's launch, the
day the register was imported (`LAUNCH`), so a month-end before today counts it as the records say.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from shouzhan.cases.demo import travel
from shouzhan.core.actors import system_actor
from shouzhan.core.calendar import current_calendar
from shouzhan.insight.models import Snapshot
from shouzhan.insight.services import placements

SEED = 17
DATA = Path(__file__).resolve().parent / "data" / "demo_enterprises.yaml"
CASEWORKER = "13800000002"  # 张洁（营商专员）: places the enterprises, records the relations
OFFICER = "13800000003"  # 王政（政策专员）: publishes the chains and targets, enters the city's totals
MONTHLY = system_actor("insight-monthly")  # the background task that takes the month-end snapshots
LAUNCH = dt.date(2025, 5, 20)  # the platform went live: the district's register imported that day
REGION = {"徐汇": "310104", "杨浦": "310110", "闵行": "310112", "浦东新区": "310115", "黄浦": "310101",
          "静安": "310106", "长宁": "310105"}  # fmt: skip
JOIN_DAYS = 540  # the enterprises joined over the 18 months before today
# The city's industry revenue (全市网络视听与 AI 内容产业营业收入), yuan, as published: (year, yuan, source, on).
# A year's estimate from the half-year report stands until its final figure is published the next spring.
CITY = [
    (2024, Decimal("3860000000"), "上海市网络视听产业发展报告（2024 年度）", dt.date(2025, 4, 18)),
    (
        2025,
        Decimal("4300000000"),
        "上海市网络视听产业 2025 年上半年运行情况（全年预计）",
        dt.date(2025, 8, 14),
    ),
    (2025, Decimal("4420000000"), "上海市网络视听产业发展报告（2025 年度）", dt.date(2026, 4, 16)),
    (
        2026,
        Decimal("5100000000"),
        "上海市网络视听产业 2026 年上半年运行情况（全年预计）",
        dt.date(2026, 8, 12),
    ),
]
WORK_HEADS = [
    "梧桐",
    "弄堂",
    "滨江",
    "衡山路",
    "漕溪",
    "西岸",
    "天平",
    "龙华",
    "徐家汇",
    "武康",
    "田林",
    "康健",
]
WORK_TAILS = [
    "来信",
    "夜话",
    "往事",
    "十二时辰",
    "的夏天",
    "跑者",
    "小馆",
    "奇遇",
    "旧梦",
    "谜案",
    "之约",
    "回声",
]
AI_SHARES = [30, 50, 50, 70, 70, 90, 10]  # one film in seven is mostly shot: below the target's 30 %


@dataclass
class Joined:
    enterprise: Any
    spec: dict[str, Any]
    on: dt.date


def insight_demo(*, today: dt.date, history: bool = True) -> list[str]:
    """Publish the chains and targets (always), and the district's insight past when asked and possible."""
    from shouzhan.accounts.models import User
    from shouzhan.insight.services.data import insight_data_load

    worker = User.objects.filter(mobile=CASEWORKER).first()
    officer = User.objects.filter(mobile=OFFICER).first()
    if worker is None or officer is None:
        return ["产业洞察：未找到演示账号，已跳过"]
    loaded = insight_data_load(actor=officer)
    lines = [f"产业洞察：发布产业链 {loaded['chains']} 条新版本，目标 {loaded['targets']} 个新版本"]
    if not history or importlib.util.find_spec("time_machine") is None:
        return lines
    if Snapshot.objects.exists():
        return [*lines, "产业洞察历史：已加载，跳过"]
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    rng = random.Random(SEED)
    with transaction.atomic():
        dated = _date_register(today, {e["name"] for e in data["enterprises"]})
        joined = _enterprises(rng, today, worker, data["enterprises"])
        patents = _patents(joined)
        rented = _tenancies(rng, today, worker, joined)
        films = _films(rng, today, worker, joined)
        placed = _placements(rng, today, worker, joined)
        related = _relations(rng, today, worker, joined, data["relations"])
        for year, value, source, on in CITY:
            if on < today:
                _city_figure(officer, year, value, source, on)
        budgets = _budgets(officer, today.year)
        months = _snapshots(today)
    lines.append(
        f"产业洞察历史：登记册 {dated} 家企业记为 {LAUNCH} 上线导入；新入驻 {len(joined)} 家链上企业，专利 {patents} 项，"
        f"创业首站工位 {rented} 次，完成片备案 {films} 件；链位确认 {placed[0]} 个、否定 {placed[1]} 个；"
        f"企业关系 {related} 条；{today.year} 年条款预算 {budgets} 项；月末快照 {months} 个月"
    )
    bulletin = _bulletin(today)
    if bulletin:
        lines.append(bulletin)
    return lines


# ----------------------------------------------------------------------------- the register and the joiners
def _date_register(today: dt.date, ours: set[str]) -> int:
    """The registry demo's enterprises, made today, dated to the platform's launch (the register's import)."""
    from shouzhan.registry.models import Enterprise

    moment = timezone.make_aware(dt.datetime.combine(LAUNCH, dt.time(10, 0)))
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=1), dt.time.min))
    return Enterprise.objects.filter(created_at__gte=since).exclude(name__in=ours).update(created_at=moment)


def _code(district: str, n: int) -> str:
    from shouzhan.registry import credit_code

    return credit_code.make(f"91{REGION[district]}MA{700_000 + n:07d}")


def _enterprises(
    rng: random.Random, today: dt.date, worker: Any, specs: list[dict[str, Any]]
) -> list[Joined]:
    """Each enterprise registered on the platform by the caseworker on the day it joined (oldest first)."""
    from shouzhan.registry.services.enterprises import enterprise_create
    from shouzhan.registry.services.projects import project_create

    cal = current_calendar()
    # spread over the 18 months; the last three this week, their suggestions still waiting on her page
    offsets = [*sorted(rng.sample(range(10, JOIN_DAYS), len(specs) - 3), reverse=True), 5, 2, 1]
    order = list(range(len(specs)))
    rng.shuffle(order)
    joined: list[Joined] = []
    for serial, (i, back) in enumerate(zip(order, offsets, strict=True)):
        spec = specs[i]
        on = today - dt.timedelta(days=back)
        while not cal.is_workday(on):
            on += dt.timedelta(days=1)
        young = spec["staff"] <= 5
        registered = on - dt.timedelta(days=rng.randint(10, 90) if young else rng.randint(200, 2400))
        with travel(on, rng.choice([9, 10, 11, 14, 15, 16]), rng.choice([0, 15, 30, 45])):
            ent = enterprise_create(
                actor=worker, name=spec["name"], credit_code=_code(spec["district"], serial + 1),
                stage=spec["stage"], district=spec["district"], sector=spec["sector"],
                registered_on=registered, employees=spec["staff"],
                annual_revenue_fen=int(spec["wan"]) * 1_000_000,
                is_one_person_company=bool(spec.get("opc", False)),
                in_cluster=bool(spec.get("cluster", False)) and spec["district"] == "徐汇",
                is_startup=registered >= dt.date(2023, 1, 1), description=spec["text"],
                address=f"{spec['district']}区",
            )  # fmt: skip
            if "project" in spec:
                kind, title = spec["project"]
                project_create(
                    actor=worker, enterprise=ent, data={"kind": kind, "title": title, "year": on.year}
                )
        joined.append(Joined(ent, spec, on))
    return joined


def _patents(joined: list[Joined]) -> int:
    """The patents each one holds (granted; the register does not date them)."""
    from shouzhan.registry import patent_number
    from shouzhan.registry.models import Patent

    made = 0
    for j in joined:
        for k in range(int(j.spec.get("patents", 0))):
            year = 2019 + (j.enterprise.pk + k) % 7
            digits = f"{year}{'1' if k % 2 else '2'}{(j.enterprise.pk * 37 + k * 7919) % 10_000_000:07d}"
            Patent.objects.get_or_create(
                number=patent_number.make(digits),
                defaults={"title": f"{j.spec['text'].split('，')[0].rstrip('。')}相关技术（{k + 1}）",
                          "field": "人工智能", "holder_enterprise": j.enterprise},
            )  # fmt: skip
            made += 1
    return made


def _tenancies(rng: random.Random, today: dt.date, worker: Any, joined: list[Joined]) -> int:
    """Desks at 创业首站 rented by the young 徐汇 teams in the gaps between the other startups' tenancies."""
    from shouzhan.spaces import services
    from shouzhan.spaces.models import Resource, Tenancy

    desks = list(
        Resource.objects.filter(site__name="徐汇创业首站", kind=Resource.Kind.DESK, is_active=True).order_by(
            "name"
        )
    )[1:]  # D-01 is the demo studio's
    teams = [
        j
        for j in joined
        if j.spec["district"] == "徐汇" and j.spec["staff"] <= 16 and j.spec["stage"] != "idea"
    ]
    rented = 0
    for team in sorted(teams, key=lambda j: j.on):
        begin = team.on + dt.timedelta(days=rng.randint(1, 9))
        for months in sorted({rng.choice([3, 6, 6, 12]), 3}, reverse=True):
            end = begin + dt.timedelta(days=31 * months + 3)  # room enough for the calendar months
            desk = next((d for d in desks if not Tenancy.objects.filter(
                resource=d, start_on__lt=end, end_on__gt=begin).exists()), None)  # fmt: skip
            if desk is not None and begin < today:
                with travel(begin, 9, 30):
                    services.tenancy_start(
                        actor=worker, enterprise=team.enterprise, resource=desk, start_on=begin, months=months
                    )
                rented += 1
                break
    return rented


def _films(rng: random.Random, today: dt.date, worker: Any, joined: list[Joined]) -> int:
    """The producers' finished films filed at the window and approved within the time limit."""
    from shouzhan.cases.demo import case_limit
    from shouzhan.cases.services import case_submit, case_transition

    cal = current_calendar()
    made = 0
    for j in joined:
        count = int(j.spec.get("films", 0))
        first = j.on + dt.timedelta(days=30)
        span = (today - first).days
        if not count or span < 10:
            continue
        days = sorted(first + dt.timedelta(days=rng.randrange(span)) for _ in range(count))
        for day in days:
            while not cal.is_workday(day):
                day += dt.timedelta(days=1)
            if day >= today:
                continue
            work = f"{rng.choice(WORK_HEADS)}{rng.choice(WORK_TAILS)}"
            episodes = rng.choice([24, 30, 40, 60, 80])
            data = {"work_title": work, "episodes": episodes, "episode_minutes": rng.choice([1, 2, 2, 3]),
                    "synopsis": f"{work}：徐汇城市题材竖屏短剧，共 {episodes} 集。",
                    "producer": j.enterprise.name, "ai_share": rng.choice(AI_SHARES)}  # fmt: skip
            with travel(day, 10, rng.choice([5, 20, 40])):
                case = case_submit(
                    actor=worker, case_type="finished_film_filing", enterprise=j.enterprise,
                    title=f"《{work}》完成片上线备案", data=data, submitted_on=day, record_applicant=False,
                )  # fmt: skip
            limit = case_limit(case)
            steps = [
                (day, "accept"),
                (day, "start"),
                (cal.add_working_days(day, rng.randint(1, limit)).date, "complete"),
            ]
            for on, action in steps:
                if on >= today:
                    break
                with travel(on, 15, 10):
                    note = "材料齐全，准予上线备案。" if action == "complete" else ""
                    case_transition(
                        actor=worker,
                        case=case,
                        action=action,
                        expected_version=case.version,
                        on=on,
                        note=note,
                    )
            made += 1
    return made


# ----------------------------------------------------------------------------- placements and relations
def _placements(rng: random.Random, today: dt.date, worker: Any, joined: list[Joined]) -> tuple[int, int]:
    """Where each one sits: suggested from its records (services.placements) the day it joined, decided by the
    caseworker a few working days later — confirmed where right, changed to the right node of the same chain,
    rejected on another chain, or placed by hand where no suggestion reached (its `node` in the data file).
    (confirmed, rejected); the enterprises of the last days wait on her page."""
    from shouzhan.insight.models import Placement

    cal = current_calendar()
    confirmed = rejected = 0
    for j in joined:
        with travel(j.on, 17, 0):
            placements.placements_suggest(actor=worker, enterprise_ids=[j.enterprise.pk])
        chain, node = j.spec["node"].split(".")
        on = cal.add_working_days(j.on, rng.randint(1, 4)).date
        if on >= today:
            continue
        waiting = Placement.objects.filter(enterprise=j.enterprise, status=Placement.Status.SUGGESTED)
        placed = False
        with travel(on, 16, 20):
            for p in waiting.order_by("-confidence", "id"):
                if p.chain == chain and not placed:
                    decision = "confirm" if p.node == node else "change"
                    note = "" if decision == "confirm" else "走访核实：主营业务在该环节。"
                    placements.placement_decide(actor=worker, placement=p, decision=decision,
                                                expected_version=p.version, node=node, note=note)  # fmt: skip
                    confirmed, placed = confirmed + 1, True
                else:
                    placements.placement_decide(actor=worker, placement=p, decision="reject",
                                                expected_version=p.version, note="走访核实：主营业务不在该环节。")  # fmt: skip
                    rejected += 1
            if not placed:
                placements.placement_place(actor=worker, enterprise=j.enterprise, chain=chain, node=node,
                                           note="走访核实")  # fmt: skip
                confirmed += 1
    return confirmed, rejected


def _relations(
    rng: random.Random, today: dt.date, worker: Any, joined: list[Joined], rows: list[list[str]]
) -> int:
    """The relations the caseworkers learnt, each recorded a few days after the later of the two joined."""
    from shouzhan.registry.models import Enterprise

    on_day = {j.enterprise.name: (j.enterprise, j.on) for j in joined}
    made = 0
    for source, target, kind, note in rows:
        ends: list[tuple[Enterprise, dt.date]] = []
        for name in (source, target):
            found = on_day.get(name)
            if found is None:  # one of the registry demo's district: on the platform since its launch
                old = Enterprise.objects.filter(name=name).first()
                found = (old, LAUNCH) if old is not None else None
            if found is not None:
                ends.append(found)
        if len(ends) < 2:
            continue
        day = min(
            max(on for _e, on in ends) + dt.timedelta(days=rng.randint(3, 40)), today - dt.timedelta(days=1)
        )
        with travel(day, 11, 0):
            placements.relation_record(
                actor=worker, source=ends[0][0], target=ends[1][0], kind=kind, source_note=note
            )
        made += 1
    return made


# ----------------------------------------------------------------------------- the city's totals, snapshots
def _city_figure(officer: Any, year: int, value: Decimal, source: str, on: dt.date) -> None:
    from shouzhan.insight.services.figures import city_figure_enter

    entered = current_calendar().add_working_days(on, 2).date
    with travel(entered, 10, 30):
        city_figure_enter(actor=officer, year=year, value_yuan=value, source=source, published_on=on)


# The policy office's budget per clause for the year, in yuan (the service figures' money against budgets).
BUDGETS_YUAN: dict[str, int] = {
    "hu8.agent_rd": 60_000_000, "hu8.national_selection": 1_000_000, "hu8.excellent_drama": 30_000_000,
    "hu8.production_entity": 20_000_000, "hu8.overseas": 5_000_000, "hu8.training_course": 4_000_000,
    "xuhui.settlement": 10_000_000, "xuhui.base_operator": 8_000_000, "xuhui.asset_library": 12_000_000,
    "xuhui.excellent_work": 15_000_000, "xuhui.agent_rd": 20_000_000, "xuhui.benchmark_work": 6_000_000,
    "xuhui.events": 3_000_000,
}  # fmt: skip


def _budgets(officer: Any, year: int) -> int:
    """This year's clause budgets, set by the policy office (ledger's service, audited)."""
    from shouzhan.ledger.services.budgets import clause_budget_set

    for clause_id, yuan in BUDGETS_YUAN.items():
        clause_budget_set(actor=officer, clause_id=clause_id, year=year, amount_fen=yuan * 100)
    return len(BUDGETS_YUAN)


def snapshot_months(*, period_from: dt.date, today: dt.date) -> list[dt.date]:
    """The first day of every month from the period's first up to last month (the months that are over)."""
    months, month = [], period_from.replace(day=1)
    while month < today.replace(day=1):
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _snapshots(today: dt.date) -> int:
    """Each month's snapshot, taken on the next month's first working day at 06:00 (as the task does)."""
    from shouzhan.insight.selectors import targets_current
    from shouzhan.insight.services.figures import snapshot_take

    version = targets_current()
    if version is None:
        return 0
    cal = current_calendar()
    months = snapshot_months(period_from=version.period_from, today=today)
    for month in months:
        day = (month + dt.timedelta(days=32)).replace(day=1)
        while not cal.is_workday(day):
            day += dt.timedelta(days=1)
        with travel(min(day, today), 6, 0):
            snapshot_take(actor=MONTHLY, month=month)
    return len(months)


def _bulletin(today: dt.date) -> str:
    """Last month's bulletin, when the bulletins service exists."""
    try:
        service: Any = importlib.import_module("shouzhan.insight.services.bulletins")
    except ImportError:
        return ""
    make = getattr(service, "bulletin_generate", None)
    if make is None:
        return ""
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    day = today.replace(day=1)
    while not current_calendar().is_workday(day):
        day += dt.timedelta(days=1)
    with travel(min(day, today), 6, 30):  # the first working day's task generated it
        make(actor=MONTHLY, month=last)
    return f"产业洞察：{last:%Y-%m} 月度通报已生成"

"""Demo cases for `shouzhan demo`: a few believable cases in various states, one overdue, one due today.

Idempotent: a demo case is recognised by its enterprise and title and never made twice.
Runs after the registry demo (the demo logins and enterprises must exist).
"""

from __future__ import annotations

import datetime as dt
import random
from contextlib import AbstractContextManager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shouzhan.cases.models import Case
from shouzhan.cases.services import case_submit, case_transition
from shouzhan.core.actors import Actor
from shouzhan.core.workdays import add_working_days

FILING = {
    "episodes": 60,
    "episode_minutes": 2,
    "producer": "上海光合剧场文化科技有限公司",
    "ai_share": 70,
}


def _submitted_for_due_today(today: dt.date, limit: int) -> dt.date:
    """A submission date whose deadline is today (or the nearest one after it when today is a day off)."""
    for back in range(1, 30):
        day = today - dt.timedelta(days=back)
        if add_working_days(day, limit).date == today:
            return day
    return today


def _run(case: Case, actor: Actor, steps: list[tuple[str, dict[str, Any]]], on: dt.date) -> None:
    for action, kw in steps:
        case_transition(actor=actor, case=case, action=action, expected_version=case.version, on=on, **kw)


def load_demo(today: dt.date | None = None) -> str:
    from shouzhan.accounts.models import User
    from shouzhan.registry.models import Enterprise

    founder = User.objects.filter(mobile="13800000001").first()
    streamer = User.objects.filter(mobile="13800000008").first()
    worker = User.objects.filter(mobile="13800000002").first()
    studio = Enterprise.objects.filter(name="上海光合剧场文化科技有限公司").first()
    live = Enterprise.objects.filter(name="上海籽言直播文化传播有限公司").first()
    if not (founder and streamer and worker and studio and live):
        return "办件演示数据：未找到演示企业，已跳过"
    today = today or timezone.localdate()
    made = 0

    def exists(enterprise: Any, title: str) -> bool:
        return Case.objects.filter(enterprise=enterprise, title=title).exists()

    title = "《弄堂里的光》规划备案"
    if not exists(studio, title):  # overdue: two working days have long passed
        case = case_submit(
            actor=founder,
            case_type="planning_filing",
            enterprise=studio,
            title=title,
            data={
                **FILING,
                "work_title": "弄堂里的光",
                "synopsis": "石库门弄堂里三代人的故事，AI 生成分镜与配音。",
            },
            submitted_on=today - dt.timedelta(days=10),
        )
        _run(case, worker, [("accept", {}), ("start", {})], today - dt.timedelta(days=9))
        made += 1

    title = "《梧桐深处》完成片上线备案"
    if not exists(studio, title):  # due today
        on = _submitted_for_due_today(today, 5)
        case = case_submit(
            actor=founder,
            case_type="finished_film_filing",
            enterprise=studio,
            title=title,
            data={**FILING, "work_title": "梧桐深处", "synopsis": "衡复风貌区里的一段寻人故事。"},
            submitted_on=on,
        )
        _run(case, worker, [("accept", {})], on)
        made += 1

    title = "优质短剧作品奖励（弄堂里的光）"
    project = studio.projects.filter(title__startswith="弄堂里的光").first()
    if not exists(studio, title) and project is not None:
        try:
            case = case_submit(
                actor=founder,
                case_type="policy_application",
                enterprise=studio,
                title=title,
                clause_id="xuhui.excellent_work",
                project=project,
                data={"summary": "入选区优质作品片单，全网播放量 1.2 亿。"},
                amount_requested_fen=100_000_000,
                submitted_on=today - dt.timedelta(days=3),
            )
            _run(case, worker, [("accept", {}), ("start_review", {})], today - dt.timedelta(days=2))
            made += 1
        except ValidationError:
            pass  # the catalogue is not loaded: no policy application in the demo

    title = "周边商品跨境出海咨询"
    if not exists(live, title):  # waiting for the applicant: the clock stops
        case = case_submit(
            actor=streamer,
            case_type="service.overseas",
            enterprise=live,
            title=title,
            data={"need": "周边商品进入东南亚电商平台，需要了解清关与平台入驻。"},
            submitted_on=today - dt.timedelta(days=6),
        )
        _run(
            case,
            worker,
            [("accept", {}), ("request_info", {"note": "请补充拟出海的商品清单与目标平台。"})],
            today - dt.timedelta(days=5),
        )
        made += 1

    title = "直播公司记账报税代办"
    if not exists(live, title):  # closed on time
        case = case_submit(
            actor=streamer,
            case_type="service.registration_tax",
            enterprise=live,
            title=title,
            data={"need": "每月记账报税与发票代开。"},
            submitted_on=today - dt.timedelta(days=20),
        )
        on = today - dt.timedelta(days=18)
        _run(
            case,
            worker,
            [("accept", {}), ("start", {}), ("complete", {"note": "已对接园区财税服务商。"})],
            on,
        )
        made += 1

    total = Case.objects.filter(enterprise__in=[studio, live]).count()
    return f"办件：新建 {made} 件演示办件（共 {total} 件，含逾期 1 件、今日到期 1 件）"


# ----------------------------------------------------------------------------- a year of history
# `shouzhan demo` gives the district a past: a year of cases opened and closed on working days, through
# the services (history, audit entries, deadlines by core.workdays), each step taken at its own moment.
# Deterministic: the same seed and the same `today` give the same year. The clock is moved with
# time-machine (a development dependency `make run` installs), so every timestamp is of its day and the
# services' own checks (no booking in the past …) hold at that moment; without it the history is skipped.
HISTORY_SEED = 2026
HISTORY_DAYS = 364  # the year ending yesterday: 52 whole weeks
HISTORY_MARK = "《外滩十二时辰》规划备案"  # the first case of the history: there means the year is loaded
WORKS = [
    "外滩十二时辰",
    "石库门来信",
    "江边的风",
    "算力少年",
    "第一站",
    "弄堂里的光·番外",
    "AI 替身",
    "梧桐深处",
    "苏州河夜航",
    "武康路的猫",
    "漕河泾的早晨",
    "一人公司",
    "滨江跑者",
    "小笼包之约",
    "模速空间",
    "徐家汇书院",
]
NEEDS: dict[str, list[str]] = {
    "service.registration_tax": [
        "每月记账报税与发票代开。",
        "新公司税务登记与银行开户。",
        "申请小规模纳税人。",
    ],
    "service.consultation": [
        "咨询一人公司能否申报区里的扶持政策。",
        "咨询办公地址变更流程。",
        "咨询社保开户。",
    ],
    "service.ip_design": ["为短剧主角设计 IP 形象与表情包。", "品牌 IP 形象与周边设计。"],
    "service.financing": ["天使轮融资对接，希望认识文化产业基金。", "申请知识产权质押贷款。"],
    "service.overseas": ["短剧出海东南亚平台的版权与发行咨询。", "跨境电商店铺入驻与清关。"],
}
# (case type, weight, share closed late): filings dominate the centre's work, as in the seeds.
MIX = [
    ("planning_filing", 26, 0.10),
    ("finished_film_filing", 16, 0.12),
    ("service.registration_tax", 16, 0.08),
    ("service.consultation", 16, 0.15),
    ("service.ip_design", 9, 0.10),
    ("service.financing", 9, 0.12),
    ("service.overseas", 8, 0.15),
]


def travel(day: dt.date, hour: int = 10, minute: int = 0) -> AbstractContextManager[Any]:
    """The clock at `day` `hour`:`minute` in the centre's time zone, for one service call of the history."""
    import time_machine

    moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())
    return time_machine.travel(moment, tick=False)


def history_start(today: dt.date) -> dt.date:
    """The first day of the history: 364 days before today (a date span, not a deadline)."""
    return today - dt.timedelta(days=HISTORY_DAYS)


def history_workdays(today: dt.date) -> list[dt.date]:
    """The working days of the history (core.workdays: weekends, holidays and 调休 as the calendar says)."""
    from shouzhan.core.calendar import current_calendar

    cal = current_calendar()
    start = history_start(today)
    return [d for d in (start + dt.timedelta(days=i) for i in range(HISTORY_DAYS)) if cal.is_workday(d)]


def demo_contacts() -> list[tuple[Any, Any]]:
    """(user, enterprise) of the district's enterprise contacts, the demo entrepreneurs first."""
    from shouzhan.accounts.models import Membership
    from shouzhan.registry.models import Enterprise

    rows = (
        Membership.objects.filter(user__mobile__startswith="138000000", is_owner=True)
        .exclude(user__mobile="13800000007")
        .select_related("user", "organisation")
        .order_by("user__mobile")
    )
    extra = Membership.objects.filter(user__mobile__startswith="1390000", is_owner=True).select_related(
        "user", "organisation"
    )
    pairs = []
    for m in [*rows, *extra.order_by("user__mobile")]:
        ent = Enterprise.objects.filter(organisation=m.organisation).order_by("id").first()
        if ent is not None:
            pairs.append((m.user, ent))
    return pairs


def load_history(today: dt.date) -> str:
    """A year of cases ending yesterday; once (the first case of the history marks it loaded)."""
    from shouzhan.accounts.models import User
    from shouzhan.core.calendar import current_calendar
    from shouzhan.core.roles import Role

    if Case.objects.filter(title=HISTORY_MARK).exists():
        return "办件历史：已加载，跳过"
    workers = list(
        User.objects.filter(role=Role.CASEWORKER, mobile__startswith="138000000").order_by("mobile")
    )
    contacts = demo_contacts()
    if not workers or not contacts:
        return "办件历史：未找到演示账号，已跳过"
    rng = random.Random(HISTORY_SEED)
    cal = current_calendar()
    days = history_workdays(today)
    weights = [w for _k, w, _l in MIX]
    made = closed = 0
    with transaction.atomic():
        for n, day in enumerate(days):
            # About 1.3 new cases a working day; fewer in the weeks around the Spring Festival.
            count = rng.choice([0, 1, 1, 1, 2, 2, 3]) if n else 1
            for i in range(count):
                key, _w, late_share = rng.choices(MIX, weights)[0]
                user, enterprise = contacts[0] if made == 0 else rng.choice(contacts)
                worker = rng.choice(workers)
                case = _history_case(rng, key, user, enterprise, day, first=made == 0)
                made += 1
                closed += _history_steps(rng, cal, case, worker, user, day, today, late_share, i)
    return f"办件历史：一年 {len(days)} 个工作日，新建 {made} 件，已办结 {closed} 件"


def _history_case(
    rng: random.Random, key: str, user: Any, enterprise: Any, day: dt.date, *, first: bool
) -> Case:
    hour = rng.choice([9, 10, 10, 11, 14, 15, 16])
    minute = rng.choice([0, 10, 20, 30, 40, 50])
    if key in ("planning_filing", "finished_film_filing"):
        work = WORKS[0] if first else rng.choice(WORKS)
        episodes = rng.choice([24, 30, 40, 60, 80, 100])
        label = "规划备案" if key == "planning_filing" else "完成片上线备案"
        title = HISTORY_MARK if first else f"《{work}》{label}"
        data = {
            "work_title": work,
            "episodes": episodes,
            "episode_minutes": rng.choice([1, 2, 2, 3]),
            "synopsis": f"{work}：上海城市题材竖屏短剧，共 {episodes} 集。",
            "producer": enterprise.name,
            "ai_share": rng.choice([0, 30, 50, 70, 90]),
        }
    else:
        need = rng.choice(NEEDS[key])
        title = f"{need.rstrip('。')[:24]}"
        data = {"need": need}
    with travel(day, hour, minute):
        return case_submit(
            actor=user, case_type=key, enterprise=enterprise, title=title, data=data, submitted_on=day
        )


def _next_workday(cal: Any, day: dt.date, n: int) -> dt.date:
    return cal.add_working_days(day, n).date if n else day


def _history_steps(
    rng: random.Random,
    cal: Any,
    case: Case,
    worker: Actor,
    applicant: Actor,
    day: dt.date,
    today: dt.date,
    late_share: float,
    order: int,
) -> int:
    """Take the case as far as it got by yesterday; 1 when it closed."""
    limit = case_limit(case)
    fate = rng.random()
    # When the work is done, in working days after submission: on time most often, late sometimes.
    if rng.random() < late_share:
        finish = limit + rng.randint(1, 4)
    else:
        finish = rng.randint(max(1, limit // 3), limit)
    info = rng.random() < 0.1  # the caseworker asks for more information first
    wait = rng.randint(1, 5)
    hour = 9 + order
    plan: list[tuple[dt.date, Actor, str, dict[str, Any]]] = []
    accept_on = _next_workday(cal, day, rng.choice([0, 0, 1]))
    plan.append((accept_on, worker, "accept", {}))
    start_on = max(accept_on, _next_workday(cal, day, min(finish - 1, rng.choice([0, 1]))))
    plan.append((start_on, worker, "start", {}))
    if info:
        plan.append((start_on, worker, "request_info", {"note": "请补充相关材料后再提交。"}))
        back = _next_workday(cal, start_on, wait)
        plan.append((back, applicant, "resubmit", {"note": "已补充材料。"}))
        finish += wait
    end_on = max(plan[-1][0], _next_workday(cal, day, finish))
    if fate < 0.05:
        plan.append((end_on, worker, "reject", {"note": "材料不符合受理条件，已告知原因。"}))
    elif fate < 0.08:
        plan = [*plan[:1], (end_on, applicant, "withdraw", {})]
    else:
        plan.append((end_on, worker, "complete", {"note": "已办结。"}))
    for on, actor, action, kw in plan:
        if on >= today:  # not yet: the case is still open today
            return 0
        with travel(on, min(hour + (2 if action != "accept" else 0), 17), 15):
            case_transition(actor=actor, case=case, action=action, expected_version=case.version, on=on, **kw)
    return 1


def case_limit(case: Case) -> int:
    from shouzhan.cases import workflow as wf

    return wf.case_type_get(case.case_type).limit_for(case.data)

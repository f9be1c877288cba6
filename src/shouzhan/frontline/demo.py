"""The frontline part of the demo district (`shouzhan demo`): the departments' officers, a year of visits and
demands (2026-01 … yesterday) taken through the services at their own moments, and today's open tickets and
visit plans, so every page (the board, a department's queue, the three rates, the plans) has something true.

Deterministic (random.Random(SEED) and the given `today`), idempotent (a marker demand says a part is loaded),
dates in working days (core.workdays). The past moves the clock with time-machine like cases.demo; without it
(a production install) only today's part is loaded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from shouzhan.core.actors import system_actor
from shouzhan.core.roles import Role
from shouzhan.core.workdays import add_working_days, is_workday, working_days_between
from shouzhan.frontline import services
from shouzhan.frontline.demo_year import REPLIES, District, history_load, officer_for
from shouzhan.frontline.models import (
    Demand,
    Department,
    DepartmentMember,
    VisitPlan,
)

PASSWORD = "shouzhan2026"
SYSTEM = system_actor("frontline-demo")
RECEIVER = "13800000002"  # 张洁, the caseworker who receives, visits and re-dispatches
LEADER = "13800000005"  # excludes from the rates what no department supervisor may
# (mobile, name, department key, department role, what the login is for) — printed with the demo logins.
OFFICERS = [
    ("13800000031", "王强（城管）", "urban", "handler", "区城管执法局：签收、办理、答复派给城管的工单"),
    ("13800000032", "李敏（市场监管）", "amr", "supervisor", "区市场监管局负责人：也可决定诉求不计入三率"),
    ("13800000033", "赵云（人社）", "hrss", "handler", "区人社局：人才与用工类工单"),
    ("13800000034", "孙悦（空间运营）", "centre-space", "handler", "中心空间运营组：场地与空间类工单"),
    ("13800000035", "钱程（政策服务）", "centre-policy", "handler", "中心政策服务组：政策兑现类工单"),
    ("13800000036", "吴静（综合服务）", "centre-desk", "handler", "中心综合服务组：其他类工单"),
    ("13800000037", "郑晨（徐家汇街道）", "street-xjh", "handler", "徐家汇街道办事处：交通与停车类工单"),
    ("13800000038", "冯洋（金融服务）", "finance", "handler", "区金融服务办：融资与资金类工单"),
    ("13800000039", "陈琳（水务）", "water", "handler", "区水务局：河道与水环境类工单"),
]
TODAY_MARK = "园区东门外人行道地砖松动，雨天踩上去溅水"  # today's first open ticket: today is loaded


def frontline_demo(*, today: dt.date, history: bool = True) -> list[str]:
    """The frontline part of the district: officers, the year's history (when asked and possible), today's."""
    from shouzhan.accounts.models import User

    services.frontline_data_load(actor=SYSTEM)
    receiver = User.objects.filter(mobile=RECEIVER).first()
    leader = User.objects.filter(mobile=LEADER).first()
    if receiver is None or leader is None:
        return ["一线工作法：未找到演示账号，已跳过"]
    district = _district(receiver, leader)
    lines = []
    if history:
        lines.append(history_load(district, today))
    lines.append(_today(district, today))
    return lines


def _district(receiver: Any, leader: Any) -> District:
    from shouzhan.accounts.models import User
    from shouzhan.cases.demo import demo_contacts
    from shouzhan.registry.models import Enterprise

    departments = {d.key: d for d in Department.objects.all()}
    officers = {}
    for mobile, name, key, role, _note in OFFICERS:
        user = User.objects.filter(mobile=mobile).first() or User.objects.create_user(
            name=name, password=PASSWORD, mobile=mobile, role=Role.OFFICER
        )
        if not DepartmentMember.objects.filter(department=departments[key], user=user, role=role).exists():
            services.department_member_add(actor=SYSTEM, department=departments[key], user=user, role=role)
        officers[key] = user
    enterprises = list(Enterprise.objects.filter(credit_code__isnull=False).order_by("credit_code"))
    return District(receiver, leader, officers, departments, demo_contacts(), enterprises)


def logins() -> list[tuple[str, str, str]]:
    """(mobile, name, what for) of the departments' officers, for the demo command's list of logins."""
    return [(mobile, name, note) for mobile, name, _key, _role, note in OFFICERS]


# ----------------------------------------------------------------------------- today
def _back(today: dt.date, n: int) -> dt.date:
    """The working day n working days before today (a date, not a deadline)."""
    day = today
    while working_days_between(day, today) < n or not is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def _today(district: District, today: dt.date) -> str:
    """Today's open tickets in every state and the visit plans (one overdue); once for a district."""
    if Demand.objects.filter(description=TODAY_MARK).exists():
        return "一线工作法：今日数据已加载，跳过"
    from shouzhan.registry.models import Enterprise

    studio = Enterprise.objects.filter(name="上海光合剧场文化科技有限公司").first()
    live = Enterprise.objects.filter(name="上海籽言直播文化传播有限公司").first()
    founder = next((u for u, e in district.contacts if studio is not None and e.pk == studio.pk), None)
    if studio is None or live is None or founder is None:
        return "一线工作法：未找到演示企业，已跳过"
    with transaction.atomic():
        _today_plans(district, today, studio)
        _today_tickets(district, today, studio, live, founder)
    states = Demand.objects.values_list("case__state", flat=True)
    counts = {s: 0 for s in ("dispatched", "accepted", "replied", "returned")}
    for state in states:
        if state in counts:
            counts[state] += 1
    return (
        f"一线工作法：{len(OFFICERS)} 个部门的工作人员；待签收 {counts['dispatched']} 件，"
        f"办理中 {counts['accepted']} 件，待回访 {counts['replied']} 件，待改派 {counts['returned']} 件；"
        f"走访计划 {VisitPlan.objects.count()} 个"
    )


def _today_plans(district: District, today: dt.date, studio: Any) -> None:
    cluster = [e for e in district.enterprises if e.in_cluster and e.pk != studio.pk]
    overdue = services.visit_plan_create(
        actor=district.receiver,
        title="徐家汇党群服务站及周边企业走访",
        visitor=district.receiver,
        starts_on=_back(today, 15),
        due_on=_back(today, 3),
        enterprises=cluster[:3],
        places=["徐家汇街道党群服务站"],
        reason="街道反映周边企业停车和环境问题集中，集中走访一次",
    )
    first = overdue.targets.filter(enterprise=cluster[0]).first()
    services.visit_record(
        actor=district.receiver,
        visited_on=_back(today, 5),
        enterprise=cluster[0],
        met=f"{cluster[0].legal_representative or '企业负责人'}（负责人）",
        notes="企业经营平稳，暂无新的诉求；约定下季度再访。",
        target=first,
    )
    services.visit_plan_create(
        actor=district.receiver,
        title="AI 微短剧企业政策上门宣讲",
        visitor=district.receiver,
        starts_on=today,
        due_on=add_working_days(today, 10).date,
        enterprises=[studio, *cluster[3:7]],
        reason="新一批算力券和优质作品奖励开放申报",
    )


def _today_tickets(district: District, today: dt.date, studio: Any, live: Any, founder: Any) -> None:
    def record(source: str, category: str, text: str, on: dt.date, **kw: Any) -> Demand:
        return services.demand_record(
            actor=kw.pop("actor", district.receiver),
            source=source,
            category=category,
            description=text,
            received_on=on,
            **kw,
        )

    def officer(demand: Demand, which: str = "department") -> Any:
        return officer_for(district, getattr(demand, f"{which}_id"))

    record("hotline", "traffic", TODAY_MARK, today, requester_name="陈阿姨", place="漕溪北路88号")
    record(
        "enterprise",
        "space",
        "工位区空调制冷效果差，下午室温超过三十度",
        today,
        actor=founder,
        enterprise=studio,
    )
    doing = record(
        "desk",
        "licence",
        "营业执照经营范围变更，想增加网络文化经营",
        _back(today, 2),
        enterprise=live,
        requester_name="籽言",
    )
    services.ticket_accept(
        actor=officer(doing), demand=doing, expected_version=doing.version, on=_back(today, 1)
    )
    late = record(
        "patrol",
        "environment",
        "宜山路园区围墙外建筑垃圾长期堆放无人清运",
        _back(today, 8),
        requester_name="巡查员",
        place="宜山路园区",
    )
    services.ticket_accept(
        actor=officer(late), demand=late, expected_version=late.version, on=_back(today, 7)
    )
    answered = record(
        "desk",
        "policy",
        "上半年申请的算力券一直没有发放，想了解进度",
        _back(today, 4),
        enterprise=studio,
        requester_name="林晓",
    )
    answered = services.ticket_accept(
        actor=officer(answered), demand=answered, expected_version=answered.version, on=_back(today, 3)
    )
    services.ticket_reply(
        actor=officer(answered, "accepted_by"),
        demand=answered,
        answer=REPLIES["policy"],
        expected_version=answered.version,
        on=_back(today, 1),
    )
    wrong = record(
        "hotline",
        "environment",
        "园区楼下餐馆无证经营，后厨卫生状况差",
        _back(today, 1),
        enterprise=live,
        requester_name="籽言",
    )
    services.ticket_return(
        actor=officer(wrong),
        demand=wrong,
        reason="无证经营餐饮属食品经营许可事项，请改派市场监管",
        expected_version=wrong.version,
        on=today,
    )

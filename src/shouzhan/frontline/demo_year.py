"""The frontline demo's year (frontline/demo.py): every demand of 2026-01 … yesterday and every visit planned
first (random.Random(SEED)), then taken through the services in the order of their moments, each at its own
moment (cases.demo.travel): recorded, accepted (or returned and re-dispatched, or linked to the demand it
repeats), answered within the catalogue's limits or late, followed up (满意 / 基本满意 / 不满意, "not resolved"
reopening it) or closed unrated by the daily pass, a few excluded from the three rates by a supervisor.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from shouzhan.core.workdays import add_working_days, is_workday
from shouzhan.frontline import services
from shouzhan.frontline.models import Demand, Department, DispatchVersion, FollowUp, VisitPlan, VisitTarget
from shouzhan.frontline.services.tickets import FOLLOW_UP_DAYS

SEED = 2026
HISTORY_MARK = "园区东门外共享单车乱停放，早高峰员工进出困难"  # the year's first demand: the past is loaded

# Per category: its share of the year and where (a resident's demand names a place), then the problems heard,
# each as first said / as said again by somebody else (a repeat the receiver links to the original).
PROBLEMS = """
space 14 |
工位区空调制冷效果差，下午室温超过三十度 / 办公区空调不制冷，下午热得没法工作
直播间隔音不好，隔壁直播时互相串音 / 直播间之间串音严重，直播时能听到隔壁的声音
门禁卡经常失灵，员工加班后出不了楼 / 晚上门禁刷卡没反应，加班的员工被关在楼里
摄影棚预约系统显示已满，实际现场空着 / 摄影棚线上约不到，去了发现没人用
想把两个工位换成一间小办公室，询问租金和空置情况 / 工位想升级为独立办公室，问有没有空房
园区网络晚上经常断线，影响直播 / 晚上直播时园区宽带频繁掉线
policy 16 |
上半年申请的算力券一直没有发放，想了解进度 / 算力券申请了两个多月还没到账，进度查不到
微短剧优质作品奖励公示后迟迟未拨付 / 优质短剧奖励公示结束一个月了，钱还没到
不清楚一人公司能否申请房租补贴，请专人解读 / 一人公司申请房租补贴的条件看不懂，需要解读
研发投入补贴申报材料被退回，不知道缺什么 / 研发补贴材料退回了，没说清楚要补哪些
出海参展补贴的申报入口找不到 / 参加海外展会的补贴在哪里申报，网上找不到入口
licence 12 |
营业执照经营范围变更，想增加网络文化经营 / 执照要加网络文化经营范围，不知道怎么变更
网络文化经营许可证办理进度慢，已经一个月 / 网文证申请一个多月了还没批下来
公司迁址后税务和执照地址不一致，开票受影响 / 搬家后执照地址没改，发票开不出来
年报提交时提示信息有误，无法提交 / 企业年报系统一直报错，交不上去
想办理广播电视节目制作经营许可证，咨询条件 / 问一下拍短剧要办什么许可证，条件是什么
financing 8 |
申请创业担保贷款，银行说要反担保，希望协调 / 创业担保贷款银行要求反担保，企业拿不出来
希望对接天使投资机构，项目已有样片 / 有样片了，想找投资人，能不能帮忙对接
知识产权质押融资不了解流程 / 想用专利做质押贷款，流程不清楚
talent 10 |
招聘 AI 训练师困难，希望参加园区招聘会 / AI 方向的人招不到，想参加招聘会
应届生落户打分材料不清楚 / 应届毕业生落户要准备哪些材料，打分怎么算
人才公寓申请排队太久，新员工无处可住 / 人才公寓一直排不上，新来的员工租房困难
员工社保转移遇到问题，外省记录转不过来 / 社保从外省转不过来，员工很着急
希望开展直播电商技能培训，有没有补贴 / 直播技能培训有补贴吗，想给员工报名
environment 14 | 漕溪北路88号 宜山路园区 天钥桥路 南丹路 虹桥路步行街
{place}工地夜间施工噪音扰民，晚上十一点后还在打桩 / {place}晚上11点以后还在打桩施工，噪声太大
{place}楼下餐馆油烟直排，油烟味飘进办公室 / {place}一楼饭店油烟没经过净化直接排，办公室全是油烟味
{place}围墙外建筑垃圾长期堆放无人清运 / {place}外墙边的建筑垃圾堆了一个多月，没人来清运
{place}沿街商铺占道经营，人行道被货物堵住 / {place}商铺把货物摆在人行道上，行人只能走机动车道
{place}垃圾桶满溢，夏天异味严重 / {place}垃圾箱天天满出来，臭味很重
traffic 10 | 田林路200号 宜山路公交站 漕溪北路88号 徐家汇路
{place}周边停车位太少，员工每天找不到地方停车 / {place}附近停车难，员工上班车位严重不足
{place}非机动车乱停放，堵住消防通道和出入口 / {place}大量共享单车停在出入口，把消防通道堵死了
{place}路口红绿灯时间太短，货车出不去 / {place}出入口绿灯时间太短，货车每次都出不去
{place}路面坑洼，雨天积水，进出不便 / {place}门口道路坑坑洼洼，下雨全是积水
ip 5 |
自制短剧被多个平台盗播，投诉无果 / 我们的短剧被别的平台盗播，投诉没人管
商标被抢注，想了解异议程序 / 公司商标被别人抢注了，怎么提异议
water 4 | 龙华港 漕河泾港 蒲汇塘
{place}河面漂浮物多，夏天有异味 / {place}河里垃圾漂着没人捞，味道很大
{place}沿岸有疑似排污口，河水发黑 / {place}边上有管子往河里排污水，水都黑了
{place}旁道路下雨后积水严重，车辆无法通行 / {place}边的路一下雨就淹，车开不过去
other 7 |
希望中心提供公司注销一站式指导 / 公司想注销，希望有人一步步指导
园区食堂价格偏高，选择少 / 园区食堂太贵，菜品也少
希望组织企业间交流活动，对接上下游 / 想认识园区里做配音和剪辑的公司，有没有交流活动
"""


def _categories(text: str) -> dict[str, tuple[int, list[str], list[tuple[str, str]]]]:
    found: dict[str, tuple[int, list[str], list[tuple[str, str]]]] = {}
    problems: list[tuple[str, str]] = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        if "|" in line:
            head, places = line.split("|")
            key, weight = head.split()
            problems = []
            found[key] = (int(weight), places.split(), problems)
        else:
            first, again = line.split(" / ")
            problems.append((first, again))
    return found


CATEGORIES = _categories(PROBLEMS)
REPLIES = {
    "space": "已安排物业上门检修，设备已恢复正常，后续纳入每月巡检。",
    "policy": "已核对申报材料，款项已进入拨付流程，预计五个工作日内到账；如有疑问可联系政策服务组。",
    "licence": "已电话告知所需材料与办理路径，并预约窗口专人帮办，当日即可受理。",
    "financing": "已对接合作银行与担保机构，安排了面谈，反担保要求已协调为信用担保。",
    "talent": "已将企业纳入本月专场招聘会，并说明相关补贴的申请条件与时间。",
    "environment": "已现场检查并责令整改，相关单位已停止违规行为，将持续巡查。",
    "traffic": "已现场查看，增设了非机动车停放区并安排专人早高峰疏导。",
    "ip": "已指导企业固定证据并向平台发出侵权通知，同时告知维权援助渠道。",
    "water": "已安排保洁船打捞并排查沿岸排口，水质检测结果已告知反映人。",
    "other": "已联系反映人说明情况，并转交园区相关负责人跟进落实。",
}
# A receiver's wrong guess: (category chosen, text, the department's reason for returning it, where it belongs).
MISROUTED = [
    (
        "environment",
        "园区楼下餐馆无证经营，后厨卫生状况差",
        "无证经营餐饮属食品经营许可事项，请改派市场监管",
        "amr",
    ),
    ("other", "园区旁河道有异味，夏天更明显", "属于河道水环境问题，应由水务部门处理", "water"),
    ("traffic", "园区地下车库积水，下雨天车辆进不去", "属于排水防汛问题，请改派水务部门", "water"),
    (
        "talent",
        "人才公寓租金补贴申请后一直没有拨付",
        "人才公寓补贴属中心政策兑现事项，请改派政策服务组",
        "centre-policy",
    ),
    ("space", "园区门口共享单车乱停放，影响人员进出", "属于非机动车停放管理，请改派所在街道", "street-xjh"),
]
EXCLUSIONS = [
    "诉求人要求为其个人商铺全额减免房租，超出政策范围，经核实属不合理诉求。",
    "同一诉求人就已依法办结的事项反复投诉，经核实已处理完毕。",
    "所涉事项已进入司法诉讼程序，不属于行政处理范围。",
    "经现场核实，诉求反映的情况与事实不符。",
]
UNRESOLVED = [
    "答复说已经处理，但现场问题依旧存在。",
    "说好的款项到现在还没有到账。",
    "只打了电话，没有人来现场看。",
]
UNSATISFIED = "问题算是解决了，但前后拖了两个多星期。"
RESIDENTS = ["王先生", "李女士", "陈阿姨", "刘先生", "周女士", "赵师傅"]
VISIT_NOTES = [
    "与企业负责人面谈，了解近期经营和用工情况，介绍了本季度的扶持政策。",
    "走访办公现场，企业反映场地和配套问题，已当场登记诉求。",
    "了解新项目进展和融资需求，约定下月再次回访。",
    "送政策上门，讲解算力券和房租补贴的申请流程。",
]
SOURCES = [("desk", 30), ("hotline", 20), ("enterprise", 25), ("patrol", 5)]  # visits come with the visits


@dataclass
class Plan:
    """One demand of the history: who raised what, when, and what became of it."""

    n: int
    day: dt.date
    source: str
    category: str
    text: str
    enterprise: Any = None
    contact: Any = None  # the enterprise's user (rates it in the site), or None
    requester: str = ""
    place: str = ""
    urgency: str = "normal"
    original: Plan | None = None  # a repeat of this earlier demand
    demand: Demand | None = None
    steps: list[tuple[dt.date, int, str, dict[str, Any]]] = field(default_factory=list)


@dataclass
class District:
    """Who acts in the demo: the receiver, the leader, each department's officer, the enterprises."""

    receiver: Any
    leader: Any
    officers: dict[str, Any]
    departments: dict[str, Department]
    contacts: list[tuple[Any, Any]]
    enterprises: list[Any]


# ----------------------------------------------------------------------------- the year
def history_load(district: District, today: dt.date) -> str:
    if importlib.util.find_spec("time_machine") is None:
        return "一线工作法历史：需要开发依赖 time-machine（make install 安装），已跳过"
    if Demand.objects.filter(description=HISTORY_MARK).exists():
        return "一线工作法历史：已加载，跳过"
    from shouzhan.cases.demo import history_workdays

    first = (
        DispatchVersion.objects.order_by("valid_from").values_list("valid_from", flat=True).first() or today
    )
    days = [d for d in history_workdays(today) if d >= first]
    if len(days) < 20:
        return "一线工作法历史：派单目录生效不足一个月，已跳过"
    rng = random.Random(SEED)
    plans, visits = _plan_year(rng, district, days, today)
    events: list[tuple[dt.date, int, int, Callable[[], None]]] = []
    for day, make in _quarter_plans(district, days):
        events.append((day, 8, len(events), make))
    for visit in visits:
        events.append((visit["day"], 9, len(events), _visit_event(district, visit)))
    for plan in plans:
        if plan.source != "visit":
            events.append((plan.day, 9, len(events), _record_event(district, plan)))
        for on, hour, kind, kw in plan.steps:
            if on < today and kind != "close":
                events.append((on, hour, len(events), _step_event(district, plan, on, kind, kw)))
    # The daily pass that closes unanswered replies, on the days it has something to close.
    passes = {on for plan in plans for on, _h, kind, _kw in plan.steps if kind == "close" and on < today}
    for day in sorted(passes):
        events.append((day, 18, len(events), _close_pass(day)))
    from shouzhan.cases.demo import travel

    with transaction.atomic():
        for day, hour, seq, event in sorted(events, key=lambda e: e[:3]):
            with travel(day, hour, (seq * 7) % 60):
                event()
    merged = sum(1 for p in plans if p.original is not None)
    return (
        f"一线工作法历史：走访 {len(visits)} 次，诉求 {len(plans)} 条（并入重复 {merged} 条），"
        f"{len(days)} 个工作日"
    )


def _plan_year(
    rng: random.Random, district: District, days: list[dt.date], today: dt.date
) -> tuple[list[Plan], list[dict[str, Any]]]:
    """Every demand of the year and every visit (with the demands heard on it), before anything is recorded."""
    plans: list[Plan] = []
    visits: list[dict[str, Any]] = []
    weights = [w for w, _p, _t in CATEGORIES.values()]
    cluster = [e for e in district.enterprises if e.in_cluster] or district.enterprises
    misrouted = list(MISROUTED)
    for i, day in enumerate(days):
        if i % 4 == 1:  # a visit about every fourth working day
            enterprise = cluster[(i // 4) % len(cluster)]
            visit = {"day": day, "enterprise": enterprise, "plans": [], "n": len(visits)}
            for _k in range(rng.choice([0, 1, 1, 2])):
                plan = _plan(rng, district, day, "visit", len(plans), weights, enterprise=enterprise)
                plans.append(plan)
                visit["plans"].append(plan)
            visits.append(visit)
        for _k in range(rng.choice([0, 0, 1, 1, 1]) if i else 1):
            source = rng.choices([s for s, _w in SOURCES], [w for _s, w in SOURCES])[0]
            plan = _plan(rng, district, day, source, len(plans), weights)
            if i == 0 and not plans:
                plan.category, plan.text, plan.place = "traffic", HISTORY_MARK, "漕溪北路88号"
            elif misrouted and i % 31 == 15:
                plan.category, plan.text, reason, to = misrouted.pop(0)
                plan.steps.append((day, 16, "return", {"reason": reason}))
                plan.steps.append((_wd(day, 1), 9, "redispatch", {"to": to}))
            plans.append(plan)
            _repeat_maybe(rng, plan, plans)
    for plan in plans:
        if plan.original is None:
            _fate(rng, plan, today)
    return plans, visits


def _plan(
    rng: random.Random,
    district: District,
    day: dt.date,
    source: str,
    n: int,
    weights: list[int],
    *,
    enterprise: Any = None,
) -> Plan:
    category = rng.choices(list(CATEGORIES), weights)[0]
    _w, places, problems = CATEGORIES[category]
    place = rng.choice(places) if places else ""
    text = rng.choice(problems)[0].format(place=place)
    resident = bool(places) and source in ("hotline", "patrol") and enterprise is None
    contact = None
    if source == "enterprise" or (enterprise is None and not resident):
        contact, enterprise = rng.choice(district.contacts)
        if source != "enterprise":
            contact = None if rng.random() < 0.3 else contact
    if source == "enterprise" and resident:
        source = "hotline"
    if enterprise is not None and source != "enterprise" and contact is None:
        contact = next((u for u, e in district.contacts if e.pk == enterprise.pk), None)
    urgency = "urgent" if category in ("environment", "water") and rng.random() < 0.2 else "normal"
    return Plan(
        n=n,
        day=day,
        source=source,
        category=category,
        text=text,
        enterprise=None if resident else enterprise,
        contact=None if resident else contact,
        requester=rng.choice(RESIDENTS)
        if resident
        else (getattr(enterprise, "legal_representative", "") or ""),
        place=place,
        urgency=urgency,
    )


def _repeat_maybe(rng: random.Random, plan: Plan, plans: list[Plan]) -> None:
    """About one demand in twelve is an earlier one raised again (by another channel, in other words)."""
    if plan.steps or plan.text == HISTORY_MARK or rng.random() > 0.12:
        return
    recent = [
        p
        for p in plans[-40:-1]
        if p.original is None and not p.steps and p.source != "visit" and (p.day - plan.day).days > -45
    ]
    if not recent:
        return
    original = rng.choice(recent)
    _w, _places, problems = CATEGORIES[original.category]
    said = next((b for a, b in problems if a.format(place=original.place) == original.text), None)
    if said is None:
        return
    plan.category, plan.enterprise, plan.contact = original.category, original.enterprise, original.contact
    plan.place, plan.requester, plan.urgency = original.place, original.requester, original.urgency
    plan.text, plan.original = said.format(place=original.place), original
    plan.source = "hotline" if original.source != "hotline" else "desk"
    plan.steps.append((plan.day, 17, "merge", {}))


def _wd(day: dt.date, n: int) -> dt.date:
    return add_working_days(day, n).date if n else day


def _fate(rng: random.Random, plan: Plan, today: dt.date) -> None:
    """Accept, reply and follow-up at working-day offsets: mostly within the limits, some late."""
    from shouzhan.frontline.catalogue import dispatch_rule_for

    rule = dispatch_rule_for(plan.category, plan.day)
    resolve = (
        (rule.urgent_resolve_days or rule.resolve_days) if plan.urgency == "urgent" else rule.resolve_days
    )
    start = plan.day if not plan.steps else plan.steps[-1][0]
    accept = rng.choices([0, 1, rule.accept_days + 1, rule.accept_days + 2], [35, 50, 10, 5])[0]
    accept = min(accept, rule.accept_days) if plan.steps else accept
    accept_on = _wd(start, accept)
    plan.steps.append((accept_on, 10, "accept", {}))
    late = rng.random() < 0.12
    reply = resolve + rng.randint(1, 4) if late else rng.randint(max(1, resolve // 3), resolve)
    reply_on = max(accept_on, _wd(plan.day, reply))
    plan.steps.append((reply_on, 16, "reply", {}))
    answer = rng.random()
    follow_on = _wd(reply_on, rng.choice([1, 1, 2, 3]))
    if (
        answer < 0.08
    ):  # not resolved: reopened, answered again, then rated — or, beyond what can be done, left
        stuck = (
            rng.random() < 0.4
        )  # at "not resolved" (the second answer goes unanswered and the pass closes it)
        said = {
            "resolved": False,
            "note": rng.choice(UNRESOLVED),
            **({"satisfaction": "unsatisfied"} if stuck else {}),
        }
        plan.steps.append((follow_on, 11, "follow", said))
        again = _wd(follow_on, rng.randint(2, 4))
        plan.steps.append((again, 16, "reply", {}))
        if stuck:
            plan.steps.append((_wd(again, FOLLOW_UP_DAYS), 18, "close", {}))
        else:
            plan.steps.append((_wd(again, 1), 11, "follow", {"resolved": True, "satisfaction": "basic"}))
    elif answer < 0.85:
        mood = rng.choices(["satisfied", "basic", "unsatisfied"], [62, 28, 10])[0]
        note = UNSATISFIED if mood == "unsatisfied" else ""
        plan.steps.append((follow_on, 11, "follow", {"resolved": True, "satisfaction": mood, "note": note}))
    else:  # nobody answers: the daily pass closes it unrated when the follow-up days are over
        plan.steps.append((_wd(reply_on, FOLLOW_UP_DAYS), 18, "close", {}))
    if rng.random() < 0.03 or (plan.category == "licence" and rng.random() < 0.08):
        reason = rng.choice(EXCLUSIONS)
        plan.steps.append((_wd(reply_on, 1), 17, "exclude", {"reason": reason}))


# ----------------------------------------------------------------------------- the year's events
def _fetch(plan: Plan) -> Demand:
    assert plan.demand is not None
    plan.demand = Demand.objects.select_related("case").get(pk=plan.demand.pk)
    return plan.demand


def _record_event(district: District, plan: Plan) -> Callable[[], None]:
    def run() -> None:
        plan.demand = services.demand_record(
            actor=plan.contact if plan.source == "enterprise" else district.receiver,
            source=plan.source,
            category=plan.category,
            description=plan.text,
            urgency=plan.urgency,
            enterprise=plan.enterprise,
            requester_name=plan.requester,
            requester_contact=getattr(plan.contact, "mobile", "") or "",
            place=plan.place,
            received_on=plan.day,
        )

    return run


def _visit_event(district: District, visit: dict[str, Any]) -> Callable[[], None]:
    def run() -> None:
        enterprise, day, n = visit["enterprise"], visit["day"], visit["n"]
        target = (
            VisitTarget.objects.filter(
                plan__starts_on__lte=day, plan__due_on__gte=day, enterprise=enterprise, visit__isnull=True
            )
            .order_by("pk")
            .first()
        )
        plans: list[Plan] = visit["plans"]
        recorded = services.visit_record(
            actor=district.receiver,
            visited_on=day,
            enterprise=enterprise,
            met=f"{enterprise.legal_representative or '企业负责人'}（负责人）",
            notes=VISIT_NOTES[n % len(VISIT_NOTES)],
            latitude=f"31.{180000 + n * 137 % 30000}",
            longitude=f"121.{430000 + n * 211 % 30000}",
            accuracy_m=15 + n % 20,
            target=target,
            demands=[
                {"category": p.category, "description": p.text, "urgency": p.urgency, "place": p.place}
                for p in plans
            ],
        )
        for plan, demand in zip(plans, recorded.demands.order_by("pk"), strict=True):
            plan.demand = demand

    return run


def _quarter_plans(district: District, days: list[dt.date]) -> list[tuple[dt.date, Callable[[], None]]]:
    """At each quarter's first working day, the plan to visit every cluster enterprise by its last."""
    cluster = [e for e in district.enterprises if e.in_cluster]
    quarters: dict[tuple[int, int], list[dt.date]] = {}
    for day in days:
        quarters.setdefault((day.year, (day.month - 1) // 3 + 1), []).append(day)
    made: list[tuple[dt.date, Callable[[], None]]] = []
    for (year, q), q_days in quarters.items():
        month_after = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
        end = month_after - dt.timedelta(days=1)  # the quarter's last day, back to its last working day
        while not is_workday(end):
            end -= dt.timedelta(days=1)

        def run(year: int = year, q: int = q, start: dt.date = q_days[0], end: dt.date = end) -> None:
            services.visit_plan_create(
                actor=district.receiver,
                title=f"{year}年第{q}季度集聚区企业走访",
                visitor=district.receiver,
                starts_on=start,
                due_on=end,
                enterprises=cluster,
                origin=VisitPlan.Origin.COVERAGE,
                reason="集聚区企业每季度至少走访一次",
            )

        made.append((q_days[0], run))
    return made


def officer_for(district: District, department_id: int | None) -> Any:
    key = next(k for k, d in district.departments.items() if d.pk == department_id)
    return district.officers[key]


def _step_event(
    district: District, plan: Plan, on: dt.date, kind: str, kw: dict[str, Any]
) -> Callable[[], None]:
    def run() -> None:
        demand = _fetch(plan)
        common: dict[str, Any] = {"demand": demand, "expected_version": demand.version, "on": on}
        if kind == "accept":
            services.ticket_accept(actor=officer_for(district, demand.department_id), **common)
        elif kind == "return":
            services.ticket_return(
                actor=officer_for(district, demand.department_id), reason=kw["reason"], **common
            )
        elif kind == "redispatch":
            to = district.departments[kw["to"]]
            services.ticket_redispatch(actor=district.receiver, department=to, **common)
        elif kind == "reply":
            moved = any(k == "redispatch" for _d, _h, k, _kw in plan.steps)
            answer = REPLIES["other" if moved else plan.category]
            services.ticket_reply(actor=officer_for(district, demand.accepted_by_id), answer=answer, **common)
        elif kind == "follow":
            site = plan.contact is not None and plan.n % 3 != 0  # rated in the site, or on the phone
            channel = FollowUp.Channel.SITE if site else FollowUp.Channel.PHONE
            actor = plan.contact if site else district.receiver
            services.follow_up_record(actor=actor, channel=channel, **common, **kw)
        elif kind == "merge":
            assert plan.original is not None
            services.demand_link_repeat(actor=district.receiver, original=_fetch(plan.original), **common)
        elif kind == "exclude":
            amr = (demand.accepted_by_id or demand.department_id) == district.departments["amr"].pk
            actor = district.officers["amr"] if amr else district.leader  # a supervisor, or the leader
            services.demand_exclude(actor=actor, demand=demand, reason=kw["reason"], on=on)

    return run


def _close_pass(day: dt.date) -> Callable[[], None]:
    def run() -> None:
        services.tickets_close_unanswered(today=day)

    return run

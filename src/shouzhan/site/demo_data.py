"""The demo district: believable enterprises, people and staff drawn from the source documents.

Idempotent: running it again updates the same records (keyed by credit code and mobile)
instead of duplicating them. Deterministic: the same seed gives the same district.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from shouzhan.accounts.models import Membership, Organisation, User
from shouzhan.core.roles import Role
from shouzhan.registry import credit_code, patent_number
from shouzhan.registry.choices import ProjectKind, Sector, Stage
from shouzhan.registry.models import Enterprise, Patent, Person, Project

DEMO_PASSWORD = "shouzhan2026"
REGION = {"徐汇": "310104", "杨浦": "310110", "闵行": "310112", "浦东新区": "310115", "黄浦": "310101"}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    mobile: str
    note: str


LOGINS = [
    DemoLogin(
        Role.ENTREPRENEUR, "林晓（一人公司创始人）", "13800000001", "徐汇 AI 微短剧一人公司「光合剧场」"
    ),
    DemoLogin(Role.CASEWORKER, "张洁（营商专员）", "13800000002", "上钢营商服务中心"),
    DemoLogin(Role.POLICY_OFFICER, "王政（政策专员）", "13800000003", "区文旅局"),
    DemoLogin(Role.MENTOR, "陈导（创业导师）", "13800000004", "OPC 创业能力沙龙导师"),
    DemoLogin(Role.LEADER, "李主任（领导）", "13800000005", "营商服务中心主任"),
    DemoLogin(Role.AUDITOR, "赵审（审计）", "13800000006", "只读查看所有决定"),
    DemoLogin(Role.ENTREPRENEUR, "周老先生（发明人）", "13800000007", "八十多岁，手握 70 项专利"),
    DemoLogin(Role.ENTREPRENEUR, "籽言（直播工作室）", "13800000008", "杨浦中船科技园直播孵化基地"),
    DemoLogin(Role.ADMIN, "管理员", "13800000000", "系统管理（也可进入 /admin/）"),
]

# More of the centre's caseworkers (not printed with the logins: the on-time table by caseworker has rows).
STAFF = [
    DemoLogin(Role.CASEWORKER, "刘敏（营商专员）", "13800000021", "上钢营商服务中心"),
    DemoLogin(Role.CASEWORKER, "黄磊（营商专员）", "13800000022", "上钢营商服务中心"),
]
CONTACT_EVERY = 3  # one enterprise in three of the district has a contact with an account (1390000xxxx)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "敏", "静", "磊", "洋", "婷", "晨", "悦", "浩", "琳", "杰"]

NAME_PARTS = {
    Sector.MICRO_DRAMA: (
        ["光合", "星河", "拾光", "未来", "云端", "墨白", "竖屏", "青鸟"],
        ["剧场", "影业", "短剧工作室", "映画"],
    ),
    Sector.AI_AGENT: (
        ["模速", "灵犀", "深算", "智语", "点石", "启元"],
        ["智能科技", "智能体实验室", "AI 科技"],
    ),
    Sector.LIVE_STREAMING: (["天天播", "优选", "潮玩", "小满", "晴川"], ["直播电商", "文化传播", "网络科技"]),
    Sector.IP_DESIGN: (["萌芽", "山海", "布丁", "纸鸢"], ["IP 设计", "文创", "动漫"]),
    Sector.CROSS_BORDER: (["栈道", "远帆", "海豚", "丝路"], ["出海科技", "国际贸易", "游戏出海"]),
}
SECTOR_WEIGHTS = [
    (Sector.MICRO_DRAMA, 20),
    (Sector.AI_AGENT, 14),
    (Sector.LIVE_STREAMING, 12),
    (Sector.IP_DESIGN, 7),
    (Sector.CROSS_BORDER, 7),
]
DISTRICT_BY_SECTOR = {
    Sector.MICRO_DRAMA: ["徐汇", "徐汇", "杨浦", "闵行"],
    Sector.AI_AGENT: ["徐汇", "徐汇", "浦东新区", "闵行"],
    Sector.LIVE_STREAMING: ["杨浦", "杨浦", "黄浦"],
    Sector.IP_DESIGN: ["徐汇", "杨浦", "黄浦"],
    Sector.CROSS_BORDER: ["浦东新区", "杨浦"],
}
PROJECT_BY_SECTOR = {
    Sector.MICRO_DRAMA: ProjectKind.MICRO_DRAMA,
    Sector.AI_AGENT: ProjectKind.AGENT,
    Sector.LIVE_STREAMING: ProjectKind.OTHER,
    Sector.IP_DESIGN: ProjectKind.IP_LIBRARY,
    Sector.CROSS_BORDER: ProjectKind.OVERSEAS,
}
DRAMA_TITLES = [
    "弄堂里的光",
    "外滩十二时辰",
    "AI 替身",
    "梧桐深处",
    "第一站",
    "算力少年",
    "石库门来信",
    "江边的风",
]
PATENT_TOPICS = [
    ("一种节能型保温墙体材料", "新材料"),
    ("一种可降解包装膜及其制备方法", "新材料"),
    ("一种老年人防跌倒智能鞋垫", "智能硬件"),
    ("一种家用净水器滤芯结构", "环保"),
    ("一种折叠式助行器", "康复器械"),
    ("一种高强度轻质陶瓷复合材料", "新材料"),
    ("一种太阳能路灯控制电路", "新能源"),
]


def _code(district: str, n: int) -> str:
    return credit_code.make(f"91{REGION[district]}MA{n:07d}")


@transaction.atomic
def load_demo(seed: int = 2026) -> dict[str, Any]:
    rng = random.Random(seed)
    users = {login.mobile: _user(login) for login in [*LOGINS, *STAFF]}
    enterprises: list[Enterprise] = []

    # The one-person AI micro-drama company of the demo entrepreneur (from the OPC salon).
    studio = _enterprise(
        code=_code("徐汇", 1),
        name="上海光合剧场文化科技有限公司",
        owner=users["13800000001"],
        district="徐汇",
        sector=Sector.MICRO_DRAMA,
        registered_on=dt.date(2025, 3, 18),
        employees=1,
        annual_revenue_fen=86_000_000,
        is_one_person_company=True,
        in_cluster=True,
        is_startup=True,
        stage=Stage.IP_DESIGN,
        legal_representative="林晓",
        address="徐汇区漕河泾 模速空间 3 号楼 1 层 工位 A-12",
        description="一人公司，用 AI 生成分镜与配音，专注上海城市题材的竖屏微短剧。",
    )
    _project(
        studio,
        ProjectKind.MICRO_DRAMA,
        "弄堂里的光（AI 微短剧，60 集）",
        year=2026,
        excellent=True,
        promotes_city_image=True,
        self_developed=True,
        rd_investment_fen=120_000_000,
    )
    _project(
        studio,
        ProjectKind.AGENT,
        "分镜智能体 StoryBoard-1",
        year=2026,
        self_developed=True,
        market_recognized=None,
        rd_investment_fen=300_000_000,
    )
    enterprises.append(studio)

    # The live-streaming studio in the Yangpu incubation base (floors 1–9 live commerce).
    live = _enterprise(
        code=_code("杨浦", 2),
        name="上海籽言直播文化传播有限公司",
        owner=users["13800000008"],
        district="杨浦",
        sector=Sector.LIVE_STREAMING,
        registered_on=dt.date(2023, 6, 25),
        employees=14,
        annual_revenue_fen=1_250_000_000,
        is_one_person_company=False,
        in_cluster=True,
        is_startup=True,
        stage=Stage.COMMERCIALISATION,
        legal_representative="籽言",
        address="杨浦区 中船科技园直播孵化基地 6 楼",
        description="B 站知识区 UP 主团队，科技与游戏类直播，开发周边并直播带货，计划跨境出海。",
    )
    _project(live, ProjectKind.OVERSEAS, "周边商品跨境出海（东南亚）", year=2026)
    enterprises.append(live)

    # The inventor of over eighty with 70 patents, who came at 6 a.m. with the newspaper.
    inventor_user = users["13800000007"]
    inventor_org, _ = Organisation.objects.get_or_create(name="周老先生专利转化工作室")
    Membership.objects.get_or_create(
        user=inventor_user, organisation=inventor_org, defaults={"is_owner": True}
    )
    inventor_ent = _enterprise(
        code=None,
        name="周老先生专利转化工作室",
        owner=None,
        organisation=inventor_org,
        district="浦东新区",
        sector=Sector.NEW_MATERIALS,
        stage=Stage.IDEA,
        description="一位八十多岁的发明人，手上有 70 多项专利，希望把好的产品、好的技术、好的材料推广出去。",
    )
    inventor, _ = Person.objects.update_or_create(
        user=inventor_user,
        defaults={
            "name": "周老先生",
            "title": "发明人",
            "birth_year": 1942,
            "enterprise": inventor_ent,
            "mobile": inventor_user.mobile or "",
            "note": "看到《新民晚报》关于“创业首站”的报道，早上 6 点从家出发找到上钢营商服务中心。",
        },
    )
    for i in range(70):
        title, field = PATENT_TOPICS[i % len(PATENT_TOPICS)]
        year = 1995 + i % 28
        kind = "1" if i % 3 == 0 else "2"
        number = patent_number.make(f"{year}{kind}{1_000_000 + i * 7919:07d}"[:12])
        Patent.objects.update_or_create(
            number=number,
            defaults={
                "title": f"{title}（{i + 1}）",
                "field": field,
                "status": Patent.Status.GRANTED if i % 5 else Patent.Status.EXPIRED,
                "holder_person": inventor,
            },
        )

    # The rest of the district.
    serial = 10
    for sector, count in SECTOR_WEIGHTS:
        heads, tails = NAME_PARTS[sector]
        for i in range(count):
            serial += 1
            district = rng.choice(DISTRICT_BY_SECTOR[sector])
            name = f"上海{heads[i % len(heads)]}{tails[(i // len(heads)) % len(tails)]}有限公司"
            if Enterprise.objects.exclude(credit_code=_code(district, serial)).filter(name=name).exists():
                name = name.replace("有限公司", f"（{district}）有限公司")
            opc = sector in {Sector.MICRO_DRAMA, Sector.AI_AGENT} and rng.random() < 0.35
            registered = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 8))
            stage = rng.choice([Stage.REGISTERED, Stage.IP_DESIGN, Stage.COMMERCIALISATION, Stage.OVERSEAS])
            ent = _enterprise(
                code=_code(district, serial),
                name=name,
                owner=None,
                district=district,
                sector=sector,
                registered_on=registered,
                employees=1 if opc else rng.randint(2, 180),
                annual_revenue_fen=rng.randint(0, 5_000_000) * 1000 if rng.random() > 0.1 else None,
                is_one_person_company=opc,
                in_cluster=(district == "徐汇" and rng.random() < 0.7) if rng.random() > 0.15 else None,
                is_startup=registered >= dt.date(2023, 1, 1),
                stage=stage,
                legal_representative=rng.choice("王李张刘陈杨黄赵吴周")
                + rng.choice(["伟", "芳", "敏", "静", "磊", "洋", "婷"]),
            )
            kind = PROJECT_BY_SECTOR[sector]
            title = (
                rng.choice(DRAMA_TITLES)
                if kind == ProjectKind.MICRO_DRAMA
                else f"{ent.name[2:6]}{kind.label}"
            )
            _project(
                ent,
                kind,
                title,
                year=rng.choice([2025, 2026]),
                rd_investment_fen=rng.randint(10, 8000) * 1_000_000 if kind == ProjectKind.AGENT else None,
                self_developed=rng.random() < 0.8 if kind == ProjectKind.AGENT else None,
                market_recognized=rng.random() < 0.5 if kind == ProjectKind.AGENT else None,
                excellent=rng.random() < 0.3 if kind == ProjectKind.MICRO_DRAMA else None,
                promotes_city_image=rng.random() < 0.3 if kind == ProjectKind.MICRO_DRAMA else None,
            )
            enterprises.append(ent)
            if serial % CONTACT_EVERY == 0:
                _contact(ent, serial)
    return {"enterprises": Enterprise.objects.count(), "patents": Patent.objects.count(), "logins": LOGINS}


def _user(login: DemoLogin) -> User:
    user = User.objects.filter(mobile=login.mobile).first()
    if user is None:
        user = User.objects.create_user(
            name=login.name, password=DEMO_PASSWORD, mobile=login.mobile, role=login.role
        )
    if login.role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
        user.email = user.email or "admin@shouzhan.local"
        user.save()
    return user


def _contact(enterprise: Enterprise, serial: int) -> User:
    """The enterprise's contact: an account that owns it (cases, claims, salons and bookings of the history)."""
    mobile = f"1390000{serial:04d}"
    picker = random.Random(serial)  # its own seed: the district's sequence above stays as it was
    name = picker.choice(SURNAMES) + picker.choice(GIVEN) + picker.choice(["", *GIVEN])
    user = User.objects.filter(mobile=mobile).first() or User.objects.create_user(
        name=name, password=DEMO_PASSWORD, mobile=mobile, role=Role.ENTREPRENEUR
    )
    if enterprise.organisation_id is None:
        organisation, _ = Organisation.objects.get_or_create(name=enterprise.name)
        enterprise.organisation = organisation
        enterprise.save(update_fields=["organisation"])
    Membership.objects.get_or_create(
        user=user, organisation_id=enterprise.organisation_id, defaults={"is_owner": True}
    )
    return user


def _enterprise(
    *, code: str | None, name: str, owner: User | None, organisation: Any = None, **fields: Any
) -> Enterprise:
    if owner is not None and organisation is None:
        organisation, _ = Organisation.objects.get_or_create(name=name)
        Membership.objects.get_or_create(user=owner, organisation=organisation, defaults={"is_owner": True})
    values = {"name": name, "organisation": organisation, **fields}
    if code:
        enterprise, _ = Enterprise.objects.update_or_create(credit_code=code, defaults=values)
    else:
        enterprise, _ = Enterprise.objects.update_or_create(name=name, credit_code=None, defaults=values)
    return enterprise


def _project(enterprise: Enterprise, kind: str, title: str, **facts: Any) -> Project:
    project, _ = Project.objects.update_or_create(
        enterprise=enterprise, title=title, defaults={"kind": kind, **facts}
    )
    return project


def load_history(*, today: dt.date) -> list[str]:
    """The district's past year, module by module (each loads once; see each module's load_history)."""
    if importlib.util.find_spec("time_machine") is None:  # a production install: no past to make up
        return ["历史数据：需要开发依赖 time-machine（make install 安装），已跳过"]
    from shouzhan.cases import demo as cases_demo
    from shouzhan.community import demo as community_demo
    from shouzhan.ledger import demo as ledger_demo
    from shouzhan.offers import demo as offers_demo
    from shouzhan.spaces import demo as spaces_demo

    modules = (cases_demo, spaces_demo, ledger_demo, community_demo)
    # The pushes of the past months come after the rest of the year (they read its cases and imports).
    return [
        *(module.load_history(today=today) for module in modules),
        imports_history(today=today),
        offers_demo.load_history(today=today),
    ]


IMPORT_FILE = "企业名录季度更新"  # the history's quarterly imports: their file names mark them loaded


def imports_history(*, today: dt.date) -> str:
    """Each quarter a caseworker imported the district's updated headcounts (a .csv, through
    enterprise_import at that moment): a year of imports in the audit trail and the enterprises' history."""
    from shouzhan.cases.demo import history_workdays, travel
    from shouzhan.core.models import AuditEntry
    from shouzhan.registry.services import enterprise_import

    worker = User.objects.filter(mobile="13800000002").first()
    if worker is None:
        return "导入历史：未找到演示账号，已跳过"
    if AuditEntry.objects.filter(
        action="registry.enterprise_import", target_label__startswith=IMPORT_FILE
    ).exists():
        return "导入历史：已加载，跳过"
    rng = random.Random(2026)
    district = list(
        Enterprise.objects.filter(credit_code__isnull=False, employees__isnull=False)
        .exclude(is_one_person_company=True)
        .order_by("credit_code")
    )
    days = history_workdays(today)
    rows = 0
    with transaction.atomic():
        for day in days[20::60]:  # about once a quarter
            chosen = rng.sample(district, k=min(len(district), 8))
            lines = ["统一社会信用代码,企业名称,员工人数"]
            for ent in chosen:
                ent.employees = max(2, (ent.employees or 2) + rng.randint(-3, 12))
                lines.append(f"{ent.credit_code},{ent.name},{ent.employees}")
            with travel(day, 16, 30):
                report = enterprise_import(
                    actor=worker, data="\n".join(lines).encode(), filename=f"{IMPORT_FILE}-{day:%Y%m%d}.csv"
                )
            rows += report.updated + report.created
    return f"导入历史：{len(days[20::60])} 次季度名录导入，更新 {rows} 行"

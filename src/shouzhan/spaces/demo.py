"""Demo spaces: the 徐汇 创业首站 (desks, offices, a floor), the 杨浦 live-streaming base (floors 1–9
live commerce, 11–19 content creation; the ten live-stream scenes), studios and a filming site."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from shouzhan.spaces.models import Booking, Floor, Resource, Site, Tenancy

SCENES = [
    "江景直播间",
    "工业风直播间",
    "书房直播间",
    "潮玩直播间",
    "美妆直播间",
    "厨房直播间",
    "国风直播间",
    "电竞直播间",
    "星空直播间",
    "船坞户外直播间",
]  # 直播十大景观: the seed names the ten scenes but not each one; these names are ours.


def _resource(site: Site, name: str, **fields: object) -> Resource:
    resource, _created = Resource.objects.get_or_create(site=site, name=name, defaults=fields)
    return resource


def _places() -> tuple[list[Resource], Resource, list[Resource]]:
    """The two sites and their floors and resources (get or create): the desks, office 301, the live rooms."""
    xuhui, _c = Site.objects.get_or_create(
        name="徐汇创业首站",
        defaults={
            "kind": Site.Kind.FIRST_STOP,
            "district": "徐汇",
            "address": "徐汇区漕溪北路",
            "description": "从单人工位到产业集群：一张工位起步，成长为办公室、整层，再到集聚区。",
        },
    )
    x_floor, _c = Floor.objects.get_or_create(site=xuhui, number=3, defaults={"use": "AI 微短剧一人公司社区"})
    desks = [
        _resource(
            xuhui,
            f"工位 D-{i:02d}",
            floor=x_floor,
            kind=Resource.Kind.DESK,
            unit=Resource.Unit.MONTH,
            price_month_fen=80000,
            equipment=["升降桌", "显示器"],
        )
        for i in range(1, 13)
    ]
    office = _resource(
        xuhui,
        "办公室 301",
        floor=x_floor,
        kind=Resource.Kind.OFFICE,
        unit=Resource.Unit.MONTH,
        capacity=6,
        area_sqm=40,
        price_month_fen=600000,
    )
    _resource(
        xuhui,
        "整层 5F",
        kind=Resource.Kind.FLOOR,
        unit=Resource.Unit.MONTH,
        capacity=80,
        area_sqm=1200,
        price_month_fen=12000000,
    )
    _resource(
        xuhui,
        "路演会议室",
        floor=x_floor,
        kind=Resource.Kind.MEETING_ROOM,
        capacity=20,
        opens_at=dt.time(9),
        closes_at=dt.time(21),
        price_hour_fen=5000,
        buffer_minutes=10,
    )
    _resource(
        xuhui,
        "AI 微短剧中试渲染集群",
        kind=Resource.Kind.EQUIPMENT,
        capacity=4,
        opens_at=dt.time(0),
        closes_at=dt.time(23, 30),
        price_hour_fen=30000,
        equipment=["8×GPU 渲染节点", "调色工作站"],
    )

    base, _c = Site.objects.get_or_create(
        name="中船科技园直播孵化基地",
        defaults={
            "kind": Site.Kind.BASE,
            "district": "杨浦",
            "area_sqm": 15000,
            "description": "1–9 楼电商直播，11–19 楼优质内容创作；注册财税 → IP形象 → 周边/直播带货 → 跨境出海。",
        },
    )
    floors = {}
    for n in [*range(1, 10), *range(11, 20)]:
        floors[n], _c = Floor.objects.get_or_create(
            site=base, number=n, defaults={"use": "电商直播" if n < 10 else "优质内容创作"}
        )
    rooms = [
        _resource(
            base,
            scene,
            floor=floors[1 + i % 9],
            kind=Resource.Kind.LIVE_ROOM,
            capacity=4,
            area_sqm=25,
            opens_at=dt.time(8),
            closes_at=dt.time(23),
            price_hour_fen=12000,
            buffer_minutes=15,
            equipment=["补光灯", "声卡", "4K 摄像机", "提词器"],
        )
        for i, scene in enumerate(SCENES)
    ]
    _resource(
        base,
        "摄影棚 A（无影墙）",
        floor=floors[12],
        kind=Resource.Kind.STUDIO,
        capacity=15,
        area_sqm=200,
        opens_at=dt.time(8),
        closes_at=dt.time(22),
        price_hour_fen=40000,
        buffer_minutes=30,
        equipment=["无影墙", "ARRI 灯组", "绿幕"],
    )
    _resource(
        base,
        "15F 创作者办公室",
        floor=floors[15],
        kind=Resource.Kind.OFFICE,
        unit=Resource.Unit.MONTH,
        capacity=8,
        price_month_fen=900000,
    )
    _resource(
        base,
        "船坞取景地",
        kind=Resource.Kind.FILMING_LOCATION,
        unit=Resource.Unit.DAY,
        capacity=40,
        opens_at=dt.time(7),
        closes_at=dt.time(19),
        price_day_fen=300000,
        needs_approval=True,
        approval_days=5,
        owner_rules="保护历史建筑：不得在船坞结构上固定设备；夜间 19:00 后禁止拍摄。",
        required_documents=["协拍申请表", "剧组人员名单", "公众责任保险单", "拍摄脚本（涉及场地部分）"],
    )

    return desks, office, rooms


@transaction.atomic
def load_demo(today: dt.date | None = None) -> str:
    from shouzhan.registry.models import Enterprise

    desks, office, rooms = _places()
    made = 0
    studio = Enterprise.objects.filter(name="上海光合剧场文化科技有限公司").first()
    streamer = Enterprise.objects.filter(name="上海籽言直播文化传播有限公司").first()
    today = today or timezone.localdate()
    if studio is not None and not Tenancy.objects.filter(enterprise=studio).exists():
        from shouzhan.spaces.services import relief_decide

        start = today.replace(day=1) - dt.timedelta(days=120)
        start = start.replace(day=1)
        first_end = start + dt.timedelta(days=92)
        relief = relief_decide(enterprise=studio, resource=desks[0], on=start)
        desk_t = Tenancy.objects.create(
            enterprise=studio,
            resource=desks[0],
            start_on=start,
            end_on=first_end.replace(day=1),
            months=3,
            monthly_fee_fen=80000,
            relief_percent=relief.percent,
            relief_months=relief.months,
            relief_clause=relief.clause,
            relief_reason=relief.reason,
            status=Tenancy.Status.MOVED,
        )
        Tenancy.objects.create(
            enterprise=studio,
            resource=office,
            start_on=desk_t.end_on,
            end_on=desk_t.end_on + dt.timedelta(days=366),
            months=12,
            monthly_fee_fen=600000,
            previous=desk_t,
        )
        made += 2
    tz = timezone.get_current_timezone()
    tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    if (
        streamer is not None
        and not Booking.objects.filter(enterprise=streamer, start_at__gte=tomorrow).exists()
    ):
        for offset, hour in ((1, 10), (2, 14), (4, 19)):
            d = today + dt.timedelta(days=offset)
            start = dt.datetime.combine(d, dt.time(hour), tzinfo=tz)
            end = start + dt.timedelta(hours=2)
            Booking.objects.create(
                resource=rooms[offset],
                enterprise=streamer,
                start_at=start,
                end_at=end,
                blocked_until=end + dt.timedelta(minutes=15),
                people=3,
                purpose="直播带货",
                fee_fen=24000,
            )
            made += 1
    return (
        f"空间：徐汇创业首站 {len(desks)} 个工位、办公室与整层；中船科技园直播孵化基地 18 层、"
        f"直播十大景观 {len(rooms)} 间、摄影棚与船坞取景地；新建租用与预约 {made} 条"
    )


# ----------------------------------------------------------------------------- a year of history
# Bookings of the live rooms, the studio and the meeting room across the year ending yesterday, each made
# a few days ahead by an enterprise's contact through booking_create at that moment (time-machine, see
# cases.demo.travel), some cancelled; desks rented through tenancy_start as the district's startups came
# and went. Deterministic (a seeded random.Random); loaded once (desk D-02's first tenancy marks it).
HISTORY_SEED = 2026
# Bookable blocks of a day (start, end): the buffer after each is free before the next.
BLOCKS: dict[str, list[tuple[int, int, int, int]]] = {
    Resource.Kind.LIVE_ROOM: [
        (8, 0, 10, 0),
        (10, 30, 12, 30),
        (13, 0, 15, 0),
        (15, 30, 17, 30),
        (19, 0, 22, 0),
    ],
    Resource.Kind.STUDIO: [(9, 0, 12, 0), (13, 0, 17, 0)],
    Resource.Kind.MEETING_ROOM: [(9, 30, 11, 30), (14, 0, 16, 0), (19, 0, 21, 0)],
}
PURPOSES: dict[str, list[str]] = {
    Resource.Kind.LIVE_ROOM: ["直播带货", "新品首发直播", "知识区直播", "跨境直播（东南亚时段）", "达人连麦"],
    Resource.Kind.STUDIO: ["短剧棚拍", "产品拍摄", "AI 数字人采集"],
    Resource.Kind.MEETING_ROOM: ["项目路演", "投资人见面会", "团队周会", "客户洽谈"],
}


def load_history(today: dt.date) -> str:
    """A year of bookings (about one a day, more on weekends in the live rooms) and desk tenancies."""
    from shouzhan.accounts.models import User
    from shouzhan.cases.demo import demo_contacts, history_start, travel
    from shouzhan.spaces import services

    worker = User.objects.filter(mobile="13800000002").first()
    contacts = demo_contacts()
    if worker is None or not contacts:
        return "空间历史：未找到演示账号，已跳过"
    desks = _places()[0][1:]  # D-01 is the demo studio's (today's demo)
    if Tenancy.objects.filter(resource__in=desks[:1]).exists():
        return "空间历史：已加载，跳过"
    rng = random.Random(HISTORY_SEED)
    tz = timezone.get_current_timezone()
    rooms = list(
        Resource.objects.filter(kind__in=list(BLOCKS), is_active=True, needs_approval=False).order_by("id")
    )
    start = history_start(today)
    booked = cancelled = rented = 0
    with transaction.atomic():
        # Desks: the startups moved in across the year for three, six or twelve months.
        for i, desk in enumerate(desks):
            first = start + dt.timedelta(days=rng.randrange(0, 200))
            user, enterprise = contacts[(i + 2) % len(contacts)]
            with travel(first, 9):
                services.tenancy_start(
                    actor=worker,
                    enterprise=enterprise,
                    resource=desk,
                    start_on=first,
                    months=rng.choice([3, 6, 12]),
                )
            rented += 1
        taken: set[tuple[int, dt.date, int]] = set()
        for offset in range(364):
            day = start + dt.timedelta(days=offset)
            count = rng.choice([0, 1, 1, 2, 2, 3] if day.weekday() >= 5 else [0, 1, 1, 1, 2])
            if offset % 7 == 0:
                count = max(count, 1)  # every week has its bookings, the Spring Festival's too
            for _n in range(count):
                room = rng.choice(rooms)
                blocks = BLOCKS[room.kind]
                b = rng.randrange(len(blocks))
                if (room.pk, day, b) in taken:
                    continue
                taken.add((room.pk, day, b))
                h0, m0, h1, m1 = blocks[b]
                user, enterprise = rng.choice(contacts)
                ahead = rng.randint(1, 7)
                made_on = day - dt.timedelta(days=ahead)
                with travel(made_on, rng.randint(9, 20), 5):
                    booking = services.booking_create(
                        actor=user,
                        resource=room,
                        enterprise=enterprise,
                        start_at=dt.datetime.combine(day, dt.time(h0, m0), tzinfo=tz),
                        end_at=dt.datetime.combine(day, dt.time(h1, m1), tzinfo=tz),
                        people=min(room.capacity, rng.randint(1, 4)),
                        purpose=rng.choice(PURPOSES[room.kind]),
                    )
                booked += 1
                if rng.random() < 0.06 and ahead > 1:  # plans change: cancelled the day before
                    with travel(day - dt.timedelta(days=1), 18):
                        services.booking_cancel(actor=user, booking=booking, reason="档期调整")
                    cancelled += 1
    return f"空间历史：一年预约 {booked} 次（取消 {cancelled} 次），工位入驻 {rented} 家"

"""Demo data for the community: the 1st and 2nd OPC 创业能力沙龙 with mentors and feedback, the inventor's
70 patents on the market, and a few enterprises' needs. Idempotent; runs after the registry demo."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from shouzhan.accounts.models import User
from shouzhan.community import services
from shouzhan.community.models import Event, EventSeries, Listing, MentorProfile, Registration
from shouzhan.core.audit import audit_record
from shouzhan.registry.models import Enterprise, Patent, Person, Project

STATUS = {"granted": "granted", "pending": "pending", "expired": "expired"}
NEEDS = [
    (
        "new_materials",
        "寻找外墙保温新材料技术",
        "新材料",
        "我们生产建筑外墙保温板，希望获得节能保温墙体材料的专利许可或转让。",
    ),
    (
        "live_streaming",
        "需要多语种数字人直播方案",
        "直播电商",
        "跨境出海直播需要多语种数字人主播与直播间脚本生成。",
    ),
    (
        "micro_drama",
        "寻找AI微短剧分镜自动生成技术",
        "微短剧",
        "一人公司制作AI微短剧，需要从剧本自动生成分镜。",
    ),
]


def _user(mobile: str) -> User | None:
    return User.objects.filter(mobile=mobile).first()


def _mentor(mentor_user: User) -> MentorProfile:
    return MentorProfile.objects.filter(user=mentor_user).first() or services.mentor_profile_save(
        actor=mentor_user,
        user=mentor_user,
        data={
            "headline": "资深影视制片人 · OPC 创业能力沙龙导师",
            "expertise": "微短剧、剧本、发行、一人公司",
            "availability": "每周三下午",
            "bio": "牺牲休息时间来到现场，认真点评、用心指导、倾囊相授。",
        },
    )


@transaction.atomic
def load_demo(today: dt.date | None = None) -> str:
    caseworker, mentor_user, founder, inventor_user = (
        _user(m) for m in ("13800000002", "13800000004", "13800000001", "13800000007")
    )
    if caseworker is None or mentor_user is None:
        return "社区：未找到演示账号，请先加载区级演示数据"
    mentor = _mentor(mentor_user)
    series, _created = EventSeries.objects.get_or_create(
        name="OPC 创业能力沙龙", defaults={"description": "探索一人公司、AI 应用与个人事业可能性的系列沙龙。"}
    )
    # Salons start at 14:00 Shanghai time (the agenda below), whatever the server's clock zone.
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    plan = [
        (1, "第一场 OPC 创业能力沙龙", now - dt.timedelta(days=30)),
        (2, "第二场 OPC 创业能力沙龙", now - dt.timedelta(days=1)),
        (3, "第三场 OPC 创业能力沙龙", now + dt.timedelta(days=14)),
    ]
    events: list[Event] = []
    for number, title, start in plan:
        event = Event.objects.filter(series=series, number_in_series=number).first()
        if event is None:
            event = services.event_create(
                actor=caseworker,
                data={
                    "series": series,
                    "number_in_series": number,
                    "title": title,
                    "summary": "普通人如何借助AI重新组织自己的能力；一个人如何把热爱变成事业；一个小项目如何走向更大的市场。",
                    "agenda": "14:00 开场\n14:20 项目路演（每组 8 分钟）\n15:30 导师点评\n16:30 自由交流",
                    "speakers": "陈导",
                    "venue": "上钢营商服务中心 二楼多功能厅",
                    "starts_at": start.replace(hour=14),
                    "ends_at": start.replace(hour=17),
                    "capacity": 40,
                    "mentors": [mentor],
                },
            )
        events.append(event)
    project = (
        Project.objects.filter(enterprise__organisation__memberships__user=founder).first()
        if founder
        else None
    )
    if founder is not None and project is not None:
        for event in events[:2]:  # past salons: registered and checked in at the time
            reg, made = Registration.objects.get_or_create(
                event=event,
                user=founder,
                defaults={
                    "project": project,
                    "status": Registration.Status.CONFIRMED,
                    "code": services.registration_code_new(),
                    "checked_in_at": event.starts_at,
                    "checked_in_by": caseworker,
                },
            )
            if made:
                audit_record(
                    actor="system:demo",
                    action="community.registration_create",
                    target=reg,
                    after={"status": reg.status},
                )
        services.feedback_save(
            actor=mentor_user,
            event=events[1],
            project=project,
            text="选题贴近生活、节奏紧凑。建议先做 5 集试播验证留存，再申报“沪8条”优秀微短剧项目；AI 分镜可以再统一画风。",
        )
    listed = 0
    person = Person.objects.filter(user=inventor_user).first() if inventor_user else None
    if person is not None and inventor_user is not None:
        for patent in Patent.objects.filter(holder_person=person):
            if Listing.objects.filter(patent_number=patent.number).exists():
                continue
            services.listing_create(
                actor=inventor_user,
                direction=Listing.Direction.OFFER,
                owner_person=person,
                data={
                    "patent_number": patent.number,
                    "title": patent.title,
                    "abstract": patent.abstract
                    or f"{patent.title}。发明人希望在有生之年把好的技术推广出去，可许可或转让。",
                    "legal_status": STATUS.get(patent.status, "granted"),
                    "field": patent.field or "其他",
                    "seeking": ["licence", "sale", "partner"],
                },
            )
            listed += 1
    needs = 0
    for sector, title, field, abstract in NEEDS:
        enterprise = Enterprise.objects.filter(sector=sector).exclude(organisation__isnull=True).first() or (
            Enterprise.objects.filter(sector=sector).first()
        )
        if enterprise is None or Listing.objects.filter(title=title).exists():
            continue
        services.listing_create(
            actor=caseworker,
            direction=Listing.Direction.NEED,
            owner_enterprise=enterprise,
            data={"title": title, "abstract": abstract, "field": field, "seeking": ["licence", "partner"]},
        )
        needs += 1
    return (
        f"社区：OPC 创业能力沙龙 {len(events)} 场、导师 {MentorProfile.objects.count()} 位、"
        f"技术成果 {Listing.objects.filter(direction='offer').count()} 项（本次新增 {listed}）、"
        f"技术需求 {Listing.objects.filter(direction='need').count()} 项"
    )


# ----------------------------------------------------------------------------- a year of history
# A monthly policy briefing (首站政策解读会) with registrations and check-ins at the door, and the mentor's
# office hours every other Wednesday afternoon, booked by the district's entrepreneurs — through the
# community services at their own moments (cases.demo.travel). Loaded once (the series marks it).
HISTORY_SEED = 2026
BRIEFING = "首站政策解读会"
BRIEFING_TOPICS = [
    "沪8条与徐汇区微短剧扶持政策解读",
    "算力券、模型券、语料券怎么申领与核销",
    "一人公司的注册、财税与社保",
    "AI 微短剧备案：规划备案与完成片上线备案",
    "直播电商合规与出海",
    "知识产权质押融资与专利转化",
]


def load_history(today: dt.date) -> str:
    from shouzhan.cases.demo import demo_contacts, history_workdays, travel

    caseworker, mentor_user = _user("13800000002"), _user("13800000004")
    contacts = demo_contacts()
    if caseworker is None or mentor_user is None or not contacts:
        return "社区历史：未找到演示账号，已跳过"
    if EventSeries.objects.filter(name=BRIEFING).exists():
        return "社区历史：已加载，跳过"
    rng = random.Random(HISTORY_SEED)
    tz = timezone.get_current_timezone()
    days = history_workdays(today)
    by_month: dict[tuple[int, int], list[dt.date]] = {}
    for d in days:
        by_month.setdefault((d.year, d.month), []).append(d)
    events = registrations = attended = slots = booked = 0
    with transaction.atomic():
        mentor = _mentor(mentor_user)
        series = EventSeries.objects.create(
            name=BRIEFING, description="每月一场，讲清楚一项政策怎么申报、怎么用。"
        )
        months = [
            m for m in sorted(by_month.items()) if len(m[1]) > 12
        ]  # whole months with their 10th workday
        for number, (_month, month_days) in enumerate(months, start=1):
            day = month_days[9]
            starts = dt.datetime.combine(day, dt.time(14), tzinfo=tz)
            with travel(month_days[0], 10):
                event = services.event_create(
                    actor=caseworker,
                    data={
                        "series": series,
                        "number_in_series": number,
                        "title": f"第{number}期 {BRIEFING}：{BRIEFING_TOPICS[(number - 1) % len(BRIEFING_TOPICS)]}",
                        "summary": "政策专员讲解申报条件、材料与办理时限，现场答疑。",
                        "agenda": "14:00 政策讲解\n15:00 案例分享\n15:30 现场答疑",
                        "speakers": "王政（政策专员）",
                        "venue": "上钢营商服务中心 二楼多功能厅",
                        "starts_at": starts,
                        "ends_at": starts + dt.timedelta(hours=2),
                        "capacity": 30,
                        "mentors": [mentor],
                    },
                )
            events += 1
            people = rng.sample(contacts, k=min(len(contacts), rng.randint(8, 18)))
            tickets = []
            for k, (user, _enterprise) in enumerate(people):
                with travel(month_days[1 + k % 8], rng.randint(9, 21), 0):
                    tickets.append(services.registration_create(actor=user, event=event))
                registrations += 1
            for reg in tickets:
                if rng.random() < 0.8:  # most come; the rest are no-shows
                    with travel(day, 13, rng.randint(40, 59)):
                        services.registration_check_in(actor=caseworker, event=event, code=reg.code)
                    attended += 1
            # The mentor's office hours: two slots on the Wednesdays of the first and third weeks.
            for wednesday in [d for d in month_days if d.weekday() == 2][0:4:2]:
                for hour in (14, 15):
                    with travel(wednesday - dt.timedelta(days=7), 9):
                        slot = services.office_hour_create(
                            actor=mentor_user,
                            starts_at=dt.datetime.combine(wednesday, dt.time(hour), tzinfo=tz),
                            minutes=45,
                            place="上钢营商服务中心 导师室",
                        )
                    slots += 1
                    if rng.random() < 0.75:
                        user, _enterprise = rng.choice(contacts)
                        with travel(wednesday - dt.timedelta(days=rng.randint(1, 5)), 20):
                            services.office_hour_book(
                                actor=user,
                                slot=slot,
                                topic=rng.choice(BRIEFING_TOPICS)[:40] + "：想听听导师的建议",
                            )
                        booked += 1
    return (
        f"社区历史：{BRIEFING} {events} 场（报名 {registrations} 人次，签到 {attended} 人次），"
        f"导师办公时间 {slots} 个（预约 {booked} 个）"
    )

"""Demo data for the community: the 1st and 2nd OPC 创业能力沙龙 with mentors and feedback, the inventor's
70 patents on the market, and a few enterprises' needs. Idempotent; runs after the registry demo."""

from __future__ import annotations

import datetime as dt

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


@transaction.atomic
def load_demo(today: dt.date | None = None) -> str:
    caseworker, mentor_user, founder, inventor_user = (
        _user(m) for m in ("13800000002", "13800000004", "13800000001", "13800000007")
    )
    if caseworker is None or mentor_user is None:
        return "社区：未找到演示账号，请先加载区级演示数据"
    mentor = MentorProfile.objects.filter(user=mentor_user).first() or services.mentor_profile_save(
        actor=mentor_user,
        user=mentor_user,
        data={
            "headline": "资深影视制片人 · OPC 创业能力沙龙导师",
            "expertise": "微短剧、剧本、发行、一人公司",
            "availability": "每周三下午",
            "bio": "牺牲休息时间来到现场，认真点评、用心指导、倾囊相授。",
        },
    )
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

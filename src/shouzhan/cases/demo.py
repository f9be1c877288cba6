"""Demo cases for `shouzhan demo`: a few believable cases in various states, one overdue, one due today.

Idempotent: a demo case is recognised by its enterprise and title and never made twice.
Runs after the registry demo (the demo logins and enterprises must exist).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
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


def load_demo() -> str:
    from shouzhan.accounts.models import User
    from shouzhan.registry.models import Enterprise

    founder = User.objects.filter(mobile="13800000001").first()
    streamer = User.objects.filter(mobile="13800000008").first()
    worker = User.objects.filter(mobile="13800000002").first()
    studio = Enterprise.objects.filter(name="上海光合剧场文化科技有限公司").first()
    live = Enterprise.objects.filter(name="上海籽言直播文化传播有限公司").first()
    if not (founder and streamer and worker and studio and live):
        return "办件演示数据：未找到演示企业，已跳过"
    today = timezone.localdate()
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

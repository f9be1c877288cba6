"""Demo data for offers: the district's push runs of the past months and what the enterprises did with
them (confirmed, declined, let expire; the fast-track cases accepted, approved, paid), then today's run.

Everything goes through the real services at its own past moment (cases.demo.travel), so the funnel, the
times to confirmation and the audit trail show what happened. Deterministic for a given day; idempotent.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core.exceptions import ValidationError

from shouzhan.offers.models import Offer, PushRun

HISTORY_SEED = 2026
PUSHER = "system:offers-demo"
# Voucher clauses grant vouchers on approval (a programme of the year must be open): left in review here.
ANSWERS = ("confirm", "confirm", "decline", "confirm", "lapse", "confirm")
NOT_DECIDED_IN_DEMO = ("xuhui.compute_voucher", "xuhui.model_voucher", "xuhui.corpus_voucher")


def _push(day: dt.date, scope: str = PushRun.Scope.FULL) -> PushRun:
    from shouzhan.cases.demo import travel
    from shouzhan.offers.services import push_run_execute, push_run_start

    with travel(day, 7, 30):
        run = push_run_start(actor=PUSHER, trigger=PushRun.Trigger.SCHEDULE, scope=scope, on=day)
        return push_run_execute(run_id=run.pk)


def load_history(*, today: dt.date) -> str:
    """Three months of pushes: a full run, the enterprises' answers over the following weeks, the fast-track
    cases decided, a run over what changed, and the unanswered offers expiring."""
    from shouzhan.accounts.models import User
    from shouzhan.cases.demo import demo_contacts, history_workdays, travel
    from shouzhan.cases.services import case_transition
    from shouzhan.offers.services import offer_confirm, offer_decline, offers_expire

    if PushRun.objects.filter(trigger=PushRun.Trigger.SCHEDULE, on__lt=today).exists():
        return "政策直达历史：已加载，跳过"
    worker = User.objects.filter(mobile="13800000002").first()
    days = history_workdays(today)
    if worker is None or len(days) < 80:
        return "政策直达历史：未找到演示账号，已跳过"
    rng = random.Random(HISTORY_SEED)
    first = _push(days[-75])
    contacts = demo_contacts()
    confirmed = declined = decided = paid = 0
    answers = 0  # the enterprises' answers in turn: most confirm, some decline, some let the offer lapse
    for user, enterprise in contacts:
        offers = list(
            Offer.objects.filter(enterprise=enterprise, current=True, state="offered").order_by("key")
        )
        keep_open = user.mobile == "13800000001"  # the demo entrepreneur keeps some for today
        for n, offer in enumerate(offers):
            if keep_open and n % 2 == 0:
                continue
            answer = ANSWERS[answers % len(ANSWERS)]
            answers += 1
            if answer == "confirm":
                day = days[-75 + rng.randint(1, 12)]
                try:
                    with travel(day, 9 + rng.randint(0, 7), rng.choice([5, 20, 40])):
                        offer = offer_confirm(
                            actor=user,
                            offer=offer,
                            contact=f"{user.name} {user.mobile}",
                            declaration_accepted=True,
                            today=day,
                        )
                except ValidationError:
                    continue  # e.g. the clause's budget for the year was short: the offer stays open
                confirmed += 1
                if offer.clause_id in NOT_DECIDED_IN_DEMO or offer.case is None:
                    continue
                decided_now, paid_now = _decide(offer, worker, days, day, rng, case_transition, travel)
                decided += decided_now
                paid += paid_now
            elif answer == "decline":
                day = days[-75 + rng.randint(2, 15)]
                with travel(day, 15, 10):
                    offer_decline(
                        actor=user,
                        offer=offer,
                        reason=rng.choice(
                            ["本年度已通过市级渠道申报", "项目暂未启动，明年再申报", "不符合企业发展方向"]
                        ),
                        today=day,
                    )
                declined += 1
    second = _push(days[-30], PushRun.Scope.CHANGED)
    with travel(days[-3], 6, 0):
        expired = offers_expire(today=days[-3])
    return (
        f"政策直达历史：{first.offers_new} 项首次推送，{confirmed} 项确认（{decided} 项已决定，{paid} 项已拨付），"
        f"{declined} 项放弃，{expired} 项过期；变化批次新增 {second.offers_new} 项"
    )


def _decide(
    offer: Offer,
    worker: Any,
    days: list[dt.date],
    confirmed_on: dt.date,
    rng: random.Random,
    case_transition: Any,
    travel: Any,
) -> tuple[int, int]:
    """The caseworker's steps on a fast-track case within its limit: accept, review, then approve (most)
    or not support; approved ones are published and paid when their days have come."""
    case = offer.case
    assert case is not None
    at = days.index(confirmed_on)
    # Within the limits: decided in the fast track's 5 working days, published within the approval's 3,
    # paid when the 5 days of publication are over — now and then two days late, as payments are.
    steps: list[tuple[int, str, dict[str, object]]] = [(1, "accept", {}), (2, "start_review", {})]
    late = rng.choice([0, 0, 0, 0, 2])
    if rng.random() < 0.8:
        amount = offer.max_amount_fen or 0
        if amount <= 0:
            return 0, 0
        steps += [(3, "approve", {"amount_fen": amount}), (5, "publish", {}), (10 + late, "disburse", {})]
    else:
        steps.append((4, "not_support", {"note": "材料显示项目尚未完成，暂不支持"}))
    decided = paid = 0
    for offset, action, kw in steps:
        if at + offset >= len(days):
            break
        day = days[at + offset]
        try:
            with travel(day, 10, 30):
                case_transition(
                    actor=worker, case=case, action=action, expected_version=case.version, on=day, **kw
                )
        except ValidationError:
            break
        case.refresh_from_db()
        decided += action in ("approve", "not_support")
        paid += action == "disburse"
    return decided, paid


def load_demo(today: dt.date | None = None) -> str:
    """Today's run over the whole district (what an enterprise logging in today is offered)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    if PushRun.objects.filter(on=today, status=PushRun.Status.DONE, scope=PushRun.Scope.FULL).exists():
        return "政策直达：今日推送已完成，跳过"
    from shouzhan.offers.services import push_run_execute, push_run_start

    run = push_run_start(actor=PUSHER, trigger=PushRun.Trigger.SCHEDULE, on=today)
    run = push_run_execute(run_id=run.pk)
    open_now = Offer.objects.filter(current=True, state__in=Offer.OPEN).count()
    return f"政策直达：今日推送新增 {run.offers_new} 项，当前待确认或待补充 {open_now} 项"

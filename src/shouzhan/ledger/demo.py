"""Demo data of the ledger: the 2026 voucher programmes, two providers, grants to the demo studio, claims.

Idempotent: runs again without duplicating (programmes by item and year, providers by login,
claims by invoice number).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

from shouzhan.accounts.models import Membership, Organisation, User
from shouzhan.core.roles import Role

YEAR = 2026  # the year of the programmes when no `today` is given
PASSWORD = "shouzhan2026"
PROVIDERS = [
    ("13800000011", "周算（徐汇智算中心）", "上海徐汇智算科技有限公司", ["compute", "model"]),
    ("13800000012", "吴语（语料服务商）", "上海汇语数据服务有限公司", ["corpus", "model"]),
]
BUDGETS = {"compute": 3_000_000_000, "model": 2_000_000_000, "corpus": 1_000_000_000}  # 3000/2000/1000 万元


def _provider(mobile: str, person: str, company: str) -> tuple[Organisation, User]:
    user = User.objects.filter(mobile=mobile).first()
    if user is None:
        user = User.objects.create_user(name=person, password=PASSWORD, mobile=mobile, role=Role.ENTREPRENEUR)
    org = Organisation.objects.filter(name=company, kind=Organisation.Kind.PROVIDER).first()
    if org is None:
        org = Organisation.objects.create(name=company, kind=Organisation.Kind.PROVIDER)
    Membership.objects.get_or_create(user=user, organisation=org, defaults={"is_owner": True})
    return org, user


def _programmes(officer: User, year: int) -> tuple[list[Any], dict[str, Any]]:
    """The providers and the year's three programmes, opened on 1 January (the burn-down starts there)."""
    from shouzhan.cases.demo import travel
    from shouzhan.ledger import services
    from shouzhan.ledger.models import Programme

    providers = [(_provider(m, p, c), items) for m, p, c, items in PROVIDERS]
    programmes: dict[str, Programme] = {}
    for item, budget in BUDGETS.items():
        programme = Programme.objects.filter(item=item, year=year).first()
        if programme is None:
            with travel(dt.date(year, 1, 1), 9):
                programme = services.programme_open(
                    actor=officer,
                    item=item,
                    year=year,
                    valid_from=dt.date(year, 1, 1),
                    valid_until=dt.date(year, 12, 31),
                    budget_fen=budget,
                )
        for (org, _user), items in providers:
            if item in items:
                programme.providers.add(org)
        programmes[item] = programme
    return providers, programmes


def load_demo(today: dt.date | None = None) -> str:
    from shouzhan.ledger import services
    from shouzhan.ledger.models import Claim, Journal
    from shouzhan.registry.models import Enterprise

    officer = User.objects.filter(mobile="13800000003").first()
    caseworker = User.objects.filter(mobile="13800000002").first()
    founder = User.objects.filter(mobile="13800000001").first()
    studio = Enterprise.objects.filter(name="上海光合剧场文化科技有限公司").first()
    if not (officer and caseworker and founder and studio):
        return "券与资金演示数据：未找到演示企业或人员，已跳过"
    year = today.year if today else YEAR
    with transaction.atomic():
        providers, programmes = _programmes(officer, year)
        for item, amount in (("compute", 60_000_000), ("model", 30_000_000)):
            if not Journal.objects.filter(
                kind="grant", programme=programmes[item], enterprise=studio
            ).exists():
                services.voucher_grant(
                    actor=officer,
                    programme=programmes[item],
                    enterprise=studio,
                    amount_fen=amount,
                    note="演示：年度发券",
                )
        (compute_org, compute_user), _ = providers[0]
        demo_claims = [
            (f"DEMO-{year}-0001", 12_000_000, "approved", f"GPU 算力 {year}年3月"),
            (f"DEMO-{year}-0002", 8_000_000, "confirmed", f"GPU 算力 {year}年4月"),
            (f"DEMO-{year}-0003", 5_000_000, "submitted", f"模型微调算力 {year}年5月"),
        ]
        for invoice, amount, state, text in demo_claims:
            if Claim.objects.filter(invoice_no=invoice).exists():
                continue
            claim = services.claim_submit(
                actor=compute_user,
                programme=programmes["compute"],
                enterprise=studio,
                provider=compute_org,
                amount_fen=amount,
                invoice_no=invoice,
                service_from=dt.date(year, 3, 1),
                service_to=dt.date(year, 3, 31),
                description=text,
            )
            if state in ("confirmed", "approved"):
                claim = services.claim_confirm(actor=founder, claim=claim)
            if state == "approved":
                services.claim_approve(actor=caseworker, claim=claim)
    return f"券与资金：{year} 年算力券、模型券、语料券项目及预算，2 家服务商（13800000011、13800000012），光合剧场的券与 3 笔核销申请"


# ----------------------------------------------------------------------------- a year of history
# The year's vouchers as they were used: grant rounds at the start of each month, a provider's claim for
# each month of service (confirmed by the enterprise, approved by a caseworker, a few declined or
# rejected), and a disbursement batch in the middle of each month paid two working days later — through
# the ledger's services at their own moments (cases.demo.travel). Only this year's programmes, so a demo
# loaded in the first months of a year has fewer months of claims. Loaded once (HIST- invoices mark it).
HISTORY_SEED = 2026
MONTHLY_USE = (3, 9)  # a month's claim: 3–9 % of the grant (eleven months never exceed the wallet)


def load_history(today: dt.date) -> str:
    from shouzhan.cases.demo import demo_contacts, history_start, history_workdays, travel
    from shouzhan.ledger import services
    from shouzhan.ledger.models import Claim, Payment

    officer = User.objects.filter(mobile="13800000003").first()
    caseworker = User.objects.filter(mobile="13800000002").first()
    contacts = demo_contacts()[1:]  # not the demo studio: its own vouchers are today's demo
    if officer is None or caseworker is None or not contacts:
        return "券与资金历史：未找到演示账号，已跳过"
    if Claim.objects.filter(invoice_no__startswith="HIST-").exists():
        return "券与资金历史：已加载，跳过"
    rng = random.Random(HISTORY_SEED)
    year = today.year
    first_day = max(dt.date(year, 1, 1), history_start(today))
    by_month: dict[int, list[dt.date]] = {}
    for d in history_workdays(today):
        if d >= first_day:
            by_month.setdefault(d.month, []).append(d)
    granted: list[tuple[User, Any, str, int, int]] = []  # (user, enterprise, item, amount, month)
    claims = paid = 0
    with transaction.atomic():
        providers, programmes = _programmes(officer, year)
        waiting = list(contacts)
        rng.shuffle(waiting)
        for month, days in sorted(by_month.items()):
            # The month's grant round: two or three more enterprises get their vouchers.
            with travel(days[0], 10):
                for _i in range(rng.choice([2, 2, 3])):
                    if not waiting:
                        break
                    user, enterprise = waiting.pop()
                    item = rng.choice(["compute", "compute", "model", "corpus"])
                    amount = rng.choice([20, 30, 50, 60, 80, 100]) * 1_000_000
                    services.voucher_grant(
                        actor=officer,
                        programme=programmes[item],
                        enterprise=enterprise,
                        amount_fen=amount,
                        note=f"{month} 月发券批次",
                    )
                    granted.append((user, enterprise, item, amount, month))
            # Last month's service is claimed in the first days of this month.
            if month > 1:
                served = (dt.date(year, month - 1, 1), dt.date(year, month, 1) - dt.timedelta(days=1))
                for user, enterprise, item, amount, since in granted:
                    if since < month and rng.random() < 0.8:  # not every enterprise used them every month
                        used = amount * rng.randint(*MONTHLY_USE) // 100
                        claims += _history_claim(
                            rng, providers, programmes[item], caseworker, user, enterprise, used, days, served
                        )
            # The month's payments: every approved claim not yet paid, in one batch, paid two days later.
            if len(days) > 12 and Claim.objects.filter(state=Claim.State.APPROVED).exists():
                with travel(days[10], 15):
                    batch = services.disbursement_batch_create(actor=caseworker, note=f"{month} 月拨付批次")
                with travel(days[12], 11):
                    for payment in Payment.objects.filter(batch=batch).order_by("id"):
                        services.payment_mark(actor=caseworker, payment=payment, status=Payment.Status.PAID)
                        paid += 1
    return f"券与资金历史：{year} 年发券 {len(granted)} 家，核销申请 {claims} 笔，拨付 {paid} 笔"


def _history_claim(
    rng: random.Random,
    providers: list[Any],
    programme: Any,
    caseworker: User,
    user: User,
    enterprise: Any,
    amount: int,
    days: list[dt.date],
    served: tuple[dt.date, dt.date],
) -> int:
    """One month's claim, as far as it got by yesterday: submitted, confirmed or declined, approved or
    rejected (each step a few working days after the one before)."""
    from shouzhan.cases.demo import travel
    from shouzhan.ledger import services

    (org, provider_user), _items = next(p for p in providers if programme.item in p[1])
    steps = [rng.randint(0, 3), rng.randint(4, 6), rng.randint(7, 9)]
    if steps[0] >= len(days):
        return 0
    with travel(days[steps[0]], 14):
        claim = services.claim_submit(
            actor=provider_user,
            programme=programme,
            enterprise=enterprise,
            provider=org,
            amount_fen=amount,
            invoice_no=f"HIST-{served[0]:%Y%m}-{enterprise.pk:04d}-{programme.item[:2].upper()}",
            service_from=served[0],
            service_to=served[1],
            description=f"{programme.name} {served[0]:%Y年%m月}服务",
        )
    fate = rng.random()
    if steps[1] >= len(days):
        return 1
    with travel(days[steps[1]], 10):
        if fate < 0.03:
            services.claim_decline(actor=user, claim=claim, note="服务未按约交付")
            return 1
        claim = services.claim_confirm(actor=user, claim=claim)
    if steps[2] >= len(days):
        return 1
    with travel(days[steps[2]], 16):
        if fate < 0.06:
            services.claim_reject(actor=caseworker, claim=claim, note="发票与服务期不符")
        else:
            services.claim_approve(actor=caseworker, claim=claim)
    return 1

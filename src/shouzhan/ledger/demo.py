"""Demo data of the ledger: the 2026 voucher programmes, two providers, grants to the demo studio, claims.

Idempotent: runs again without duplicating (programmes by item and year, providers by login,
claims by invoice number).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from shouzhan.accounts.models import Membership, Organisation, User
from shouzhan.core.roles import Role

YEAR = 2026
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


def load_demo(today: dt.date | None = None) -> str:
    from shouzhan.ledger import services
    from shouzhan.ledger.models import Claim, Journal, Programme
    from shouzhan.registry.models import Enterprise

    officer = User.objects.filter(mobile="13800000003").first()
    caseworker = User.objects.filter(mobile="13800000002").first()
    founder = User.objects.filter(mobile="13800000001").first()
    studio = Enterprise.objects.filter(name="上海光合剧场文化科技有限公司").first()
    if not (officer and caseworker and founder and studio):
        return "券与资金演示数据：未找到演示企业或人员，已跳过"
    with transaction.atomic():
        providers = [(_provider(m, p, c), items) for m, p, c, items in PROVIDERS]
        programmes: dict[str, Programme] = {}
        for item, budget in BUDGETS.items():
            programme = Programme.objects.filter(item=item, year=YEAR).first()
            if programme is None:
                programme = services.programme_open(
                    actor=officer,
                    item=item,
                    year=YEAR,
                    valid_from=dt.date(YEAR, 1, 1),
                    valid_until=dt.date(YEAR, 12, 31),
                    budget_fen=budget,
                )
            for (org, _user), items in providers:
                if item in items:
                    programme.providers.add(org)
            programmes[item] = programme
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
            ("DEMO-2026-0001", 12_000_000, "approved", "GPU 算力 2026年3月"),
            ("DEMO-2026-0002", 8_000_000, "confirmed", "GPU 算力 2026年4月"),
            ("DEMO-2026-0003", 5_000_000, "submitted", "模型微调算力 2026年5月"),
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
                service_from=dt.date(YEAR, 3, 1),
                service_to=dt.date(YEAR, 3, 31),
                description=text,
            )
            if state in ("confirmed", "approved"):
                claim = services.claim_confirm(actor=founder, claim=claim)
            if state == "approved":
                services.claim_approve(actor=caseworker, claim=claim)
    return "券与资金：2026 年算力券、模型券、语料券项目及预算，2 家服务商（13800000011、13800000012），光合剧场的券与 3 笔核销申请"

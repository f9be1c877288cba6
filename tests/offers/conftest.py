"""A small register for offers: enterprises in and out of 徐汇 with projects of several kinds, some facts
missing (prompts), and the catalogue loaded from catalogue/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings

from shouzhan.offers.models import PushRun
from shouzhan.offers.services import push_run_execute, push_run_start
from shouzhan.policies.services import catalogue_sync
from shouzhan.registry.models import Project

ON = dt.date(2026, 12, 7)  # a Monday
OFFICER = "system:test"


@pytest.fixture
def catalogue(db: Any) -> Any:
    return catalogue_sync(actor=OFFICER, directory=settings.CATALOGUE_DIR)


def project(enterprise: Any, kind: str, title: str = "", **facts: Any) -> Project:
    extra = facts.pop("extra_facts", {})
    return Project.objects.create(
        enterprise=enterprise,
        kind=kind,
        title=title or f"{kind} {enterprise.pk}",
        year=2026,
        extra_facts=extra,
        **facts,
    )


@pytest.fixture
def register(catalogue: Any, make_enterprise: Any) -> dict[str, Any]:
    """Named enterprises and projects (owners are their members)."""
    full = dict(
        district="徐汇",
        registered_on=dt.date(2024, 3, 1),
        employees=12,
        annual_revenue_fen=300_000_000,
        is_one_person_company=False,
        sector="micro_drama",
        in_cluster=True,
        is_startup=True,
    )
    studio, studio_owner = make_enterprise("光启短剧工作室", **full)
    agent, agent_owner = make_enterprise(
        "徐汇智能体公司", **{**full, "sector": "ai_agent", "is_startup": False}
    )
    gaps, gaps_owner = make_enterprise("信息不全公司", district="徐汇", sector="micro_drama")
    outside, outside_owner = make_enterprise(
        "浦东直播公司", **{**full, "district": "浦东新区", "sector": "live_streaming"}
    )
    drama = project(
        studio,
        "micro_drama",
        "《弄堂里的光》",
        rd_investment_fen=80_000_000,
        self_developed=True,
        market_recognized=True,
        excellent=True,
        extra_facts={"award_winning": False, "benchmark_work": False},
    )
    voucher = project(studio, "vouchers", "算力券申领", extra_facts={"voucher_item": "compute"})
    agent_rd = project(
        agent,
        "agent",
        "短剧编剧智能体",
        rd_investment_fen=500_000_000,
        self_developed=True,
        market_recognized=True,
    )
    settle = project(agent, "settlement", "落户徐汇")
    unknown_drama = project(gaps, "micro_drama", "未填全的作品")
    outside_drama = project(outside, "micro_drama", "浦东作品", excellent=True, rd_investment_fen=10_000_000)
    return {
        "studio": studio,
        "studio_owner": studio_owner,
        "agent": agent,
        "agent_owner": agent_owner,
        "gaps": gaps,
        "gaps_owner": gaps_owner,
        "outside": outside,
        "outside_owner": outside_owner,
        "drama": drama,
        "voucher": voucher,
        "agent_rd": agent_rd,
        "settle": settle,
        "unknown_drama": unknown_drama,
        "outside_drama": outside_drama,
    }


def run_push(*, on: dt.date = ON, scope: str = "full", engine: str = "polars") -> PushRun:
    """Start a run and let "the worker" do it here, now."""
    run = push_run_start(
        actor=OFFICER, trigger=PushRun.Trigger.MANUAL, scope=scope, engine_name=engine, on=on
    )
    return push_run_execute(run_id=run.pk)

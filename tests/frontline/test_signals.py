"""未诉先办: each signal on its fixture with its exact reason and key, the visit task it opens, idempotency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from shouzhan.core.audit import AuditEntry
from shouzhan.core.models import Notification
from shouzhan.core.roles import Role
from shouzhan.frontline import services, signals
from shouzhan.frontline.models import Demand, VisitPlan

pytestmark = pytest.mark.django_db
D = dt.date
SCAN_DAY = D(2026, 12, 3)  # a Thursday


@pytest.fixture
def lead(make_user: Callable[..., Any]) -> Any:
    """The first caseworker (by creation): who visits an enterprise no caseworker has served yet."""
    return make_user(Role.CASEWORKER, name="李明")


@pytest.fixture
def policies(db: Any) -> Any:
    from shouzhan.policies.services import catalogue_sync

    return catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)


@pytest.fixture
def other(make_enterprise: Callable[..., Any]) -> Any:
    return make_enterprise("星火科技")[0]


def overdue_ticket(record: Callable[..., Demand]) -> Demand:
    return record("environment", "园区门口夜间施工噪音扰民", on=D(2026, 12, 1))  # to accept by 12-02


def unsatisfied(record: Callable[..., Demand], urban: Any, owner: Any, *, on: dt.date) -> Demand:
    demand = record("environment", "垃圾清运不及时", on=on - dt.timedelta(days=2))
    demand = services.ticket_accept(
        actor=urban, demand=demand, expected_version=demand.version, on=demand.received_on
    )
    demand = services.ticket_reply(
        actor=urban, demand=demand, answer="已增加清运频次", expected_version=demand.version, on=on
    )
    services.follow_up_record(
        actor=owner, demand=demand, resolved=True, satisfaction="unsatisfied", note="还是有异味", on=on
    )
    return demand


def voucher(actor: Any, enterprise: Any, *, fen: int, until: dt.date) -> Any:
    from shouzhan.ledger import services as ledger

    programme = ledger.programme_open(
        actor=actor,
        item="compute",
        year=until.year,
        valid_from=D(until.year, 1, 1),
        valid_until=until,
        budget_fen=500_000_000,
    )
    ledger.voucher_grant(actor=actor, programme=programme, enterprise=enterprise, amount_fen=fen)
    return programme


def tenancy(enterprise: Any, *, end_on: dt.date, **kw: Any) -> Any:
    from shouzhan.spaces.models import Resource, Site, Tenancy

    site = Site.objects.create(name="徐汇创业首站", kind=Site.Kind.FIRST_STOP, district="徐汇")
    office = Resource.objects.create(
        site=site, kind=Resource.Kind.OFFICE, unit=Resource.Unit.MONTH, name="A301"
    )
    return Tenancy.objects.create(
        enterprise=enterprise,
        resource=office,
        start_on=D(end_on.year - 1, end_on.month, end_on.day),
        end_on=end_on,
        months=12,
        monthly_fee_fen=300_000,
        **kw,
    )


def offer(enterprise: Any, *, state: str, offered_on: dt.date, n: int = 1) -> Any:
    from shouzhan.offers.models import Offer
    from shouzhan.policies.models import PolicyVersion

    return Offer.objects.create(
        key=f"{enterprise.pk}:0:xuhui.compute_voucher:{n}",
        enterprise=enterprise,
        clause_id="xuhui.compute_voucher",
        policy_version=PolicyVersion.objects.order_by("pk").first(),
        clause_digest="d",
        state=state,
        rule_status="eligible",
        evaluated_on=offered_on,
        offered_on=offered_on,
    )


def test_an_overdue_case_is_found_with_its_due_date(record: Any, urban: Any) -> None:
    demand = overdue_ticket(record)
    firm = demand.enterprise_id
    assert signals.overdue_cases(D(2026, 12, 2)) == []  # due today: not overdue yet
    assert signals.overdue_cases(SCAN_DAY) == [
        (
            firm,
            "办件「市容环境与秩序：园区门口夜间施工噪音扰民」已超过办理期限（2026-12-02），尚未办结。",
            f"overdue_case:{demand.case_id}:2026-12-02",
        )
    ]


def test_vouchers_unspent_before_the_programme_ends(
    policies: Any, firm: Any, make_user: Callable[..., Any]
) -> None:
    officer = make_user(Role.POLICY_OFFICER, name="王政")
    programme = voucher(officer, firm[0], fen=500_000, until=D(2026, 12, 31))
    assert signals.vouchers_expiring(D(2026, 12, 2)) == []  # 12-31 is 21 working days away
    assert signals.vouchers_expiring(SCAN_DAY) == [
        (
            firm[0].pk,
            f"「{programme.name}」还有 5,000.00 元未使用，将于 2026-12-31 到期。",
            f"voucher_expiry:{programme.pk}:{firm[0].pk}",
        )
    ]


def test_a_tenancy_ending_and_not_renewed(db: Any, firm: Any) -> None:
    from shouzhan.spaces.models import Tenancy

    ending = tenancy(firm[0], end_on=D(2027, 1, 1))  # the last day is 2026-12-31
    assert signals.tenancies_ending(D(2026, 12, 2)) == []
    hit = (
        firm[0].pk,
        "租用的「徐汇创业首站 · A301」将于 2026-12-31 到期，尚未续租。",
        f"tenancy_end:{ending.pk}:2027-01-01",
    )
    assert signals.tenancies_ending(SCAN_DAY) == [hit]
    Tenancy.objects.create(  # renewed: no signal
        enterprise=firm[0],
        resource=ending.resource,
        start_on=D(2027, 1, 1),
        end_on=D(2028, 1, 1),
        months=12,
        monthly_fee_fen=300_000,
        previous=ending,
    )
    assert signals.tenancies_ending(SCAN_DAY) == []


def test_offers_and_prompts_unanswered_five_working_days(policies: Any, firm: Any) -> None:
    from shouzhan.offers.figures import clause_headings

    heading = clause_headings(["xuhui.compute_voucher"])["xuhui.compute_voucher"]
    late = offer(firm[0], state="offered", offered_on=D(2026, 11, 26), n=1)  # 5 working days by 12-03
    offer(firm[0], state="offered", offered_on=D(2026, 11, 27), n=2)  # only 4
    prompt = offer(firm[0], state="prompt", offered_on=D(2026, 11, 2), n=3)
    offer(firm[0], state="confirmed", offered_on=D(2026, 11, 2), n=4)  # answered
    assert sorted(signals.offers_unanswered(SCAN_DAY), key=lambda h: h.key) == [
        (
            firm[0].pk,
            f"政策直达「{heading}」2026-11-26 推送，5 个工作日仍未确认。",
            f"offer_unanswered:{late.pk}",
        ),
        (
            firm[0].pk,
            f"「{heading}」需补充信息，2026-11-02 提示后 5 个工作日仍未答复。",
            f"offer_unanswered:{prompt.pk}",
        ),
    ]


def test_an_unsatisfied_follow_up(record: Any, urban: Any, firm: Any) -> None:
    recent = unsatisfied(record, urban, firm[1], on=D(2026, 11, 20))
    unsatisfied(record, urban, firm[1], on=D(2026, 11, 18))  # more than 10 working days before 12-03
    follow_up = recent.follow_ups.get()
    assert signals.unsatisfied_follow_ups(SCAN_DAY) == [
        (
            firm[0].pk,
            "对诉求「市容环境与秩序：垃圾清运不及时」的回访评价为不满意（2026-11-20）。",
            f"unsatisfied:{follow_up.pk}",
        )
    ]


def test_the_scan_opens_one_task_per_hit_for_the_usual_caseworker_once(
    lead: Any, record: Any, urban: Any, receiver: Any, firm: Any, other: Any
) -> None:
    demand = overdue_ticket(record)  # the firm's latest case is the receiver's
    ending = tenancy(
        other, end_on=D(2027, 1, 1)
    )  # the other enterprise has no case: the first caseworker goes
    counts = signals.signals_scan(today=SCAN_DAY)
    assert counts == {
        "overdue_case": 1,
        "voucher_expiry": 0,
        "tenancy_end": 1,
        "offer_unanswered": 0,
        "unsatisfied": 0,
        "opened": 2,
        "no_visitor": 0,
    }
    plans = list(
        VisitPlan.objects.order_by("title").values_list(
            "title", "visitor__name", "origin", "starts_on", "due_on", "reason", "targets__signal_key"
        )
    )
    assert plans == [
        (
            "未诉先办：办件逾期 · 光合剧场",
            "张洁",
            "signal",
            SCAN_DAY,
            D(2026, 12, 10),
            "办件「市容环境与秩序：园区门口夜间施工噪音扰民」已超过办理期限（2026-12-02），尚未办结。",
            f"overdue_case:{demand.case_id}:2026-12-02",
        ),
        (
            "未诉先办：租期即将到期 · 星火科技",
            "李明",
            "signal",
            SCAN_DAY,
            D(2026, 12, 10),
            "租用的「徐汇创业首站 · A301」将于 2026-12-31 到期，尚未续租。",
            f"tenancy_end:{ending.pk}:2027-01-01",
        ),
    ]
    told = list(
        Notification.objects.filter(kind="visit").order_by("user__name").values_list("user__name", "message")
    )
    assert told == [
        ("张洁", "未诉先办：请在 2026-12-10 前走访「光合剧场」。" + plans[0][5]),
        ("李明", "未诉先办：请在 2026-12-10 前走访「星火科技」。" + plans[1][5]),
    ]
    scans = AuditEntry.objects.filter(action="frontline.signals_scan")
    assert [e.after for e in scans] == [
        {
            "on": "2026-12-03",
            "overdue_case": 1,
            "voucher_expiry": 0,
            "tenancy_end": 1,
            "offer_unanswered": 0,
            "unsatisfied": 0,
            "opened": 2,
            "no_visitor": 0,
        }
    ]
    again = signals.signals_scan(today=SCAN_DAY)
    assert again["opened"] == 0 and VisitPlan.objects.count() == 2
    assert scans.count() == 1 and Notification.objects.filter(kind="visit").count() == 2


def test_no_caseworker_at_all_opens_nothing_and_keeps_the_hit(db: Any, other: Any) -> None:
    tenancy(other, end_on=D(2027, 1, 1))
    counts = signals.signals_scan(today=SCAN_DAY)
    assert (counts["opened"], counts["no_visitor"]) == (0, 1)
    assert not VisitPlan.objects.exists()


def test_working_days_ago_counts_back_over_weekends() -> None:
    assert signals.working_days_ago(D(2026, 12, 7), 1) == D(2026, 12, 6)  # due Fri or Sat: late on Monday
    assert signals.working_days_ago(D(2026, 12, 3), 0) == D(2026, 12, 3)
    assert signals.working_days_ago(D(2026, 10, 9), 2) == D(2026, 10, 7)  # 10-08 and 10-09 after it
    assert signals.working_days_ago(D(2026, 10, 9), 3) == D(2026, 9, 29)  # then 09-30, before the holidays

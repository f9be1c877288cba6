"""The service figures beside the targets, exact on a fixture: cases closed on time in the month, the frontline's
three rates, policy money offered / confirmed / paid against the year's clause budgets (fen), space occupancy,
salon attendance and voucher use — each with its numerator and denominator, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from shouzhan.accounts.models import Organisation
from shouzhan.cases.models import Case
from shouzhan.community.models import Event, Registration
from shouzhan.core.roles import Role
from shouzhan.insight.figures import Figure
from shouzhan.insight.service_figures import service_figures
from shouzhan.ledger import services as ledger
from shouzhan.ledger.models import Claim, Payment
from shouzhan.offers.models import Offer
from shouzhan.policies.models import PolicyVersion
from shouzhan.spaces.models import Resource, Site, Tenancy
from tests.frontline.conftest import amr, catalogue, dept, firm, member, receiver, record, urban  # noqa: F401
from tests.frontline.test_rates import world  # noqa: F401

pytestmark = pytest.mark.django_db
_n = itertools.count(1)
DAY = dt.timedelta(days=1)


def by_key(as_of: dt.date) -> dict[str, Figure]:
    return {f.key: f for f in service_figures(as_of=as_of)}


def sides(figure: Figure) -> tuple[Decimal | None, int, int]:
    return figure.value, figure.detail["numerator"], figure.detail["denominator"]


def test_nothing_recorded_reads_as_not_measurable(db: Any) -> None:
    figures = service_figures(as_of=timezone.localdate())
    assert [f.key for f in figures] == [
        "cases_on_time", "frontline_response", "frontline_resolution", "frontline_satisfaction",
        "money_offered", "money_confirmed", "money_paid", "space_occupancy", "salon_attendance", "voucher_use",
    ]  # fmt: skip
    assert all(f.value is None and f.note == "no_denominator" for f in figures)
    assert all(f.definition and f.source and f.as_of == timezone.localdate() for f in figures)


def test_the_frontline_rates_of_the_month(world: Any) -> None:  # noqa: F811
    figures = by_key(dt.date(2026, 11, 30))
    # November's counted demands (A B C G I L): accepted on time A C L of due A B C I L; followed up A B C, all
    # resolved at last; rated A (满意) and B (基本满意 at last)
    assert sides(figures["frontline_response"]) == (Decimal("60.00"), 3, 5)
    assert sides(figures["frontline_resolution"]) == (Decimal("100.00"), 3, 3)
    assert sides(figures["frontline_satisfaction"]) == (Decimal("100.00"), 2, 2)


@pytest.fixture
def services_world(make_enterprise: Any, make_user: Any) -> dt.date:
    today = timezone.localdate()
    start = today.replace(day=1)
    officer = make_user(Role.POLICY_OFFICER, name="王政")
    a, _o = make_enterprise(name="光合剧场")
    b, _o = make_enterprise(name="星河智算")
    _cases(a, today, start)
    _money(a, b, officer, today)
    _spaces(a, today)
    _salons(make_user, today, start)
    _vouchers(a, b, officer, today)
    return today


def _case(enterprise: Any, **kw: Any) -> Case:
    kw.setdefault("submitted_on", kw.get("closed_on") or timezone.localdate())
    return Case.objects.create(case_type="planning_filing", state=kw.pop("state", "approved"),
                               enterprise=enterprise, title=f"办件{next(_n)}", **kw)  # fmt: skip


def _cases(a: Any, today: dt.date, start: dt.date) -> None:
    for on_time in (True, True, True, False):
        _case(a, closed_on=today, closed_on_time=on_time)
    _case(a, closed_on=start - DAY, closed_on_time=True)  # last month
    _case(a, state="in_review")  # open


def _money(a: Any, b: Any, officer: Any, today: dt.date) -> None:
    from shouzhan.policies.services import catalogue_sync

    catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)
    version = PolicyVersion.objects.order_by("pk").first()
    ledger.clause_budget_set(actor=officer, clause_id="xuhui.compute_voucher", year=today.year,
                             amount_fen=100_000_000)  # fmt: skip
    ledger.clause_budget_set(
        actor=officer, clause_id="xuhui.office_rent", year=today.year, amount_fen=50_000_000
    )
    ledger.clause_budget_set(
        actor=officer, clause_id="xuhui.office_rent", year=today.year - 1, amount_fen=10**9
    )
    ledger.budget_reserve(actor=officer, case_id=9001, clause_id="xuhui.compute_voucher", year=today.year,
                          enterprise_id=a.pk, amount_fen=12_345_600)  # fmt: skip
    batch = ledger.disbursement_batch_create(actor=officer)
    ledger.payment_mark(actor=officer, payment=Payment.objects.get(batch=batch), status=Payment.Status.PAID)
    ledger.budget_reserve(actor=officer, case_id=9002, clause_id="xuhui.office_rent", year=today.year,
                          enterprise_id=b.pk, amount_fen=2_000_000)  # reserved, not paid  # fmt: skip
    confirmed = _case(a, state="submitted")
    rows = [  # (enterprise, amount, offered on, rule status, current, case)
        (a, 30_000_000, today, "eligible", True, None),
        (b, 20_000_000, today, "eligible", True, confirmed),
        (a, 5_000_000, today.replace(month=1, day=1), "eligible", True, None),
        (b, 7_000_000, dt.date(today.year - 1, 12, 1), "eligible", True, None),  # last year
        (a, 9_000_000, today, "unknown", True, None),  # not found eligible
        (b, 4_000_000, today, "eligible", False, None),  # superseded
    ]
    for enterprise, amount, offered, status, current, case in rows:
        Offer.objects.create(
            key=f"{enterprise.pk}:offer:{next(_n)}", enterprise=enterprise, clause_id="xuhui.compute_voucher",
            policy_version=version, clause_digest="d", state=Offer.State.OFFERED, rule_status=status,
            current=current, max_amount_fen=amount, evaluated_on=offered, offered_on=offered, case=case,
            answered_at=timezone.now() if case else None,
        )  # fmt: skip


def _spaces(a: Any, today: dt.date) -> None:
    site = Site.objects.create(name="徐汇创业首站", kind=Site.Kind.FIRST_STOP, district="徐汇")

    def room(
        kind: str = Resource.Kind.DESK, unit: str = Resource.Unit.MONTH, active: bool = True
    ) -> Resource:
        return Resource.objects.create(site=site, kind=kind, unit=unit, name=f"R{next(_n)}", is_active=active)

    def let(resource: Resource, start: dt.date, end: dt.date) -> None:
        Tenancy.objects.create(enterprise=a, resource=resource, start_on=start, end_on=end, months=12,
                               monthly_fee_fen=80_000)  # fmt: skip

    let(room(), today - 30 * DAY, today + 300 * DAY)
    let(room(Resource.Kind.OFFICE), today, today + 30 * DAY)  # begins today
    let(room(), today - 300 * DAY, today)  # ended today (end exclusive): free
    let(room(active=False), today - 30 * DAY, today + 30 * DAY)  # closed: not counted
    room(Resource.Kind.MEETING_ROOM, Resource.Unit.HOUR)  # booked by the hour: not counted


def _salons(make_user: Any, today: dt.date, start: dt.date) -> None:
    tz = timezone.get_current_timezone()

    def event(kind: str, day: dt.date) -> Event:
        at = dt.datetime.combine(day, dt.time(10), tzinfo=tz)
        return Event.objects.create(kind=kind, title=f"活动{next(_n)}", starts_at=at, ends_at=at + dt.timedelta(hours=2),
                                    capacity=50)  # fmt: skip

    def register(e: Event, status: str, checked_in: bool) -> None:
        Registration.objects.create(event=e, user=make_user(), status=status, code=f"C{next(_n):08d}",
                                    checked_in_at=e.starts_at if checked_in else None)  # fmt: skip

    salon = event(Event.Kind.SALON, today)
    for checked_in in (True, True, True, False):
        register(salon, Registration.Status.CONFIRMED, checked_in)
    register(salon, Registration.Status.CANCELLED, False)
    register(salon, Registration.Status.WAITLISTED, False)
    register(event(Event.Kind.TRAINING, today), Registration.Status.CONFIRMED, False)  # not a salon
    register(event(Event.Kind.SALON, start - DAY), Registration.Status.CONFIRMED, False)  # last month


def _vouchers(a: Any, b: Any, officer: Any, today: dt.date) -> None:
    programme = ledger.programme_open(actor=officer, item="compute", year=today.year,
                                      valid_from=dt.date(today.year, 1, 1), valid_until=dt.date(today.year, 12, 31),
                                      budget_fen=50_000_000)  # fmt: skip
    ledger.voucher_grant(actor=officer, programme=programme, enterprise=a, amount_fen=1_000_000)
    ledger.voucher_grant(actor=officer, programme=programme, enterprise=b, amount_fen=500_000)
    provider = Organisation.objects.create(name="徐汇智算服务商", kind=Organisation.Kind.PROVIDER)
    for amount, state in ((375_000, Claim.State.APPROVED), (100_000, Claim.State.SUBMITTED)):
        Claim.objects.create(programme=programme, enterprise=a, provider=provider, amount_fen=amount,
                             invoice_no=f"INV{next(_n)}", service_from=today, service_to=today, state=state)  # fmt: skip


def test_the_service_figures_exactly(services_world: dt.date, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(20):  # a query or two per table, whatever the records' number
        figures = by_key(services_world)
    assert sides(figures["cases_on_time"]) == (Decimal("75.00"), 3, 4)
    budget = 150_000_000  # this year's two clause budgets; last year's is not counted
    money = {k: (figures[k].value, figures[k].numerator_fen, figures[k].denominator_fen)
             for k in ("money_offered", "money_confirmed", "money_paid")}  # fmt: skip
    assert money == {
        "money_offered": (Decimal("36.67"), 55_000_000, budget),
        "money_confirmed": (Decimal("13.33"), 20_000_000, budget),
        "money_paid": (Decimal("8.23"), 12_345_600, budget),
    }
    assert sides(figures["space_occupancy"]) == (Decimal("66.67"), 2, 3)
    assert figures["space_occupancy"].detail["by_kind"] == [
        {"label": "工位", "let": 1, "open": 2}, {"label": "办公室", "let": 1, "open": 1}
    ]  # fmt: skip
    assert sides(figures["salon_attendance"]) == (Decimal("75.00"), 3, 4)
    voucher = figures["voucher_use"]
    assert (voucher.value, voucher.numerator_fen, voucher.denominator_fen) == (
        Decimal("25.00"),
        375_000,
        1_500_000,
    )

"""The leaders' spaces page: revenue per month from a fixed number of queries, whatever the number of
enterprises (it built every enterprise's statement for every month, two queries each: 43 queries and
about 2 requests a second under load on the demo district)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shouzhan.core.roles import Role
from shouzhan.spaces import fees, selectors
from shouzhan.spaces.models import Booking, Tenancy
from tests.spaces.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(make_enterprise, live_room, desk):  # type: ignore[no-untyped-def]
    """Four enterprises with a booking each in months 0–3 of the six shown, a late cancellation the month
    after, a rejected booking (no charge), one booking before the window, and a desk tenancy with relief."""
    this_month = timezone.localdate().replace(day=1)
    months = [fees.add_months(this_month, -i) for i in (5, 4, 3, 2, 1, 0)]
    ents = [make_enterprise()[0] for _ in range(4)]

    def booking(ent, day: dt.date, status: str, fee: int = 0, cancellation: int = 0) -> None:  # type: ignore[no-untyped-def]
        start, end = at(day, 10), at(day, 12)
        Booking.objects.create(
            resource=live_room,
            enterprise=ent,
            start_at=start,
            end_at=end,
            blocked_until=end,
            status=status,
            fee_fen=fee,
            cancellation_fee_fen=cancellation,
        )

    for k, ent in enumerate(ents):
        booking(ent, months[k] + dt.timedelta(days=k), "confirmed", fee=10000 * (k + 1))
        booking(
            ent, months[k + 1] + dt.timedelta(days=10 + k), "cancelled", fee=9000, cancellation=500 * (k + 1)
        )
        booking(ent, months[k] + dt.timedelta(days=20 + k), "rejected", fee=99999)
    booking(ents[0], fees.add_months(months[0], -1), "confirmed", fee=7777)  # before the window
    Tenancy.objects.create(
        enterprise=ents[0],
        resource=desk,
        start_on=months[2],
        end_on=fees.add_months(months[2], 3),
        months=3,
        monthly_fee_fen=80000,
        relief_percent=50,
        relief_months=1,
    )
    return months, ents


def test_revenue_by_month_exact_and_equal_to_every_statement(history) -> None:  # type: ignore[no-untyped-def]
    months, ents = history
    revenue = selectors.revenue_by_month(months=6)
    assert revenue == [
        (f"{m.year}-{m.month:02d}", fen)
        for m, fen in zip(months, [10000, 20500, 71000, 121500, 82000, 0], strict=True)
    ]
    # The same figures as adding up each enterprise's own monthly statement.
    assert [fen for _label, fen in revenue] == [
        sum(selectors.statement_build(enterprise=e, year=m.year, month=m.month).net_fen for e in ents)
        for m in months
    ]


def test_insight_page_queries_do_not_grow_with_enterprises(
    history, make_user, login_client, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = login_client(make_user(role=Role.LEADER))
    client.get("/spaces/insight/")
    # session, user, roles for the menu …, then the page: bookings and tenancies for the revenue once,
    # occupancy by kind (3), by week (3). Before: 2 per enterprise and month on top (4 × 6 × 2 = 48 more).
    with django_assert_num_queries(12):  # … and whether the leader holds a river chief's post (patrols' menu)
        response = client.get("/spaces/insight/")
    assert response.status_code == 200
    assert "3,050.00" in response.content.decode()  # six months together, in yuan

"""PostgreSQL: 100 simultaneous requests for one slot → exactly one booking and 99 clear refusals."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection, transaction

from shouzhan.spaces import services
from shouzhan.spaces.models import Booking
from tests.spaces.conftest import at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

N = 100


def test_hundred_simultaneous_requests_one_booking(make_enterprise, live_room, day):  # type: ignore[no-untyped-def]
    enterprises = [make_enterprise() for _ in range(N)]
    barrier = threading.Barrier(20)

    def attempt(i: int) -> str:
        ent, owner = enterprises[i]
        try:
            if i < 20:
                barrier.wait(timeout=30)  # the first wave starts together
            services.booking_create(
                actor=owner, resource=live_room, enterprise=ent, start_at=at(day, 10), end_at=at(day, 12)
            )
            return "booked"
        except services.BookingConflict as exc:
            return exc.message
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(attempt, range(N)))
    assert results.count("booked") == 1
    refusals = [r for r in results if r != "booked"]
    assert len(refusals) == 99
    assert set(refusals) == {
        f"该时段已被占用：直播间 A {day.isoformat()} 10:00–12:00（含 15 分钟间隔，至 12:15）"
    }
    assert Booking.objects.filter(resource=live_room).count() == 1


def test_exclusion_constraint_refuses_overlap_without_the_service(make_enterprise, live_room, day):  # type: ignore[no-untyped-def]
    ent, _owner = make_enterprise()
    common = {"resource": live_room, "enterprise": ent, "status": "confirmed"}
    Booking.objects.create(start_at=at(day, 10), end_at=at(day, 12), blocked_until=at(day, 12, 15), **common)
    # Touching the buffered end exactly is allowed ('[)' ranges).
    Booking.objects.create(start_at=at(day, 12, 15), end_at=at(day, 13), blocked_until=at(day, 13), **common)
    with pytest.raises(IntegrityError, match="spaces_booking_no_overlap"), transaction.atomic():
        Booking.objects.create(
            start_at=at(day, 12), end_at=at(day, 12, 10), blocked_until=at(day, 12, 10), **common
        )
    # A cancelled booking holds nothing.
    Booking.objects.create(
        start_at=at(day, 10),
        end_at=at(day, 11),
        blocked_until=at(day, 11),
        **{**common, "status": "cancelled"},
    )
    assert Booking.objects.count() == 3


def test_tenancy_overlap_refused_by_the_database(make_enterprise, desk):  # type: ignore[no-untyped-def]
    import datetime as dt

    from shouzhan.spaces.models import Tenancy

    a, _ = make_enterprise()
    b, _ = make_enterprise()
    common = {"resource": desk, "months": 1, "monthly_fee_fen": 80000}
    Tenancy.objects.create(enterprise=a, start_on=dt.date(2026, 7, 1), end_on=dt.date(2026, 8, 1), **common)
    Tenancy.objects.create(enterprise=b, start_on=dt.date(2026, 8, 1), end_on=dt.date(2026, 9, 1), **common)
    with pytest.raises(IntegrityError, match="spaces_tenancy_no_overlap"), transaction.atomic():
        Tenancy.objects.create(
            enterprise=b, start_on=dt.date(2026, 7, 31), end_on=dt.date(2026, 8, 31), **common
        )

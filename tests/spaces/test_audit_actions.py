"""Every public service of spaces writes exactly its declared audit entries, in order (#12)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from shouzhan.core.audit import audit_action_get
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.spaces import services
from shouzhan.spaces.models import Booking, Resource, Tenancy, WaitlistEntry
from tests.spaces.conftest import at

pytestmark = pytest.mark.django_db


@dataclass
class World:
    owner: Any
    enterprise: Any
    other_owner: Any
    other: Any
    worker: Any
    room: Resource
    filming: Resource
    desk: Resource
    office: Resource
    day: dt.date

    def book(self, hour: int = 10) -> Booking:
        return services.booking_create(
            actor=self.owner,
            resource=self.room,
            enterprise=self.enterprise,
            start_at=at(self.day, hour),
            end_at=at(self.day, hour + 2),
        )

    def pending(self) -> Booking:
        start, end = services.day_slot(self.filming, self.day)
        return services.booking_create(
            actor=self.owner, resource=self.filming, enterprise=self.enterprise, start_at=start, end_at=end
        )

    def wait(self) -> WaitlistEntry:
        return services.waitlist_join(
            actor=self.other_owner,
            resource=self.room,
            enterprise=self.other,
            start_at=at(self.day, 10),
            end_at=at(self.day, 12),
        )

    def offered(self) -> WaitlistEntry:
        booking, entry = self.book(), self.wait()
        services.booking_cancel(actor=self.owner, booking=booking)
        entry.refresh_from_db()
        return entry

    def tenancy(self) -> Tenancy:
        return services.tenancy_start(
            actor=self.worker,
            enterprise=self.enterprise,
            resource=self.desk,
            start_on=self.day.replace(day=1),
            months=12,
        )


@pytest.fixture
def world(make_enterprise, make_user, live_room, filming_site, desk, office, day) -> World:  # type: ignore[no-untyped-def]
    enterprise, owner = make_enterprise()
    other, other_owner = make_enterprise()
    return World(
        owner=owner,
        enterprise=enterprise,
        other_owner=other_owner,
        other=other,
        worker=make_user(role=Role.CASEWORKER),
        room=live_room,
        filming=filming_site,
        desk=desk,
        office=office,
        day=day,
    )


# Each case prepares what the service needs, then returns the one call whose entries are counted.
Call = Callable[[], Any]


def _cancel(w: World) -> Call:
    booking = w.book()
    return lambda: services.booking_cancel(actor=w.owner, booking=booking)


def _cancel_offers(w: World) -> Call:
    booking = w.book()
    w.wait()
    return lambda: services.booking_cancel(actor=w.owner, booking=booking)


def _confirm(w: World) -> Call:
    booking = w.pending()
    return lambda: services.booking_confirm(actor=w.worker, booking=booking)


def _reject(w: World) -> Call:
    booking = w.pending()
    return lambda: services.booking_reject(actor=w.worker, booking=booking, note="无场地")


def _withdraw(w: World) -> Call:
    booking = w.pending()
    return lambda: services.booking_withdraw(actor=w.owner, booking=booking)


def _join(w: World) -> Call:
    w.book()
    return w.wait


def _accept(w: World) -> Call:
    entry = w.offered()
    return lambda: services.waitlist_accept(actor=w.other_owner, entry=entry)


def _leave(w: World) -> Call:
    w.book()
    entry = w.wait()
    return lambda: services.waitlist_withdraw(actor=w.other_owner, entry=entry)


def _move(w: World) -> Call:
    t = w.tenancy()
    on = t.start_on + dt.timedelta(days=40)
    return lambda: services.tenancy_move(actor=w.worker, tenancy=t, resource=w.office, on=on, months=6)


def _end(w: World) -> Call:
    t = w.tenancy()
    return lambda: services.tenancy_end(actor=w.worker, tenancy=t, on=t.start_on + dt.timedelta(days=40))


CASES: dict[str, tuple[Callable[[World], Call], list[str]]] = {
    "booking_create": (lambda w: w.book, ["spaces.booking_create"]),
    "booking_cancel": (_cancel, ["spaces.booking_cancel"]),
    "booking_cancel, the slot offered to the waitlist": (
        _cancel_offers,
        ["spaces.booking_cancel", "spaces.waitlist_offer"],
    ),
    "booking_confirm": (_confirm, ["spaces.booking_confirm"]),
    "booking_reject": (_reject, ["spaces.booking_reject"]),
    "booking_withdraw": (_withdraw, ["spaces.booking_withdraw"]),
    "waitlist_join": (_join, ["spaces.waitlist_join"]),
    "waitlist_accept": (_accept, ["spaces.booking_create", "spaces.waitlist_accept"]),
    "waitlist_withdraw": (_leave, ["spaces.waitlist_withdraw"]),
    "tenancy_start": (lambda w: w.tenancy, ["spaces.tenancy_start"]),
    "tenancy_move": (_move, ["spaces.tenancy_move_out", "spaces.tenancy_start"]),
    "tenancy_end": (_end, ["spaces.tenancy_end"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_service_writes_exactly_its_declared_entries(world: World, name: str) -> None:
    prepare, expected = CASES[name]
    call = prepare(world)
    mark = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    call()
    written = list(AuditEntry.objects.filter(id__gt=mark).order_by("id").values_list("action", flat=True))
    assert written == expected
    assert all(audit_action_get(code) is not None for code in written), written


def test_every_public_write_is_covered() -> None:
    writes = {
        name
        for name in services.__all__
        if name.split("_")[0] in {"booking", "waitlist", "tenancy"} and name != "booking_fee"
    }
    assert writes == {name.split(",")[0] for name in CASES}

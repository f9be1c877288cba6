"""The refusal rule in spaces (#12): another enterprise's booking, tenancy or statement is 404; a staff page
or a tenancy action for a logged-in non-staff user is 403; a visitor is sent to log in (API: 401)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from shouzhan.core.roles import Role
from shouzhan.spaces import permissions, services
from tests.spaces.conftest import at

pytestmark = pytest.mark.django_db


def test_staff_pages(make_user: Any, make_enterprise: Any, login_client: Any) -> None:
    _ent, owner = make_enterprise()
    for path in ("/spaces/floors/", "/spaces/insight/"):
        assert login_client(make_user(role=Role.CASEWORKER)).get(path).status_code == 200
        assert login_client(owner).get(path).status_code == 403
        assert Client().get(path).status_code == 302
    assert login_client(make_user(role=Role.CASEWORKER)).get("/api/v1/spaces/occupancy").status_code == 200
    assert login_client(owner).get("/api/v1/spaces/occupancy").status_code == 403
    assert Client().get("/api/v1/spaces/occupancy").status_code == 401


def test_tenancies_are_the_staffs(make_user: Any, make_enterprise: Any, desk: Any, login_client: Any) -> None:
    ent, owner = make_enterprise()
    worker = make_user(role=Role.CASEWORKER)
    assert permissions.can_manage_tenancies(worker) and not permissions.can_manage_tenancies(owner)
    with pytest.raises(PermissionDenied):
        services.tenancy_start(actor=owner, enterprise=ent, resource=desk, start_on=dt.date.today(), months=3)
    form = {"enterprise": ent.pk, "resource": desk.pk, "start_on": dt.date.today().isoformat(), "months": 3}
    assert login_client(owner).post("/spaces/floors/", form).status_code == 403
    assert (
        login_client(make_user(role=Role.LEADER)).post("/spaces/floors/", form).status_code == 403
    )  # sees, not runs
    assert login_client(worker).post("/spaces/floors/", form).status_code == 302


def test_booking_needs_an_enterprise_and_stays_its_own(
    make_user: Any, make_enterprise: Any, live_room: Any, day: dt.date, login_client: Any
) -> None:
    form = {"date": day.isoformat(), "start": "10:00", "minutes": "60", "people": 1}
    assert login_client(make_user()).post(f"/spaces/r/{live_room.pk}/book/", form).status_code == 403
    ent, owner = make_enterprise()
    booking = services.booking_create(
        actor=owner, resource=live_room, enterprise=ent, start_at=at(day, 10), end_at=at(day, 11)
    )
    _other, stranger = make_enterprise()
    assert login_client(stranger).get(f"/spaces/b/{booking.pk}.ics").status_code == 404
    assert login_client(owner).get(f"/spaces/b/{booking.pk}.ics").status_code == 200
    assert permissions.cancels_without_fee(
        make_user(role=Role.CASEWORKER)
    ) and not permissions.cancels_without_fee(owner)

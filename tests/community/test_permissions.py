"""The refusal rule in community (#12): what the user may not know about is 404; an action or staff page on
something they may see is 403; a visitor is sent to log in — each page tested from both sides."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shouzhan.community import permissions, services
from shouzhan.core.roles import Role

pytestmark = pytest.mark.django_db

OFFER = {
    "title": "一种节能型保温墙体材料",
    "abstract": "发泡陶瓷保温墙体材料。",
    "field": "新材料",
    "seeking": ["licence"],
}


def test_staff_pages_of_a_public_event(
    make_event: Any, make_mentor: Any, make_user: Any, caseworker: Any, login_client: Any
) -> None:
    mentor = make_mentor()
    event = make_event(mentors=[mentor])
    for path in (f"/community/events/{event.pk}/attendance/", f"/community/events/{event.pk}/checkin/"):
        assert login_client(caseworker).get(path).status_code == 200
        assert login_client(make_user()).get(path).status_code == 403  # the event is public: 403, not 404
        assert Client().get(path).status_code == 302
    # The panel's mentors see who came, but do not check people in.
    assert login_client(mentor.user).get(f"/community/events/{event.pk}/attendance/").status_code == 200
    assert login_client(mentor.user).get(f"/community/events/{event.pk}/checkin/").status_code == 403
    assert (
        login_client(make_user(role=Role.LEADER)).get(f"/community/events/{event.pk}/checkin/").status_code
        == 200
    )
    # An event that does not exist is 404 for everyone, staff too.
    assert login_client(caseworker).get("/community/events/999999/checkin/").status_code == 404


def test_contacts_and_listings(
    make_enterprise: Any, make_user: Any, caseworker: Any, login_client: Any
) -> None:
    assert login_client(caseworker).get("/community/contacts/").status_code == 200
    assert login_client(make_user()).get("/community/contacts/").status_code == 403
    enterprise, owner = make_enterprise()
    listing = services.listing_create(actor=owner, direction="offer", data=OFFER, owner_enterprise=enterprise)
    services.listing_set_status(actor=owner, listing=listing, status="closed")
    url = f"/community/listings/{listing.pk}/"
    assert login_client(owner).get(url).status_code == 200  # its owner still sees a closed listing
    assert login_client(caseworker).get(url).status_code == 200
    assert login_client(make_user()).get(url).status_code == 404  # anyone else is told nothing
    _other, stranger = make_enterprise()
    assert not permissions.can_manage_listing(stranger, listing)
    assert permissions.can_manage_listing(owner, listing) and permissions.can_manage_listing(
        caseworker, listing
    )
    assert not permissions.can_manage_listing("system:test", listing)


def test_registrations_are_their_persons(
    make_event: Any, make_user: Any, caseworker: Any, login_client: Any
) -> None:
    event = make_event()
    user = make_user()
    reg = services.registration_create(actor=user, event=event)
    assert permissions.can_see_registration(user, reg) and permissions.can_see_registration(caseworker, reg)
    assert not permissions.can_see_registration(make_user(), reg)
    assert not permissions.can_see_registration("system:test", reg)
    other = login_client(make_user())
    assert other.post(f"/community/registrations/{reg.pk}/cancel/").status_code == 404

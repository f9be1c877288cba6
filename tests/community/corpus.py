"""Loads the relevance set's fixed corpus (tests/community/relevance.yaml) through the services."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils import timezone

from shouzhan.community import services
from shouzhan.community.models import Listing
from shouzhan.core.roles import Role
from shouzhan.registry.models import Enterprise, Person

RELEVANCE = Path(__file__).with_name("relevance.yaml")


def load_relevance() -> dict[str, Any]:
    return yaml.safe_load(RELEVANCE.read_text(encoding="utf-8"))


def _user(role: str = Role.ENTREPRENEUR, name: str = "") -> Any:
    from shouzhan.accounts.models import User

    n = User.objects.count() + 1
    return User.objects.create_user(name=name, password=None, mobile=f"1370000{n:04d}", role=role)


def _enterprise(name: str, **facts: Any) -> tuple[Enterprise, Any]:
    from shouzhan.accounts.models import Membership, Organisation

    owner = _user(name=f"{name}负责人")
    organisation = Organisation.objects.create(name=name)
    Membership.objects.create(user=owner, organisation=organisation, is_owner=True)
    return Enterprise.objects.create(name=name, organisation=organisation, **facts), owner


def load_corpus(make_user: Any = _user, make_enterprise: Any = _enterprise) -> dict[str, Any]:
    """The corpus; users are made without passwords (hashing dozens of them would dominate the run)."""
    from shouzhan.policies.services import catalogue_sync

    catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)
    data = load_relevance()["corpus"]
    staff = make_user(role=Role.CASEWORKER, name="张洁")
    enterprises: dict[str, Enterprise] = {}
    for row in data["enterprises"]:
        enterprise, _owner = make_enterprise(
            name=row["name"], sector=row["sector"], description=row["description"]
        )
        enterprises[row["name"]] = enterprise
    inventor = make_user(name="周老先生")
    person = Person.objects.create(name="周老先生", user=inventor, title="发明人")
    for row in data["offers"]:
        services.listing_create(
            actor=inventor,
            direction=Listing.Direction.OFFER,
            owner_person=person,
            data={
                "title": row["title"],
                "abstract": row["abstract"],
                "field": row["field"],
                "seeking": ["licence"],
            },
        )
    for row in data["needs"]:
        services.listing_create(
            actor=staff,
            direction=Listing.Direction.NEED,
            owner_enterprise=enterprises[row["enterprise"]],
            data={
                "title": row["title"],
                "abstract": row["abstract"],
                "field": row["field"],
                "seeking": ["licence"],
            },
        )
    start = timezone.now() + dt.timedelta(days=7)
    for i, row in enumerate(data["events"]):
        services.event_create(
            actor=staff,
            data={
                "title": row["title"],
                "summary": row["summary"],
                "capacity": 50,
                "starts_at": start + dt.timedelta(days=i),
                "ends_at": start + dt.timedelta(days=i, hours=3),
            },
        )
    for row in data["mentors"]:
        user = make_user(role=Role.MENTOR, name=row["name"])
        services.mentor_profile_save(
            actor=user, user=user, data={"headline": row["headline"], "expertise": row["expertise"]}
        )
    return {"staff": staff, "inventor": inventor, "person": person, "enterprises": enterprises}

"""Fixtures of the talent tests: a person with an account who belongs to an enterprise, and a caseworker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from shouzhan.accounts.models import User
from shouzhan.core.roles import Role
from shouzhan.policies.services import catalogue_sync
from shouzhan.registry.models import Enterprise, Person
from shouzhan.registry.services.people import person_for_user


@pytest.fixture
def talent_person(make_enterprise: Callable[..., tuple[Enterprise, User]]) -> tuple[Person, Enterprise, User]:
    """林晓-like: a member of a 徐汇 micro-drama studio with her own Person (made as the pages make it)."""
    enterprise, owner = make_enterprise(
        name="光合剧场", district="徐汇", sector="micro_drama", in_cluster=True
    )
    person = person_for_user(actor=owner)
    person.birth_year = 1994
    person.save()
    return person, enterprise, owner


@pytest.fixture
def catalogue(db: Any) -> Any:
    """The repository's catalogue, published (the person's clauses among it)."""
    return catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)


@pytest.fixture
def caseworker(make_user: Callable[..., User]) -> User:
    return make_user(Role.CASEWORKER, name="张洁")


def fill(record: Any, **fields: Any) -> Any:
    for k, v in fields.items():
        setattr(record, k, v)
    record.save()
    return record

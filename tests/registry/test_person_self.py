"""person_for_user: a logged-in user gets their own Person (once), with an audit entry."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from shouzhan.core.models import AuditEntry
from shouzhan.registry import services
from shouzhan.registry.models import Person

pytestmark = pytest.mark.django_db


def test_creates_the_person_from_the_account_once(make_user: Any) -> None:
    user = make_user(name="周老先生", mobile="13800000077", email="zhou@example.cn")
    person = services.person_for_user(actor=user)
    assert (person.name, person.mobile, person.email, person.user_id, person.enterprise_id) == (
        "周老先生",
        "13800000077",
        "zhou@example.cn",
        user.pk,
        None,
    )
    entries = list(AuditEntry.objects.filter(action="registry.person_create", target_id=str(person.pk)))
    assert len(entries) == 1
    assert entries[0].actor_id == user.pk
    assert entries[0].after["name"] == "周老先生"
    assert entries[0].after["user_id"] == user.pk

    again = services.person_for_user(actor=user)
    assert again.pk == person.pk
    assert Person.objects.filter(user=user).count() == 1
    assert AuditEntry.objects.filter(action="registry.person_create").count() == 1


def test_returns_an_existing_person_untouched(make_user: Any) -> None:
    user = make_user(name="周老先生")
    existing = Person.objects.create(name="周某某", user=user, title="发明人")
    assert services.person_for_user(actor=user).pk == existing.pk
    assert Person.objects.get(pk=existing.pk).name == "周某某"
    assert not AuditEntry.objects.filter(action="registry.person_create").exists()


def test_user_without_email_gets_blank_email(make_user: Any) -> None:
    person = services.person_for_user(actor=make_user(name="林晓", mobile="13800000078"))
    assert (person.mobile, person.email) == ("13800000078", "")


def test_anonymous_is_refused() -> None:
    with pytest.raises(PermissionDenied):
        services.person_for_user(actor=AnonymousUser())
    assert Person.objects.count() == 0


def test_keyword_only() -> None:
    params = inspect.signature(services.person_for_user).parameters
    assert [p.kind for p in params.values()] == [inspect.Parameter.KEYWORD_ONLY]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_create_one_person(make_user: Any) -> None:
    import threading

    from django.db import connection

    user = make_user(name="周老先生")
    barrier = threading.Barrier(2)
    found: list[int] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            barrier.wait()
            found.append(services.person_for_user(actor=user).pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(found)) == 1
    assert Person.objects.filter(user=user).count() == 1
    assert AuditEntry.objects.filter(action="registry.person_create").count() == 1

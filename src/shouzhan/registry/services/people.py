"""People: an enterprise's people, people of no enterprise (inventors, mentors), and a user's own record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shouzhan.accounts.models import User
from shouzhan.accounts.validators import normalize_mobile, validate_mobile
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record, audited_update, snapshot
from shouzhan.core.permissions import require_login
from shouzhan.registry import audit_actions as A
from shouzhan.registry.models import Enterprise, Person
from shouzhan.registry.permissions import require_person_write
from shouzhan.registry.services._fields import enterprise_row_delete, unknown_fields

PERSON_FIELDS = ("name", "title", "mobile", "email", "birth_year", "note")


def _apply_person_data(person: Person, data: dict[str, Any]) -> None:
    unknown = unknown_fields(data, PERSON_FIELDS)
    if unknown:
        raise ValidationError(unknown[0])
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        if key == "birth_year":
            person.birth_year = value
        else:
            setattr(person, key, "" if value is None else str(value).strip())
    if person.mobile:
        try:
            validate_mobile(person.mobile)
            person.mobile = normalize_mobile(person.mobile)
        except ValidationError as exc:
            errors["mobile"] = exc.messages
    if not person.name:
        errors["name"] = [_("姓名不能为空")]
    if errors:
        raise ValidationError(errors)
    person.full_clean(exclude=["enterprise", "user"])


def person_created(*, actor: Actor, person: Person, note: str = "") -> Person:
    """Save a Person just made and audit it (the services that make one: here, and a course's enrolment)."""
    person.save()
    audit_record(
        actor=actor,
        action=A.PERSON_CREATE,
        target=person,
        after=snapshot(person),
        note=note,
        enterprise_id=person.enterprise_id,
    )
    return person


@transaction.atomic
def person_create(*, actor: Actor, enterprise: Enterprise | None, data: dict[str, Any]) -> Person:
    require_person_write(actor, enterprise.pk if enterprise is not None else None)
    person = Person(enterprise=enterprise)
    _apply_person_data(person, data)
    return person_created(actor=actor, person=person)


@transaction.atomic
def person_for_user(*, actor: Actor) -> Person:
    """The logged-in user's own Person, created from their account the first time it is needed.

    An inventor can then list patents without a caseworker creating their record first.
    The user's row is locked, so two requests at once create one Person, never two.
    """
    require_login(actor)
    user = actor_user(actor)
    assert user is not None  # require_login refused everyone else
    User.objects.select_for_update().filter(pk=user.pk).first()
    person = Person.objects.filter(user_id=user.pk).first()
    if person is not None:
        return person
    name = (getattr(user, "name", "") or "").strip() or str(user)
    person = Person(user=user, name=name[:60], mobile=user.mobile or "", email=user.email or "")
    person.full_clean(exclude=["enterprise", "user"])
    return person_created(actor=actor, person=person, note=_("本人首次使用，自动建立人员档案"))


@transaction.atomic
def person_update(*, actor: Actor, person: Person, data: dict[str, Any]) -> Person:
    user = actor_user(actor)
    if person.user_id is None or user is None or person.user_id != user.pk:  # one's own Person is one's own
        require_person_write(actor, person.enterprise_id)
    return audited_update(
        actor=actor,
        instance=person,
        action=A.PERSON_UPDATE,
        apply=lambda locked: _apply_person_data(locked, data),
        enterprise_id=person.enterprise_id,
        clean=False,  # _apply_person_data validated
    )


@transaction.atomic
def person_delete(*, actor: Actor, person: Person) -> None:
    require_person_write(actor, person.enterprise_id)
    enterprise_row_delete(actor=actor, instance=person, action=A.PERSON_DELETE)

"""Telling people about a case, through core's one notification facility (`shouzhan.core.notifications`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from shouzhan.cases.models import Case
from shouzhan.cases.permissions import require_login
from shouzhan.core import notifications
from shouzhan.core.actors import Actor

if TYPE_CHECKING:
    from shouzhan.accounts.models import User


def _recipients(case: Case) -> list[User]:
    """Everyone who applies for the case: the active members of its enterprise, else its applicant."""
    from shouzhan.accounts.models import User

    if case.enterprise_id is not None:
        users = User.objects.filter(
            memberships__organisation__enterprise__id=case.enterprise_id, is_active=True
        ).distinct()
        return list(users)
    if case.applicant_id is not None:
        return list(User.objects.filter(pk=case.applicant_id, is_active=True))
    return []


def notify_applicant(*, case: Case, message: str, kind: str = "state", skip: Actor | None = None) -> int:
    """An in-site message to each member of the applicant enterprise, and an e-mail after commit when
    e-mail is configured. How many were told."""
    told = notifications.notify(
        users=_recipients(case),
        message=message,
        kind=kind,
        target=case,
        url=reverse("cases:detail", args=[case.pk]),
        subject=_("【首站】办件通知：%(title)s") % {"title": case.title},
        skip=skip,
    )
    return len(told)


def notify_staff(*, users: Iterable[User], case: Case, message: str, kind: str) -> None:
    """An in-site message to caseworkers about a case (assigned to them, due soon, overdue)."""
    notifications.notify(
        users=users,
        message=message,
        kind=kind,
        target=case,
        url=reverse("cases:detail", args=[case.pk]),
        channels=notifications.IN_SITE_ONLY,
    )


def notification_mark_read(*, actor: Actor, pk: int | None = None) -> int:
    """Mark one (or all) of the actor's messages as read."""
    require_login(actor)
    return notifications.notification_mark_read(actor=actor, pk=pk)

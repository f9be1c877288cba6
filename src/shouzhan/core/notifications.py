"""Telling people: one facility for every module (cases, ledger, spaces, community and those to come).

`notify` writes one in-site message per recipient (`core.models.Notification`, all in one bulk insert,
inside the caller's transaction) and, once that transaction commits, sends

- an e-mail to the recipients who have an address, when e-mail is configured (an `EMAIL_BACKEND` other
  than the console or dummy one) and the caller asks for it;
- a text message through the SMS hook, when one is configured: ``NOTIFICATIONS_SMS_HOOK`` names a
  callable (``"package.module.function"``) called as ``hook(numbers=[…], message=…, kind=…)``.

Nothing is sent for a change that rolled back, and a failing mail server or SMS gateway never undoes
the change (it is after commit, and logged).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.models import Notification

if TYPE_CHECKING:
    from shouzhan.accounts.models import User

MESSAGE_MAX = 300  # Notification.message
SMS_HOOK_SETTING = "NOTIFICATIONS_SMS_HOOK"


@dataclass(frozen=True)
class Channels:
    """How a message goes out besides the in-site one (each only when configured)."""

    email: bool = True
    sms: bool = False


IN_SITE_ONLY = Channels(email=False, sms=False)


def email_configured() -> bool:
    backend = str(settings.EMAIL_BACKEND)
    return not backend.endswith(("console.EmailBackend", "dummy.EmailBackend"))


def sms_hook() -> Callable[..., Any] | None:
    path = getattr(settings, SMS_HOOK_SETTING, "") or ""
    return import_string(path) if path else None


def notify(
    *,
    users: Iterable[User],
    message: str,
    kind: str = "state",
    target: models.Model | None = None,
    url: str = "",
    subject: str = "",
    channels: Channels = Channels(),
    skip: Actor | None = None,
) -> list[Notification]:
    """Tell each user `message` about `target` (its page at `url`); returns the in-site messages written.

    Users are told once each, in the order given; `skip` (the one who acted) is not told of their own act.
    """
    skip_pk = getattr(actor_user(skip), "pk", None)
    recipients: dict[int, User] = {}
    for user in users:
        if user.pk != skip_pk:
            recipients.setdefault(user.pk, user)
    if not recipients:
        return []
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    text = str(message)[:MESSAGE_MAX]
    written = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind=kind,
                message=text,
                url=url,
                target_type=target_type,
                target_id=target.pk if target is not None else None,
            )
            for user in recipients.values()
        ]
    )
    _send_after_commit(list(recipients.values()), str(message), kind, subject, channels)
    return written


def _send_after_commit(users: list[User], message: str, kind: str, subject: str, channels: Channels) -> None:
    emails = [u.email for u in users if u.email] if channels.email and email_configured() else []
    hook = sms_hook() if channels.sms else None
    numbers = [u.mobile for u in users if getattr(u, "mobile", None)] if hook is not None else []
    if emails:
        title = subject or message[:60]

        def _mail() -> None:
            send_mail(title, message, settings.DEFAULT_FROM_EMAIL, emails, fail_silently=True)

        transaction.on_commit(_mail, robust=True)
    if hook is not None and numbers:

        def _sms() -> None:
            hook(numbers=numbers, message=message, kind=kind)

        transaction.on_commit(_sms, robust=True)


# ----------------------------------------------------------------------------- reading and marking read
def notification_list(*, actor: Actor, unread_only: bool = False) -> QuerySet[Notification]:
    """The actor's messages, newest first (none for a visitor or a system actor)."""
    user = actor_user(actor)
    if user is None or not user.is_active:
        return Notification.objects.none()
    notes = Notification.objects.filter(user=user)
    return notes.filter(read_at__isnull=True) if unread_only else notes


@transaction.atomic
def notification_mark_read(*, actor: Actor, pk: int | None = None) -> int:
    """Mark one (or all) of the actor's unread messages as read; how many were."""
    user = actor_user(actor)
    if user is None:
        return 0
    notes = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        notes = notes.filter(pk=pk)
    return notes.update(read_at=timezone.now())


def target_is(note: Notification, model: type[models.Model]) -> bool:
    """Whether the message is about an instance of `model` (without reading the target)."""
    return note.target_type_id == ContentType.objects.get_for_model(model).pk

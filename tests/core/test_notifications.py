"""core.notifications: one in-site message per user in one insert; e-mail and the SMS hook after commit,
only when configured, never for a change that rolled back."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import transaction

from shouzhan.core import notifications
from shouzhan.core.models import AuditEntry, Notification
from shouzhan.core.notifications import Channels, notify

pytestmark = pytest.mark.django_db

SENT: list[dict[str, Any]] = []


def sms_record(**message: Any) -> None:
    """The SMS hook the tests configure (NOTIFICATIONS_SMS_HOOK names it)."""
    SENT.append(message)


@pytest.fixture(autouse=True)
def _clear() -> None:
    SENT.clear()


@pytest.fixture
def people(make_user: Any) -> list[Any]:
    return [make_user(name=f"用户{i}", email=f"u{i}@example.com") for i in range(3)]


@pytest.fixture
def thing(db: Any) -> AuditEntry:
    # Any model instance will do as the message's subject.
    return AuditEntry.objects.create(action="test.thing_make", target_type="t")


def test_one_insert_for_every_recipient(
    people: list[Any], thing: AuditEntry, django_assert_num_queries: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ContentType.objects.get_for_model(thing)  # cached from here on, as in a running site
    with django_assert_num_queries(1):
        written = notify(
            users=[*people, people[0]], message="您有一条消息", kind="state", target=thing, url="/x/1"
        )
    assert len(written) == 3  # each user once
    rows = Notification.objects.order_by("id")
    assert [n.user_id for n in rows] == [u.pk for u in people]
    assert {(n.message, n.url, n.target_id, n.kind) for n in rows} == {
        ("您有一条消息", "/x/1", thing.pk, "state")
    }
    assert rows[0].target == thing and notifications.target_is(rows[0], AuditEntry)


def test_email_and_sms_only_after_commit(
    people: list[Any], thing: AuditEntry, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATIONS_SMS_HOOK = "tests.core.test_notifications.sms_record"
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        notify(
            users=people, message="已受理", subject="【首站】通知", target=thing, channels=Channels(sms=True)
        )
    assert mail.outbox == [] and SENT == []  # nothing leaves before the change is saved
    for callback in waiting:
        callback()
    assert len(mail.outbox) == 1
    assert (mail.outbox[0].subject, mail.outbox[0].body) == ("【首站】通知", "已受理")
    assert sorted(mail.outbox[0].to) == sorted(u.email for u in people)
    assert SENT == [{"numbers": [u.mobile for u in people], "message": "已受理", "kind": "state"}]


def test_nothing_sent_for_a_change_that_rolled_back(
    people: list[Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATIONS_SMS_HOOK = "tests.core.test_notifications.sms_record"
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(users=people, message="不会发出", channels=Channels(sms=True))
            raise RuntimeError
    assert (Notification.objects.count(), mail.outbox, SENT) == (0, [], [])


def test_channels_only_when_configured_and_asked(
    people: list[Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"  # development: no e-mail
    settings.NOTIFICATIONS_SMS_HOOK = ""
    with django_capture_on_commit_callbacks(execute=True) as done:
        notify(users=people, message="站内", channels=Channels(sms=True))
    assert done == [] and not notifications.email_configured()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATIONS_SMS_HOOK = "tests.core.test_notifications.sms_record"
    with django_capture_on_commit_callbacks(execute=True) as done:
        notify(users=people, message="仅站内", channels=notifications.IN_SITE_ONLY)
    assert done == [] and mail.outbox == [] and SENT == []
    assert Notification.objects.count() == 6


def test_the_one_who_acted_is_not_told(people: list[Any]) -> None:
    assert [n.user_id for n in notify(users=people, message="m", skip=people[1])] == [
        people[0].pk,
        people[2].pk,
    ]
    assert notify(users=[], message="m") == []
    assert notify(users=[people[0]], message="m", skip="system:worker")[0].user_id == people[0].pk


def test_list_and_mark_read(people: list[Any]) -> None:
    me, other = people[0], people[1]
    notify(users=[me, other], message="一")
    notify(users=[me], message="二")
    assert [n.message for n in notifications.notification_list(actor=me)] == ["二", "一"]
    assert notifications.notification_list(actor="system:worker").count() == 0
    first = notifications.notification_list(actor=me).last()
    assert first is not None
    assert notifications.notification_mark_read(actor=other, pk=first.pk) == 0  # not theirs
    assert notifications.notification_mark_read(actor=me, pk=first.pk) == 1
    assert [n.message for n in notifications.notification_list(actor=me, unread_only=True)] == ["二"]
    assert notifications.notification_mark_read(actor=me) == 1
    assert notifications.notification_list(actor=me, unread_only=True).count() == 0

"""Events and registrations: publish and change an event, take a seat or a waitlist place, check in."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.community import permissions
from shouzhan.community.models import Event, EventSeries, Registration
from shouzhan.community.selectors import check_in_window
from shouzhan.community.services.checks import unknown_fields
from shouzhan.core.actors import Actor, actor_user, system_actor
from shouzhan.core.audit import audit_record, audited_update, snapshot
from shouzhan.core.permissions import require_login
from shouzhan.registry.models import Project

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the door

EVENT_FIELDS = (
    "kind",
    "title",
    "summary",
    "agenda",
    "speakers",
    "venue",
    "starts_at",
    "ends_at",
    "capacity",
    "registration_open",
    "series",
    "number_in_series",
)


def registration_code_new() -> str:
    return "SZ" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def normalise_code(text: str) -> str:
    return "".join(text.split()).upper().replace("-", "")


# ------------------------------------------------------------------------------------------ events
def _series_named(actor: Actor, name: str) -> EventSeries:
    """An existing series by name, or a new one (audited) — e.g. the first OPC salon starts a series."""
    series = EventSeries.objects.filter(name=name).first()
    if series is None:
        series = EventSeries(name=name)
        series.full_clean()
        series.save()
        audit_record(
            actor=actor, action="community.event_series_create", target=series, after=snapshot(series)
        )
    return series


def _event_errors(actor: Actor, event: Event, data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    new_series = (data.get("new_series") or "").strip()
    if new_series:
        if len(new_series) > 120:
            errors["new_series"] = [_("系列名称最多 120 个字")]
        else:
            event.series = _series_named(actor, new_series)
    if not (event.title or "").strip():
        errors["title"] = [_("请填写活动标题")]
    if event.starts_at and event.ends_at and event.ends_at < event.starts_at:
        errors["ends_at"] = [_("结束时间不能早于开始时间")]
    if event.capacity is None or event.capacity < 1:
        errors["capacity"] = [_("名额至少为 1")]
    elif event.pk is not None and event.capacity < _confirmed_count(event):
        errors["capacity"] = [_("已有 %(n)s 人确认报名，名额不能少于这个数") % {"n": _confirmed_count(event)}]
    if event.number_in_series is not None and event.series is None:
        errors["number_in_series"] = [_("请先选择或新建系列")]
    not_mentors = [str(m) for m in data.get("mentors") or [] if not permissions.is_mentor(m.user)]
    if not_mentors:
        errors["mentors"] = [_("以下账号不是导师：%(names)s") % {"names": "、".join(not_mentors)}]
    return errors


def _apply_event(actor: Actor, event: Event, data: dict[str, Any]) -> None:
    unknown_fields(data, {*EVENT_FIELDS, "mentors", "new_series"})
    for key, value in data.items():
        if key not in ("mentors", "new_series"):
            setattr(event, key, value)
    errors = _event_errors(actor, event, data)
    if errors:
        raise ValidationError(errors)
    event.full_clean(exclude=["mentors", "series"], validate_constraints=False)


def _save_event(event: Event, data: dict[str, Any]) -> None:
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError as exc:
        raise ValidationError({"number_in_series": [_("该系列中已有这一场次")]}) from exc
    if "mentors" in data:
        event.mentors.set(data["mentors"])


def _event_snapshot(event: Event) -> dict[str, Any]:
    return snapshot(event) | {"mentors": sorted(event.mentors.values_list("pk", flat=True))}


@transaction.atomic
def event_create(*, actor: Actor, data: dict[str, Any]) -> Event:
    permissions.require_event_admin(actor)
    event = Event()
    _apply_event(actor, event, data)
    _save_event(event, data)
    audit_record(actor=actor, action="community.event_create", target=event, after=_event_snapshot(event))
    return event


@transaction.atomic
def event_update(*, actor: Actor, event: Event, data: dict[str, Any]) -> Event:
    """Change an event; more seats move the waitlist up at once, in order."""
    permissions.require_event_admin(actor)
    event = Event.objects.select_for_update().get(pk=event.pk)
    before = _event_snapshot(event)
    _apply_event(actor, event, data)
    _save_event(event, data)
    audit_record(
        actor=actor,
        action="community.event_update",
        target=event,
        before=before,
        after=_event_snapshot(event),
    )
    _promote_waitlist(event)  # more seats: the waitlist moves up
    return event


def _confirmed_count(event: Event) -> int:
    return Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).count()


def _promote_waitlist(event: Event) -> list[Registration]:
    """Fill free seats from the waitlist, first come first served (the caller holds the event lock)."""
    free = event.capacity - _confirmed_count(event)
    if free <= 0:
        return []
    waiting = Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED).order_by(
        "created_at", "id"
    )[:free]
    return [
        audited_update(
            actor=system_actor("waitlist"),
            instance=reg,
            action="community.registration_promote",
            changes={"status": Registration.Status.CONFIRMED},
            fields=["status"],
            note=_("有名额空出，候补自动转为正式报名"),
            clean=False,
        )
        for reg in waiting
    ]


# ------------------------------------------------------------------------------------------ registrations
def _refuse_registration(actor: Actor, event: Event, project: Project | None) -> None:
    if not event.registration_open:
        raise ValidationError(_("本活动暂未开放报名"))
    if event.ends_at < timezone.now():
        raise ValidationError(_("活动已结束，不能再报名"))
    permissions.require_presenter(actor, project)
    if (
        Registration.objects.filter(event=event, user_id=permissions.actor_id(actor) or 0)
        .exclude(status=Registration.Status.CANCELLED)
        .exists()
    ):
        raise ValidationError(_("您已报名本活动"))


@transaction.atomic
def registration_create(*, actor: Actor, event: Event, project: Project | None = None) -> Registration:
    """Take a seat, or a place on the waitlist when the event is full.

    The event row is locked, so two people taking the last seat at once get one seat and one
    waitlist place — never capacity + 1.
    """
    require_login(actor)
    event = Event.objects.select_for_update().get(pk=event.pk)
    _refuse_registration(actor, event, project)
    status = (
        Registration.Status.CONFIRMED
        if _confirmed_count(event) < event.capacity
        else Registration.Status.WAITLISTED
    )
    reg = Registration(
        event=event, user=actor_user(actor), project=project, status=status, code=registration_code_new()
    )
    try:
        with transaction.atomic():
            reg.save()
    except IntegrityError as exc:
        raise ValidationError(_("您已报名本活动")) from exc
    audit_record(
        actor=actor,
        action="community.registration_create",
        target=reg,
        after=snapshot(reg, ["event_id", "user_id", "project_id", "status"]),
        enterprise_id=project.enterprise_id if project else None,
    )
    return reg


@transaction.atomic
def registration_cancel(*, actor: Actor, registration: Registration) -> Registration:
    permissions.require_cancel_registration(actor, registration)
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    reg = Registration.objects.select_for_update().get(pk=registration.pk)
    if reg.status == Registration.Status.CANCELLED:
        raise ValidationError(_("该报名已取消"))
    if reg.checked_in_at is not None:
        raise ValidationError(_("已签到的报名不能取消"))
    reg = audited_update(
        actor=actor,
        instance=reg,
        action="community.registration_cancel",
        changes={"status": Registration.Status.CANCELLED},
        fields=["status"],
        clean=False,
    )
    _promote_waitlist(event)
    return reg


def _refuse_check_in(reg: Registration | None, event: Event, text: str) -> Registration:
    if reg is None:
        raise ValidationError(_("签到码 %(code)s 无效") % {"code": text})
    if reg.event_id != event.pk:
        raise ValidationError(_("该签到码属于另一场活动：%(title)s") % {"title": reg.event.title})
    if reg.status == Registration.Status.CANCELLED:
        raise ValidationError(_("%(name)s 的报名已取消，不能签到") % {"name": reg.user.name})
    if reg.status == Registration.Status.WAITLISTED:
        raise ValidationError(_("%(name)s 仍在候补名单中，不能签到") % {"name": reg.user.name})
    if reg.checked_in_at is not None:
        when = timezone.localtime(reg.checked_in_at).strftime("%H:%M")
        raise ValidationError(
            _("该签到码已于 %(when)s 签到（%(name)s），不能重复使用") % {"when": when, "name": reg.user.name}
        )
    return reg


def _check_in_window_check(event: Event) -> None:
    """A ticket shown outside the window is refused, saying when the door opens (or that it has closed)."""
    opens, closes = check_in_window(event)
    now = timezone.now()
    if now < opens:
        raise ValidationError(
            _("签到尚未开始：本场活动 %(opens)s 起可签到（开始前 %(minutes)s 分钟）。")
            % {
                "opens": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M"),
                "minutes": settings.EVENT_CHECK_IN_OPENS_MINUTES_BEFORE,
            },
            code="check_in_not_open",
        )
    if now > closes:
        raise ValidationError(
            _("签到已结束：本场活动的签到于 %(closes)s 截止。")
            % {"closes": timezone.localtime(closes).strftime("%Y-%m-%d %H:%M")},
            code="check_in_closed",
        )


@transaction.atomic
def registration_check_in(*, actor: Actor, event: Event, code: str) -> Registration:
    """Check a person in at the door by the code of their QR ticket: once, only for this event, and
    only while the door is open (`check_in_window`)."""
    permissions.require_door_staff(actor)
    _check_in_window_check(event)
    text = normalise_code(code)
    if not text:
        raise ValidationError(_("请输入或扫描签到码"))
    found = Registration.objects.select_for_update().select_related("event", "user").filter(code=text).first()
    reg = _refuse_check_in(found, event, text)
    reg.checked_in_at = timezone.now()
    reg.checked_in_by = actor_user(actor)
    reg.save(update_fields=["checked_in_at", "checked_in_by"])
    audit_record(
        actor=actor,
        action="community.registration_check_in",
        target=reg,
        after={"checked_in_at": reg.checked_in_at},
    )
    return reg

"""Mentors: their profile, feedback on projects presented at events, follow-ups and office hours."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.accounts.models import User
from shouzhan.community import permissions
from shouzhan.community.models import Event, Feedback, FollowUpNote, MentorProfile, OfficeHour, Registration
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record, audited_update, snapshot
from shouzhan.core.limits import LONG_TEXT, check_length
from shouzhan.core.permissions import require_login
from shouzhan.registry.models import Project


def _presented(event: Event, project: Project) -> bool:
    return Registration.objects.filter(
        event=event, project=project, status=Registration.Status.CONFIRMED
    ).exists()


def _text_required(text: str, message: str, *, at_least: int = 1) -> str:
    """The text stripped; a clear refusal on the `text` field when it is too short or too long."""
    text = (text or "").strip()
    if len(text) < at_least:
        raise ValidationError({"text": [message]})
    check_length(field="text", text=text, limit=LONG_TEXT)
    return text


@transaction.atomic
def mentor_profile_save(*, actor: Actor, user: User, data: dict[str, Any]) -> MentorProfile:
    permissions.require_mentor_profile_edit(actor, user)
    if not permissions.is_mentor(user):
        raise ValidationError(_("该账号不是导师"))
    profile, created = MentorProfile.objects.get_or_create(user=user, defaults={"expertise": ""})
    before = snapshot(profile)
    for key in ("headline", "bio", "expertise", "availability"):
        if key in data:
            setattr(profile, key, (data[key] or "").strip())
    if not profile.expertise:
        raise ValidationError({"expertise": [_("请填写擅长领域")]})
    profile.full_clean()
    profile.save()
    audit_record(
        actor=actor,
        action="community.mentor_create" if created else "community.mentor_update",
        target=profile,
        before=None if created else before,
        after=snapshot(profile),
    )
    return profile


@transaction.atomic
def feedback_save(*, actor: Actor, event: Event, project: Project, text: str) -> Feedback:
    """A panel mentor's written feedback on a project presented at the event (editable, audited)."""
    mentor = permissions.require_mentor(actor)
    permissions.require_panel_mentor(mentor, event)
    if not _presented(event, project):
        raise ValidationError(_("该项目没有在本场活动上路演"))
    text = _text_required(text, _("点评意见至少写 5 个字"), at_least=5)
    fb = Feedback.objects.select_for_update().filter(event=event, project=project, mentor=mentor).first()
    before = {"text": fb.text} if fb else None
    if fb is None:
        fb = Feedback.objects.create(event=event, project=project, mentor=mentor, text=text)
    else:
        fb.text = text
        fb.save(update_fields=["text", "updated_at"])
    audit_record(
        actor=actor,
        action="community.feedback_save",
        target=fb,
        target_label=f"{event.title} · {project.title}",
        before=before,
        after={"text": text},
        enterprise_id=project.enterprise_id,
    )
    # Mentors who reviewed a project follow it afterwards.
    mentor.followed_projects.add(project)
    return fb


@transaction.atomic
def mentor_follow(*, actor: Actor, mentor: MentorProfile, project: Project) -> None:
    permissions.require_follow_for(actor, mentor)
    mentor.followed_projects.add(project)
    audit_record(
        actor=actor,
        action="community.mentor_follow",
        target=mentor,
        after={"project_id": project.pk},
        enterprise_id=project.enterprise_id,
    )


@transaction.atomic
def followup_note_add(*, actor: Actor, project: Project, text: str) -> FollowUpNote:
    mentor = permissions.require_mentor(actor)
    if not mentor.followed_projects.filter(pk=project.pk).exists():
        raise PermissionDenied(_("您没有跟进这个项目"))
    text = _text_required(text, _("请填写跟进记录"))
    note = FollowUpNote.objects.create(mentor=mentor, project=project, text=text)
    audit_record(
        actor=actor,
        action="community.followup_note_add",
        target=note,
        target_label=project.title,
        after={"text": text},
        enterprise_id=project.enterprise_id,
    )
    return note


# ------------------------------------------------------------------------------------------ office hours
@transaction.atomic
def office_hour_create(*, actor: Actor, starts_at: dt.datetime, minutes: int, place: str = "") -> OfficeHour:
    mentor = permissions.require_mentor(actor)
    if not 15 <= minutes <= 240:
        raise ValidationError({"minutes": [_("时长应在 15 到 240 分钟之间")]})
    if starts_at < timezone.now():
        raise ValidationError({"starts_at": [_("不能发布过去的时间")]})
    try:
        with transaction.atomic():
            slot = OfficeHour.objects.create(
                mentor=mentor,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=minutes),
                place=place,
            )
    except IntegrityError as exc:
        raise ValidationError({"starts_at": [_("这个时间已经发布过了")]}) from exc
    audit_record(actor=actor, action="community.office_hour_create", target=slot, after=snapshot(slot))
    return slot


@transaction.atomic
def office_hour_book(*, actor: Actor, slot: OfficeHour, topic: str) -> OfficeHour:
    require_login(actor)
    slot = OfficeHour.objects.select_for_update().get(pk=slot.pk)
    if slot.booked_by_id is not None:
        raise ValidationError(_("该时段已被预约，请选择其他时段"))
    if slot.starts_at < timezone.now():
        raise ValidationError(_("该时段已过"))
    if slot.mentor.user_id == permissions.actor_id(actor):
        raise ValidationError(_("不能预约自己的时段"))
    topic = (topic or "").strip()
    if not topic:
        raise ValidationError({"topic": [_("请简单写下想聊的问题")]})
    return audited_update(
        actor=actor,
        instance=slot,
        action="community.office_hour_book",
        changes={"booked_by": actor_user(actor), "topic": topic[:200]},
        fields=["booked_by_id", "topic"],
        clean=False,
    )


@transaction.atomic
def office_hour_release(*, actor: Actor, slot: OfficeHour) -> OfficeHour:
    slot = OfficeHour.objects.select_for_update().get(pk=slot.pk)
    permissions.require_office_hour_release(actor, slot)
    return audited_update(
        actor=actor,
        instance=slot,
        action="community.office_hour_release",
        changes={"booked_by": None, "topic": ""},
        fields=["booked_by_id", "topic"],
        clean=False,
    )

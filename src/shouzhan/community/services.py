"""Writes of the community module: keyword-only, atomic, each with its own audit entry.

Permission checks live here, so the pages, the API and the demo loader agree on who may do what.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.community.models import (
    ContactRequest,
    Event,
    EventSeries,
    Feedback,
    FollowUpNote,
    Listing,
    MentorProfile,
    OfficeHour,
    Registration,
    Seeking,
)
from shouzhan.community.search import live
from shouzhan.community.search.documents import listing_tokens
from shouzhan.core.audit import audit_record, snapshot
from shouzhan.core.limits import LONG_TEXT, TEXT, check_length
from shouzhan.core.permissions import has_role, require_login, require_role
from shouzhan.core.roles import Role
from shouzhan.registry import patent_number
from shouzhan.registry.models import Enterprise, Person, Project
from shouzhan.registry.permissions import member_enterprise_ids, require_enterprise_write

EVENT_ADMIN_ROLES = (Role.CASEWORKER, Role.ADMIN)
# Who checks people in at the door.
DOOR_ROLES = (Role.CASEWORKER, Role.ADMIN, Role.LEADER)
# Who may act for an owner (an inventor who brings paper, a company on the phone).
BROKER_ROLES = (Role.CASEWORKER, Role.ADMIN)

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the door


def _new_code() -> str:
    return "SZ" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def normalise_code(text: str) -> str:
    return "".join(text.split()).upper().replace("-", "")


# ------------------------------------------------------------------------------------------ events
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


def _series_named(actor: Any, name: str) -> EventSeries:
    """An existing series by name, or a new one (audited) — e.g. the first OPC salon starts a series."""
    series = EventSeries.objects.filter(name=name).first()
    if series is None:
        series = EventSeries(name=name)
        series.full_clean()
        series.save()
        audit_record(actor=actor, action="event_series.create", target=series, after=snapshot(series))
    return series


def _apply_event(actor: Any, event: Event, data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - set(EVENT_FIELDS) - {"mentors", "new_series"})
    if unknown:
        raise ValidationError(_("未知字段：%(names)s") % {"names": "、".join(unknown)})
    for key, value in data.items():
        if key not in ("mentors", "new_series"):
            setattr(event, key, value)
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
    mentors = data.get("mentors")
    if mentors:
        not_mentors = [str(m) for m in mentors if not has_role(m.user, Role.MENTOR)]
        if not_mentors:
            errors["mentors"] = [_("以下账号不是导师：%(names)s") % {"names": "、".join(not_mentors)}]
    if errors:
        raise ValidationError(errors)
    event.full_clean(exclude=["mentors", "series"], validate_constraints=False)


def _save_event(event: Event) -> None:
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError as exc:
        raise ValidationError({"number_in_series": [_("该系列中已有这一场次")]}) from exc


def _event_snapshot(event: Event) -> dict[str, Any]:
    return snapshot(event) | {"mentors": sorted(event.mentors.values_list("pk", flat=True))}


@transaction.atomic
def event_create(*, actor: Any, data: dict[str, Any]) -> Event:
    require_role(actor, *EVENT_ADMIN_ROLES)
    event = Event()
    _apply_event(actor, event, data)
    _save_event(event)
    if "mentors" in data:
        event.mentors.set(data["mentors"])
    audit_record(actor=actor, action="event.create", target=event, after=_event_snapshot(event))
    live.invalidate()
    return event


@transaction.atomic
def event_update(*, actor: Any, event: Event, data: dict[str, Any]) -> Event:
    """Change an event; more seats move the waitlist up at once, in order."""
    require_role(actor, *EVENT_ADMIN_ROLES)
    event = Event.objects.select_for_update().get(pk=event.pk)
    before = _event_snapshot(event)
    _apply_event(actor, event, data)
    _save_event(event)
    if "mentors" in data:
        event.mentors.set(data["mentors"])
    audit_record(
        actor=actor, action="event.update", target=event, before=before, after=_event_snapshot(event)
    )
    _promote_waitlist(event)  # more seats: the waitlist moves up
    live.invalidate()
    return event


def _confirmed_count(event: Event) -> int:
    return Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).count()


def _promote_waitlist(event: Event) -> list[Registration]:
    """Fill free seats from the waitlist, first come first served (the caller holds the event lock)."""
    free = event.capacity - _confirmed_count(event)
    promoted: list[Registration] = []
    if free <= 0:
        return promoted
    waiting = Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED).order_by(
        "created_at", "id"
    )[:free]
    for reg in waiting:
        reg.status = Registration.Status.CONFIRMED
        reg.save(update_fields=["status"])
        audit_record(
            actor="system:waitlist",
            action="registration.promote",
            target=reg,
            before={"status": Registration.Status.WAITLISTED},
            after={"status": Registration.Status.CONFIRMED},
            note=_("有名额空出，候补自动转为正式报名"),
        )
        promoted.append(reg)
    return promoted


@transaction.atomic
def registration_create(*, actor: Any, event: Event, project: Project | None = None) -> Registration:
    """Take a seat, or a place on the waitlist when the event is full.

    The event row is locked, so two people taking the last seat at once get one seat and one
    waitlist place — never capacity + 1.
    """
    require_login(actor)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not event.registration_open:
        raise ValidationError(_("本活动暂未开放报名"))
    if event.ends_at < timezone.now():
        raise ValidationError(_("活动已结束，不能再报名"))
    if project is not None and project.enterprise_id not in member_enterprise_ids(actor):
        raise ValidationError({"project": [_("只能带本企业的项目参加路演")]})
    if (
        Registration.objects.filter(event=event, user=actor)
        .exclude(status=Registration.Status.CANCELLED)
        .exists()
    ):
        raise ValidationError(_("您已报名本活动"))
    status = (
        Registration.Status.CONFIRMED
        if _confirmed_count(event) < event.capacity
        else Registration.Status.WAITLISTED
    )
    reg = Registration(event=event, user=actor, project=project, status=status, code=_new_code())
    try:
        with transaction.atomic():
            reg.save()
    except IntegrityError as exc:
        raise ValidationError(_("您已报名本活动")) from exc
    audit_record(
        actor=actor,
        action="registration.create",
        target=reg,
        after=snapshot(reg, ["event_id", "user_id", "project_id", "status"]),
        enterprise_id=project.enterprise_id if project else None,
    )
    return reg


@transaction.atomic
def registration_cancel(*, actor: Any, registration: Registration) -> Registration:
    require_login(actor)
    if registration.user_id != actor.pk and not has_role(actor, *EVENT_ADMIN_ROLES):
        raise PermissionDenied(_("只能取消自己的报名"))
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    reg = Registration.objects.select_for_update().get(pk=registration.pk)
    if reg.status == Registration.Status.CANCELLED:
        raise ValidationError(_("该报名已取消"))
    if reg.checked_in_at is not None:
        raise ValidationError(_("已签到的报名不能取消"))
    before = reg.status
    reg.status = Registration.Status.CANCELLED
    reg.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="registration.cancel",
        target=reg,
        before={"status": before},
        after={"status": reg.status},
    )
    _promote_waitlist(event)
    return reg


@transaction.atomic
def registration_check_in(*, actor: Any, event: Event, code: str) -> Registration:
    """Check a person in at the door by the code of their QR ticket: once, and only for this event."""
    require_role(actor, *DOOR_ROLES)
    text = normalise_code(code)
    if not text:
        raise ValidationError(_("请输入或扫描签到码"))
    reg = Registration.objects.select_for_update().select_related("event", "user").filter(code=text).first()
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
    reg.checked_in_at = timezone.now()
    reg.checked_in_by = actor
    reg.save(update_fields=["checked_in_at", "checked_in_by"])
    audit_record(
        actor=actor,
        action="registration.check_in",
        target=reg,
        after={"checked_in_at": reg.checked_in_at},
    )
    return reg


# ------------------------------------------------------------------------------------------ mentors
def _mentor_of(actor: Any) -> MentorProfile:
    profile = MentorProfile.objects.filter(user_id=getattr(actor, "pk", None) or 0).first()
    if profile is None or not has_role(actor, Role.MENTOR):
        raise PermissionDenied(_("只有导师可以进行此操作"))
    return profile


def _presented(event: Event, project: Project) -> bool:
    return Registration.objects.filter(
        event=event, project=project, status=Registration.Status.CONFIRMED
    ).exists()


@transaction.atomic
def mentor_profile_save(*, actor: Any, user: Any, data: dict[str, Any]) -> MentorProfile:
    if actor.pk != user.pk:
        require_role(actor, Role.ADMIN, Role.CASEWORKER)
    if not has_role(user, Role.MENTOR):
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
        action="mentor.create" if created else "mentor.update",
        target=profile,
        before=None if created else before,
        after=snapshot(profile),
    )
    live.invalidate()
    return profile


@transaction.atomic
def feedback_save(*, actor: Any, event: Event, project: Project, text: str) -> Feedback:
    """A panel mentor's written feedback on a project presented at the event (editable, audited)."""
    mentor = _mentor_of(actor)
    if not event.mentors.filter(pk=mentor.pk).exists():
        raise PermissionDenied(_("您不在本场活动的点评导师名单中"))
    if not _presented(event, project):
        raise ValidationError(_("该项目没有在本场活动上路演"))
    text = (text or "").strip()
    if len(text) < 5:
        raise ValidationError({"text": [_("点评意见至少写 5 个字")]})
    check_length(field="text", text=text, limit=LONG_TEXT)
    fb = Feedback.objects.select_for_update().filter(event=event, project=project, mentor=mentor).first()
    before = {"text": fb.text} if fb else None
    if fb is None:
        fb = Feedback.objects.create(event=event, project=project, mentor=mentor, text=text)
    else:
        fb.text = text
        fb.save(update_fields=["text", "updated_at"])
    audit_record(
        actor=actor,
        action="feedback.save",
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
def mentor_follow(*, actor: Any, mentor: MentorProfile, project: Project) -> None:
    if not has_role(actor, *BROKER_ROLES):
        own = _mentor_of(actor)
        if own.pk != mentor.pk:
            raise PermissionDenied(_("只能为自己添加跟进项目"))
    mentor.followed_projects.add(project)
    audit_record(
        actor=actor,
        action="mentor.follow",
        target=mentor,
        after={"project_id": project.pk},
        enterprise_id=project.enterprise_id,
    )


@transaction.atomic
def followup_note_add(*, actor: Any, project: Project, text: str) -> FollowUpNote:
    mentor = _mentor_of(actor)
    if not mentor.followed_projects.filter(pk=project.pk).exists():
        raise PermissionDenied(_("您没有跟进这个项目"))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("请填写跟进记录")]})
    check_length(field="text", text=text, limit=LONG_TEXT)
    note = FollowUpNote.objects.create(mentor=mentor, project=project, text=text)
    audit_record(
        actor=actor,
        action="mentor.note",
        target=note,
        target_label=project.title,
        after={"text": text},
        enterprise_id=project.enterprise_id,
    )
    return note


@transaction.atomic
def office_hour_create(*, actor: Any, starts_at: dt.datetime, minutes: int, place: str = "") -> OfficeHour:
    mentor = _mentor_of(actor)
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
    audit_record(actor=actor, action="office_hour.create", target=slot, after=snapshot(slot))
    return slot


@transaction.atomic
def office_hour_book(*, actor: Any, slot: OfficeHour, topic: str) -> OfficeHour:
    require_login(actor)
    slot = OfficeHour.objects.select_for_update().get(pk=slot.pk)
    if slot.booked_by_id is not None:
        raise ValidationError(_("该时段已被预约，请选择其他时段"))
    if slot.starts_at < timezone.now():
        raise ValidationError(_("该时段已过"))
    if slot.mentor.user_id == actor.pk:
        raise ValidationError(_("不能预约自己的时段"))
    topic = (topic or "").strip()
    if not topic:
        raise ValidationError({"topic": [_("请简单写下想聊的问题")]})
    slot.booked_by = actor
    slot.topic = topic[:200]
    slot.save(update_fields=["booked_by", "topic"])
    audit_record(
        actor=actor,
        action="office_hour.book",
        target=slot,
        after={"booked_by": actor.pk, "topic": slot.topic},
    )
    return slot


@transaction.atomic
def office_hour_release(*, actor: Any, slot: OfficeHour) -> OfficeHour:
    slot = OfficeHour.objects.select_for_update().get(pk=slot.pk)
    if (
        slot.booked_by_id != actor.pk
        and slot.mentor.user_id != actor.pk
        and not has_role(actor, *BROKER_ROLES)
    ):
        raise PermissionDenied(_("只能取消自己的预约"))
    before = {"booked_by": slot.booked_by_id, "topic": slot.topic}
    slot.booked_by = None
    slot.topic = ""
    slot.save(update_fields=["booked_by", "topic"])
    audit_record(
        actor=actor, action="office_hour.release", target=slot, before=before, after={"booked_by": None}
    )
    return slot


# ------------------------------------------------------------------------------------------ listings
LISTING_FIELDS = ("patent_number", "title", "abstract", "legal_status", "field", "seeking")


def require_owner_write(actor: Any, *, person: Person | None, enterprise: Enterprise | None) -> None:
    """The owner themself, a member of the owning enterprise, or a caseworker acting for them."""
    require_login(actor)
    if enterprise is not None:
        require_enterprise_write(actor, enterprise.pk)
        return
    if person is None:
        raise ValidationError(_("请指定发布人"))
    if person.user_id == actor.pk or has_role(actor, *BROKER_ROLES):
        return
    raise PermissionDenied(_("只能管理自己的技术成果"))


def _owner_or_self(
    actor: Any, person: Person | None, enterprise: Enterprise | None
) -> tuple[Person | None, Enterprise | None]:
    """No owner named: the actor lists as themself (their Person is created the first time)."""
    if person is None and enterprise is None:
        from shouzhan.registry.services import person_for_user

        require_login(actor)
        return person_for_user(actor=actor), None
    return person, enterprise


def _clean_listing(listing: Listing, data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - set(LISTING_FIELDS))
    if unknown:
        raise ValidationError(_("未知字段：%(names)s") % {"names": "、".join(unknown)})
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        if key == "seeking":
            values = list(dict.fromkeys(value or []))
            bad = [v for v in values if v not in Seeking.values]
            if bad:
                errors["seeking"] = [_("未知的合作方式：%(v)s") % {"v": "、".join(map(str, bad))}]
            listing.seeking = values
        else:
            setattr(listing, key, "" if value is None else str(value).strip())
    if listing.patent_number:
        try:
            listing.patent_number = patent_number.validate(listing.patent_number)
        except patent_number.PatentNumberError as exc:
            errors["patent_number"] = [str(exc)]
        if listing.legal_status == Listing.LegalStatus.NONE:
            listing.legal_status = Listing.LegalStatus.GRANTED
    if not listing.title:
        errors["title"] = [_("请填写名称")]
    if not listing.abstract:
        errors["abstract"] = [_("请填写摘要或需求说明")]
    if not listing.field:
        errors["field"] = [_("请填写技术领域")]
    if not listing.seeking:
        errors["seeking"] = errors.get("seeking") or [_("请至少选择一种合作方式")]
    if listing.legal_status not in Listing.LegalStatus.values:
        errors["legal_status"] = [_("法律状态应为：已授权、申请中、已失效或非专利技术")]
    if errors:
        raise ValidationError(errors)
    listing.full_clean(
        exclude=["owner_person", "owner_enterprise", "created_by", "seeking"], validate_constraints=False
    )


def _listing_snapshot(listing: Listing) -> dict[str, Any]:
    # The index terms are derived from the text: the audit trail keeps the text, not the terms.
    return {k: v for k, v in snapshot(listing).items() if k != "search_tokens"}


def _save_listing(listing: Listing) -> None:
    # Segmented once, here: the search index and the listing page read the stored terms.
    listing.search_tokens = " ".join(listing_tokens(listing.title, listing.abstract, listing.field))
    try:
        with transaction.atomic():
            listing.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"patent_number": [_("专利 %(n)s 已在技术市场上发布") % {"n": listing.patent_number}]}
        ) from exc


@transaction.atomic
def listing_create(
    *,
    actor: Any,
    direction: str,
    data: dict[str, Any],
    owner_person: Person | None = None,
    owner_enterprise: Enterprise | None = None,
) -> Listing:
    """List a technology (offer) or a need; with no owner named, an offer is the actor's own."""
    if direction not in Listing.Direction.values:
        raise ValidationError(_("类别应为技术成果或技术需求"))
    if direction == Listing.Direction.NEED and owner_enterprise is None:
        raise ValidationError(_("技术需求由企业发布"))
    owner_person, owner_enterprise = _owner_or_self(actor, owner_person, owner_enterprise)
    require_owner_write(actor, person=owner_person, enterprise=owner_enterprise)
    listing = Listing(
        direction=direction, owner_person=owner_person, owner_enterprise=owner_enterprise, created_by=actor
    )
    _clean_listing(listing, data)
    _save_listing(listing)
    audit_record(
        actor=actor,
        action=f"listing.create_{direction}",
        target=listing,
        after=_listing_snapshot(listing),
        enterprise_id=owner_enterprise.pk if owner_enterprise else None,
    )
    live.invalidate()
    return listing


@transaction.atomic
def listing_update(*, actor: Any, listing: Listing, data: dict[str, Any]) -> Listing:
    require_owner_write(actor, person=listing.owner_person, enterprise=listing.owner_enterprise)
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    before = _listing_snapshot(listing)
    _clean_listing(listing, data)
    _save_listing(listing)
    audit_record(
        actor=actor,
        action="listing.update",
        target=listing,
        before=before,
        after=_listing_snapshot(listing),
        enterprise_id=listing.owner_enterprise_id,
    )
    live.invalidate()
    return listing


@transaction.atomic
def listing_set_status(*, actor: Any, listing: Listing, status: str) -> Listing:
    require_owner_write(actor, person=listing.owner_person, enterprise=listing.owner_enterprise)
    if status not in Listing.Status.values:
        raise ValidationError(_("未知状态"))
    before = listing.status
    listing.status = status
    listing.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="listing.status",
        target=listing,
        before={"status": before},
        after={"status": status},
        enterprise_id=listing.owner_enterprise_id,
    )
    live.invalidate()
    return listing


# ------------------------------------------------------------------------------------------ import
@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ListingImportReport:
    filename: str
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    def as_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "total_rows": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "errors": [{"row": e.row, "column": e.column, "reason": e.reason} for e in self.errors],
            "ignored_columns": self.ignored_columns,
        }


@transaction.atomic
def listing_import(
    *,
    actor: Any,
    data: bytes,
    filename: str,
    owner_person: Person | None = None,
    owner_enterprise: Enterprise | None = None,
) -> ListingImportReport:
    """Import patents from .xlsx/.csv: good rows saved (re-importing a number updates it), bad rows reported."""
    from shouzhan.community import importing
    from shouzhan.registry import spreadsheet
    from shouzhan.registry.services import import_size_check

    owner_person, owner_enterprise = _owner_or_self(actor, owner_person, owner_enterprise)
    require_owner_write(actor, person=owner_person, enterprise=owner_enterprise)
    import_size_check(len(data))
    if not data:
        raise ValidationError(_("文件是空的"))
    report = ListingImportReport(filename=filename)
    try:
        rows, report.ignored_columns = importing.read(data, filename)
    except spreadsheet.FileError as exc:
        raise ValidationError(str(exc)) from exc
    for number, values in rows:
        report.total_rows += 1
        parsed, problems = importing.parse_row(values)
        if problems:
            report.errors.extend(RowError(number, col, reason) for col, reason in problems)
            continue
        existing = (
            Listing.objects.select_for_update().filter(patent_number=parsed["patent_number"]).first()
            if parsed.get("patent_number")
            else None
        )
        try:
            with transaction.atomic():
                if existing is None:
                    listing = Listing(
                        direction=Listing.Direction.OFFER,
                        owner_person=owner_person,
                        owner_enterprise=owner_enterprise,
                        created_by=actor,
                    )
                    _clean_listing(listing, parsed)
                    _save_listing(listing)
                    report.created += 1
                    audit_record(
                        actor=actor,
                        action="listing.import_create",
                        target=listing,
                        after=_listing_snapshot(listing),
                        enterprise_id=owner_enterprise.pk if owner_enterprise else None,
                    )
                else:
                    if (existing.owner_person_id, existing.owner_enterprise_id) != (
                        owner_person.pk if owner_person else None,
                        owner_enterprise.pk if owner_enterprise else None,
                    ):
                        raise ValidationError(
                            {"patent_number": [_("该专利已由其他发布人发布，请联系营商服务中心")]}
                        )
                    before = _listing_snapshot(existing)
                    _clean_listing(existing, parsed)
                    _save_listing(existing)
                    report.updated += 1
                    audit_record(
                        actor=actor,
                        action="listing.import_update",
                        target=existing,
                        before=before,
                        after=_listing_snapshot(existing),
                        enterprise_id=existing.owner_enterprise_id,
                    )
        except ValidationError as exc:
            for col, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
                for message in messages:
                    report.errors.append(RowError(number, importing.column_label(col), message))
    audit_record(
        actor=actor,
        action="listing.import",
        target_type="community.listing",
        target_label=filename[:255],
        after=report.as_dict() | {"errors": len(report.bad_rows)},
        note=_("导入 %(f)s：新增 %(c)s，更新 %(u)s，错误 %(e)s 行")
        % {"f": filename, "c": report.created, "u": report.updated, "e": len(report.bad_rows)},
        enterprise_id=owner_enterprise.pk if owner_enterprise else None,
    )
    live.invalidate()
    return report


# ------------------------------------------------------------------------------------------ contacts
@transaction.atomic
def contact_request_create(
    *, actor: Any, listing: Listing, message: str, from_listing: Listing | None = None
) -> ContactRequest:
    """Ask the centre for an introduction; it becomes a service.introduction case staff broker."""
    require_login(actor)
    if listing.status != Listing.Status.ACTIVE:
        raise ValidationError(_("该条目已下架"))
    mine = member_enterprise_ids(actor)
    if listing.owner_enterprise_id in mine or (
        listing.owner_person and listing.owner_person.user_id == actor.pk
    ):
        raise ValidationError(_("不能对自己发布的条目申请对接"))
    if from_listing is not None:
        require_owner_write(actor, person=from_listing.owner_person, enterprise=from_listing.owner_enterprise)
    message = (message or "").strip()
    if len(message) < 5:
        raise ValidationError({"message": [_("请用一两句话说明对接的目的（至少 5 个字）")]})
    check_length(field="message", text=message, limit=TEXT)
    enterprise = None
    if from_listing is not None and from_listing.owner_enterprise is not None:
        enterprise = from_listing.owner_enterprise
    elif mine:
        enterprise = Enterprise.objects.get(pk=min(mine))
    if ContactRequest.objects.filter(
        listing=listing, requester=actor, outcome=ContactRequest.Outcome.OPEN
    ).exists():
        raise ValidationError(_("您已申请对接该条目，营商专员正在处理"))
    contact = ContactRequest.objects.create(
        listing=listing, from_listing=from_listing, requester=actor, enterprise=enterprise, message=message
    )
    case = _open_introduction_case(actor=actor, contact=contact)
    if case is not None:
        contact.case_id = case.pk
        contact.save(update_fields=["case_id"])
    audit_record(
        actor=actor,
        action="contact.request",
        target=contact,
        target_label=f"{actor} → {listing.title}",
        after=snapshot(contact),
        enterprise_id=enterprise.pk if enterprise else None,
    )
    return contact


def _open_introduction_case(*, actor: Any, contact: ContactRequest) -> Any:
    try:
        from shouzhan.cases.services import case_submit
    except ImportError:  # pragma: no cover — a deployment without the cases module still records the request
        return None
    listing = contact.listing
    return case_submit(
        actor=actor,
        case_type="service.introduction",
        enterprise=contact.enterprise,
        title=_("对接引荐：%(title)s") % {"title": listing.title},
        data={
            "contact_request_id": contact.pk,
            "requester": getattr(actor, "name", str(actor)),
            "requester_enterprise": contact.enterprise.name if contact.enterprise else "",
            "asks_for": listing.owner_name,
            "listing_id": listing.pk,
            "listing_title": listing.title,
            "patent_number": listing.patent_number,
            "from_listing_id": contact.from_listing_id,
            "message": contact.message,
        },
        related=listing,
    )


@transaction.atomic
def contact_outcome_record(
    *, actor: Any, case_id: int, outcome: str, note: str = ""
) -> ContactRequest | None:
    """Called when the introduction case ends: the request shows how it went."""
    contact = ContactRequest.objects.select_for_update().filter(case_id=case_id).first()
    if contact is None or contact.outcome == outcome:
        return contact
    before = contact.outcome
    contact.outcome = outcome
    contact.outcome_note = note
    contact.closed_at = timezone.now()
    contact.save(update_fields=["outcome", "outcome_note", "closed_at"])
    audit_record(
        actor=actor,
        action="contact.outcome",
        target=contact,
        before={"outcome": before},
        after={"outcome": outcome, "note": note},
        enterprise_id=contact.enterprise_id,
    )
    return contact

"""Writes to training courses: the course and its project, sessions, trainees and attendance.

A course applies for hu8.training_course with its project (kind "course"): the project's `trainees` is never
typed while a course is linked — `course_project_sync` writes the number `training.course_counts` counts
from the attendance, every time the attendance changes. Every write checks `talent.permissions`
(`require_course_run`: the organiser's members and the centre's caseworkers), runs in one transaction and
writes its audit entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.accounts.models import User
from shouzhan.accounts.validators import normalize_mobile, validate_mobile
from shouzhan.core.actors import Actor, actor_user, is_system
from shouzhan.core.audit import audit_record, audited_update, snapshot
from shouzhan.core.workdays import DateOutOfRange, parse_iso_date
from shouzhan.registry import audit_actions as A
from shouzhan.registry.choices import ProjectKind
from shouzhan.registry.models import Enterprise, Person, Project
from shouzhan.registry.services._fields import is_empty, unknown_fields
from shouzhan.registry.services.people import person_created
from shouzhan.registry.services.projects import project_create
from shouzhan.registry.talent import permissions as P
from shouzhan.registry.talent.choices import TalentField
from shouzhan.registry.talent.models import Attendance, Trainee, TrainingCourse, TrainingSession
from shouzhan.registry.talent.services import text_clean
from shouzhan.registry.talent.training import course_counts

COURSE_FIELDS = ("title", "field", "description")
SESSION_FIELDS = ("held_on", "topic", "hours")


def _course_apply(course: TrainingCourse, data: dict[str, Any], *, extra: tuple[str, ...] = ()) -> None:
    unknown = unknown_fields(data, (*COURSE_FIELDS, *extra))
    if unknown:
        raise ValidationError(unknown[0])
    errors: dict[str, list[str]] = {}
    if "title" in data or course.pk is None:
        course.title = text_clean(data.get("title"), 200, _("课程名称"), errors, "title", required=True)
    if "field" in data:
        value = "" if is_empty(data["field"]) else str(data["field"]).strip()
        if value and value not in TalentField.values:
            errors["field"] = [_("请从列表中选择领域。")]
        course.field = value
    if "description" in data:
        course.description = "" if data["description"] is None else str(data["description"]).strip()
        if len(course.description) > 5000:
            errors["description"] = [_("“课程简介”最多 5000 个字。")]
    if errors:
        raise ValidationError(errors)


def _course_project(actor: Actor, organiser: Enterprise, course: TrainingCourse, ref: Any) -> Project:
    """The project the course applies with: one of the organiser's course projects not linked yet, or a new
    one (its trainees 0 until attendance is taken: a number, never "unknown", so nobody is asked to type it)."""
    if is_empty(ref):
        data = {
            "kind": ProjectKind.COURSE.value,
            "title": course.title,
            "description": course.description,
            "year": timezone.localdate().year,
            "trainees": 0,
        }
        return project_create(actor=actor, enterprise=organiser, data=data)
    pk = ref.pk if isinstance(ref, Project) else ref
    project = (
        Project.objects.select_for_update().filter(pk=pk, enterprise=organiser).first()
        if isinstance(pk, int) or str(pk).isdigit()
        else None
    )
    if project is None or project.kind != ProjectKind.COURSE:
        raise ValidationError({"project": [_("请选择本机构的一个培训课程类项目。")]})
    if TrainingCourse.objects.filter(project=project).exists():
        raise ValidationError({"project": [_("该项目已关联另一门培训课程。")]})
    return project


@transaction.atomic
def training_course_create(*, actor: Actor, organiser: Enterprise, data: dict[str, Any]) -> TrainingCourse:
    """A course of the organiser with its project (`data["project"]`: an existing course project to link)."""
    P.require_course_run(actor, organiser.pk)
    course = TrainingCourse(organiser=organiser)
    _course_apply(course, data, extra=("project",))
    project = _course_project(actor, organiser, course, data.get("project"))
    course.project = project
    course.save()
    audit_record(
        actor=actor,
        action=A.TRAINING_COURSE_CREATE,
        target=course,
        after=snapshot(course),
        enterprise_id=organiser.pk,
    )
    course_project_sync(actor=actor, course=course)  # a linked project's typed number gives way
    return course


@transaction.atomic
def training_course_update(
    *, actor: Actor, course: TrainingCourse, data: dict[str, Any], expected_version: int | None = None
) -> TrainingCourse:
    P.require_course_run(actor, course.organiser_id)
    return audited_update(
        actor=actor,
        instance=course,
        action=A.TRAINING_COURSE_UPDATE,
        apply=lambda locked: _course_apply(locked, data),
        expected_version=expected_version,
        enterprise_id=course.organiser_id,
        clean=False,
    )


# ----------------------------------------------------------------------------- sessions
def session_clean(data: dict[str, Any]) -> dict[str, Any]:
    unknown = unknown_fields(data, SESSION_FIELDS)
    if unknown:
        raise ValidationError(unknown[0])
    errors: dict[str, list[str]] = {}
    held_on: dt.date | None = None
    if is_empty(data.get("held_on")):
        errors["held_on"] = [_("请填写上课日期。")]
    else:
        try:
            held_on = parse_iso_date(data["held_on"])
        except DateOutOfRange:
            errors["held_on"] = [_("上课日期应为 YYYY-MM-DD 格式的日期。")]
    topic = text_clean(data.get("topic"), 200, _("主题"), errors, "topic", required=True)
    hours = data.get("hours", 3)
    text = "" if hours is None else str(hours).strip()
    if isinstance(hours, bool) or not text.isdigit() or not 1 <= int(text) <= 12:
        errors["hours"] = [_("学时应为 1 到 12 之间的整数。")]
    if errors:
        raise ValidationError(errors)
    return {"held_on": held_on, "topic": topic, "hours": int(text)}


@transaction.atomic
def training_session_add(*, actor: Actor, course: TrainingCourse, data: dict[str, Any]) -> TrainingSession:
    """A session, past or planned (a planned one is taken once its day has come)."""
    P.require_course_run(actor, course.organiser_id)
    session = TrainingSession.objects.create(course=course, **session_clean(data))
    audit_record(
        actor=actor,
        action=A.TRAINING_SESSION_ADD,
        target=session,
        after=snapshot(session),
        enterprise_id=course.organiser_id,
    )
    return session


@transaction.atomic
def training_session_remove(*, actor: Actor, session: TrainingSession) -> None:
    """Remove a session entered by mistake; one whose register was taken stays (the count relies on it)."""
    course = session.course
    P.require_course_run(actor, course.organiser_id)
    TrainingCourse.objects.select_for_update().filter(pk=course.pk).first()
    if Attendance.objects.filter(session=session).exists():
        raise ValidationError(_("该课次已记录考勤，不能删除。"))
    audit_record(
        actor=actor,
        action=A.TRAINING_SESSION_REMOVE,
        target=session,
        before=snapshot(session),
        enterprise_id=course.organiser_id,
    )
    session.delete()


# ----------------------------------------------------------------------------- trainees
def _person_created(actor: Actor, person: Person) -> Person:
    person.full_clean(exclude=["enterprise", "user"])
    return person_created(actor=actor, person=person, note=_("培训课程报名时建立人员档案"))


def _person_by_mobile(actor: Actor, name: str, mobile: str) -> Person:
    """The person this mobile number belongs to: the account holder's own Person, another Person with the
    number, or a new Person of no enterprise (the organiser keeps its trainee list, not its staff list)."""
    user = User.objects.select_for_update().filter(mobile=mobile).first()
    if user is not None:
        own = Person.objects.filter(user=user).first()
        if own is not None:
            return own
    person = Person.objects.filter(mobile=mobile).order_by("id").first()
    if person is not None:
        return person
    if user is not None:
        account_name = (user.name or "").strip() or name
        return _person_created(
            actor, Person(user=user, name=account_name[:60], mobile=mobile, email=user.email or "")
        )
    return _person_created(actor, Person(enterprise=None, name=name, mobile=mobile))


def trainee_clean(name: Any, mobile: Any) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    clean_name = text_clean(name, 60, _("姓名"), errors, "name", required=True)
    number = "" if mobile is None else str(mobile)
    try:
        validate_mobile(number)
        number = normalize_mobile(number)
    except ValidationError as exc:
        errors["mobile"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return clean_name, number


@transaction.atomic
def training_trainee_enrol(*, actor: Actor, course: TrainingCourse, name: str, mobile: str) -> Trainee:
    """Enrol a person (found by their mobile number) in the course: once per course."""
    P.require_course_run(actor, course.organiser_id)
    clean_name, number = trainee_clean(name, mobile)
    TrainingCourse.objects.select_for_update().filter(pk=course.pk).first()
    person = _person_by_mobile(actor, clean_name, number)
    if Trainee.objects.filter(course=course, person=person).exists():
        raise ValidationError(
            {"mobile": [_("手机号 %(mobile)s 的学员已报名本课程，无需重复报名。") % {"mobile": number}]}
        )
    try:
        with transaction.atomic():
            trainee = Trainee.objects.create(course=course, person=person)
    except IntegrityError:  # enrolled meanwhile by someone else
        raise ValidationError({"mobile": [_("该学员已报名本课程。")]}) from None
    audit_record(
        actor=actor,
        action=A.TRAINING_TRAINEE_ENROL,
        target=trainee,
        after={**snapshot(trainee), "person": person.name},
        enterprise_id=course.organiser_id,
    )
    return trainee


@transaction.atomic
def training_trainee_remove(*, actor: Actor, trainee: Trainee) -> None:
    """Remove a trainee enrolled by mistake; one who attended a session stays on the list."""
    course = trainee.course
    P.require_course_run(actor, course.organiser_id)
    TrainingCourse.objects.select_for_update().filter(pk=course.pk).first()
    if Attendance.objects.filter(trainee=trainee, attended=True).exists():
        raise ValidationError(_("“%(name)s”已有出勤记录，不能移除。") % {"name": trainee.person.name})
    audit_record(
        actor=actor,
        action=A.TRAINING_TRAINEE_REMOVE,
        target=trainee,
        before={**snapshot(trainee), "person": trainee.person.name},
        enterprise_id=course.organiser_id,
    )
    trainee.delete()
    course_project_sync(actor=actor, course=course)  # their absences may have been a session's only register


# ----------------------------------------------------------------------------- attendance
def _trainee_label(trainee: Trainee) -> str:
    mobile = trainee.person.mobile
    return f"{trainee.person.name}（{mobile[-4:]}）" if mobile else trainee.person.name


def _marks_check(session: TrainingSession, marks: dict[int, bool], today: dt.date) -> dict[int, Trainee]:
    if any(not isinstance(v, bool) for v in marks.values()):
        raise ValidationError(_("考勤只能记为出勤或缺勤。"))
    if session.held_on > today:
        day = session.held_on.isoformat()
        if any(marks.values()):
            raise ValidationError(_("课次日期 %(date)s 还未到，不能记为出勤。") % {"date": day})
        raise ValidationError(_("课次日期 %(date)s 还未到，还不能记录考勤。") % {"date": day})
    trainees = {
        t.pk: t
        for t in Trainee.objects.filter(course_id=session.course_id, pk__in=list(marks)).select_related(
            "person"
        )
    }
    if set(marks) - set(trainees):
        raise ValidationError(_("有学员不在本课程的学员名单中，考勤未保存。"))
    return trainees


@transaction.atomic
def training_attendance_record(
    *, actor: Actor, session: TrainingSession, marks: dict[int, bool]
) -> list[Attendance]:
    """The register of one session: {trainee id: attended}, one row per trainee, changed in place; then the
    course's project gets the new count. Returns the rows that changed."""
    course = session.course
    P.require_course_run(actor, course.organiser_id)
    TrainingCourse.objects.select_for_update().filter(pk=course.pk).first()  # one register at a time
    trainees = _marks_check(session, marks, timezone.localdate())
    existing = {
        a.trainee_id: a
        for a in Attendance.objects.select_for_update().filter(session=session, trainee_id__in=list(marks))
    }
    user = actor_user(actor)
    now = timezone.now()
    before: dict[str, bool | None] = {}
    after: dict[str, bool] = {}
    created: list[Attendance] = []
    changed: list[Attendance] = []
    for trainee_id, attended in marks.items():
        row = existing.get(trainee_id)
        if row is not None and row.attended == attended:
            continue
        label = _trainee_label(trainees[trainee_id])
        before[label], after[label] = (None if row is None else row.attended), attended
        if row is None:
            created.append(Attendance(session=session, trainee_id=trainee_id, attended=attended))
            row = created[-1]
        else:
            row.attended = attended
            changed.append(row)
        row.recorded_at, row.recorded_by = now, user
    Attendance.objects.bulk_create(created)
    Attendance.objects.bulk_update(changed, ["attended", "recorded_at", "recorded_by"])
    if after:
        audit_record(
            actor=actor,
            action=A.TRAINING_ATTENDANCE_RECORD,
            target=session,
            before=before,
            after=after,
            enterprise_id=course.organiser_id,
        )
        course_project_sync(actor=actor, course=course)
    return [*created, *changed]


@transaction.atomic
def course_project_sync(*, actor: Actor, course: TrainingCourse) -> Project | None:
    """Write the trainees counted from attendance on the course's project (nothing when it already says so)."""
    if not is_system(actor):
        P.require_course_run(actor, course.organiser_id)
    project = Project.objects.filter(pk=course.project_id).first() if course.project_id else None
    if project is None:
        return None
    counted = course_counts([course.pk])[course.pk].counted
    return audited_update(
        actor=actor,
        instance=project,
        action=A.PROJECT_TRAINEES_SYNC,
        changes={"trainees": counted},
        fields=["trainees"],
        enterprise_id=course.organiser_id,
        clean=False,
    )

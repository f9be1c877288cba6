"""The talent API's shapes (every name starts with Talent: ninja files schemas by class name), and the
record shaped from what `registry.talent.selectors` lets the reader see.

An enterprise shown only the profile (`PROFILE`) reads the person, their field, education, experience,
summary, category and titles; the certificates, trainings, support outcomes, hukou and children are null
for it (hidden, not "none").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from shouzhan.cases.api import FieldOut
from shouzhan.core.limits import (
    PAGE_DEFAULT,
    JsonDict,
    Key,
    PageLimit,
    PageOffset,
    QueryText,
    ShortText,
    Text,
)
from shouzhan.registry.talent.facts import person_employer
from shouzhan.registry.talent.models import SkillCertificate, TalentSupport, TalentTitle
from shouzhan.registry.talent.selectors import RecordRow, RecordView
from shouzhan.registry.talent.training import PersonTraining


# ----------------------------------------------------------------------------- in
class TalentRecordFilters(Schema):
    q: QueryText = Field("", description="A part of the person's name")
    category: Key = Field("", description="leading | composite | youth | skilled | none")
    limit: PageLimit = PAGE_DEFAULT
    offset: PageOffset = 0


class TalentRecordPatch(Schema):
    expected_version: int = Field(description="The version you read; a stale one gets 409")
    field: Key | None = None
    education: Key | None = None
    years_experience: int | None = None
    shanghai_hukou: bool | None = None
    children_school_age: int | None = None
    summary: Text | None = None


class TalentTitleIn(Schema):
    series: Key = Field(description="art | engineering")
    level: int = Field(description="1 初级, 2 中级, 3 副高级, 4 正高级")
    specialty: ShortText = ""
    granted_on: Key = Field(description="YYYY-MM-DD, not after today")
    issuer: ShortText = ""
    certificate_no: Key = Field("", description="4–40 letters, digits or hyphens")


class TalentCertificateIn(Schema):
    kind: Key = Field(description="ai_av | vocational | other")
    name: ShortText
    level: Key = ""
    number: Key = Field(
        description="ai_av and vocational: S or Y and 21 digits; other: 4–40 letters, digits, -"
    )
    issued_on: Key = Field(description="YYYY-MM-DD, not after today")
    issuer: ShortText = ""


class TalentShareIn(Schema):
    level: Key = Field(description='profile | full, or "" to show the enterprise nothing')


class TalentSupportIn(Schema):
    person_id: int | None = Field(None, description="Whom for: yourself when left out, else your member")
    case_type: Key = Field(description="One of GET /talent/support-types")
    data: JsonDict = Field(default_factory=dict, description="The case type's fields")


# ----------------------------------------------------------------------------- out
class TalentTitleOut(Schema):
    id: int
    series: str
    series_label: str
    level: int
    level_label: str
    specialty: str
    granted_on: dt.date
    issuer: str
    certificate_no: str
    from_case: bool = Field(description="Recorded by a support case: the person cannot delete it")


class TalentCertificateOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    level: str
    number: str
    issued_on: dt.date
    issuer: str
    from_case: bool


class TalentTrainingOut(Schema):
    course_id: int
    title: str
    organiser: str
    sessions_taken: int
    attended: int
    hours: int
    completed: bool


class TalentSupportOut(Schema):
    kind: str
    kind_label: str
    granted: bool
    summary: str
    reference: str
    decided_on: dt.date
    case_id: int


class TalentShareOut(Schema):
    enterprise_id: int
    enterprise: str
    level: str = Field(description='profile | full, or "" for nothing shared')
    level_label: str


class TalentRecordRowOut(Schema):
    id: int | None = Field(description="null: a person of your enterprise without a record yet")
    person_id: int
    name: str
    employer: str
    field: str
    field_label: str
    category: str = Field(description='leading | composite | youth | skilled | none; "" without a record')
    category_label: str
    access: str = Field(description="keeper | staff | full | profile")
    version: int | None
    updated_at: dt.datetime | None


class TalentRecordPage(Schema):
    count: int
    items: list[TalentRecordRowOut]


class TalentRecordOut(Schema):
    id: int
    person_id: int
    name: str
    employer: str
    field: str
    field_label: str
    category: str = Field(description="leading | composite | youth | skilled | none")
    category_label: str
    access: str = Field(description="keeper | staff | full | profile")
    version: int = Field(description="Send it back as expected_version to change the record")
    updated_at: dt.datetime
    can_write: bool
    can_share: bool = Field(description="The person themselves: may set what each enterprise reads")
    education: str
    education_label: str
    years_experience: int | None
    summary: str
    titles: list[TalentTitleOut]
    shanghai_hukou: bool | None = Field(description="null when hidden (profile) or not said")
    children_school_age: int | None
    certificates: list[TalentCertificateOut] | None = Field(description="null when hidden (profile)")
    trainings: list[TalentTrainingOut] | None
    supports: list[TalentSupportOut] | None
    shares: list[TalentShareOut] | None = Field(
        description="For the person themselves: each enterprise's level"
    )


class TalentReasonOut(Schema):
    text: str
    met: bool | None = Field(description="true met, false not met, null unknown or information")


class TalentCategoryResultOut(Schema):
    key: str
    label: str
    status: str = Field(description="eligible | not_eligible | unknown")
    status_label: str
    decided: bool = Field(description="The person's category: the first eligible, highest first")
    reasons: list[TalentReasonOut]


class TalentCategoryOut(Schema):
    record_id: int
    on: dt.date
    category: str
    category_label: str
    categories: list[TalentCategoryResultOut] = Field(
        description="Each category's answer with its reasons; empty for a profile-only reader"
    )


class TalentSupportTypeOut(Schema):
    key: str
    label: str
    description: str
    limit_days: int = Field(description="Working days")
    fields: list[FieldOut]
    document_formats: list[str]


# ----------------------------------------------------------------------------- shaping
def title_out(t: TalentTitle) -> dict[str, Any]:
    return {
        "id": t.pk,
        "series": t.series,
        "series_label": str(t.get_series_display()),
        "level": t.level,
        "level_label": str(t.get_level_display()),
        "specialty": t.specialty,
        "granted_on": t.granted_on,
        "issuer": t.issuer,
        "certificate_no": t.certificate_no,
        "from_case": t.source_case_id is not None,
    }


def certificate_out(c: SkillCertificate) -> dict[str, Any]:
    return {
        "id": c.pk,
        "kind": c.kind,
        "kind_label": str(c.get_kind_display()),
        "name": c.name,
        "level": c.level,
        "number": c.number,
        "issued_on": c.issued_on,
        "issuer": c.issuer,
        "from_case": c.source_case_id is not None,
    }


def _training_out(t: PersonTraining) -> dict[str, Any]:
    return {
        "course_id": t.course_id,
        "title": t.title,
        "organiser": t.organiser,
        "sessions_taken": t.taken,
        "attended": t.attended,
        "hours": t.hours,
        "completed": t.completed,
    }


def _support_out(s: TalentSupport) -> dict[str, Any]:
    from shouzhan.cases import workflow as wf

    try:
        kind_label = str(wf.case_type_get(s.kind).label)
    except KeyError:  # a case type since removed: its key stands
        kind_label = s.kind
    return {
        "kind": s.kind,
        "kind_label": kind_label,
        "granted": s.granted,
        "summary": s.summary,
        "reference": s.reference,
        "decided_on": s.decided_on,
        "case_id": s.source_case_id,
    }


def share_out(enterprise: Any, level: str) -> dict[str, Any]:
    from shouzhan.registry.talent.choices import ShareLevel

    return {
        "enterprise_id": enterprise.pk,
        "enterprise": enterprise.name,
        "level": level,
        "level_label": str(ShareLevel(level).label) if level else "",
    }


def row_out(row: RecordRow) -> dict[str, Any]:
    """A line of the list (registry.talent.selectors.record_list): a person of the reader's enterprise
    without a record yet has no id, field or version."""
    person, record = row.person, row.record
    employer = person_employer(person)
    return {
        "id": record.pk if record is not None else None,
        "person_id": person.pk,
        "name": person.name,
        "employer": employer.name if employer is not None else "",
        "field": record.field if record is not None else "",
        "field_label": str(record.get_field_display()) if record is not None and record.field else "",
        "category": row.category,
        "category_label": row.category_label,
        "access": row.access,
        "version": record.version if record is not None else None,
        "updated_at": record.updated_at if record is not None else None,
    }


def record_out(view: RecordView) -> dict[str, Any]:
    """The record as far as the reader's access allows (registry.talent.selectors.record_view): KEEPER,
    STAFF and FULL everything; PROFILE the profile, the rest null (hidden, not "none")."""
    record, full = view.record, view.full
    employer = person_employer(record.person)
    return {
        "id": record.pk,
        "person_id": record.person_id,
        "name": record.person.name,
        "employer": employer.name if employer is not None else "",
        "field": record.field,
        "field_label": str(record.get_field_display()) if record.field else "",
        "category": view.category.key,
        "category_label": view.category_label,
        "access": view.access,
        "version": record.version,
        "updated_at": record.updated_at,
        "can_write": view.can_write,
        "can_share": view.can_share,
        "education": record.education,
        "education_label": str(record.get_education_display()) if record.education else "",
        "years_experience": record.years_experience,
        "summary": record.summary,
        "titles": [title_out(t) for t in view.titles],
        "shanghai_hukou": record.shanghai_hukou if full else None,
        "children_school_age": record.children_school_age if full else None,
        "certificates": [certificate_out(c) for c in view.certificates] if full else None,
        "trainings": [_training_out(t) for t in view.trainings] if full else None,
        "supports": [_support_out(s) for s in view.supports] if full else None,
        "shares": [share_out(r.enterprise, r.level) for r in view.shares] if view.can_share else None,
    }


# ----------------------------------------------------------------------------- training courses
class TalentCourseFilters(Schema):
    limit: PageLimit = PAGE_DEFAULT
    offset: PageOffset = 0


class TalentCourseOut(Schema):
    id: int
    title: str
    organiser_id: int
    organiser: str
    field: str
    field_label: str
    project_id: int | None = Field(description="The course project hu8.training_course is applied with")
    sessions_taken: int = Field(description="Sessions whose register was taken")
    enrolled: int
    counted: int = Field(description="Trainees who attended at least 4/5 of the sessions taken")
    version: int
    created_at: dt.datetime


class TalentCoursePage(Schema):
    count: int
    items: list[TalentCourseOut]


class TalentSessionOut(Schema):
    id: int
    held_on: dt.date
    topic: str
    hours: int
    open: bool = Field(description="Its day has come: the register may be taken")
    taken: bool
    attended: int


class TalentMarkOut(Schema):
    session_id: int
    attended: bool | None = Field(description="null: not recorded")


class TalentTraineeOut(Schema):
    id: int
    person_id: int
    name: str
    enrolled_on: dt.date
    attended: int
    counted: bool
    marks: list[TalentMarkOut]


class TalentCourseDetailOut(TalentCourseOut):
    description: str
    sessions: list[TalentSessionOut]
    trainees: list[TalentTraineeOut]


class TalentSessionIn(Schema):
    held_on: Key = Field(description="YYYY-MM-DD (a future session is planned; its register waits)")
    topic: ShortText
    hours: int = Field(3, description="1 to 12")


class TalentTraineeIn(Schema):
    name: ShortText
    mobile: Key = Field(description="The trainee is found by it (an account's own person, or a new one)")


class TalentMarkIn(Schema):
    trainee_id: int
    attended: bool


class TalentAttendanceIn(Schema):
    marks: list[TalentMarkIn] = Field(max_length=1000, description="One session's register")


def session_out(s: Any, *, today: dt.date, taken: bool = False, attended: int = 0) -> dict[str, Any]:
    return {
        "id": s.pk,
        "held_on": s.held_on,
        "topic": s.topic,
        "hours": s.hours,
        "open": s.held_on <= today,
        "taken": taken,
        "attended": attended,
    }


def trainee_out(row: Any) -> dict[str, Any]:
    """A row of course_selectors.attendance_grid."""
    t = row.trainee
    return {
        "id": t.pk,
        "person_id": t.person_id,
        "name": t.person.name,
        "enrolled_on": t.enrolled_on,
        "attended": row.attended,
        "counted": row.counted,
        "marks": [{"session_id": c.session.pk, "attended": c.mark} for c in row.cells],
    }


def course_out(course: Any, count: Any) -> dict[str, Any]:
    return {
        "id": course.pk,
        "title": course.title,
        "organiser_id": course.organiser_id,
        "organiser": course.organiser.name,
        "field": course.field,
        "field_label": str(course.get_field_display()) if course.field else "",
        "project_id": course.project_id,
        "sessions_taken": count.taken,
        "enrolled": count.enrolled,
        "counted": count.counted,
        "version": course.version,
        "created_at": course.created_at,
    }

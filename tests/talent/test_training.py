"""Training courses: hu8.training_course's amount follows the attendance recorded through the services.

training_scale (catalogue/hu8.yaml, from 2025-06-01): 20 → 50,000; 50 → 100,000; 100 → 150,000;
200 → 200,000 yuan; the clause's cap is 200,000 yuan a course. A trainee counts at 4/5 of the sessions taken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shouzhan.accounts.models import User
from shouzhan.core.models import AuditEntry
from shouzhan.policies.selectors import enterprise_calculate
from shouzhan.registry.models import Enterprise, Person, Project
from shouzhan.registry.services.projects import project_update
from shouzhan.registry.talent.course_services import (
    course_project_sync,
    training_attendance_record,
    training_course_create,
    training_course_update,
    training_session_add,
    training_session_remove,
    training_trainee_enrol,
    training_trainee_remove,
)
from shouzhan.registry.talent.models import Attendance, Trainee, TrainingCourse, TrainingSession
from shouzhan.registry.talent.training import course_counts

CLAUSE = "hu8.training_course"
LOCKED = "参训人数按课程考勤自动计算，不能手工填写。"


@pytest.fixture
def school(make_enterprise: Callable[..., tuple[Enterprise, User]]) -> tuple[Enterprise, User]:
    return make_enterprise(name="光启视听学院", district="徐汇", sector="micro_drama")


@pytest.fixture
def course(school: tuple[Enterprise, User]) -> TrainingCourse:
    enterprise, owner = school
    return training_course_create(
        actor=owner, organiser=enterprise, data={"title": "AI 视听创制实训营", "field": "", "description": ""}
    )


def past(n: int) -> dt.date:
    """The n-th of a run of days well before today (sessions already held)."""
    return dt.date(2026, 3, 2) + dt.timedelta(days=7 * n)


def codes_of(fn: Callable[[], Any]) -> list[str]:
    """The audit codes a call wrote, in order."""
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    fn()
    return list(AuditEntry.objects.filter(id__gt=last).order_by("id").values_list("action", flat=True))


def enrol_many(course: TrainingCourse, actor: User, n: int) -> list[Trainee]:
    return [
        training_trainee_enrol(actor=actor, course=course, name=f"学员{i:03d}", mobile=f"1370000{i:04d}")
        for i in range(n)
    ]


def clause_now(course: TrainingCourse, actor: User) -> tuple[str, int | None]:
    course.refresh_from_db()
    assert course.project is not None
    result = enterprise_calculate(
        actor=actor, enterprise=course.organiser, project=course.project, on=timezone.localdate()
    )
    found = next(r for r in result.results if r.id == CLAUSE)
    return found.status, found.max_amount_fen


def attend(session: TrainingSession, actor: User, trainees: list[Trainee], present: int) -> None:
    marks = {t.pk: i < present for i, t in enumerate(trainees)}
    training_attendance_record(actor=actor, session=session, marks=marks)


# ----------------------------------------------------------------------------- the amount from attendance
def test_the_amount_follows_the_counted_trainees_under_at_and_over_the_cap(
    catalogue: Any, school: tuple[Enterprise, User], course: TrainingCourse
) -> None:
    _enterprise, owner = school
    trainees = enrol_many(course, owner, 200)
    session = training_session_add(
        actor=owner, course=course, data={"held_on": past(0), "topic": "提示词与分镜", "hours": 3}
    )
    assert clause_now(course, owner) == ("not_eligible", None)  # no register taken: 0 counted

    steps = [
        (19, "not_eligible", None),  # under 20: nothing
        (20, "eligible", 5_000_000),
        (49, "eligible", 5_000_000),  # just under the 50 bracket
        (50, "eligible", 10_000_000),  # at it
        (199, "eligible", 15_000_000),
        (200, "eligible", 20_000_000),  # the top bracket: 200,000 yuan, the cap
    ]
    for present, status, fen in steps:
        attend(session, owner, trainees, present)
        course.refresh_from_db()
        assert course.project is not None
        assert course.project.trainees == present
        assert course_counts([course.pk])[course.pk].counted == present
        assert clause_now(course, owner) == (status, fen), present


def test_a_trainee_counts_at_four_in_five_sessions_and_not_at_three(
    catalogue: Any, school: tuple[Enterprise, User], course: TrainingCourse
) -> None:
    _enterprise, owner = school
    four, three = enrol_many(course, owner, 2)
    sessions = [
        training_session_add(actor=owner, course=course, data={"held_on": past(i), "topic": f"第{i + 1}讲"})
        for i in range(5)
    ]
    for i, session in enumerate(sessions):
        training_attendance_record(actor=owner, session=session, marks={four.pk: i < 4, three.pk: i < 3})
    count = course_counts([course.pk])[course.pk]
    assert (count.taken, count.enrolled, count.counted) == (5, 2, 1)
    course.refresh_from_db()
    assert course.project is not None and course.project.trainees == 1


# ----------------------------------------------------------------------------- refusals
def test_a_future_session_marked_attended_is_refused_and_nothing_is_saved(
    school: tuple[Enterprise, User], course: TrainingCourse
) -> None:
    _enterprise, owner = school
    (trainee,) = enrol_many(course, owner, 1)
    day = dt.date(timezone.localdate().year + 1, 12, 10)
    session = training_session_add(actor=owner, course=course, data={"held_on": day, "topic": "结业展映"})
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as raised:
        training_attendance_record(actor=owner, session=session, marks={trainee.pk: True})
    assert raised.value.messages == [f"课次日期 {day.isoformat()} 还未到，不能记为出勤。"]
    assert Attendance.objects.count() == 0
    assert AuditEntry.objects.count() == entries


def test_a_trainee_of_another_course_is_refused(
    school: tuple[Enterprise, User], course: TrainingCourse
) -> None:
    enterprise, owner = school
    other = training_course_create(actor=owner, organiser=enterprise, data={"title": "另一门课"})
    (stranger,) = enrol_many(other, owner, 1)
    session = training_session_add(actor=owner, course=course, data={"held_on": past(0), "topic": "导论"})
    with pytest.raises(ValidationError) as raised:
        training_attendance_record(actor=owner, session=session, marks={stranger.pk: True})
    assert raised.value.messages == ["有学员不在本课程的学员名单中，考勤未保存。"]
    assert Attendance.objects.count() == 0


def test_the_typed_trainees_are_refused_while_a_course_is_linked(
    school: tuple[Enterprise, User], course: TrainingCourse
) -> None:
    _enterprise, owner = school
    assert course.project is not None
    with pytest.raises(ValidationError) as raised:
        project_update(actor=owner, project=course.project, data={"trainees": 45})
    assert raised.value.message_dict == {"trainees": [LOCKED]}
    course.project.refresh_from_db()
    assert course.project.trainees == 0
    # The same number sent back (the registry's form shows it read-only) is no change.
    project_update(actor=owner, project=course.project, data={"trainees": 0, "year": 2026})
    course.project.refresh_from_db()
    assert (course.project.trainees, course.project.year) == (0, 2026)


def test_a_project_without_a_course_is_typed_as_before(school: tuple[Enterprise, User]) -> None:
    enterprise, owner = school
    project = Project.objects.create(enterprise=enterprise, kind="course", title="线下讲座")
    project_update(actor=owner, project=project, data={"trainees": 45})
    project.refresh_from_db()
    assert project.trainees == 45


def test_enrolment_finds_the_person_by_mobile_and_refuses_a_repeat(
    school: tuple[Enterprise, User], course: TrainingCourse, talent_person: tuple[Person, Enterprise, User]
) -> None:
    _enterprise, owner = school
    person, _employer, member = talent_person
    assert member.mobile
    spaced = f"+86 {member.mobile[:3]} {member.mobile[3:7]} {member.mobile[7:]}"
    trainee = training_trainee_enrol(actor=owner, course=course, name="林晓", mobile=spaced)
    assert trainee.person == person  # the account holder's own Person, not a new one
    with pytest.raises(ValidationError) as raised:
        training_trainee_enrol(actor=owner, course=course, name="林晓", mobile=member.mobile)
    assert raised.value.message_dict == {
        "mobile": [f"手机号 {member.mobile} 的学员已报名本课程，无需重复报名。"]
    }
    new = training_trainee_enrol(actor=owner, course=course, name="周远", mobile="13912345678")
    assert (new.person.name, new.person.mobile, new.person.enterprise_id, new.person.user_id) == (
        "周远",
        "13912345678",
        None,
        None,
    )
    again = training_trainee_enrol(
        actor=owner,
        course=training_course_create(actor=owner, organiser=course.organiser, data={"title": "进阶课"}),
        name="周远",
        mobile="139 1234 5678",
    )
    assert again.person == new.person
    with pytest.raises(ValidationError) as raised:
        training_trainee_enrol(actor=owner, course=course, name="", mobile="12345")
    assert raised.value.message_dict == {
        "name": ["请填写“姓名”。"],
        "mobile": ["请输入有效的 11 位手机号码（如 13800138000）。"],
    }


def test_a_session_or_trainee_with_a_register_stays(
    school: tuple[Enterprise, User], course: TrainingCourse
) -> None:
    _enterprise, owner = school
    present, absent = enrol_many(course, owner, 2)
    session = training_session_add(actor=owner, course=course, data={"held_on": past(0), "topic": "导论"})
    training_attendance_record(actor=owner, session=session, marks={present.pk: True, absent.pk: False})
    with pytest.raises(ValidationError) as raised:
        training_session_remove(actor=owner, session=session)
    assert raised.value.messages == ["该课次已记录考勤，不能删除。"]
    with pytest.raises(ValidationError) as raised:
        training_trainee_remove(actor=owner, trainee=present)
    assert raised.value.messages == ["“学员000”已有出勤记录，不能移除。"]
    training_trainee_remove(actor=owner, trainee=absent)  # never attended: may go
    assert list(Trainee.objects.filter(course=course)) == [present]


def test_a_session_out_of_bounds_is_refused_in_words(
    school: tuple[Enterprise, User], course: TrainingCourse
) -> None:
    _enterprise, owner = school
    with pytest.raises(ValidationError) as raised:
        training_session_add(
            actor=owner, course=course, data={"held_on": "2026-13-01", "topic": " ", "hours": 13}
        )
    assert raised.value.message_dict == {
        "held_on": ["上课日期应为 YYYY-MM-DD 格式的日期。"],
        "topic": ["请填写“主题”。"],
        "hours": ["学时应为 1 到 12 之间的整数。"],
    }


def test_another_enterprise_cannot_run_the_course(
    make_enterprise: Callable[..., tuple[Enterprise, User]], course: TrainingCourse
) -> None:
    from django.http import Http404

    _other, stranger = make_enterprise(name="别家公司")
    with pytest.raises(Http404):
        training_session_add(actor=stranger, course=course, data={"held_on": past(0), "topic": "x"})


# ----------------------------------------------------------------------------- the audit trail
def test_each_service_writes_its_audit_codes(
    school: tuple[Enterprise, User], talent_person: tuple[Person, Enterprise, User]
) -> None:
    enterprise, owner = school
    made: list[TrainingCourse] = []
    assert codes_of(
        lambda: made.append(training_course_create(actor=owner, organiser=enterprise, data={"title": "课"}))
    ) == ["registry.project_create", "registry.training_course_create"]
    course = made[0]
    typed = Project.objects.create(enterprise=enterprise, kind="course", title="已有项目", trainees=45)
    assert codes_of(
        lambda: training_course_create(
            actor=owner, organiser=enterprise, data={"title": "关联课", "project": typed.pk}
        )
    ) == ["registry.training_course_create", "registry.project_trainees_sync"]
    typed.refresh_from_db()
    assert typed.trainees == 0
    assert codes_of(
        lambda: training_course_update(actor=owner, course=course, data={"description": "八周"})
    ) == ["registry.training_course_update"]
    sessions: list[TrainingSession] = []
    assert codes_of(
        lambda: sessions.append(
            training_session_add(actor=owner, course=course, data={"held_on": past(0), "topic": "一"})
        )
    ) == ["registry.training_session_add"]
    trainees: list[Trainee] = []
    assert codes_of(
        lambda: trainees.append(
            training_trainee_enrol(actor=owner, course=course, name="新人", mobile="13600000001")
        )
    ) == ["registry.person_create", "registry.training_trainee_enrol"]
    member = talent_person[2]
    own = f"{talent_person[0].name}（{(member.mobile or '')[-4:]}）"
    assert codes_of(
        lambda: trainees.append(
            training_trainee_enrol(actor=owner, course=course, name="林晓", mobile=member.mobile or "")
        )
    ) == ["registry.training_trainee_enrol"]
    first, second = trainees
    record = lambda marks: training_attendance_record(  # noqa: E731
        actor=owner, session=sessions[0], marks=marks
    )
    assert codes_of(lambda: record({first.pk: True, second.pk: False})) == [
        "registry.training_attendance_record",
        "registry.project_trainees_sync",
    ]
    assert codes_of(lambda: record({first.pk: True, second.pk: False})) == []  # nothing changed
    entry = AuditEntry.objects.filter(action="registry.training_attendance_record").latest("id")
    assert (entry.before, entry.after) == (
        {"新人（0001）": None, own: None},
        {"新人（0001）": True, own: False},
    )
    assert codes_of(lambda: course_project_sync(actor=owner, course=course)) == []
    assert codes_of(lambda: training_trainee_remove(actor=owner, trainee=second)) == [
        "registry.training_trainee_remove"
    ]
    extra = training_session_add(actor=owner, course=course, data={"held_on": past(1), "topic": "二"})
    assert codes_of(lambda: training_session_remove(actor=owner, session=extra)) == [
        "registry.training_session_remove"
    ]


def test_a_course_project_keeps_its_kind(make_enterprise: Any) -> None:
    from django.core.exceptions import ValidationError

    from shouzhan.registry.services.projects import project_update
    from shouzhan.registry.talent.course_services import training_course_create

    enterprise, owner = make_enterprise(name="光启视听学院")
    course = training_course_create(actor=owner, organiser=enterprise, data={"title": "AI视听创作课"})
    assert course.project is not None
    with pytest.raises(ValidationError) as refused:
        project_update(actor=owner, project=course.project, data={"kind": "event"})
    assert refused.value.message_dict == {"kind": ["该项目是培训课程的申报项目，类型只能是培训课程。"]}

"""What attendance counts for, exactly: a course's sessions taken, trainees enrolled and counted, and one
person's courses with attended sessions, hours and completion (registry/talent/training.py)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest

from shouzhan.registry.models import Person
from shouzhan.registry.talent.models import Attendance, Trainee, TrainingCourse, TrainingSession
from shouzhan.registry.talent.training import (
    COMPLETION_SHARE,
    CourseCount,
    PersonTraining,
    completes,
    course_counts,
    person_trainings,
    trainings_by_person,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("attended", "taken", "expected"),
    [(4, 5, True), (3, 5, False), (8, 10, True), (7, 9, False), (3, 4, False), (1, 1, True), (0, 0, False)],
)
def test_four_in_five_of_the_sessions_taken(attended: int, taken: int, expected: bool) -> None:
    assert COMPLETION_SHARE == Fraction(4, 5)
    assert completes(attended, taken) is expected


def _course(enterprise: Any, title: str, hours: list[int], created: int) -> tuple[TrainingCourse, list[Any]]:
    course = TrainingCourse.objects.create(organiser=enterprise, title=title)
    TrainingCourse.objects.filter(pk=course.pk).update(
        created_at=dt.datetime(2026, 1, created, tzinfo=dt.UTC)
    )
    sessions = [
        TrainingSession.objects.create(
            course=course, held_on=dt.date(2026, 3, i + 1), topic=f"第{i + 1}课", hours=h
        )
        for i, h in enumerate(hours)
    ]
    return course, sessions


def _mark(session: Any, trainee: Any, attended: bool) -> None:
    Attendance.objects.create(session=session, trainee=trainee, attended=attended)


def test_counts_and_a_persons_trainings(make_enterprise: Any) -> None:
    school, _owner = make_enterprise(name="深算学院")
    a, b, c = (Person.objects.create(name=n) for n in ("甲", "乙", "丙"))
    first, s1 = _course(school, "AI视听创作", [3, 3, 2, 2, 4, 1], created=5)  # 6 sessions, 5 taken
    second, s2 = _course(school, "AI配音", [2, 2], created=9)
    t = {p.name: Trainee.objects.create(course=first, person=p) for p in (a, b, c)}
    # 甲 attends 4 of the 5 taken (counted); 乙 3 of 5 plus an absence recorded; 丙 is never marked.
    for i, session in enumerate(s1[:5]):
        _mark(session, t["甲"], i != 2)
        if i < 3:
            _mark(session, t["乙"], True)
        elif i == 3:
            _mark(session, t["乙"], False)
    second_a = Trainee.objects.create(course=second, person=a)
    _mark(s2[0], second_a, False)  # a register taken with her absent: 0 of 1
    empty, _ = _course(school, "未开课", [3], created=12)

    assert course_counts([first.pk, second.pk, empty.pk]) == {
        first.pk: CourseCount(taken=5, enrolled=3, counted=1),
        second.pk: CourseCount(taken=1, enrolled=1, counted=0),
        empty.pk: CourseCount(taken=0, enrolled=0, counted=0),
    }
    # Hours of the sessions attended: 3 + 3 + 2 + 4 (the third session missed).
    assert person_trainings(a.pk) == [
        PersonTraining(second.pk, "AI配音", "深算学院", taken=1, attended=0, hours=0, completed=False),
        PersonTraining(first.pk, "AI视听创作", "深算学院", taken=5, attended=4, hours=12, completed=True),
    ]
    everyone = trainings_by_person([a.pk, b.pk, c.pk])
    assert everyone[b.pk] == [
        PersonTraining(first.pk, "AI视听创作", "深算学院", taken=5, attended=3, hours=8, completed=False)
    ]
    assert everyone[c.pk] == [
        PersonTraining(first.pk, "AI视听创作", "深算学院", taken=5, attended=0, hours=0, completed=False)
    ]
    assert person_trainings(Person.objects.create(name="丁").pk) == []

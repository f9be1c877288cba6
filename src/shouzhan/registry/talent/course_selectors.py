"""Reads of training courses, scoped through `talent.permissions`: the courses a user sees, one course, and its
attendance grid (trainees × sessions) with the count hu8.training_course reads."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan.core.permissions import is_staff_member
from shouzhan.registry.permissions import member_enterprise_ids
from shouzhan.registry.talent import permissions as P
from shouzhan.registry.talent.models import Attendance, Trainee, TrainingCourse, TrainingSession
from shouzhan.registry.talent.training import CourseCount, completes


def courses_visible(*, actor: Any) -> QuerySet[TrainingCourse]:
    """The organiser's members see its courses; the centre's staff every course."""
    courses = TrainingCourse.objects.select_related("organiser", "project")
    if is_staff_member(actor):
        return courses
    return courses.filter(organiser_id__in=member_enterprise_ids(actor))


def course_get(*, actor: Any, pk: int) -> TrainingCourse:
    course = TrainingCourse.objects.select_related("organiser", "project").filter(pk=pk).first()
    if course is None:
        raise Http404(_("没有找到该培训课程。"))
    P.require_course_read(actor, course)
    return course


def session_get(*, course: TrainingCourse, pk: int) -> TrainingSession:
    session = TrainingSession.objects.filter(course=course, pk=pk).first()
    if session is None:
        raise Http404(_("没有找到该课次。"))
    session.course = course
    return session


def trainee_get(*, course: TrainingCourse, pk: int) -> Trainee:
    trainee = Trainee.objects.select_related("person").filter(course=course, pk=pk).first()
    if trainee is None:
        raise Http404(_("没有找到该学员。"))
    trainee.course = course
    return trainee


@dataclass(frozen=True)
class Column:
    session: TrainingSession
    open: bool  # its day has come: the register may be taken
    taken: bool  # attendance recorded for it
    attended: int


@dataclass(frozen=True)
class Cell:
    session: TrainingSession
    mark: bool | None  # None: not recorded
    open: bool


@dataclass(frozen=True)
class Row:
    trainee: Trainee
    cells: list[Cell]
    attended: int
    counted: bool
    removable: bool  # never attended


@dataclass(frozen=True)
class AttendanceGrid:
    columns: list[Column]
    rows: list[Row]
    count: CourseCount  # as training.course_counts counts it

    @property
    def open_columns(self) -> list[Column]:
        return [c for c in self.columns if c.open]


def attendance_grid(*, course: TrainingCourse, today: dt.date) -> AttendanceGrid:
    """The course's trainees and sessions with every mark (three queries, whatever the size)."""
    sessions = list(TrainingSession.objects.filter(course=course))
    trainees = list(Trainee.objects.filter(course=course).select_related("person"))
    marks: dict[tuple[int, int], bool] = {
        (trainee_id, session_id): attended
        for trainee_id, session_id, attended in Attendance.objects.filter(session__course=course).values_list(
            "trainee_id", "session_id", "attended"
        )
    }
    taken_ids = {session_id for _t, session_id in marks}
    present = Counter(session_id for (_t, session_id), attended in marks.items() if attended)
    columns = [Column(s, s.held_on <= today, s.pk in taken_ids, present[s.pk]) for s in sessions]
    rows = []
    for t in trainees:
        cells = [Cell(s, marks.get((t.pk, s.pk)), s.held_on <= today) for s in sessions]
        attended = sum(1 for c in cells if c.mark)
        rows.append(Row(t, cells, attended, completes(attended, len(taken_ids)), attended == 0))
    count = CourseCount(len(taken_ids), len(trainees), sum(1 for r in rows if r.counted))
    return AttendanceGrid(columns, rows, count)

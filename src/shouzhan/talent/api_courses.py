"""The training courses' API (under /api/v1/talent/courses): a course with its sessions, trainees and the
attendance grid, adding sessions and trainees, and one session's register.

The organiser's members run their courses and the centre's staff read every one (caseworkers may run them);
anyone else gets 404 (`course_selectors.course_get`). The services check, audit and write the trainees counted
on the course's project, which hu8.training_course reads.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from shouzhan.registry.talent import course_selectors as S
from shouzhan.registry.talent import course_services as C
from shouzhan.registry.talent.models import TrainingCourse
from shouzhan.registry.talent.training import course_counts
from shouzhan.talent.api_schemas import (
    TalentAttendanceIn,
    TalentCourseDetailOut,
    TalentCourseFilters,
    TalentCoursePage,
    TalentSessionIn,
    TalentSessionOut,
    TalentTraineeIn,
    TalentTraineeOut,
    course_out,
    session_out,
    trainee_out,
)


def _detail(course: TrainingCourse) -> dict[str, Any]:
    grid = S.attendance_grid(course=course, today=timezone.localdate())
    return {
        **course_out(course, grid.count),
        "description": course.description,
        "sessions": [
            session_out(c.session, today=timezone.localdate(), taken=c.taken, attended=c.attended)
            for c in grid.columns
        ],
        "trainees": [trainee_out(row) for row in grid.rows],
    }


def register(router: Router, errors: dict[int | frozenset[int], Any]) -> None:
    """Add the course operations to the talent router."""

    @router.get(
        "/talent/courses",
        response={200: TalentCoursePage, **errors},
        summary="Training courses you may see (the organiser's members; the staff all)",
    )
    def course_list(request: HttpRequest, filters: Query[TalentCourseFilters]) -> dict[str, Any]:
        rows = S.courses_visible(actor=request.user).order_by("-created_at", "-id")
        count = rows.count()
        page = list(rows[filters.offset : filters.offset + filters.limit])
        counts = course_counts(c.pk for c in page)
        return {"count": count, "items": [course_out(c, counts[c.pk]) for c in page]}

    @router.get(
        "/talent/courses/{course_id}",
        response={200: TalentCourseDetailOut, **errors},
        summary="A course with its sessions, trainees, attendance and the trainees counted",
    )
    def course_detail(request: HttpRequest, course_id: int) -> dict[str, Any]:
        return _detail(S.course_get(actor=request.user, pk=course_id))

    @router.post(
        "/talent/courses/{course_id}/sessions",
        response={201: TalentSessionOut, **errors},
        summary="Add a session, past or planned",
    )
    def session_add(request: HttpRequest, course_id: int, payload: TalentSessionIn) -> Status[Any]:
        course = S.course_get(actor=request.user, pk=course_id)
        session = C.training_session_add(actor=request.user, course=course, data=payload.dict())
        return Status(201, session_out(session, today=timezone.localdate()))

    @router.post(
        "/talent/courses/{course_id}/trainees",
        response={201: TalentTraineeOut, **errors},
        summary="Enrol a trainee by name and mobile number",
    )
    def trainee_enrol(request: HttpRequest, course_id: int, payload: TalentTraineeIn) -> Status[Any]:
        course = S.course_get(actor=request.user, pk=course_id)
        trainee = C.training_trainee_enrol(
            actor=request.user, course=course, name=payload.name, mobile=payload.mobile
        )
        grid = S.attendance_grid(course=course, today=timezone.localdate())
        return Status(201, trainee_out(next(r for r in grid.rows if r.trainee.pk == trainee.pk)))

    @router.put(
        "/talent/courses/{course_id}/sessions/{session_id}/attendance",
        response={200: TalentCourseDetailOut, **errors},
        summary="Record one session's register (a session in the future cannot be marked attended)",
    )
    def attendance_record(
        request: HttpRequest, course_id: int, session_id: int, payload: TalentAttendanceIn
    ) -> dict[str, Any]:
        course = S.course_get(actor=request.user, pk=course_id)
        session = S.session_get(course=course, pk=session_id)
        marks = {m.trainee_id: m.attended for m in payload.marks}
        C.training_attendance_record(actor=request.user, session=session, marks=marks)
        return _detail(course)

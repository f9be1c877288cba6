"""The training course pages (培训课程): an institution's courses with their sessions, trainees and attendance,
and what hu8.training_course gives for the trainees counted so far; the attendance export.

The organiser's members run their courses; the centre's staff read every course (caseworkers may run them);
anyone else gets 404. Each register (one session's column of the grid) is its own form, so saving one never
marks anybody absent from a session whose register was not taken.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouzhan.core.forms import form_saved
from shouzhan.core.permissions import has_role, is_staff_member
from shouzhan.core.roles import ENTERPRISE_EDITOR_ROLES
from shouzhan.policies.selectors import calculate, catalogue_in_force, enterprise_calculate
from shouzhan.policies.trace import STATUS_WORDS
from shouzhan.registry.models import Enterprise
from shouzhan.registry.permissions import member_enterprise_ids
from shouzhan.registry.selectors import enterprise_facts
from shouzhan.registry.talent import course_selectors as S
from shouzhan.registry.talent import course_services as C
from shouzhan.registry.talent.models import TrainingCourse
from shouzhan.registry.talent.training import course_counts
from shouzhan.rules import Catalogue
from shouzhan.talent import permissions as P
from shouzhan.talent.exports import course_attendance_export
from shouzhan.talent.forms_courses import CourseForm, CourseNewForm, SessionForm, TraineeForm
from shouzhan.talent.nav import nav_key

CLAUSE_ID = "hu8.training_course"
PER_PAGE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ClauseNow:
    """What the training clause gives the course's project today."""

    status: str
    status_words: str
    amount_fen: int | None
    cap_fen: int | None


def course_clause(
    *, actor: Any, course: TrainingCourse, on: dt.date, catalogue: Catalogue | None = None
) -> ClauseNow | None:
    """The clause for the course's project today. A list passes the catalogue it read once (its courses are
    already scoped to what the user may read); a single course goes through enterprise_calculate."""
    if course.project is None:
        return None
    if catalogue is None:
        result = enterprise_calculate(actor=actor, enterprise=course.organiser, project=course.project, on=on)
    else:
        facts = enterprise_facts(enterprise=course.organiser, project=course.project)
        result = calculate(facts=facts, on=on, catalogue=catalogue)
    found = next((r for r in result.results if r.id == CLAUSE_ID), None)
    if found is None or result.catalogue is None:  # the clause is not in force on that day
        return None
    cap = result.catalogue.clause(CLAUSE_ID).cap
    words = str(STATUS_WORDS.get(found.status, found.status))
    return ClauseNow(found.status, words, found.max_amount_fen, cap.fen if cap else None)


def _organisers(user: Any) -> Any:
    if has_role(user, *ENTERPRISE_EDITOR_ROLES):
        return Enterprise.objects.order_by("name")
    return Enterprise.objects.filter(pk__in=member_enterprise_ids(user)).order_by("name")


@login_required
@require_GET
def courses(request: HttpRequest) -> HttpResponse:
    page = Paginator(S.courses_visible(actor=request.user), PER_PAGE).get_page(request.GET.get("page"))
    on = timezone.localdate()
    counts = course_counts(c.pk for c in page.object_list)
    catalogue = catalogue_in_force(on=on)
    rows = [
        {
            "course": c,
            "count": counts[c.pk],
            "clause": course_clause(actor=request.user, course=c, on=on, catalogue=catalogue),
        }
        for c in page.object_list
    ]
    can_create = bool(member_enterprise_ids(request.user)) or has_role(request.user, *ENTERPRISE_EDITOR_ROLES)
    context = {
        "active_nav": nav_key(request.user, "talent_courses"),
        "rows": rows,
        "page": page,
        "staff": is_staff_member(request.user),
        "can_create": can_create,
    }
    return render(request, "talent/course_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest) -> HttpResponse:
    organisers = _organisers(request.user)
    if not organisers.exists():
        raise PermissionDenied(_("只有举办机构的成员和营商专员可以新建培训课程。"))
    form = CourseNewForm(request.POST or None, organisers=organisers)
    if len(organisers) == 1:
        form.fields["organiser"].initial = organisers[0].pk
    created: list[TrainingCourse] = []

    def save() -> None:
        organiser = form.cleaned_data["organiser"]
        data = form.service_data()
        created.append(C.training_course_create(actor=request.user, organiser=organiser, data=data))

    if request.method == "POST" and form_saved(form, save):
        messages.success(request, _("课程已建立，并生成了同名的申报项目。下一步：添加课次和学员。"))
        return redirect("talent:course", pk=created[0].pk)
    context = {"active_nav": nav_key(request.user, "talent_courses"), "form": form, "course": None}
    return render(request, "talent/course_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    course = S.course_get(actor=request.user, pk=pk)
    P.require_course_run(request.user, course.organiser_id)
    form = CourseForm(request.POST or None, initial=CourseForm.initial_for(course))
    if request.method == "POST" and form_saved(
        form, lambda: C.training_course_update(actor=request.user, course=course, data=form.cleaned_data)
    ):
        messages.success(request, _("课程信息已保存。"))
        return redirect("talent:course", pk=course.pk)
    context = {"active_nav": nav_key(request.user, "talent_courses"), "form": form, "course": course}
    return render(request, "talent/course_form.html", context, status=400 if form.errors else 200)


def _detail(
    request: HttpRequest,
    course: TrainingCourse,
    *,
    session_form: SessionForm | None = None,
    trainee_form: TraineeForm | None = None,
    error: str = "",
) -> HttpResponse:
    today = timezone.localdate()
    grid = S.attendance_grid(course=course, today=today)
    context = {
        "active_nav": nav_key(request.user, "talent_courses"),
        "course": course,
        "grid": grid,
        "today": today,
        "clause": course_clause(actor=request.user, course=course, on=today),
        "can_run": P.can_run_course(request.user, course.organiser_id),
        "session_form": session_form or SessionForm(),
        "trainee_form": trainee_form or TraineeForm(),
        "error": error,
    }
    bad = (
        error or (session_form is not None and session_form.errors) or (trainee_form and trainee_form.errors)
    )
    return render(request, "talent/course_detail.html", context, status=400 if bad else 200)


@login_required
@require_GET
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, S.course_get(actor=request.user, pk=pk))


@login_required
@require_POST
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    course = S.course_get(actor=request.user, pk=pk)
    form = SessionForm(request.POST)
    if form_saved(
        form, lambda: C.training_session_add(actor=request.user, course=course, data=form.cleaned_data)
    ):
        messages.success(request, _("课次已添加。"))
        return redirect("talent:course", pk=course.pk)
    return _detail(request, course, session_form=form)


@login_required
@require_POST
def trainee_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    course = S.course_get(actor=request.user, pk=pk)
    form = TraineeForm(request.POST)
    enrolled: list[Any] = []

    def save() -> None:
        d = form.cleaned_data
        enrolled.append(
            C.training_trainee_enrol(actor=request.user, course=course, name=d["name"], mobile=d["mobile"])
        )

    if form_saved(form, save):
        messages.success(request, _("学员“%(name)s”已报名。") % {"name": enrolled[0].person.name})
        return redirect("talent:course", pk=course.pk)
    return _detail(request, course, trainee_form=form)


def _refused(request: HttpRequest, course: TrainingCourse, exc: ValidationError) -> HttpResponse:
    return _detail(request, course, error=" ".join(exc.messages))


@login_required
@require_POST
def session_remove(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    course = S.course_get(actor=request.user, pk=pk)
    session = S.session_get(course=course, pk=session_pk)
    try:
        C.training_session_remove(actor=request.user, session=session)
    except ValidationError as exc:
        return _refused(request, course, exc)
    messages.success(request, _("课次已删除。"))
    return redirect("talent:course", pk=course.pk)


@login_required
@require_POST
def trainee_remove(request: HttpRequest, pk: int, trainee_pk: int) -> HttpResponse:
    course = S.course_get(actor=request.user, pk=pk)
    trainee = S.trainee_get(course=course, pk=trainee_pk)
    try:
        C.training_trainee_remove(actor=request.user, trainee=trainee)
    except ValidationError as exc:
        return _refused(request, course, exc)
    messages.success(request, _("已移除学员“%(name)s”。") % {"name": trainee.person.name})
    return redirect("talent:course", pk=course.pk)


@login_required
@require_POST
def attendance_record(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """One session's register: the ticked trainees attended, every other trainee of the course did not."""
    course = S.course_get(actor=request.user, pk=pk)
    session = S.session_get(course=course, pk=session_pk)
    P.require_course_run(request.user, course.organiser_id)
    present = {int(v) for v in request.POST.getlist("present") if v.isdigit() and len(v) <= 12}
    marks = {t: False for t in course.trainees.values_list("pk", flat=True)}
    marks.update(dict.fromkeys(present, True))
    try:
        C.training_attendance_record(actor=request.user, session=session, marks=marks)
    except ValidationError as exc:
        return _refused(request, course, exc)
    messages.success(
        request, _("%(date)s 的考勤已保存，参训人数已按考勤更新。") % {"date": session.held_on.isoformat()}
    )
    return redirect("talent:course", pk=course.pk)


@login_required
@require_GET
def course_export(request: HttpRequest, pk: int) -> HttpResponse:
    name, content = course_attendance_export(actor=request.user, pk=pk)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response

"""Registry pages: thin — parse with a form, call a selector or service, render.

Every enterprise URL starts with `selectors.enterprise_get`, so anyone who may not read the
enterprise gets 404 on GET and POST alike; services check write permission again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shouzhan.core.audit import audit_action_label
from shouzhan.core.errors import Conflict
from shouzhan.core.forms import add_service_errors, form_saved
from shouzhan.core.permissions import is_staff_member
from shouzhan.core.spreadsheets import Sheet, write_xlsx
from shouzhan.registry import importing, selectors, services
from shouzhan.registry.forms import (
    EnterpriseFilterForm,
    EnterpriseForm,
    ImportForm,
    PersonForm,
    ProjectForm,
)
from shouzhan.registry.models import Enterprise, ImportJob
from shouzhan.registry.panels import enterprise_panels
from shouzhan.registry.permissions import can_import_export, require_enterprise_write, require_import_export
from shouzhan.registry.services.projects import project_trainees_locked

PER_PAGE = 25
EnterpriseView = Callable[..., HttpResponse]


def enterprise_page(*methods: str) -> Callable[[EnterpriseView], Callable[..., HttpResponse]]:
    """Log in, then 404 unless the user may read the enterprise — before anything else, even the method."""

    def decorate(view: EnterpriseView) -> Callable[..., HttpResponse]:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
            enterprise = selectors.enterprise_get(actor=request.user, pk=pk)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, enterprise, **kwargs)

        return wrapper

    return decorate


def _enterprise_context(request: HttpRequest, enterprise: Enterprise, tab: str) -> dict[str, Any]:
    return {
        "enterprise": enterprise,
        "tab": tab,
        "can_edit": selectors.enterprise_can_edit(actor=request.user, enterprise=enterprise),
        "active_nav": "projects"
        if tab == "projects"
        else ("enterprises" if is_staff_member(request.user) else "enterprise"),
    }


def _require_edit(request: HttpRequest, enterprise: Enterprise) -> None:
    require_enterprise_write(request.user, enterprise.pk)


# ------------------------------------------------------------------------------------------ staff list
def _filters(request: HttpRequest) -> tuple[EnterpriseFilterForm, dict[str, Any], bool]:
    form = EnterpriseFilterForm(request.GET)
    if form.is_valid():
        return form, dict(form.cleaned_data), True
    return form, {}, False


@login_required
@require_GET
def enterprise_list(request: HttpRequest) -> HttpResponse:
    form, filters, valid = _filters(request)
    enterprises = selectors.enterprise_list(actor=request.user, **filters)
    page = Paginator(enterprises, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "active_nav": "enterprises",
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "export_url": reverse("registry:enterprise_export") + (f"?{query.urlencode()}" if query else ""),
        "can_import": can_import_export(request.user),
        "filtered": any(v not in (None, "") for v in filters.values()),
    }
    template = "registry/_enterprise_rows.html" if request.htmx else "registry/enterprise_list.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=200 if valid else 400)


@login_required
@require_GET
def enterprise_export(request: HttpRequest) -> HttpResponse:
    require_import_export(request.user)
    _form, filters, valid = _filters(request)
    if not valid:
        return render(
            request,
            "core/error.html",
            {"status": 400, "message": _("筛选条件无效，请返回重新选择。")},
            status=400,
        )
    content = services.enterprise_export(
        actor=request.user, enterprises=selectors.enterprise_list(actor=request.user, **filters)
    )
    filename = f"enterprises-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_import(request: HttpRequest) -> HttpResponse:
    require_import_export(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.import_size_check(upload.size or 0)
                result = services.enterprise_import_submit(
                    actor=request.user, data=upload.read(), filename=upload.name or ""
                )
            except ValidationError as exc:
                form.add_error("file", exc.messages)
                status = 400
            else:
                if isinstance(result, ImportJob):  # too large to wait for: the worker runs it
                    return redirect("registry:import_job", pk=result.pk)
                report = result
                if report.saved == 0 and report.errors:
                    status = 400
                    messages.error(request, _("没有导入任何企业：所有数据行都有错误，请修改后重新导入。"))
                else:
                    messages.success(
                        request,
                        _("导入完成：新增 %(c)s 家，更新 %(u)s 家，未变化 %(n)s 家，有错误 %(e)s 行。")
                        % {
                            "c": report.created,
                            "u": report.updated,
                            "n": report.unchanged,
                            "e": len(report.bad_rows),
                        },
                    )
        else:
            status = 400
    context = {
        "active_nav": "enterprises",
        "form": form,
        "report": report,
        "columns": importing.COLUMNS,
        "jobs": _recent_jobs(request),
    }
    return render(request, "registry/import.html", context, status=status)


def _recent_jobs(request: HttpRequest) -> list[ImportJob]:
    jobs = selectors.import_jobs_recent(actor=request.user)
    if any(job.status == ImportJob.Status.RUNNING for job in jobs) and services.import_jobs_recover():
        jobs = selectors.import_jobs_recent(actor=request.user)  # a dead worker's job was taken up
    return jobs


@login_required
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A background import: its progress while it runs (the partial polls itself), its report after."""
    job = selectors.import_job_get(actor=request.user, pk=pk)
    if job.status == ImportJob.Status.RUNNING and services.import_jobs_recover(job_id=job.pk):
        job.refresh_from_db()  # its worker had died: queued again from its last chunk, or failed
    done = job.status == ImportJob.Status.DONE  # before that, job.report holds the report so far
    report = services.ImportReport.from_dict(job.report) if done and job.report else None
    template = "registry/_import_job.html" if request.htmx else "registry/import_job.html"  # type: ignore[attr-defined]
    return render(request, template, {"active_nav": "enterprises", "job": job, "report": report})


# ------------------------------------------------------------------------------------------ one enterprise
@enterprise_page("GET")
def enterprise_detail(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    context = _enterprise_context(request, enterprise, "home")
    context.update(
        {
            "profile": selectors.enterprise_profile(enterprise=enterprise),
            "next": selectors.enterprise_next_steps(enterprise=enterprise),
            "people": selectors.person_list(actor=request.user, enterprise=enterprise)[:10],
            "projects": selectors.project_list(actor=request.user, enterprise=enterprise)[:10],
            "panels": enterprise_panels(request, enterprise),
        }
    )
    return render(request, "registry/enterprise_detail.html", context)


@enterprise_page("GET", "POST")
def enterprise_edit(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    _require_edit(request, enterprise)
    status = 200
    if request.method == "POST":
        form = EnterpriseForm(request.POST)
        status = 400
        if form.is_valid():
            data, version = form.service_data()
            try:
                services.enterprise_update(
                    actor=request.user, enterprise=enterprise, data=data, expected_version=version
                )
            except Conflict as exc:  # changed meanwhile: the message beside the form, nothing saved
                form.add_error(None, exc.messages)
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("企业信息已保存。"))
                return redirect("registry:enterprise", pk=enterprise.pk)
    else:
        form = EnterpriseForm(initial=EnterpriseForm.initial_for(enterprise))
    context = _enterprise_context(request, enterprise, "edit")
    context["form"] = form
    return render(request, "registry/enterprise_form.html", context, status=status)


@enterprise_page("POST")
def enterprise_stage(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.enterprise_stage_set(
            actor=request.user,
            enterprise=enterprise,
            stage=request.POST.get("stage", ""),
            expected_version=version,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render(
            request,
            "core/error.html",
            {"status": 400, "message": " ".join(exc.messages)},
            status=409 if isinstance(exc, Conflict) else 400,
        )
    messages.success(request, _("孵化阶段已更新。"))
    return redirect("registry:enterprise", pk=enterprise.pk)


@enterprise_page("GET")
def enterprise_history_view(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    entries = selectors.enterprise_history(actor=request.user, enterprise_id=enterprise.pk)
    page = Paginator(entries, 30).get_page(request.GET.get("page"))
    rows = [
        {"entry": e, "action": audit_action_label(e.action), "changes": selectors.history_changes(e)}
        for e in page.object_list
    ]
    context = _enterprise_context(request, enterprise, "history")
    context.update({"page": page, "rows": rows})
    return render(request, "registry/history.html", context)


@login_required
@require_GET
def import_job_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """Every row a background import could not save, as .xlsx (the page lists only the first ones)."""
    job = selectors.import_job_get(actor=request.user, pk=pk)
    if job.status != ImportJob.Status.DONE or not job.report:
        raise Http404(_("该导入任务尚未完成。"))
    report = services.ImportReport.from_dict(job.report)
    content = write_xlsx(
        Sheet(
            _("未导入的行"),
            [[e.row, e.column or "", e.reason] for e in report.errors],
            header=[_("行号"), _("列"), _("原因")],
        )
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.xlsx"'
    return response


def _form_status(request: HttpRequest) -> int:
    """A form page answers 200 when shown and 400 when a POST comes back to it with errors."""
    return 400 if request.method == "POST" else 200


# ------------------------------------------------------------------------------------------ projects
@enterprise_page("GET")
def project_list(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    context = _enterprise_context(request, enterprise, "projects")
    context["projects"] = selectors.project_list(actor=request.user, enterprise=enterprise)
    return render(request, "registry/project_list.html", context)


@enterprise_page("GET", "POST")
def project_new(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    _require_edit(request, enterprise)
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form_saved(
        form,
        lambda: services.project_create(actor=request.user, enterprise=enterprise, data=form.service_data()),
    ):
        messages.success(request, _("项目已添加。"))
        return redirect("registry:projects", pk=enterprise.pk)
    context = _enterprise_context(request, enterprise, "projects")
    context.update({"form": form, "project": None})
    return render(request, "registry/project_form.html", context, status=_form_status(request))


@enterprise_page("GET", "POST")
def project_edit(request: HttpRequest, enterprise: Enterprise, project_pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, enterprise=enterprise, pk=project_pk)
    _require_edit(request, enterprise)
    form = ProjectForm(request.POST or None, initial=ProjectForm.initial_for(project))
    if project_trainees_locked(project):  # counted from the course's attendance: shown, never typed
        form.fields["trainees"].disabled = True
        form.fields["trainees"].help_text = _("参训人数按课程考勤自动计算，不能手工填写。")
    if request.method == "POST" and form_saved(
        form, lambda: services.project_update(actor=request.user, project=project, data=form.service_data())
    ):
        messages.success(request, _("项目已保存。"))
        return redirect("registry:projects", pk=enterprise.pk)
    context = _enterprise_context(request, enterprise, "projects")
    context.update({"form": form, "project": project})
    return render(request, "registry/project_form.html", context, status=_form_status(request))


@enterprise_page("POST")
def project_delete(request: HttpRequest, enterprise: Enterprise, project_pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, enterprise=enterprise, pk=project_pk)
    title = project.title
    services.project_delete(actor=request.user, project=project)
    messages.success(request, _("已删除项目“%(t)s”。") % {"t": title})
    return redirect("registry:projects", pk=enterprise.pk)


# ------------------------------------------------------------------------------------------ people
@enterprise_page("GET", "POST")
def people(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST":
        _require_edit(request, enterprise)
        if form_saved(
            form,
            lambda: services.person_create(actor=request.user, enterprise=enterprise, data=form.cleaned_data),
        ):
            messages.success(request, _("人员已添加。"))
            return redirect("registry:people", pk=enterprise.pk)
    context = _enterprise_context(request, enterprise, "people")
    context.update({"form": form, "people": selectors.person_list(actor=request.user, enterprise=enterprise)})
    return render(request, "registry/people.html", context, status=_form_status(request))


@enterprise_page("GET", "POST")
def person_edit(request: HttpRequest, enterprise: Enterprise, person_pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, enterprise=enterprise, pk=person_pk)
    _require_edit(request, enterprise)
    form = PersonForm(request.POST or None, initial=PersonForm.initial_for(person))
    if request.method == "POST" and form_saved(
        form, lambda: services.person_update(actor=request.user, person=person, data=form.cleaned_data)
    ):
        messages.success(request, _("人员信息已保存。"))
        return redirect("registry:people", pk=enterprise.pk)
    context = _enterprise_context(request, enterprise, "people")
    context.update({"form": form, "person": person})
    return render(request, "registry/person_form.html", context, status=_form_status(request))


@enterprise_page("POST")
def person_delete(request: HttpRequest, enterprise: Enterprise, person_pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, enterprise=enterprise, pk=person_pk)
    services.person_delete(actor=request.user, person=person)
    messages.success(request, _("已删除人员。"))
    return redirect("registry:people", pk=enterprise.pk)

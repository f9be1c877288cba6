"""Pages of the cases module: thin — parse with a form, call a selector or service, render.

Every case URL starts with `selectors.case_get`, so anyone who may not read the case
gets 404; services check again what the actor may do.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouzhan.cases import notices, selectors, services
from shouzhan.cases import workflow as wf
from shouzhan.cases.files import CONTENT_TYPES
from shouzhan.cases.forms import CaseForm, QueueFilterForm, TransitionForm, UploadForm, add_service_errors
from shouzhan.cases.models import Case
from shouzhan.core.permissions import is_staff_member, member_enterprise_ids

PER_PAGE = 30


def _member_enterprises(user: Any) -> list[Any]:
    from shouzhan.registry.models import Enterprise

    return list(Enterprise.objects.filter(pk__in=member_enterprise_ids(user)).order_by("name"))


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    if is_staff_member(request.user):
        return redirect("cases:queue")
    return redirect("cases:mine")


# ----------------------------------------------------------------------------- applicant
@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    cases = selectors.case_list(actor=request.user).prefetch_related("events")
    today = timezone.localdate()
    rows = [(c, selectors.case_clock(c, today=today), wf.case_type_get(c.case_type)) for c in cases[:200]]
    notes = selectors.notifications_for(actor=request.user)[:10]
    unread = selectors.notifications_for(actor=request.user, unread_only=True).count()
    return render(
        request,
        "cases/mine.html",
        {
            "rows": rows,
            "notifications": notes,
            "unread": unread,
            "types": [ct for ct in wf.case_types() if ct.listed and ct.group != "policy"],
            "has_enterprise": bool(member_enterprise_ids(request.user)),
            "active_nav": "cases",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, case_type: str) -> HttpResponse:
    try:
        ct = wf.case_type_get(case_type)
    except KeyError:
        raise Http404(_("没有这种办件类型。")) from None
    if ct.group == "policy":
        return redirect("policies:calculator")
    enterprises = _member_enterprises(request.user)
    if not enterprises and not is_staff_member(request.user):
        messages.info(request, _("请先登记您的企业，再提交办件。"))
        return redirect("cases:mine")
    form = CaseForm(request.POST or None, case_type=ct, enterprises=enterprises, initial={"title": ct.label})
    if request.method == "POST" and form.is_valid():
        enterprise = _chosen(form, enterprises)
        try:
            case = services.case_submit(
                actor=request.user,
                case_type=ct.key,
                enterprise=enterprise,
                title=form.cleaned_data["title"],
                data=form.case_data(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已提交，办理期限 %(due)s。") % {"due": case.due_on})
            return redirect("cases:detail", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "cases/new.html", {"form": form, "case_type": ct, "active_nav": "cases"}, status=status
    )


def _chosen(form: CaseForm, enterprises: list[Any]) -> Any:
    if "enterprise" in form.cleaned_data:
        return next(e for e in enterprises if e.pk == form.cleaned_data["enterprise"])
    return enterprises[0] if enterprises else None


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, clause_id: str) -> HttpResponse:
    """Apply for a catalogue clause, pre-filled from the profile and showing the calculator's answer."""
    from shouzhan.policies.selectors import clause_get, enterprise_calculate

    today = timezone.localdate()
    _policy, clause, _version = clause_get(clause_id=clause_id, on=today)
    enterprises = _member_enterprises(request.user)
    if not enterprises:
        messages.info(request, _("政策申报需要以企业身份提交：请先登记您的企业。"))
        return redirect("cases:mine")
    ct = wf.case_type_get("policy_application")
    enterprise = enterprises[0]
    if request.method == "POST" and request.POST.get("enterprise"):
        enterprise = next((e for e in enterprises if str(e.pk) == request.POST["enterprise"]), enterprise)
    elif request.GET.get("enterprise"):
        enterprise = next((e for e in enterprises if str(e.pk) == request.GET["enterprise"]), enterprise)
    projects = list(enterprise.projects.order_by("-year", "title"))
    project_id = request.POST.get("project") or request.GET.get("project")
    project = next((p for p in projects if str(p.pk) == str(project_id)), None)
    form = CaseForm(
        request.POST or None,
        case_type=ct,
        enterprises=enterprises,
        projects=projects,
        initial={
            "title": f"{clause.title}（{project.title if project else enterprise.name}）",
            "project": project.pk if project else None,
            "enterprise": enterprise.pk,
        },
    )
    if request.method == "POST" and form.is_valid():
        project = next((p for p in projects if p.pk == form.cleaned_data.get("project")), None)
        try:
            case = services.case_submit(
                actor=request.user,
                case_type=ct.key,
                enterprise=enterprise,
                title=form.cleaned_data["title"],
                data=form.case_data(),
                project=project,
                clause_id=clause.id,
                amount_requested_fen=form.cleaned_data.get("amount_yuan"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("申报已提交，办理期限 %(due)s。") % {"due": case.due_on})
            return redirect("cases:detail", pk=case.pk)
    calc = enterprise_calculate(actor=request.user, enterprise=enterprise, project=project, on=today)
    result = next((r for r in calc.results if r.id == clause.id), None)
    return render(
        request,
        "cases/apply.html",
        {
            "form": form,
            "clause": clause,
            "result": result,
            "enterprise": enterprise,
            "project": project,
            "active_nav": "cases",
        },
        status=400 if request.method == "POST" else 200,
    )


# ----------------------------------------------------------------------------- one case
def _detail_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    ct = wf.case_type_get(case.case_type)
    actions = selectors.case_actions(actor=request.user, case=case)
    staff = is_staff_member(request.user)
    path = [s for s in ct.states if not s.final or s.key == case.state]
    current = [s.key for s in path].index(case.state) if case.state in [s.key for s in path] else 0
    can_upload = not ct.state(case.state).final and (
        services.is_applicant(request.user, case) or wf.CASEWORKER in services.relations(request.user, case)
    )
    return {
        "case": case,
        "case_type": ct,
        "state": ct.state(case.state),
        "stages": [
            (s, "done" if i < current else "current" if i == current else "") for i, s in enumerate(path)
        ],
        "clock": selectors.case_clock(case),
        "events": selectors.case_timeline(actor=request.user, case=case),
        "documents": selectors.case_documents(actor=request.user, case=case),
        "actions": [(t, TransitionForm(initial={"version": case.version}, prefix=t.action)) for t in actions],
        "notices": notices.notices_available(case),
        "upload_form": UploadForm(),
        "can_upload": can_upload,
        "staff": staff,
        "state_labels": {s.key: (s.staff_label if staff else s.applicant_label) for s in ct.states},
        "data_rows": [
            (f.label, case.data.get(f.name)) for f in ct.fields if case.data.get(f.name) not in (None, "")
        ],
        "active_nav": "queue" if staff else "cases",
        **extra,
    }


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, pk=pk)
    return render(request, "cases/detail.html", _detail_context(request, case))


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = selectors.case_get(actor=request.user, pk=pk)
    form = TransitionForm(request.POST, prefix=action)
    error: list[str] = []
    status = 400
    if form.is_valid():
        try:
            services.case_transition(
                actor=request.user,
                case=case,
                action=action,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data.get("note") or "",
                amount_fen=form.cleaned_data.get("amount_yuan"),
            )
        except services.CaseConflict as exc:
            error, status = exc.messages, 409
        except PermissionDenied as exc:
            error, status = [str(exc)], 403
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已完成：%(action)s。")
                % {"action": wf.case_type_get(case.case_type).transition(action).label},
            )
            return redirect("cases:detail", pk=case.pk)
    case.refresh_from_db()
    ctx = _detail_context(request, case, action_error=error)
    if not error and action not in {t.action for t, _f in ctx["actions"]}:
        # Not offered now (wrong state or role): show the refusal at the top of the page.
        ctx["action_error"] = [e for errors in form.errors.values() for e in errors]
    ctx["actions"] = [(t, form if t.action == action else f) for t, f in ctx["actions"]]
    if status == 409:
        ctx["actions"] = [
            (t, TransitionForm(initial={"version": case.version}, prefix=t.action))
            for t, _f in ctx["actions"]
        ]
    return render(request, "cases/detail.html", ctx, status=status)


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, pk=pk)
    form = UploadForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        f = form.cleaned_data["file"]
        max_bytes = wf.case_type_get(case.case_type).documents.max_bytes
        content = f.read(max_bytes + 1)
        try:
            services.document_upload(
                actor=request.user,
                case=case,
                name=form.cleaned_data["name"],
                filename=f.name,
                content=content,
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("材料已上传。"))
            return redirect("cases:detail", pk=case.pk)
    return render(
        request, "cases/detail.html", _detail_context(request, case, upload_form=form), status=status
    )


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    doc = selectors.document_get(actor=request.user, pk=pk)
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件已不存在。")) from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=doc.filename,
        content_type=CONTENT_TYPES.get(doc.format, "application/octet-stream"),
    )


@login_required
@require_GET
def notice(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    case = selectors.case_get(actor=request.user, pk=pk)
    pdf, filename = notices.notice_pdf(actor=request.user, case=case, kind=kind)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.notification_mark_read(actor=request.user)
    return redirect("cases:mine")


# ----------------------------------------------------------------------------- staff
@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise PermissionDenied(_("办件队列仅供中心工作人员使用。"))
    form = QueueFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.case_queue(
        actor=request.user,
        case_type=filters.get("case_type") or "",
        mine=bool(filters.get("mine")),
        q=filters.get("q") or "",
    )
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(c, selectors.case_clock(c, today=today), wf.case_type_get(c.case_type)) for c in page]
    by_type = selectors.on_time_rates(actor=request.user, by="type", today=today)
    by_worker = selectors.on_time_rates(actor=request.user, by="caseworker", today=today)
    ctx = {
        "form": form,
        "page": page,
        "rows": rows,
        "counts": selectors.queue_counts(actor=request.user, today=today),
        "by_type": by_type,
        "by_worker": by_worker,
        "active_nav": "queue",
    }
    if request.headers.get("HX-Request"):
        return render(request, "cases/_queue_rows.html", ctx)
    return render(request, "cases/queue.html", ctx)

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

from shouzhan.cases import charts, notices, permissions, selectors, services
from shouzhan.cases import workflow as wf
from shouzhan.cases.files import CONTENT_TYPES
from shouzhan.cases.forms import (
    AssignForm,
    CaseForm,
    QueueFilterForm,
    ResubmitForm,
    TicketForm,
    TransitionForm,
    UploadForm,
)
from shouzhan.cases.links import case_links
from shouzhan.cases.models import Case
from shouzhan.core.actors import Actor
from shouzhan.core.errors import Conflict
from shouzhan.core.forms import add_service_errors
from shouzhan.core.limits import QUERY_TEXT

PER_PAGE = 30
# What a queue row shows (its clock included): read only these.
QUEUE_ROW_FIELDS = (
    "id",
    "case_type",
    "state",
    "title",
    "submitted_on",
    "due_on",
    "due_provisional",
    "closed_on_time",
    "clock_stopped_on",
    "created_at",
    "enterprise_id",
    "enterprise__name",
    "assignee_id",
    "assignee__name",
)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    if permissions.is_staff(request.user):
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
            "has_enterprise": permissions.is_enterprise_member(request.user),
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
    if ct.group == "ticket" and permissions.can_open_ticket(request.user):
        return redirect("cases:ticket_new")
    staff = permissions.is_staff(request.user)
    enterprises = [] if staff else selectors.member_enterprises(actor=request.user)
    if not enterprises and not staff:
        messages.info(request, _("请先登记您的企业，再提交办件。"))
        return redirect("cases:mine")
    # Staff name the enterprise the case is about (any in the register they may see).
    choose_any = staff and services.about_enterprise(ct)
    form = CaseForm(
        request.POST or None,
        case_type=ct,
        enterprises=enterprises,
        choose_any=choose_any,
        initial={"title": ct.label},
    )
    if request.method == "POST" and form.is_valid():
        try:
            if choose_any:
                enterprise = _enterprise_named(request.user, form.cleaned_data["enterprise"], optional=False)
            else:
                enterprise = _chosen(form, enterprises)
            case = _submit(request, form, ct, enterprise)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已提交，办理期限 %(due)s。") % {"due": case.due_on})
            return redirect("cases:detail", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "case_type": ct,
        "enterprise_options": _enterprise_options(request.user) if choose_any else None,
        "active_nav": "cases",
    }
    return render(request, "cases/new.html", context, status=status)


def _submit(request: HttpRequest, form: CaseForm, ct: wf.CaseType, enterprise: Any, **extra: Any) -> Case:
    """Submit what the form says: its title and the case type's fields."""
    return services.case_submit(
        actor=request.user,
        case_type=ct.key,
        enterprise=enterprise,
        title=form.cleaned_data["title"],
        data=form.case_data(),
        **extra,
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
    enterprises = selectors.member_enterprises(actor=request.user)
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
            case = _submit(
                request,
                form,
                ct,
                enterprise,
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
            "facts": calc.facts,  # the trace shows each fact's value
            "enterprise": enterprise,
            "project": project,
            "active_nav": "cases",
        },
        status=400 if request.method == "POST" else 200,
    )


# ----------------------------------------------------------------------------- one case
def _action_form(case: Case, t: wf.Transition) -> Any:
    initial = {"version": case.version}
    if t.edits_data:
        ct = wf.case_type_get(case.case_type)
        fields = {f.name: case.data.get(f.name) for f in ct.fields if not f.staff_only}
        return ResubmitForm(initial={**initial, **fields}, prefix=t.action, case_type=ct)
    return TransitionForm(initial=initial, prefix=t.action, asks=t.asks)


def _detail_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    ct = wf.case_type_get(case.case_type)
    actions = selectors.case_actions(actor=request.user, case=case)
    staff = permissions.is_staff(request.user)
    path = [s for s in ct.states if not s.final or s.key == case.state]
    current = [s.key for s in path].index(case.state) if case.state in [s.key for s in path] else 0
    # Staff see the whole timeline, which is also what the changes since a request are read from.
    events = selectors.case_timeline(actor=request.user, case=case)
    changes = (
        selectors.case_changes_since_request(actor=request.user, case=case, events=events) if staff else None
    )
    assignees = selectors.case_assign_choices(actor=request.user)
    can_assign = bool(assignees) and not ct.state(case.state).final
    return {
        "case": case,
        "case_type": ct,
        "state": ct.state(case.state),
        "stages": [
            (s, "done" if i < current else "current" if i == current else "") for i, s in enumerate(path)
        ],
        "clock": selectors.case_clock(case),
        "events": events,
        "documents": selectors.case_documents(actor=request.user, case=case),
        "actions": [(t, _action_form(case, t)) for t in actions],
        "notices": notices.notices_available(case, events),
        "upload_form": UploadForm(),
        "can_upload": permissions.can_upload(request.user, case),
        "staff": staff,
        "state_labels": {s.key: (s.staff_label if staff else s.applicant_label) for s in ct.states},
        "data_rows": selectors.case_data_rows(actor=request.user, case=case, changes=changes),
        "changes": changes if changes and (changes.fields or changes.document_ids) else None,
        "assign_form": (
            AssignForm(initial={"version": case.version, "assignee": case.assignee_id}, users=assignees)
            if can_assign
            else None
        ),
        "active_nav": "queue" if staff else "cases",
        "related_links": case_links(case, request.user),
        **extra,
    }


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, pk=pk)
    return render(request, "cases/detail.html", _detail_context(request, case))


def _act(request: HttpRequest, case: Case, ct: wf.CaseType, action: str, form: Any) -> None:
    """Take the action with what the form says: a resubmission with its changed fields and document."""
    taken = {
        "actor": request.user,
        "case": case,
        "action": action,
        "expected_version": form.cleaned_data["version"],
        "note": form.cleaned_data.get("note") or "",
    }
    if not isinstance(form, ResubmitForm):
        services.case_transition(
            **taken, amount_fen=form.cleaned_data.get("amount_yuan"), answers=form.answers() or None
        )
        return
    upload = form.cleaned_data.get("file")
    documents = []
    if upload is not None:
        name = form.cleaned_data.get("document_name") or _("补正材料")
        documents.append((name, upload.name, upload.read(ct.documents.max_bytes + 1)))
    services.case_resubmit(**taken, data=form.case_data(), documents=documents)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = selectors.case_get(actor=request.user, pk=pk)
    ct = wf.case_type_get(case.case_type)
    try:
        t = ct.transition(action)
    except KeyError:
        t = None
    form: Any
    if t is not None and t.edits_data:
        form = ResubmitForm(request.POST, request.FILES, prefix=action, case_type=ct)
    else:
        form = TransitionForm(request.POST, prefix=action, asks=t.asks if t is not None else ())
    error: list[str] = []
    status = 400
    if form.is_valid():
        try:
            _act(request, case, ct, action, form)
        except Conflict as exc:
            error, status = exc.messages, 409
        except PermissionDenied as exc:
            error, status = [str(exc)], 403
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            assert t is not None
            messages.success(request, _("已完成：%(action)s。") % {"action": t.label})
            return redirect("cases:detail", pk=case.pk)
    case.refresh_from_db()
    ctx = _detail_context(request, case, action_error=error)
    if not error and action not in {a.action for a, _f in ctx["actions"]}:
        # Not offered now (wrong state or role): show the refusal at the top of the page.
        ctx["action_error"] = [e for errors in form.errors.values() for e in errors]
    ctx["actions"] = [(a, form if a.action == action else f) for a, f in ctx["actions"]]
    if status == 409:
        ctx["actions"] = [(a, _action_form(case, a)) for a, _f in ctx["actions"]]
    return render(request, "cases/detail.html", ctx, status=status)


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """指派 / 改派: choose the caseworker in charge (the one reminded before the deadline)."""
    case = selectors.case_get(actor=request.user, pk=pk)
    permissions.require_assign(request.user)
    form = AssignForm(request.POST, users=selectors.case_assign_choices(actor=request.user))
    error: list[str] = []
    status = 400
    if form.is_valid():
        try:
            services.case_assign(
                actor=request.user,
                case=case,
                assignee=form.chosen(),
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data.get("note") or "",
            )
        except Conflict as exc:
            error, status = exc.messages, 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            chosen = form.chosen()
            messages.success(
                request,
                _("已指派给 %(name)s。") % {"name": chosen.name} if chosen else _("已改为待分派。"),
            )
            return redirect("cases:detail", pk=case.pk)
    case.refresh_from_db()
    ctx = _detail_context(request, case, action_error=error)
    if status != 409 and ctx["assign_form"] is not None:
        ctx["assign_form"] = form
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
    return notices.notice_response(actor=request.user, case=case, kind=kind)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.notification_mark_read(actor=request.user)
    return redirect("cases:mine")


# ----------------------------------------------------------------------------- staff
@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    permissions.require_staff(request.user, _("办件队列仅供中心工作人员使用。"))
    form = QueueFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.case_queue(
        actor=request.user,
        case_type=filters.get("case_type") or "",
        mine=bool(filters.get("mine")),
        assigned=filters.get("assigned") or "",
        q=filters.get("q") or "",
    )
    # The rows show these columns only: no project, no case data or rule results.
    cases = cases.select_related(None).select_related("enterprise", "assignee").only(*QUEUE_ROW_FIELDS)
    paginator = Paginator(cases, PER_PAGE)
    today = timezone.localdate()
    full_page = not request.headers.get("HX-Request")
    figures = selectors.queue_figures(actor=request.user, today=today) if full_page else None
    if figures is not None and not any(filters.get(k) for k in ("case_type", "mine", "assigned", "q")):
        paginator.count = figures.counts["open"]  # the unfiltered queue is what was just counted
    page = paginator.get_page(request.GET.get("page"))
    rows = [(c, selectors.case_clock(c, today=today), wf.case_type_get(c.case_type)) for c in page]
    ctx = {
        "form": form,
        "page": page,
        "rows": rows,
        "active_nav": "queue",
    }
    if figures is None:
        return render(request, "cases/_queue_rows.html", ctx)
    ctx.update(
        {
            "counts": figures.counts,
            "by_type": figures.by_type,
            "by_worker": figures.by_worker,
            "times": figures.times,
            "chart": charts.response_chart(figures.times),
            "can_open_ticket": permissions.can_open_ticket(request.user),
        }
    )
    return render(request, "cases/queue.html", ctx)


@login_required
@require_GET
def response_times(request: HttpRequest) -> HttpResponse:
    """FixMyStreet-style response times per case type (read-only; leaders see it too)."""
    permissions.require_staff(request.user)
    times = selectors.response_times(actor=request.user)
    return render(
        request,
        "cases/response_times.html",
        {"times": times, "chart": charts.response_chart(times), "active_nav": "queue"},
    )


ENTERPRISE_OPTIONS = 50  # names offered at a time by the enterprise chooser (typing narrows them)


def _enterprise_options(actor: Actor, q: str = "") -> list[tuple[str, str]]:
    """(name, credit code) of the enterprises the actor may see whose name or code contains `q`."""
    from shouzhan.registry.selectors import enterprise_visible

    rows = enterprise_visible(actor=actor, q=q[:QUERY_TEXT]).order_by("name", "pk")
    return [(name, code or "") for name, code in rows.values_list("name", "credit_code")[:ENTERPRISE_OPTIONS]]


@login_required
@require_GET
def enterprise_options(request: HttpRequest) -> HttpResponse:
    """The enterprise chooser's suggestions as the user types (the <option>s of its <datalist>)."""
    return render(
        request,
        "cases/_enterprise_options.html",
        {"enterprise_options": _enterprise_options(request.user, request.GET.get("enterprise", ""))},
    )


def _enterprise_named(actor: Actor, text: str, *, optional: bool = True) -> Any:
    """The enterprise a case is about, by exact name or credit code; a clear error otherwise.
    `optional`: the field may be left empty (a ticket about a place), and the message says so."""
    from shouzhan.registry.selectors import enterprise_visible

    text = (text or "").strip()
    if not text:
        return None
    found = list(enterprise_visible(actor=actor, q=text)[:50])
    exact = [e for e in found if e.name == text or (e.credit_code or "") == text.upper()]
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0]
    if not found:
        message = (
            _("企业库中没有找到“%(q)s”，请检查名称或留空。")
            if optional
            else _("企业库中没有找到“%(q)s”，请检查名称或统一社会信用代码。")
        )
        raise ValidationError({"enterprise": [message % {"q": text}]})
    raise ValidationError(
        {"enterprise": [_("“%(q)s”对应多家企业，请填写完整名称或统一社会信用代码。") % {"q": text}]}
    )


@login_required
@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    """登记工单: a complaint or a need heard on a visit (急难愁盼) enters the queue with its time limit."""
    permissions.require_ticket_open(request.user)
    users = selectors.case_assign_choices(actor=request.user)
    form = TicketForm(
        request.POST or None,
        users=users,
        initial={
            "urgency": "normal",
            "reported_on": timezone.localdate(),
            "enterprise": request.GET.get("enterprise", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.ticket_open(
                actor=request.user,
                enterprise=_enterprise_named(request.user, form.cleaned_data.get("enterprise") or ""),
                title=form.cleaned_data.get("title") or "",
                data=form.case_data(),
                assignee=form.chosen_assignee(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("工单已登记：%(ref)s，办理期限 %(due)s。") % {"ref": case.reference, "due": case.due_on},
            )
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/ticket_new.html",
        {
            "form": form,
            "case_type": form.case_type,
            "enterprise_options": _enterprise_options(request.user),
            "active_nav": "queue",
        },
        status=400 if request.method == "POST" else 200,
    )

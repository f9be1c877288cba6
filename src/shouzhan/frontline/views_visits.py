"""frontline's visit pages: my visits and plans, the visit form, a visit, plan creation, the phone's sync.

The visit form works as a plain form POST; with JavaScript (static/frontline/offline.js) it keeps each
record in the phone's outbox (IndexedDB) and sends it to `sync_visit` as JSON with its own key, so a
record made without a network is sent when the network is back, once.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shouzhan.accounts.models import User
from shouzhan.cases import workflow as wf
from shouzhan.core.forms import add_service_errors
from shouzhan.core.offline import service_worker_response
from shouzhan.frontline import services
from shouzhan.frontline.forms_visits import (
    DemandFormSet,
    PlanForm,
    VisitForm,
    payload_parse,
)
from shouzhan.frontline.models import Visit, VisitPlan, VisitTarget
from shouzhan.frontline.permissions import RECEIVER_ROLES, can_receive, require_receive, sees_every_demand
from shouzhan.frontline.services.visits import PHOTO_MAX_BYTES, PHOTOS_MAX
from shouzhan.frontline.tickets import KEY
from shouzhan.registry.models import Enterprise
from shouzhan.registry.selectors import enterprise_visible

ENTERPRISE_NAMES = 60  # offered in the visit form's chooser (the plan's first, then by name)
PLAN_ENTERPRISES = 300  # offered in the plan form's list (narrowed by its search box)
SYNC_PHOTO_MAX = 2 * 1024 * 1024  # a photo sent from the phone, after decoding (it downscales to 1600 px)
SYNC_BODY_MAX = PHOTOS_MAX * SYNC_PHOTO_MAX * 4 // 3 + 256 * 1024  # base64 photos and the record's text
STATIC_FOR_OFFLINE = ("frontline/offline.js",)


# ----------------------------------------------------------------------------------------------- reading
def _open_targets(user: Any) -> list[VisitTarget]:
    today = timezone.localdate()
    return list(
        VisitTarget.objects.filter(plan__visitor=user, visit__isnull=True, plan__starts_on__lte=today)
        .select_related("plan", "enterprise")
        .order_by("plan__due_on", "pk")[:200]
    )


def _target_label(t: VisitTarget) -> str:
    who = t.enterprise.name if t.enterprise is not None else t.place
    return f"{who} · {t.plan.title}（{_('期限')} {t.plan.due_on:%Y-%m-%d}）"


@login_required
@require_GET
def visits(request: HttpRequest) -> HttpResponse:
    """My visits and plans: the plans with their stops, overdue first; my recent visits."""
    require_receive(request.user)
    today = timezone.localdate()
    plans = list(
        VisitPlan.objects.filter(Q(visitor=request.user) | Q(created_by=request.user))
        .select_related("visitor")
        .prefetch_related(
            Prefetch("targets", queryset=VisitTarget.objects.select_related("enterprise").order_by("pk"))
        )
        .order_by("due_on", "pk")[:100]
    )
    rows = []
    for plan in plans:
        targets = list(plan.targets.all())
        done = sum(1 for t in targets if t.visit_id)
        rows.append(
            {
                "plan": plan,
                "targets": targets,
                "done": done,
                "open": len(targets) - done,
                "overdue": plan.due_on < today and done < len(targets),
            }
        )
    rows.sort(key=lambda r: (not r["overdue"], r["open"] == 0, r["plan"].due_on))  # type: ignore[attr-defined]
    recent = (
        Visit.objects.filter(visitor_id=request.user.pk)
        .select_related("enterprise")
        .annotate(n_demands=Count("demands"), n_photos=Count("photos", distinct=True))[:30]
    )
    return render(
        request,
        "frontline/visits.html",
        {"plans": rows, "recent": recent, "today": today, "active_nav": "frontline_visits"},
    )


def _visit_readable(user: Any, visit: Visit) -> None:
    if visit.visitor_id != user.pk and not sees_every_demand(user):
        raise Http404(_("没有找到该走访记录。"))


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(Visit.objects.select_related("enterprise", "visitor"), pk=pk)
    _visit_readable(request.user, visit)
    ticket = wf.case_type_get(KEY)
    demands = [
        {"demand": d, "state": ticket.state(d.case.state).staff_label}
        for d in visit.demands.select_related("case", "department").order_by("pk")
    ]
    photos = list(visit.photos.order_by("pk"))
    return render(
        request,
        "frontline/visit_detail.html",
        {
            "visit": visit,
            "demands": demands,
            "photos": [(i, p) for i, p in enumerate(photos, start=1)],
            "active_nav": "frontline_visits",
        },
    )


@login_required
@require_GET
def visit_photo(request: HttpRequest, pk: int, n: int) -> FileResponse:
    visit = get_object_or_404(Visit, pk=pk)
    _visit_readable(request.user, visit)
    photos = list(visit.photos.order_by("pk"))
    if not 1 <= n <= len(photos):
        raise Http404(_("没有找到这张照片。"))
    photo = photos[n - 1]
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("照片文件已不存在。")) from None
    return FileResponse(handle, content_type=photo.content_type)


# ----------------------------------------------------------------------------------------------- the form
def _enterprise_names(user: Any, targets: list[VisitTarget]) -> list[tuple[int, str]]:
    planned = {t.enterprise.pk: t.enterprise.name for t in targets if t.enterprise is not None}
    rest = enterprise_visible(actor=user).exclude(pk__in=list(planned)).order_by("name", "pk")
    names = list(planned.items()) + list(rest.values_list("pk", "name")[:ENTERPRISE_NAMES])
    return names[: ENTERPRISE_NAMES + len(planned)]


def _enterprise_named(user: Any, text: str) -> Enterprise | None:
    text = (text or "").strip()
    if not text:
        return None
    found = list(enterprise_visible(actor=user, q=text)[:50])
    exact = [e for e in found if e.name == text or (e.credit_code or "") == text.upper()]
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError({"enterprise": [_("企业库中没有找到“%(q)s”，请检查名称。") % {"q": text}]})
    raise ValidationError(
        {"enterprise": [_("“%(q)s”对应多家企业，请填写完整名称或统一社会信用代码。") % {"q": text}]}
    )


def _target_for(
    user: Any, target_id: int | None, enterprise: Enterprise | None, place: str
) -> VisitTarget | None:
    """The plan's stop this visit does: the one chosen, or an open one of mine for the same enterprise/place."""
    mine = VisitTarget.objects.filter(plan__visitor=user).select_related("enterprise")
    if target_id is not None:
        target = mine.filter(pk=target_id).first()
        if target is None:
            raise ValidationError({"target": [_("该走访对象不在您的走访计划中。")]})
        return target
    today = timezone.localdate()
    open_ = mine.filter(visit__isnull=True, plan__starts_on__lte=today).order_by("plan__due_on", "pk")
    if enterprise is not None:
        return open_.filter(enterprise=enterprise).first()
    if place:
        return open_.filter(enterprise__isnull=True, place=place).first()
    return None


def _uploaded_photos(request: HttpRequest) -> list[tuple[str, bytes]]:
    files = request.FILES.getlist("photos")
    if len(files) > PHOTOS_MAX:
        raise ValidationError({"photos": [_("一次走访最多上传 %(n)s 张照片。") % {"n": PHOTOS_MAX}]})
    photos = []
    for f in files:
        if (f.size or 0) > PHOTO_MAX_BYTES:
            raise ValidationError({"photos": [_("照片“%(n)s”超过 8 MB。") % {"n": f.name}]})
        photos.append((str(f.name)[:120], f.read(PHOTO_MAX_BYTES + 1)))
    return photos


def _formset_errors(formset: Any, exc: ValidationError) -> ValidationError | None:
    """A demand's error (`demands.2.description`) onto its row; what is left is returned for the form."""
    if not hasattr(exc, "error_dict"):
        return exc
    rest: dict[str, list[str]] = {}
    rows = [f for f in formset.forms if not f.is_blank()]
    for name, errors in exc.message_dict.items():
        parts = name.split(".")
        if parts[0] == "demands" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) <= len(rows):
            form = rows[int(parts[1]) - 1]
            form.add_error(parts[2] if parts[2] in form.fields else None, errors)
        else:
            rest[name] = errors
    return ValidationError(rest) if rest else None


def _visit_save(request: HttpRequest, form: VisitForm, formset: Any) -> Visit:
    data = form.cleaned_data
    enterprise = _enterprise_named(request.user, data.get("enterprise") or "")
    place = data.get("place") or ""
    target = _target_for(request.user, data.get("target"), enterprise, place)
    if target is not None and enterprise is None and not place:
        enterprise, place = target.enterprise, target.place
    demands = [
        {k: f.cleaned_data.get(k) for k in ("category", "description", "urgency", "requester_name")}
        | {"client_key": f.cleaned_data.get("client_key") or None}
        for f in formset.forms
        if not f.is_blank()
    ]
    return services.visit_record(
        actor=request.user,
        visited_on=data["visited_on"],
        enterprise=enterprise,
        place=place,
        met=data.get("met") or "",
        notes=data.get("notes") or "",
        latitude=data.get("latitude") or None,
        longitude=data.get("longitude") or None,
        accuracy_m=data.get("accuracy_m") or None,
        target=target,
        demands=demands,
        photos=_uploaded_photos(request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest) -> HttpResponse:
    """The visit form: a plain POST without JavaScript; the phone's outbox with it (offline.js)."""
    require_receive(request.user)
    targets = _open_targets(request.user)
    post = request.POST if request.method == "POST" else None
    form = VisitForm(
        post,
        targets=[(t.pk, _target_label(t)) for t in targets],
        initial={"visited_on": timezone.localdate(), "target": request.GET.get("target", "")},
    )
    formset = DemandFormSet(post, prefix="demands")
    more = post is not None and "more" in post
    if post is not None and not more and form.is_valid() and formset.is_valid():
        try:
            visit = _visit_save(request, form, formset)
        except ValidationError as exc:
            left = _formset_errors(formset, exc)
            if left is not None:
                add_service_errors(form, left)
        else:
            messages.success(request, _("走访已登记，%(n)s 条诉求已派单。") % {"n": visit.demands.count()})
            return redirect("frontline:visit", pk=visit.pk)
    if more and formset.is_valid() and formset.total_form_count() < formset.max_num:
        formset = DemandFormSet(initial=[f.cleaned_data for f in formset.forms], prefix="demands")
        formset.extra = 1
    targets_data = [
        (t.pk, t.enterprise.name if t.enterprise is not None else "", t.place if t.enterprise is None else "")
        for t in targets
    ]
    return render(
        request,
        "frontline/visit_form.html",
        {
            "form": form,
            "formset": formset,
            "targets_data": targets_data,
            "enterprise_names": _enterprise_names(request.user, targets),
            "photos_max": PHOTOS_MAX,
            "active_nav": "frontline_visits",
        },
        status=400 if post is not None and not more else 200,
    )


# ----------------------------------------------------------------------------------------------- plans
def _plan_enterprises(user: Any, q: str, chosen: list[str]) -> list[tuple[int, str]]:
    shown = enterprise_visible(actor=user, q=q[:100]) if q else enterprise_visible(actor=user)
    rows = list(shown.order_by("name", "pk").values_list("pk", "name")[:PLAN_ENTERPRISES])
    ids = [int(c) for c in chosen if c.isdigit()][:PLAN_ENTERPRISES]
    extra = enterprise_visible(actor=user).filter(pk__in=ids).exclude(pk__in=[pk for pk, _n in rows])
    return list(extra.values_list("pk", "name")) + rows


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    """A visit plan: who goes, when, to which enterprises and places (党群服务站 …)."""
    require_receive(request.user)
    visitors = {
        u.pk: u
        for u in User.objects.filter(is_active=True)
        .filter(Q(role__in=RECEIVER_ROLES) | Q(is_superuser=True))
        .order_by("name", "pk")[:500]
    }
    post = request.POST if request.method == "POST" else None
    q = (request.POST.get("q") if post else request.GET.get("q")) or ""
    chosen = request.POST.getlist("enterprises") if post else []
    today = timezone.localdate()
    form = PlanForm(
        post,
        visitors=[(pk, u.name or str(u)) for pk, u in visitors.items()],
        enterprises=_plan_enterprises(request.user, q, chosen),
        initial={"visitor": request.user.pk, "starts_on": today, "due_on": today + dt.timedelta(days=14)},
    )
    if post is not None and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_plan_create(
                actor=request.user,
                title=data["title"],
                visitor=visitors[data["visitor"]],
                starts_on=data["starts_on"],
                due_on=data["due_on"],
                enterprises=list(Enterprise.objects.filter(pk__in=data["enterprises"]).order_by("name")),
                places=form.place_list(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("走访计划已创建。"))
            return redirect("frontline:visits")
    return render(
        request,
        "frontline/plan_form.html",
        {"form": form, "q": q[:100], "active_nav": "frontline_visits"},
        status=400 if post is not None else 200,
    )


# ----------------------------------------------------------------------------------------------- sync
def _refuse(status: int, message: str, errors: dict[str, list[str]] | None = None) -> JsonResponse:
    return JsonResponse({"message": message, "errors": errors or {}}, status=status)


def _words(exc: ValidationError) -> tuple[str, dict[str, list[str]]]:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return " ".join(m for ms in errors.values() for m in ms), errors


@require_http_methods(["POST"])
def sync_visit(request: HttpRequest) -> JsonResponse:
    """A visit sent from the phone's outbox (JSON), once however often it is sent (its client_key)."""
    if not request.user.is_authenticated:
        return _refuse(401, _("登录已过期，请重新登录后再发送。"))
    if not can_receive(request.user):
        return _refuse(403, _("只有营商专员可以登记走访和诉求。"))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > SYNC_BODY_MAX:
        return _refuse(413, _("这条记录太大（照片过多或过大），请减少照片后再发送。"))
    body = request.read(SYNC_BODY_MAX + 1)
    if len(body) > SYNC_BODY_MAX:
        return _refuse(413, _("这条记录太大（照片过多或过大），请减少照片后再发送。"))
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _refuse(400, _("记录格式不正确，无法读取。"))
    try:
        fields = payload_parse(
            payload,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            photo_max=SYNC_PHOTO_MAX,
        )
        key = fields["client_key"]
        replay = bool(key) and Visit.objects.filter(client_key=key).exists()
        enterprise = _sync_enterprise(
            request.user, fields.pop("enterprise_id"), fields.pop("enterprise_name")
        )
        target = _target_for(request.user, fields.pop("target_id"), enterprise, fields["place"])
        if target is not None and enterprise is None and not fields["place"]:
            enterprise, fields["place"] = target.enterprise, target.place
        visit = services.visit_record(actor=request.user, enterprise=enterprise, target=target, **fields)
    except PermissionDenied as exc:
        return _refuse(403, str(exc) or _("没有权限。"))
    except ValidationError as exc:
        message, errors = _words(exc)
        return _refuse(413 if "too_large" in errors else 400, message, errors)
    return JsonResponse(_sync_answer(visit, replay), status=200 if replay else 201)


def _sync_enterprise(user: Any, enterprise_id: int | None, name: str) -> Enterprise | None:
    if enterprise_id is not None:
        found = enterprise_visible(actor=user).filter(pk=enterprise_id).first()
        if found is None:
            raise ValidationError({"enterprise": [_("没有找到所选企业。")]})
        return found
    return _enterprise_named(user, name)


def _sync_answer(visit: Visit, replay: bool) -> dict[str, Any]:
    demands = [
        {
            "title": d.case.title,
            "department": d.department.name if d.department is not None else "",
            "accept_due_on": d.accept_due_on.isoformat() if d.accept_due_on else None,
            "resolve_due_on": d.resolve_due_on.isoformat() if d.resolve_due_on else None,
            "url": reverse("frontline:demand", args=[d.pk]),
        }
        for d in visit.demands.select_related("case", "department").order_by("pk")
    ]
    return {
        "id": visit.pk,
        "url": reverse("frontline:visit", args=[visit.pk]),
        "replay": replay,
        "demands": demands,
        "message": _("走访已登记，%(n)s 条诉求已派单。") % {"n": len(demands)},
    }


# ----------------------------------------------------------------------------------------------- service worker
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served under /frontline/ so that its scope covers the visit pages."""
    return service_worker_response(
        name="frontline",
        scope=reverse("frontline:visits").removesuffix("visits/"),
        pages=[reverse("frontline:visit_new"), reverse("frontline:visits")],
        assets=STATIC_FOR_OFFLINE,
    )

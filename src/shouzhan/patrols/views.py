"""patrols' desk pages: thin — parse with a form, call a selector or a service, render.

A chief's own patrols and this month's compliance, the patrol list for staff and the offices, one patrol
with its verdict, flags and review, the river files (一河一档) with warnings and printable checkpoint QR
codes, a river's plans (一河一策), and the frequency rules. Refusals follow the one rule: a page not theirs
is 403, a patrol they may not know of is 404, a patrol reviewed meanwhile is 409 beside its current state.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shouzhan.community.qr import qr_svg
from shouzhan.core.errors import Conflict
from shouzhan.core.forms import add_service_errors
from shouzhan.frontline.selectors import category_labels, state_label
from shouzhan.patrols import permissions as perms
from shouzhan.patrols import selectors, services
from shouzhan.patrols.forms import MeasureForm, PatrolFilterForm, ReviewForm, WarningForm
from shouzhan.patrols.honesty import flag_words
from shouzhan.patrols.mapping import map_context
from shouzhan.patrols.models import Patrol, PlanMeasure, River, Target
from shouzhan.patrols.observations import observations_words
from shouzhan.patrols.rules import kilometres, minutes, verdict_words


def _page_number(value: str | None) -> int:
    """?page=N as a number; anything else is the first page (a bounded, harmless input)."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 6 else 1


# ----------------------------------------------------------------------------- my patrols and the list
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    perms.require_read_patrols(user)
    today = timezone.localdate()
    chief = perms.is_chief(user)
    desk = perms.can_read_compliance(user)
    context: dict[str, Any] = {
        "active_nav": "patrols_list",
        "chief": chief,
        "desk": desk,
        "record_url": reverse("patrols:record"),
        "mine": selectors.my_patrols(user, today) if chief else None,
        "today": today,
    }
    if desk:
        targets, streets = selectors.filter_choices()
        form = PatrolFilterForm(request.GET or None, targets=targets, streets=streets)
        filters = form.cleaned_data if form.is_valid() else {}
        review = selectors.review_filter(filters.get("review") or "")
        context["form"] = form
        context["review"] = review
        context["list"] = selectors.patrol_list(
            user,
            target_id=filters.get("target"),
            street=filters.get("street") or "",
            review=review,
            page=_page_number(request.GET.get("page")),
        )
        query = request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        query.pop("review", None)
        context["query_no_review"] = query.urlencode()
    return render(request, "patrols/index.html", context)


# ----------------------------------------------------------------------------- one patrol
def _get_patrol(user: Any, pk: int) -> Patrol:
    perms.require_read_patrols(user)
    patrol: Patrol = get_object_or_404(selectors.patrol_detail(selectors.patrols_visible(user)), pk=pk)
    return patrol


def _patrol_page(
    request: HttpRequest,
    patrol: Patrol,
    *,
    form: forms.Form | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    reviewer = perms.can_review(user, patrol.target)
    flagged = patrol.review == Patrol.Review.FLAGGED
    checked = {c.checkpoint_id for c in patrol.checkins.all()}
    labels = category_labels() if patrol.hazards.all() else {}
    context = {
        "active_nav": "patrols_list" if perms.can_read_compliance(user) else "patrols_record",
        "patrol": patrol,
        "minutes": minutes(patrol.duration_s),
        "km": kilometres(patrol.distance_m),
        "verdict": verdict_words(patrol),
        "flags": [flag_words(f) for f in patrol.flags or ()],
        "observations": observations_words(patrol.observations or {}),
        "missed": [c for c in patrol.target.checkpoints.all() if c.pk not in checked],
        "photos": list(enumerate(patrol.photos.all(), start=1)),
        "hazards": [
            (h, labels.get(h.category, h.category), state_label(h.demand.case.state))
            for h in patrol.hazards.all()
        ],
        "form": (form or ReviewForm(initial={"version": patrol.version})) if reviewer and flagged else None,
        "reviewer": reviewer,
        "conflict": conflict,
        "map": map_context(
            targets=[patrol.target],
            patrols=[patrol],
            hazards=patrol.hazards.all(),
            on=patrol.on,
            map_id="patrol-map",
        ),
    }
    return render(request, "patrols/patrol.html", context, status=status)


@login_required
@require_GET
def patrol_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _patrol_page(request, _get_patrol(request.user, pk))


@login_required
@require_POST
def patrol_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    patrol = _get_patrol(user, pk)
    perms.require_review(user, patrol.target)
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        accept = data["decision"] == "accept"
        try:
            services.patrol_review(
                actor=user, patrol=patrol, accept=accept, note=data["note"], expected_version=data["version"]
            )
        except Conflict as exc:
            return _patrol_page(request, _get_patrol(user, pk), conflict=exc.message_text, status=409)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已复核：通过，计入履职。") if accept else _("已复核：不通过。"))
            return redirect("patrols:patrol", pk=pk)
    return _patrol_page(request, patrol, form=form, status=400)


@login_required
@require_GET
def patrol_photo(request: HttpRequest, pk: int, n: int) -> FileResponse:
    patrol = _get_patrol(request.user, pk)
    photos = list(patrol.photos.all())
    if not 1 <= n <= len(photos):
        raise Http404(_("没有找到这张照片。"))
    photo = photos[n - 1]
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("照片文件已不存在。")) from None
    return FileResponse(handle, content_type=photo.content_type)


# ----------------------------------------------------------------------------- 一河一档
@login_required
@require_GET
def targets(request: HttpRequest) -> HttpResponse:
    perms.require_read_patrols(request.user)
    context = {"active_nav": "patrols_targets", "groups": selectors.target_files(timezone.localdate())}
    return render(request, "patrols/targets.html", context)


def _target_page(
    request: HttpRequest, target: Target, *, form: WarningForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    manage = perms.can_manage(user)
    file = selectors.target_file(user, target, today)
    context = {
        "active_nav": "patrols_targets",
        "file": file,
        "map": map_context(targets=[file.row.target], on=today, map_id="target-map", links=False),
        "manage": manage,
        "form": (form or WarningForm(initial={"from_on": today})) if manage else None,
    }
    return render(request, "patrols/target.html", context, status=status)


@login_required
@require_GET
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    perms.require_read_patrols(request.user)
    return _target_page(request, get_object_or_404(Target, pk=pk))


@login_required
@require_POST
def target_warning(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    perms.require_read_patrols(user)
    target = get_object_or_404(Target, pk=pk)
    perms.require_manage(user)
    form = WarningForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            spell = services.warning_set(
                actor=user,
                target=target,
                level=data["level"],
                from_on=data["from_on"],
                to_on=data["to_on"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已设定“%(t)s”%(l)s，自 %(d)s 起按此巡查。")
                % {"t": target.name, "l": spell.get_level_display(), "d": spell.from_on.isoformat()},
            )
            return redirect("patrols:target", pk=pk)
    return _target_page(request, target, form=form, status=400)


@login_required
@require_GET
def target_qr(request: HttpRequest, pk: int) -> HttpResponse:
    perms.require_read_patrols(request.user)
    target = get_object_or_404(Target.objects.prefetch_related("checkpoints"), pk=pk)
    codes = [(c, qr_svg(c.code, scale=5)) for c in target.checkpoints.all()]
    context = {"active_nav": "patrols_targets", "target": target, "codes": codes}
    return render(request, "patrols/target_qr.html", context)


# ----------------------------------------------------------------------------- 一河一策
@login_required
@require_GET
def river_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    perms.require_read_patrols(user)
    river = get_object_or_404(River.objects.select_related("office"), pk=pk)
    sections, plans = selectors.river_file(user, river, timezone.localdate())
    context = {
        "active_nav": "patrols_targets",
        "river": river,
        "sections": sections,
        "plans": plans,
        "can_update": perms.can_update_plan(user, river.office_id),
    }
    return render(request, "patrols/river.html", context)


@login_required
@require_POST
def measure_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    perms.require_read_patrols(user)
    measure = get_object_or_404(PlanMeasure.objects.select_related("plan__river"), pk=pk)
    perms.require_update_plan(user, measure.plan.river.office_id)
    form = MeasureForm(request.POST, prefix=f"m{pk}")
    status = 400
    if form.is_valid():
        try:
            measure = services.measure_update(
                actor=user,
                measure=measure,
                progress=form.cleaned_data["progress"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            status = 200
            if not request.headers.get("HX-Request"):
                messages.success(request, _("已更新措施进度。"))
                return redirect("patrols:river", pk=measure.plan.river_id)
    if not request.headers.get("HX-Request"):
        messages.error(request, " ".join(str(e) for es in form.errors.values() for e in es))
        return redirect("patrols:river", pk=measure.plan.river_id)
    context = {"m": measure, "can_update": True, "form": form, "saved": status == 200}
    return render(request, "patrols/_measure.html", context, status=status)


# ----------------------------------------------------------------------------- the frequency rules
@login_required
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {"active_nav": "patrols_rules", "book": selectors.rule_book_view(user, timezone.localdate())}
    return render(request, "patrols/rules.html", context)


urlpatterns: list[URLPattern] = [
    path("", index, name="index"),
    path("<int:pk>/", patrol_detail, name="patrol"),
    path("<int:pk>/review/", patrol_review, name="patrol_review"),
    path("<int:pk>/photos/<int:n>/", patrol_photo, name="patrol_photo"),
    path("targets/", targets, name="targets"),
    path("targets/<int:pk>/", target_detail, name="target"),
    path("targets/<int:pk>/warning/", target_warning, name="target_warning"),
    path("targets/<int:pk>/qr/", target_qr, name="target_qr"),
    path("rivers/<int:pk>/", river_detail, name="river"),
    path("measures/<int:pk>/", measure_update, name="measure_update"),
    path("rules/", rules, name="rules"),
]

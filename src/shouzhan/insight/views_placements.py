"""Placements and relations pages: the caseworker's queue of suggested chain nodes (confirm, reject or change
each in place with htmx), placing an enterprise by hand, running the suggestions, and the relations between
enterprises with their source.

The centre's staff read; caseworkers and administrators act (anyone else is 403). A placement decided by
someone else meanwhile is a 409 showing its current state."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shouzhan.core.errors import Conflict
from shouzhan.core.forms import add_service_errors
from shouzhan.insight import permissions as perms
from shouzhan.insight.forms import (
    STATUS_ALL,
    DecideForm,
    NodeChoices,
    PlaceForm,
    PlacementFilterForm,
    RelationFilterForm,
    RelationForm,
    split_node,
)
from shouzhan.insight.models import ChainVersion, Placement, Relation
from shouzhan.insight.selectors import chains_current
from shouzhan.insight.services import placements as services

PAGE_SIZE, PAGE_SIZE_MAX = 25, 100
NAMES_MAX = 500  # enterprise names offered in a datalist


def _int(value: str | None, default: int, *, low: int, high: int) -> int:
    text = (value or "").strip()
    if not text.isdigit() or len(text) > 6:
        return default
    return max(low, min(high, int(text)))


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Any:
    size = _int(request.GET.get("size"), PAGE_SIZE, low=10, high=PAGE_SIZE_MAX)
    paginator = Paginator(rows, size)
    return paginator.get_page(_int(request.GET.get("page"), 1, low=1, high=10**6))


class Chains:
    """The chains in force as words: a node's title and link, a chain's node choices."""

    def __init__(self, versions: list[ChainVersion]) -> None:
        self.versions = versions
        self.titles = {v.chain: v.title for v in versions}
        self.nodes = {v.chain: {n.key: n for n in v.nodes.all()} for v in versions}

    def node_title(self, chain: str, node: str) -> str:
        n = self.nodes.get(chain, {}).get(node)
        return n.title if n is not None else _("（已不在现行版本中的环节）")

    def stage(self, chain: str, node: str) -> str:
        n = self.nodes.get(chain, {}).get(node)
        return n.get_stage_display() if n is not None else ""

    def choices(self) -> NodeChoices:
        return [
            (v.title, [(f"{v.chain}/{n.key}", f"{n.get_stage_display()} · {n.title}") for n in v.nodes.all()])
            for v in self.versions
        ]


def _row(p: Placement, chains: Chains, **extra: Any) -> dict[str, Any]:
    return {
        "p": p,
        "chain_title": chains.titles.get(p.chain, p.chain),
        "node_title": chains.node_title(p.chain, p.node),
        "stage": chains.stage(p.chain, p.node),
        "others": [(k, n.title) for k, n in chains.nodes.get(p.chain, {}).items() if k != p.node],
        **extra,
    }


def _row_response(
    request: HttpRequest, placement: Placement, *, status: int = 200, **extra: Any
) -> HttpResponse:
    chains = Chains(chains_current())
    standing = extra.pop("standing", None)
    if standing is not None and standing.pk != placement.pk:
        extra["moved_to"] = chains.node_title(standing.chain, standing.node)
    context = {"row": _row(placement, chains, **extra), "can_place": perms.can_place(request.user)}
    return render(request, "insight/_placement_row.html", context, status=status)


# ----------------------------------------------------------------------------- the queue
def _placements_page(
    request: HttpRequest, *, place_form: PlaceForm | None = None, conflict: str = "", status: int = 200
) -> HttpResponse:
    perms.require_read(request.user)
    chains = Chains(chains_current())
    form = PlacementFilterForm(request.GET, chains=list(chains.titles.items()))
    filters = form.cleaned_data if form.is_valid() else {"status": Placement.Status.SUGGESTED}
    rows = Placement.objects.select_related("enterprise", "decided_by")
    counted = Placement.objects.all()
    if filters.get("chain"):
        rows = rows.filter(chain=filters["chain"])
        counted = counted.filter(chain=filters["chain"])
    if filters.get("q"):
        rows = rows.filter(enterprise__name__icontains=filters["q"])
        counted = counted.filter(enterprise__name__icontains=filters["q"])
    chosen = filters.get("status") or Placement.Status.SUGGESTED
    if chosen != STATUS_ALL:
        rows = rows.filter(status=chosen)
    page = _page(request, rows.order_by("-confidence", "enterprise__name", "pk"))
    counts = dict(counted.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    query = request.GET.copy()
    query.pop("page", None)
    can_place = perms.can_place(request.user)
    context = {
        "active_nav": "insight_placements",
        "form": form,
        "status": chosen,
        "tabs": [(k, label, counts.get(k, 0)) for k, label in Placement.Status.choices],
        "page": page,
        "rows": [_row(p, chains) for p in page.object_list],
        "query": query.urlencode(),
        "can_place": can_place,
        "place_form": place_form or (PlaceForm(nodes=chains.choices()) if can_place else None),
        "conflict": conflict,
        "has_chains": bool(chains.versions),
    }
    return render(request, "insight/placements.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def placements(request: HttpRequest) -> HttpResponse:
    return _placements_page(request)


@login_required
@require_POST
def placement_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    perms.require_read(user)
    perms.require_place(user)
    placement = get_object_or_404(Placement.objects.select_related("enterprise"), pk=pk)
    form = DecideForm(request.POST)
    htmx = bool(request.headers.get("HX-Request"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            standing = services.placement_decide(
                actor=user,
                placement=placement,
                decision=data["decision"],
                expected_version=data["version"],
                node=data["node"],
                note=data["note"],
            )
        except Conflict as exc:
            placement.refresh_from_db()
            if htmx:
                return _row_response(request, placement, status=409, conflict=exc.message_text)
            return _placements_page(request, conflict=exc.message_text, status=409)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            placement.refresh_from_db()
            if htmx:
                return _row_response(request, placement, decided=data["decision"], standing=standing)
            messages.success(request, _("已处理“%(n)s”的链位。") % {"n": placement.enterprise.name})
            return redirect("insight:placements")
    errors = [str(e) for es in form.errors.values() for e in es]
    if htmx:
        return _row_response(request, placement, status=400, errors=errors)
    messages.error(request, " ".join(errors))
    return redirect("insight:placements")


@login_required
@require_POST
def placement_add(request: HttpRequest) -> HttpResponse:
    user = request.user
    perms.require_read(user)
    perms.require_place(user)
    chains = Chains(chains_current())
    form = PlaceForm(request.POST, nodes=chains.choices())
    if form.is_valid():
        chain, node = split_node(form.cleaned_data["node"])
        enterprise = form.cleaned_data["enterprise"]
        try:
            services.placement_place(
                actor=user, enterprise=enterprise, chain=chain, node=node, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已将“%(e)s”确认在“%(n)s”。") % {"e": enterprise.name, "n": chains.node_title(chain, node)},
            )
            return redirect(f"{reverse('insight:placements')}?status=confirmed")
    return _placements_page(request, place_form=form, status=400)


@login_required
@require_POST
def placements_run(request: HttpRequest) -> HttpResponse:
    user = request.user
    perms.require_read(user)
    perms.require_place(user)
    n = services.placements_suggest(actor=user)
    messages.success(
        request, _("已根据企业的行业、项目、作品、专利和简介重新推荐，新增或更新 %(n)s 条。") % {"n": n}
    )
    return redirect("insight:placements")


# ----------------------------------------------------------------------------- relations
def _relations_page(
    request: HttpRequest, *, form: RelationForm | None = None, status: int = 200
) -> HttpResponse:
    perms.require_read(request.user)
    filters_form = RelationFilterForm(request.GET)
    filters = filters_form.cleaned_data if filters_form.is_valid() else {}
    rows = Relation.objects.select_related("source", "target", "recorded_by")
    if filters.get("q"):
        q = filters["q"]
        rows = rows.filter(Q(source__name__icontains=q) | Q(target__name__icontains=q))
    if filters.get("kind"):
        rows = rows.filter(kind=filters["kind"])
    page = _page(request, rows.order_by("-created_at", "-pk"))
    query = request.GET.copy()
    query.pop("page", None)
    can_place = perms.can_place(request.user)
    names = list(
        Placement.objects.exclude(status=Placement.Status.REJECTED)
        .order_by("enterprise__name")
        .values_list("enterprise__name", flat=True)
        .distinct()[:NAMES_MAX]
    )
    context = {
        "active_nav": "insight_placements",
        "filters": filters_form,
        "page": page,
        "query": query.urlencode(),
        "can_place": can_place,
        "form": (form or RelationForm()) if can_place else None,
        "names": names,
    }
    return render(request, "insight/relations.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def relations(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method != "POST":
        return _relations_page(request)
    perms.require_read(user)
    perms.require_place(user)
    form = RelationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.relation_record(
                actor=user,
                source=data["source"],
                target=data["target"],
                kind=data["kind"],
                source_note=data["source_note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已登记“%(a)s”与“%(b)s”的关系。") % {"a": data["source"].name, "b": data["target"].name},
            )
            return redirect("insight:relations")
    return _relations_page(request, form=form, status=400)


@login_required
@require_POST
def relation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    perms.require_read(user)
    perms.require_place(user)
    relation = get_object_or_404(Relation.objects.select_related("source", "target"), pk=pk)
    services.relation_delete(actor=user, relation=relation)
    if request.headers.get("HX-Request"):
        return HttpResponse("")
    messages.success(request, _("已删除这条企业关系。"))
    return redirect("insight:relations")


urlpatterns: list[URLPattern] = [
    path("placements/", placements, name="placements"),
    path("placements/add/", placement_add, name="placement_add"),
    path("placements/suggest/", placements_run, name="placements_suggest"),
    path("placements/<int:pk>/decide/", placement_decide, name="placement_decide"),
    path("relations/", relations, name="relations"),
    path("relations/<int:pk>/delete/", relation_delete, name="relation_delete"),
]

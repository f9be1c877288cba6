"""The chain map (产业图谱): `/insight/map/` draws a chain with ECharts (vendored, served by the app) from
positions computed on the server; `/insight/map/data/` is the same data as JSON; `/insight/map/<chain>/<node>/`
is a node's panel — the partial alone for htmx, the map page with the panel open otherwise.

An unknown chain or node is a 404; a filter value outside its list a 400 with the reason in words."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shouzhan.insight.mapdata import MAX_ENTERPRISES, band_words, map_data, node_detail
from shouzhan.insight.models import Stage
from shouzhan.insight.permissions import require_read
from shouzhan.insight.selectors import chains_current
from shouzhan.registry.choices import DISTRICTS

FILTERS = ("district", "cluster", "stage", "size_by")
TEXT_MAX = 64  # a filter's value longer than any in its list is refused by the list anyway


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "")[:TEXT_MAX] for k in FILTERS}


def _messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {"general": error.messages}


def _page_context(request: HttpRequest, chain: str, params: dict[str, str]) -> tuple[dict[str, Any], int]:
    chains = chains_current()
    chain = chain or (chains[0].chain if chains else "")
    context: dict[str, Any] = {
        "chains": chains,
        "chain_key": chain,
        "params": params,
        "districts": DISTRICTS,
        "clusters": [("all", _("全部")), ("in", _("集聚区内")), ("out", _("集聚区外（含未知）"))],
        "stages": list(Stage.choices),
        "sizes": [("count", _("企业数")), ("revenue", _("营业收入"))],
        "bands": band_words(),
        "limit": MAX_ENTERPRISES,
        "errors": {},
        "data": None,
        "active_nav": "insight_map",
    }
    if not chains:
        return context, 200
    try:
        data = map_data(actor=request.user, chain=chain, **params)
    except ValidationError as error:
        context["errors"] = _messages(error)
        return context, 400
    context["data"] = data
    context["as_of"] = timezone.localtime()
    context["words"] = {
        "confirmed": _("已确认"),
        "suggested": _("待确认"),
        "target": _("目标"),
        "companies": _("家"),
        "confidence": _("置信度"),
        "revenue": _("营业收入"),
        "strength": _("本地实力"),
        "shown": _("图上"),
    }
    context["chain"] = next(c for c in chains if c.chain == data["chain"]["key"])
    query = {k: v for k, v in params.items() if v}
    context["data_url"] = reverse("insight:map_data") + "?" + urlencode({"chain": chain, **query})
    context["query"] = urlencode(query)
    return context, 200


@login_required
@require_GET
def chain_map(request: HttpRequest) -> HttpResponse:
    require_read(request.user)
    context, status = _page_context(request, request.GET.get("chain", "")[:TEXT_MAX], _params(request))
    return render(request, "insight/map.html", context, status=status)


@login_required
@require_GET
def chain_map_data(request: HttpRequest) -> HttpResponse:
    require_read(request.user)
    chain = request.GET.get("chain", "")[:TEXT_MAX]
    if not chain:
        chains = chains_current()
        chain = chains[0].chain if chains else ""
    try:
        data = map_data(actor=request.user, chain=chain, **_params(request))
    except ValidationError as error:
        return JsonResponse(
            {"errors": _messages(error)}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


@login_required
@require_GET
def node_panel(request: HttpRequest, chain: str, node: str) -> HttpResponse:
    require_read(request.user)
    params = _params(request)
    try:
        panel = node_detail(
            actor=request.user, chain=chain, node=node, district=params["district"], cluster=params["cluster"]
        )
    except ValidationError as error:
        if request.headers.get("HX-Request"):
            return render(request, "insight/_node_panel.html", {"errors": _messages(error)}, status=400)
        context, _status = _page_context(request, chain, params)
        context["errors"] = _messages(error)
        return render(request, "insight/map.html", context, status=400)
    if request.headers.get("HX-Request"):
        return render(request, "insight/_node_panel.html", {"panel": panel})
    context, status = _page_context(request, chain, params)
    context["panel"] = panel
    return render(request, "insight/map.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("map/", chain_map, name="map"),
    path("map/data/", chain_map_data, name="map_data"),
    path("map/<slug:chain>/<slug:node>/", node_panel, name="node"),
]

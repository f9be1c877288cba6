"""The district's patrol map and the basemap's tiles, both served by the app itself.

`/patrols/map/` draws every active target (by street or river when chosen) coloured by its warning level,
its checkpoints, and this month's hazards (open ones highlighted) on a server-drawn SVG; a section links to
its target's page. `/patrols/tiles/<z>/<x>/<y>` serves the district's raster basemap (MBTiles, see
basemap.py): 404 when none is configured or the file has no such tile.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET

from shouzhan.core.limits import BoundedForm
from shouzhan.patrols import basemap as basemaps
from shouzhan.patrols import permissions
from shouzhan.patrols.mapping import district_data, district_streets_rivers, hazard_state, map_context

TILE_MAX_AGE = 24 * 3600


class MapFilterForm(BoundedForm):
    street = forms.ChoiceField(label=_l("街镇"), required=False, choices=())
    river = forms.TypedChoiceField(label=_l("河道"), required=False, coerce=int, empty_value=None, choices=())

    def __init__(self, *args: Any, streets: list[str], rivers: list[tuple[int, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["street"].choices = [("", _l("全部街镇")), *[(s, s) for s in streets]]  # type: ignore[attr-defined]
        self.fields["river"].choices = [("", _l("全部河道")), *rivers]  # type: ignore[attr-defined]


@login_required
@require_GET
def district_map(request: HttpRequest) -> HttpResponse:
    permissions.require_read_patrols(request.user)
    streets, rivers = district_streets_rivers()
    form = MapFilterForm(request.GET or None, streets=streets, rivers=rivers)
    status, street, river_id = 200, "", None
    if form.is_bound:
        if form.is_valid():
            street, river_id = form.cleaned_data["street"], form.cleaned_data["river"]
        else:
            status = 400
    today = timezone.localdate()
    targets, hazards = district_data(actor=request.user, street=street, river_id=river_id, on=today)
    context = {
        "form": form,
        "filtered": bool(street or river_id),
        "targets": targets,
        "hazard_rows": [(h, *hazard_state(h)) for h in hazards],
        "month": today.replace(day=1),
        "map": map_context(
            targets=targets, hazards=hazards, on=today, map_id="district-map", title=_("全区巡查地图")
        ),
        "active_nav": "patrols_map",
    }
    return render(request, "patrols/map.html", context, status=status)


@login_required
@require_GET
def tile(request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
    permissions.require_read_patrols(request.user)
    found = basemaps.basemap()
    if found is None:
        raise Http404(_("没有配置底图。"))
    got = basemaps.tile(found, z, x, y) if basemaps.tile_in_range(z, x, y) else None
    if got is None:
        raise Http404(_("底图中没有这块瓦片。"))
    data, content_type = got
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(data, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = f"private, max-age={TILE_MAX_AGE}"
    return response


urlpatterns: list[URLPattern] = [
    path("map/", district_map, name="map"),
    path("tiles/<int:z>/<int:x>/<int:y>", tile, name="tile"),
]

"""The patrol map, drawn on the server as inline SVG from the coordinates alone (no request leaves the site).

`map_context(targets=…, patrols=…, hazards=…, width=…, height=…)` projects WGS-84 latitude and longitude
with Web Mercator (EPSG:3857, so a basemap's tiles line up), fits everything with a margin, and returns
what `patrols/_map.html` draws. Include it on any page:

    {% include "patrols/_map.html" with map=map %}      # map = map_context(targets=[…], patrols=[…])

No boundaries are drawn: without a basemap (settings.PATROLS_BASEMAP) the map is schematic.

The context (`map`):
- `id`            the SVG's id (several maps on a page need distinct ids); `title`: its accessible name
- `width`, `height`, `view_box`  the drawing's size in px and its viewBox "0 0 W H"
- `empty`         True when nothing has coordinates (the template shows an empty state instead)
- `sections`      [{pk, name, street, url (the target's page, or ""), points "x,y x,y …" ("" without a path),
                  checkpoints (how many), warning, warning_words, colour, x, y (the path's start)}]: every
                  target, its path coloured by its warning level
- `checkpoints`   [{name, target, x, y}]; `labels`: whether their names are written beside them
- `tracks`        [{pk, label, points, drawn (points drawn), recorded (points recorded), flagged}]: patrol
                  tracks, long ones thinned to `TRACK_DRAW_MAX` points for drawing
- `hazards`       [{description, open, state_words, x, y}]: hazards with coordinates, open ones highlighted;
                  `unplaced`: how many hazards had none
- `legend`        [{key, label, colour, shape ("line", "track", "dot", "hazard")}] of what is drawn
- `scale`         {metres, label, px, x, y}: a scale bar exact from the projection at the view's centre
- `tiles`         [{href, x, y, size}]: basemap tiles under the drawing (empty without a basemap)
- `attribution`   the basemap's attribution ("" without one)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.frontline.tickets import FRONTLINE_TICKET
from shouzhan.patrols import basemap as basemaps
from shouzhan.patrols.models import Hazard, Patrol, Target, Warning
from shouzhan.patrols.permissions import scope_patrols
from shouzhan.patrols.rules import Warnings

EARTH_RADIUS_M = 6_378_137.0  # WGS-84 semi-major axis: the sphere of Web Mercator
MAX_LATITUDE = 85.0511287798066  # where Web Mercator's square world ends
TILE_PX = 256
TRACK_DRAW_MAX = 500
MARGIN_PX = 28
MIN_SPAN_M = 300.0  # a single point is shown with about this much around it
MAX_TILES = 120

COLOURS = {
    Warning.NONE.value: "#1d6fb8",
    Warning.YELLOW.value: "#c99a06",
    Warning.ORANGE.value: "#e0640b",
    Warning.RED.value: "#c5221f",
}
TRACK_COLOUR = "#6a3fb5"
CHECKPOINT_COLOUR = "#0f5132"
HAZARD_OPEN = "#c5221f"
HAZARD_DONE = "#7a7a7a"
STATES = {s.key: s for s in FRONTLINE_TICKET.states}


# ----------------------------------------------------------------------------- the projection
def project(lat: float, lon: float) -> tuple[float, float]:
    """Web Mercator as a fraction of the world: (0, 0) the north-west corner, (1, 1) the south-east; the
    tile (z, x, y) covers [x, x + 1) / 2^z by [y, y + 1) / 2^z."""
    phi = math.radians(max(-MAX_LATITUDE, min(MAX_LATITUDE, lat)))
    return (lon + 180.0) / 360.0, (1.0 - math.log(math.tan(math.pi / 4 + phi / 2)) / math.pi) / 2.0


def latitude_of(world_y: float) -> float:
    """The latitude of a world fraction y (the inverse of `project`)."""
    return math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * world_y))))


def mercator_m(lat: float, lon: float) -> tuple[float, float]:
    """EPSG:3857 easting and northing in metres."""
    phi = math.radians(max(-MAX_LATITUDE, min(MAX_LATITUDE, lat)))
    return EARTH_RADIUS_M * math.radians(lon), EARTH_RADIUS_M * math.log(math.tan(math.pi / 4 + phi / 2))


def metres_per_world(lat: float) -> float:
    """Ground metres across the whole world's width at a latitude (Web Mercator's scale there)."""
    return 2 * math.pi * EARTH_RADIUS_M * math.cos(math.radians(lat))


class View:
    """The fitted view: world fractions to SVG pixels, one scale on both axes, centred."""

    def __init__(self, points: Sequence[tuple[float, float]], width: int, height: int) -> None:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        self.width, self.height = width, height
        self.cx, self.cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        least = MIN_SPAN_M / metres_per_world(latitude_of(self.cy))
        span_x, span_y = max(max(xs) - min(xs), least), max(max(ys) - min(ys), least)
        self.k = min((width - 2 * MARGIN_PX) / span_x, (height - 2 * MARGIN_PX) / span_y)  # px per world

    def xy(self, wx: float, wy: float) -> tuple[float, float]:
        return (wx - self.cx) * self.k + self.width / 2, (wy - self.cy) * self.k + self.height / 2

    def metres_per_px(self) -> float:
        return metres_per_world(latitude_of(self.cy)) / self.k


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _points(view: View, coords: Iterable[tuple[float, float]]) -> str:
    return " ".join(",".join(map(_num, view.xy(*project(lat, lon)))) for lat, lon in coords)


# ----------------------------------------------------------------------------- parts
def thin(track: Sequence[Any], most: int = TRACK_DRAW_MAX) -> list[Any]:
    """At most `most` points of a track, evenly spread, the first and the last kept."""
    n = len(track)
    if n <= most:
        return list(track)
    return [track[round(i * (n - 1) / (most - 1))] for i in range(most)]


def nice_metres(most: float) -> int:
    """The longest 1, 2 or 5 × 10ⁿ metres not over `most` (at least 1)."""
    if most < 1:
        return 1
    power = 10 ** math.floor(math.log10(most))
    return int(max(step * power for step in (1, 2, 5) if step * power <= most))


def scale_bar(view: View) -> dict[str, Any]:
    per_px = view.metres_per_px()
    metres = nice_metres(per_px * view.width / 4)
    label = _("%(n)s 公里") % {"n": _num(metres / 1000)} if metres >= 1000 else _("%(n)s 米") % {"n": metres}
    return {"metres": metres, "label": label, "px": round(metres / per_px, 1), "x": 16, "y": view.height - 16}


def _target_url(pk: int) -> str:
    return reverse("patrols:target", args=[pk])


def _sections(view: View | None, targets: Sequence[Target], levels: dict[int, str], links: bool) -> list[Any]:
    """Every target, its path drawn when it has one (`points` is "" when it has none)."""
    words = dict(Warning.choices)
    out = []
    for t in targets:
        level = levels.get(t.pk, Warning.NONE.value)
        drawn = view is not None and bool(t.path)
        start = view.xy(*project(t.path[0][0], t.path[0][1])) if view is not None and drawn else (0.0, 0.0)
        points = _points(view, ((p[0], p[1]) for p in t.path)) if view is not None and drawn else ""
        out.append({
            "pk": t.pk, "name": t.name, "street": t.street, "url": _target_url(t.pk) if links else "",
            "points": points, "checkpoints": len(t.checkpoints.all()),
            "warning": level, "warning_words": str(words[level]), "colour": COLOURS[level],
            "x": _num(start[0]), "y": _num(start[1]),
        })  # fmt: skip
    return out


def _tracks(view: View, patrols: Sequence[Patrol]) -> list[dict[str, Any]]:
    out = []
    for p in patrols:
        drawn = thin(p.track or [])
        if not drawn:
            continue
        out.append({
            "pk": p.pk,
            "label": _("%(who)s %(on)s 的巡查轨迹") % {"who": p.patroller, "on": p.on.isoformat()},
            "points": _points(view, ((q[0], q[1]) for q in drawn)),
            "drawn": len(drawn), "recorded": len(p.track), "flagged": bool(p.flags),
        })  # fmt: skip
    return out


def hazard_state(hazard: Hazard) -> tuple[bool, str]:
    """Whether the hazard's ticket is still open, and its state in words (select `demand__case`)."""
    state = STATES.get(hazard.demand.case.state)
    return (state is None or not state.final), str(state.staff_label) if state else ""


def _hazards(view: View, hazards: Sequence[Hazard]) -> list[dict[str, Any]]:
    out = []
    for h in hazards:
        if h.latitude is None or h.longitude is None:
            continue
        x, y = view.xy(*project(float(h.latitude), float(h.longitude)))
        is_open, words = hazard_state(h)
        out.append(
            {"description": h.description, "open": is_open, "state_words": words, "x": _num(x), "y": _num(y)}
        )
    return out


def _legend(sections: list[Any], checkpoints: bool, tracks: bool, hazards: list[Any]) -> list[Any]:
    legend = [
        {"key": level, "label": str(words), "colour": COLOURS[level], "shape": "line"}
        for level, words in Warning.choices
        if any(s["warning"] == level and s["points"] for s in sections)
    ]
    if checkpoints:
        legend.append(
            {"key": "checkpoint", "label": _("打卡点"), "colour": CHECKPOINT_COLOUR, "shape": "dot"}
        )
    if tracks:
        legend.append({"key": "track", "label": _("巡查轨迹"), "colour": TRACK_COLOUR, "shape": "track"})
    if any(h["open"] for h in hazards):
        legend.append({"key": "open", "label": _("未办结的隐患"), "colour": HAZARD_OPEN, "shape": "hazard"})
    if any(not h["open"] for h in hazards):
        legend.append({"key": "done", "label": _("已办结的隐患"), "colour": HAZARD_DONE, "shape": "hazard"})
    return legend


def tile_zoom(view: View, found: basemaps.Basemap) -> int:
    """The zoom whose tiles are nearest the drawing's scale (256 px a tile), within the file's zooms."""
    z = round(math.log2(view.k / TILE_PX)) if view.k > 0 else 0
    return max(found.minzoom, min(found.maxzoom, z))


def _tiles(view: View, found: basemaps.Basemap | None) -> list[dict[str, Any]]:
    """The basemap's tiles covering the view (and one around it, for panning), those the file holds."""
    if found is None:
        return []
    z = tile_zoom(view, found)
    while True:
        n = 1 << z
        left, top = view.cx - view.width / 2 / view.k, view.cy - view.height / 2 / view.k
        right, bottom = view.cx + view.width / 2 / view.k, view.cy + view.height / 2 / view.k
        xs = range(max(0, math.floor(left * n) - 1), min(n, math.floor(right * n) + 2))
        ys = range(max(0, math.floor(top * n) - 1), min(n, math.floor(bottom * n) + 2))
        if len(xs) * len(ys) <= MAX_TILES or z <= found.minzoom:
            break
        z -= 1
    present = basemaps.tiles_present(found, z, xs, ys)
    size = view.k / n
    out = []
    for ty in ys:
        for tx in xs:
            if (tx, ty) in present:
                x, y = view.xy(tx / n, ty / n)
                href = reverse("patrols:tile", kwargs={"z": z, "x": tx, "y": ty})
                out.append({"href": href, "x": _num(x), "y": _num(y), "size": _num(size + 0.5)})
    return out


# ----------------------------------------------------------------------------- the map
def map_context(
    *,
    targets: Iterable[Target] = (),
    patrols: Iterable[Patrol] = (),
    hazards: Iterable[Hazard] = (),
    width: int = 960,
    height: int = 640,
    on: dt.date | None = None,
    map_id: str = "patrol-map",
    title: str = "",
    links: bool = True,
    labels: bool = True,
) -> dict[str, Any]:
    """The map of these targets (with their checkpoints: prefetch `checkpoints`), patrols' tracks
    (select `patroller`) and hazards (select `demand__case`), coloured by each target's warning on `on`
    (today). Keys: see the module's docstring."""
    targets, patrols, hazards = list(targets), list(patrols), list(hazards)
    stops = [(c, t.name) for t in targets for c in t.checkpoints.all()]
    coords: list[tuple[float, float]] = [(p[0], p[1]) for t in targets for p in t.path or []]
    coords += [(float(c.latitude), float(c.longitude)) for c, _name in stops]
    coords += [(q[0], q[1]) for p in patrols for q in thin(p.track or [])]
    placed = [h for h in hazards if h.latitude is not None and h.longitude is not None]
    coords += [(float(h.latitude), float(h.longitude)) for h in placed]  # type: ignore[arg-type]
    context: dict[str, Any] = {
        "id": map_id, "title": title or _("巡查地图"), "width": width, "height": height,
        "view_box": f"0 0 {width} {height}", "labels": labels, "unplaced": len(hazards) - len(placed),
        "empty": not coords, "sections": [], "checkpoints": [], "tracks": [], "hazards": [], "legend": [],
        "scale": None, "tiles": [], "attribution": "",
    }  # fmt: skip
    day = on or timezone.localdate()
    warnings = Warnings.load([t.pk for t in targets]) if targets else Warnings([])
    levels = {t.pk: warnings.on(t.pk, day) for t in targets}
    if not coords:  # the targets still listed (a page's table reads them), nothing drawn
        context["sections"] = _sections(None, targets, levels, links)
        return context
    view = View([project(lat, lon) for lat, lon in coords], width, height)
    sections = _sections(view, targets, levels, links)
    checkpoints = []
    for c, name in stops:
        x, y = view.xy(*project(float(c.latitude), float(c.longitude)))
        checkpoints.append({"name": c.name, "target": name, "x": _num(x), "y": _num(y)})
    tracks, drawn_hazards = _tracks(view, patrols), _hazards(view, placed)
    found = basemaps.basemap()
    context.update(
        sections=sections,
        checkpoints=checkpoints,
        tracks=tracks,
        hazards=drawn_hazards,
        legend=_legend(sections, bool(checkpoints), bool(tracks), drawn_hazards),
        scale=scale_bar(view),
        tiles=_tiles(view, found),
        attribution=found.attribution if found else "",
    )
    return context


# ----------------------------------------------------------------------------- the district map's data
def district_streets_rivers() -> tuple[list[str], list[tuple[int, str]]]:
    """The streets and rivers of the active targets: the district map's filters."""
    active = Target.objects.filter(active=True)
    streets = sorted(set(active.values_list("street", flat=True)))
    rivers = sorted(
        set(active.filter(river__isnull=False).values_list("river_id", "river__name")), key=lambda r: r[1]
    )
    return streets, rivers


def district_data(
    *, actor: Any, street: str = "", river_id: int | None = None, on: dt.date | None = None
) -> tuple[list[Target], list[Hazard]]:
    """Every active target (of the street / river when chosen) with its checkpoints, and this month's
    hazards on them from the patrols the actor may read."""
    day = on or timezone.localdate()
    targets = Target.objects.filter(active=True).select_related("river").prefetch_related("checkpoints")
    if street:
        targets = targets.filter(street=street)
    if river_id is not None:
        targets = targets.filter(river_id=river_id)
    hazards = (
        Hazard.objects.filter(
            reported_on__gte=day.replace(day=1),
            reported_on__lte=day,
            patrol__in=scope_patrols(actor, Patrol.objects.all()),
            patrol__target__in=targets,
        )
        .select_related("demand__case", "patrol__target")
        .order_by("-reported_on", "-pk")
    )
    return list(targets), list(hazards)

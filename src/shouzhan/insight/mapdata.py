"""The chain map's data: what the page feeds to ECharts (`map_data`) and a node's panel (`node_detail`).

The map: a chain's nodes in columns by stage, sized by their confirmed enterprises (or those enterprises'
revenue) and coloured by local strength, its edges, and the enterprises placed on its nodes around them
(confirmed ones solid, suggestions faint), at most MAX_ENTERPRISES of them — the most certain first. Filters:
the enterprise's district, whether it is in the cluster, the node's stage.

"Local strength" is the node's confirmed enterprises within the chosen district and cluster over its
target_count (so with 徐汇 chosen, it is 徐汇's strength), read in bands.

The panel: the node's enterprises with their key figures, the policy clauses in force that target it, free
spaces of the kinds it needs, matching patents and technology listings, and open frontline demands.

Both check `permissions.require_read` and read a constant number of queries whatever the rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.core.money import format_wan
from shouzhan.insight import layout
from shouzhan.insight.models import STAGE_ORDER, ChainNode, ChainVersion, Placement, Stage
from shouzhan.insight.permissions import require_read
from shouzhan.insight.selectors import chains_current
from shouzhan.registry.choices import DISTRICTS
from shouzhan.registry.choices import Stage as EnterpriseStage

MAX_ENTERPRISES = 2000
PANEL_ENTERPRISES = 100
PANEL_ROWS = 10
CLUSTERS = ("", "all", "in", "out")
SIZES = ("", "count", "revenue")
SHOWN = (Placement.Status.CONFIRMED, Placement.Status.SUGGESTED)
NODE_MIN, NODE_SPAN = 18.0, 30.0  # a chain node's symbol: from NODE_MIN to NODE_MIN + NODE_SPAN pixels

# Bands of local strength (confirmed ÷ target): (key, lower bound in %, colour).
BANDS: tuple[tuple[str, int, str], ...] = (
    ("weak", 0, "#c53030"),
    ("growing", 30, "#dd8b1f"),
    ("near", 70, "#68a357"),
    ("strong", 100, "#276749"),
)
NO_TARGET = ("none", "#8a94a3")


def band_words() -> dict[str, str]:
    return {
        "weak": _("薄弱（不足目标的 30%）"),
        "growing": _("成长（30%–70%）"),
        "near": _("接近目标（70%–100%）"),
        "strong": _("达到目标（100% 及以上）"),
        "none": _("未设目标"),
    }


def strength_band(confirmed: int, target: int) -> tuple[str, str, int | None]:
    """(band, colour, percent) of a node with `confirmed` local enterprises against its target."""
    if target <= 0:
        return NO_TARGET[0], NO_TARGET[1], None
    percent = confirmed * 100 // target
    key, colour = BANDS[0][0], BANDS[0][2]
    for band, lower, band_colour in BANDS:
        if percent >= lower:
            key, colour = band, band_colour
    return key, colour, percent


@dataclass(frozen=True)
class Filters:
    district: str = ""
    cluster: str = ""  # "" / "all": every enterprise; "in": in the cluster; "out": not known to be in it
    stage: str = ""
    size_by: str = "count"

    def query(self, *, with_stage: bool = True) -> str:
        pairs = [("district", self.district), ("cluster", self.cluster)]
        if with_stage:
            pairs += [("stage", self.stage), ("size_by", self.size_by if self.size_by != "count" else "")]
        return urlencode([(k, v) for k, v in pairs if v])


def clean_filters(*, district: str = "", cluster: str = "", stage: str = "", size_by: str = "") -> Filters:
    """The filters checked: a value outside its list is refused with the reason (the page answers 400)."""
    errors: dict[str, str] = {}
    if district and district not in DISTRICTS:
        errors["district"] = _("没有“%(v)s”这个区。") % {"v": district[:20]}
    if cluster not in CLUSTERS:
        errors["cluster"] = _("集聚区筛选只能是：区内、区外或全部。")
    if stage and stage not in STAGE_ORDER:
        errors["stage"] = _("链位只能是上游、中游或下游。")
    if size_by not in SIZES:
        errors["size_by"] = _("节点大小只能按企业数或营业收入。")
    if errors:
        raise ValidationError(errors)
    return Filters(district, "" if cluster == "all" else cluster, stage, size_by or "count")


def chain_get(chain: str) -> ChainVersion:
    for version in chains_current():
        if version.chain == chain:
            return version
    raise Http404(_("没有找到这条产业链。"))


def _placements(chain: str, nodes: list[str], filters: Filters) -> QuerySet[Placement]:
    qs = Placement.objects.filter(chain=chain, node__in=nodes, status__in=SHOWN)
    if filters.district:
        qs = qs.filter(enterprise__district=filters.district)
    if filters.cluster == "in":
        qs = qs.filter(enterprise__in_cluster=True)
    elif filters.cluster == "out":
        qs = qs.exclude(enterprise__in_cluster=True)
    return qs


def _by_rank(qs: QuerySet[Placement]) -> QuerySet[Placement]:
    """Confirmed before suggested, then the most certain, then the largest: the first are drawn nearest."""
    return qs.order_by(
        "status",  # "confirmed" < "suggested"
        "-confidence",
        F("enterprise__annual_revenue_fen").desc(nulls_last=True),
        "pk",
    )


def _node_url(chain: str, node: str, filters: Filters) -> str:
    url = reverse("insight:node", kwargs={"chain": chain, "node": node})
    query = filters.query(with_stage=False)
    return f"{url}?{query}" if query else url


def map_data(
    *, actor: Actor, chain: str, district: str = "", cluster: str = "", stage: str = "", size_by: str = ""
) -> dict[str, Any]:
    """The JSON of the chain map (see the module's text). Unknown chain → Http404; a bad filter →
    ValidationError."""
    require_read(actor)
    filters = clean_filters(district=district, cluster=cluster, stage=stage, size_by=size_by)
    version = chain_get(chain)
    all_nodes: list[ChainNode] = list(version.nodes.all())
    nodes = [n for n in all_nodes if not filters.stage or n.stage == filters.stage]
    keys = [n.key for n in nodes]
    placements = _placements(version.chain, keys, filters)

    counts: dict[tuple[str, str], tuple[int, int]] = {
        (row["node"], row["status"]): (row["n"], row["revenue"] or 0)
        for row in placements.order_by()
        .values("node", "status")
        .annotate(n=Count("pk"), revenue=Sum("enterprise__annual_revenue_fen"))
    }
    rows = list(
        _by_rank(placements).values_list(
            "pk", "node", "status", "confidence", "enterprise_id", "enterprise__name", "enterprise__district"
        )[:MAX_ENTERPRISES]
    )
    total = sum(n for n, _r in counts.values())

    centres = layout.chain_positions([(n.key, n.stage) for n in nodes])
    places = layout.satellite_positions([r[1] for r in rows], centres)
    shown: dict[str, int] = {}
    for r in rows:
        shown[r[1]] = shown.get(r[1], 0) + 1

    confirmed = {k: counts.get((k, Placement.Status.CONFIRMED), (0, 0)) for k in keys}
    measure = {k: confirmed[k][1] if filters.size_by == "revenue" else confirmed[k][0] for k in keys}
    largest = max(measure.values(), default=0)
    stage_words = dict(Stage.choices)
    words = band_words()
    out_nodes = []
    for node in nodes:
        n_confirmed, revenue = confirmed[node.key]
        n_suggested = counts.get((node.key, Placement.Status.SUGGESTED), (0, 0))[0]
        band, colour, percent = strength_band(n_confirmed, node.target_count)
        x, y = centres[node.key]
        size = NODE_MIN + (NODE_SPAN * math.sqrt(measure[node.key] / largest) if largest else 0.0)
        out_nodes.append(
            {
                "id": f"n:{node.key}",
                "key": node.key,
                "name": node.title,
                "stage": node.stage,
                "stage_label": str(stage_words.get(node.stage, node.stage)),
                "x": x,
                "y": y,
                "size": round(size, 1),
                "colour": colour,
                "band": band,
                "band_label": words[band],
                "confirmed": n_confirmed,
                "suggested": n_suggested,
                "shown": shown.get(node.key, 0),
                "target": node.target_count,
                "strength": percent,
                "revenue_fen": revenue,
                "revenue_words": format_wan(revenue),
                "url": _node_url(version.chain, node.key, filters),
            }
        )
    in_view = set(keys)
    edges = [
        {"source": f"n:{e.source}", "target": f"n:{e.target}", "label": e.label}
        for e in version.edges.all()
        if e.source in in_view and e.target in in_view
    ]
    enterprises = [
        {
            "id": f"p:{pk}",
            "enterprise": enterprise_id,
            "name": name,
            "district": ent_district,
            "node": node_key,
            "status": status,
            "confidence": confidence,
            "x": x,
            "y": y,
        }
        for (pk, node_key, status, confidence, enterprise_id, name, ent_district), (x, y) in zip(
            rows, places, strict=True
        )
    ]
    links = [{"source": e["id"], "target": f"n:{e['node']}"} for e in enterprises]
    return {
        "chain": {"key": version.chain, "title": version.title, "version": version.number},
        "filters": {
            "district": filters.district,
            "cluster": filters.cluster or "all",
            "stage": filters.stage,
            "size_by": filters.size_by,
        },
        "nodes": out_nodes,
        "edges": edges,
        "enterprises": enterprises,
        "links": links,
        "total": total,
        "shown": len(enterprises),
        "left_out": total - len(enterprises),
        "limit": MAX_ENTERPRISES,
        "legend": [{"band": k, "label": words[k], "colour": c} for k, _lo, c in BANDS]
        + [{"band": NO_TARGET[0], "label": words["none"], "colour": NO_TARGET[1]}],
        "as_of": timezone.localtime().isoformat(timespec="seconds"),
    }


# --------------------------------------------------------------------------------------------- the panel
@dataclass
class PanelEnterprise:
    pk: int
    name: str
    url: str
    district: str
    revenue: str
    employees: int | None
    stage: str
    status: str
    status_label: str
    confidence: int


@dataclass
class PanelRow:
    title: str
    detail: str = ""
    url: str = ""


@dataclass
class NodePanel:
    chain: ChainVersion
    node: ChainNode
    filters: Filters
    stage_label: str
    band: str
    band_label: str
    strength: int | None
    confirmed: int
    suggested: int
    gap_url: str = ""
    enterprises: list[PanelEnterprise] = field(default_factory=list)
    clauses: list[PanelRow] = field(default_factory=list)
    spaces: list[PanelRow] = field(default_factory=list)
    spaces_total: int = 0
    patents: list[PanelRow] = field(default_factory=list)
    listings: list[PanelRow] = field(default_factory=list)
    demands: list[PanelRow] = field(default_factory=list)


def _keyword_q(keywords: list[str], fields: tuple[str, ...]) -> Q | None:
    words = [k for k in keywords if k.strip()]
    if not words:
        return None
    match = Q()
    for word in words:
        for name in fields:
            match |= Q(**{f"{name}__icontains": word})
    return match


def node_detail(*, actor: Actor, chain: str, node: str, district: str = "", cluster: str = "") -> NodePanel:
    """A node's panel (see the module's text). Unknown chain or node → Http404; a bad filter →
    ValidationError."""
    require_read(actor)
    filters = clean_filters(district=district, cluster=cluster)
    version = chain_get(chain)
    found = next((n for n in version.nodes.all() if n.key == node), None)
    if found is None:
        raise Http404(_("这条产业链上没有这个环节。"))
    placements = _placements(version.chain, [found.key], filters)
    counts = dict(placements.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    n_confirmed = counts.get(Placement.Status.CONFIRMED, 0)
    band, _colour, percent = strength_band(n_confirmed, found.target_count)
    panel = NodePanel(
        chain=version,
        node=found,
        filters=filters,
        stage_label=str(dict(Stage.choices).get(found.stage, found.stage)),
        band=band,
        band_label=band_words()[band],
        strength=percent,
        confirmed=n_confirmed,
        suggested=counts.get(Placement.Status.SUGGESTED, 0),
        gap_url=reverse("insight:gap", kwargs={"chain": version.chain, "node": found.key})
        + (f"?{urlencode({'district': filters.district})}" if filters.district else ""),
    )
    stages = dict(EnterpriseStage.choices)
    statuses = dict(Placement.Status.choices)
    for p in _by_rank(placements).select_related("enterprise")[:PANEL_ENTERPRISES]:
        e = p.enterprise
        panel.enterprises.append(
            PanelEnterprise(
                pk=e.pk,
                name=e.name,
                url=reverse("registry:enterprise", kwargs={"pk": e.pk}),
                district=e.district or "—",
                revenue=format_wan(e.annual_revenue_fen),
                employees=e.employees,
                stage=str(stages.get(e.stage, "—")),
                status=p.status,
                status_label=str(statuses[p.status]),
                confidence=p.confidence,
            )
        )
    panel.clauses = _clauses(found)
    panel.spaces, panel.spaces_total = _free_spaces(found)
    panel.patents, panel.listings = _patents(found)
    panel.demands = _demands(actor, version.chain, found)
    return panel


def _clauses(node: ChainNode) -> list[PanelRow]:
    from shouzhan.policies.selectors import clause_heading

    today = timezone.localdate()
    rows = []
    for clause_id in node.clauses:
        heading = clause_heading(clause_id=clause_id, on=today)
        if heading:  # only clauses in force
            rows.append(PanelRow(heading, url=reverse("policies:clause", kwargs={"clause_id": clause_id})))
    return rows


def _free_spaces(node: ChainNode) -> tuple[list[PanelRow], int]:
    """Active resources of the node's space kinds that are not held today (spaces' own reading of it)."""
    from shouzhan.spaces.models import Resource
    from shouzhan.spaces.selectors import free_resources

    if not node.space_kinds:
        return [], 0
    free = free_resources(on=timezone.localdate(), kinds=node.space_kinds)
    kinds = dict(Resource.Kind.choices)
    rows = [
        PanelRow(
            f"{r.site.name} · {r.name}",
            " · ".join(x for x in (str(kinds.get(r.kind, r.kind)), r.site.district) if x),
            reverse("spaces:resource", kwargs={"pk": r.pk}),
        )
        for r in free.select_related("site").order_by("site__name", "kind", "name", "pk")[:PANEL_ROWS]
    ]
    total = len(rows) if len(rows) < PANEL_ROWS else free.count()
    return rows, total


def _patents(node: ChainNode) -> tuple[list[PanelRow], list[PanelRow]]:
    """Registry patents (not expired) and the market's active technology offers matching a keyword."""
    from shouzhan.community.models import Listing
    from shouzhan.registry.models import Patent

    match = _keyword_q(node.keywords, ("title", "field", "abstract"))
    if match is None:
        return [], []
    patents = [
        PanelRow(
            p.title,
            " · ".join(
                x
                for x in (
                    p.number,
                    p.get_status_display(),
                    p.holder_enterprise.name if p.holder_enterprise else "",
                    p.holder_person.name if p.holder_person else "",
                )
                if x
            ),
        )
        for p in Patent.objects.filter(match)
        .exclude(status=Patent.Status.EXPIRED)
        .select_related("holder_enterprise", "holder_person")
        .order_by("-pk")[:PANEL_ROWS]
    ]
    listings = [
        PanelRow(
            item.title,
            " · ".join(x for x in (item.field, item.get_legal_status_display()) if x),
            reverse("community:listing", kwargs={"pk": item.pk}),
        )
        for item in Listing.objects.filter(
            match, status=Listing.Status.ACTIVE, direction=Listing.Direction.OFFER
        ).order_by("-created_at", "-pk")[:PANEL_ROWS]
    ]
    return patents, listings


def _demands(actor: Actor, chain: str, node: ChainNode) -> list[PanelRow]:
    """Open frontline demands whose text names a keyword or whose enterprise is confirmed on the node."""
    from shouzhan.frontline.models import Demand
    from shouzhan.frontline.permissions import scope_demands
    from shouzhan.frontline.selectors import OPEN_STATES, state_label

    on_node = Placement.objects.filter(chain=chain, node=node.key, status=Placement.Status.CONFIRMED).values(
        "enterprise_id"
    )
    match = Q(enterprise_id__in=on_node)
    words = _keyword_q(node.keywords, ("description",))
    if words is not None:
        match |= words
    qs = scope_demands(actor, Demand.objects.filter(match, case__state__in=OPEN_STATES))
    rows = []
    for d in qs.select_related("case", "enterprise").order_by("-received_at", "-pk")[:PANEL_ROWS]:
        text = d.description if len(d.description) <= 60 else d.description[:60] + "…"
        who = d.enterprise.name if d.enterprise else d.requester_name
        detail = " · ".join(x for x in (f"{d.received_on:%Y-%m-%d}", who, state_label(d.case.state)) if x)
        rows.append(PanelRow(text, detail, reverse("frontline:demand", kwargs={"pk": d.pk})))
    return rows

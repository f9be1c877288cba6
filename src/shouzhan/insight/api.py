"""The insight API: the chains in force, the targets measured now, their month-end history, the chain map's
data, the gaps ranked with a gap's 招商 list, the placements to decide, relations, and the bulletins.

Permissions are insight.permissions' (the one door): anonymous 401; an enterprise's member or a department's
officer 403; deciding a placement or recording a relation is for caseworkers and administrators (403
otherwise). A decision carries the placement's `expected_version`; one decided meanwhile is refused with 409.
Figures carry their definition, their source and their as-of day; money is yuan as text, exact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from shouzhan.core.errors import ErrorOut
from shouzhan.core.limits import PAGE_DEFAULT, Key, PageLimit, PageOffset, ShortText
from shouzhan.insight import gaps as gaps_module
from shouzhan.insight import mapdata, selectors
from shouzhan.insight.figures import CENT, Figure
from shouzhan.insight.models import Bulletin, Placement, Relation, Stage
from shouzhan.insight.permissions import require_place, require_read
from shouzhan.insight.services import placements as placement_services
from shouzhan.registry.models import Enterprise
from shouzhan.rules.money import fen_to_yuan

router = Router(tags=["insight"])

READ_ERRORS: dict[int | frozenset[int], Any] = {frozenset({401, 403}): ErrorOut}


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else fen_to_yuan(fen)


# ----------------------------------------------------------------------------- chains
class NodeOut(Schema):
    key: str
    title: str
    stage: str
    stage_label: str
    description: str
    target_count: int
    keywords: list[str]


class EdgeOut(Schema):
    source: str
    target: str


class ChainOut(Schema):
    key: str
    title: str
    version: int
    description: str
    nodes: list[NodeOut]
    edges: list[EdgeOut]


@router.get(
    "/insight/chains", response={200: list[ChainOut], **READ_ERRORS}, summary="The industry chains in force"
)
def chains(request: HttpRequest) -> list[dict[str, Any]]:
    require_read(request.user)
    return [
        {
            "key": c.chain,
            "title": c.title,
            "version": c.number,
            "description": c.description,
            "nodes": [
                {
                    "key": n.key,
                    "title": n.title,
                    "stage": n.stage,
                    "stage_label": str(Stage(n.stage).label),
                    "description": n.description,
                    "target_count": n.target_count,
                    "keywords": n.keywords,
                }
                for n in c.nodes.all()
            ],
            "edges": [{"source": e.source, "target": e.target} for e in c.edges.all()],
        }
        for c in selectors.chains_current()
    ]


# ----------------------------------------------------------------------------- targets and their history
class FigureOut(Schema):
    key: str
    title: str
    value: str | None = Field(
        description="A count, or a percent (0.01) for a share; null when not measurable"
    )
    unit: str
    goal: str | None
    progress_percent: str | None
    definition: str
    source: str
    as_of: dt.date
    unknown: int = Field(description="Records the definition could not decide (a fact not recorded)")
    numerator_yuan: str | None
    denominator_yuan: str | None


def _number(value: Decimal | None, unit: str) -> str | None:
    """A count as a whole number, a percent with two places: 40, 20.00."""
    if value is None:
        return None
    return (
        str(int(value))
        if unit == "count" and value == value.to_integral_value()
        else str(value.quantize(CENT))
    )


def _figure_out(f: Figure) -> dict[str, Any]:
    return {
        "key": f.key, "title": f.title, "value": _number(f.value, f.unit), "unit": f.unit,
        "goal": _number(f.goal, f.unit),
        "progress_percent": None if f.progress is None else str(f.progress),
        "definition": f.definition, "source": f.source, "as_of": f.as_of, "unknown": f.unknown,
        "numerator_yuan": _yuan(f.numerator_fen), "denominator_yuan": _yuan(f.denominator_fen),
    }  # fmt: skip


@router.get(
    "/insight/targets",
    response={200: list[FigureOut], **READ_ERRORS},
    summary="Each target measured from the records at today's end",
)
def targets(request: HttpRequest) -> list[dict[str, Any]]:
    figures = selectors.target_figures(actor=request.user, as_of=timezone.localdate())
    return [_figure_out(f) for f in figures]


class SnapshotOut(Schema):
    month: dt.date
    figure: FigureOut


@router.get(
    "/insight/snapshots",
    response={200: list[SnapshotOut], **READ_ERRORS},
    summary="Month-end figures as they were stored, oldest first",
)
def snapshots(
    request: HttpRequest, key: Key = "", limit: PageLimit = PAGE_DEFAULT, offset: PageOffset = 0
) -> list[dict[str, Any]]:
    require_read(request.user)
    series = selectors.snapshot_series(keys=[key] if key else None)
    rows = [(month, figure) for name in sorted(series) for month, figure in series[name]]
    return [
        {"month": month, "figure": _figure_out(figure)} for month, figure in rows[offset : offset + limit]
    ]


# ----------------------------------------------------------------------------- the map
@router.get(
    "/insight/map",
    response={200: dict[str, Any], 400: ErrorOut, 404: ErrorOut, **READ_ERRORS},
    summary="The chain map's data: nodes laid out by the server, enterprises around them, at most 2,000",
)
def map_data(
    request: HttpRequest,
    chain: Key,
    district: ShortText = "",
    cluster: Literal["", "all", "in", "out"] = "",
    stage: Literal["", "upstream", "midstream", "downstream"] = "",
    size_by: Literal["", "count", "revenue"] = "",
) -> dict[str, Any]:
    return mapdata.map_data(
        actor=request.user, chain=chain, district=district, cluster=cluster, stage=stage, size_by=size_by
    )


# ----------------------------------------------------------------------------- gaps
class GapOut(Schema):
    rank: int
    chain: str
    chain_title: str
    node: str
    node_title: str
    stage_label: str
    local: int
    target: int
    gap: int
    local_revenue_yuan: str
    absence: str
    support: str
    space: str
    score: str


class ProspectOut(Schema):
    kind: str
    name: str
    strength: int
    evidence: list[str]
    where: str


@router.get(
    "/insight/gaps",
    response={200: list[GapOut], 422: ErrorOut, **READ_ERRORS},
    summary="The gaps of every chain's nodes in a district, ranked (absence × policy support × space)",
)
def gaps(request: HttpRequest, district: ShortText = gaps_module.DEFAULT_DISTRICT) -> list[dict[str, Any]]:
    report = gaps_module.gap_report(actor=request.user, district=district)
    return [
        {
            "rank": g.rank, "chain": g.chain, "chain_title": g.chain_title, "node": g.node.key,
            "node_title": g.node.title, "stage_label": g.stage_label, "local": g.local, "target": g.target,
            "gap": g.gap, "local_revenue_yuan": fen_to_yuan(g.revenue_fen),
            "absence": str(gaps_module.fraction_decimal(g.absence)),
            "support": str(gaps_module.fraction_decimal(g.support)),
            "space": str(gaps_module.fraction_decimal(g.space)),
            "score": str(gaps_module.fraction_decimal(g.score)),
        }
        for g in report.rows
    ]  # fmt: skip


@router.get(
    "/insight/gaps/{chain}/{node}/prospects",
    response={200: list[ProspectOut], 404: ErrorOut, 422: ErrorOut, **READ_ERRORS},
    summary="The 招商 list of one gap, each prospect with its evidence",
)
def prospects(
    request: HttpRequest, chain: Key, node: Key, district: ShortText = gaps_module.DEFAULT_DISTRICT
) -> list[dict[str, Any]]:
    found = gaps_module.gap_prospects(actor=request.user, chain=chain, node=node, district=district)
    return [
        {
            "kind": p.kind,
            "name": p.name,
            "strength": p.strength,
            "evidence": list(p.evidence),
            "where": p.where,
        }
        for p in found
    ]


# ----------------------------------------------------------------------------- placements and relations
class PlacementOut(Schema):
    id: int
    enterprise: str
    enterprise_id: int
    chain: str
    node: str
    status: str
    status_label: str
    confidence: int
    evidence: list[str]
    version: int


class PlacementPage(Schema):
    count: int
    items: list[PlacementOut]


def _placement_out(p: Placement) -> dict[str, Any]:
    return {
        "id": p.pk, "enterprise": p.enterprise.name, "enterprise_id": p.enterprise_id, "chain": p.chain,
        "node": p.node, "status": p.status, "status_label": str(p.get_status_display()),
        "confidence": p.confidence, "evidence": [str(e.get("text", "")) for e in p.evidence or []],
        "version": p.version,
    }  # fmt: skip


@router.get(
    "/insight/placements",
    response={200: PlacementPage, **READ_ERRORS},
    summary="Where enterprises sit on the chains (suggested, confirmed, rejected)",
)
def placements(
    request: HttpRequest,
    status: Literal["", "suggested", "confirmed", "rejected"] = "",
    chain: Key = "",
    limit: PageLimit = PAGE_DEFAULT,
    offset: PageOffset = 0,
) -> dict[str, Any]:
    require_read(request.user)
    rows = Placement.objects.select_related("enterprise").order_by("chain", "node", "-confidence", "pk")
    if status:
        rows = rows.filter(status=status)
    if chain:
        rows = rows.filter(chain=chain)
    return {"count": rows.count(), "items": [_placement_out(p) for p in rows[offset : offset + limit]]}


class PlacementDecisionIn(Schema):
    decision: Literal["confirm", "reject", "change"]
    expected_version: int = Field(ge=1, le=2_000_000_000)
    node: Key = ""
    note: ShortText = ""


@router.post(
    "/insight/placements/{pk}/decision",
    response={200: PlacementOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **READ_ERRORS},
    summary="Confirm, reject or change a placement (409 when someone decided first)",
)
def placement_decide(request: HttpRequest, pk: int, body: PlacementDecisionIn) -> dict[str, Any]:
    require_place(request.user)
    placement = Placement.objects.select_related("enterprise").filter(pk=pk).first()
    if placement is None:
        raise Http404(_("没有找到这条企业链位。"))
    result = placement_services.placement_decide(
        actor=request.user, placement=placement, decision=body.decision,
        expected_version=body.expected_version, node=body.node, note=body.note,
    )  # fmt: skip
    return _placement_out(result)


class RelationIn(Schema):
    source_id: int = Field(ge=1, le=2_000_000_000)
    target_id: int = Field(ge=1, le=2_000_000_000)
    kind: Literal["supplier", "customer", "partner", "investor", "tenant"]
    source_note: ShortText


class RelationOut(Schema):
    id: int
    source: str
    target: str
    kind: str
    kind_label: str
    source_note: str


@router.post(
    "/insight/relations",
    response={201: RelationOut, 404: ErrorOut, 422: ErrorOut, **READ_ERRORS},
    summary="Record a relation between two enterprises with where it was learnt",
)
def relation_record(request: HttpRequest, body: RelationIn) -> Status[dict[str, Any]]:
    require_place(request.user)
    found = {e.pk: e for e in Enterprise.objects.filter(pk__in=[body.source_id, body.target_id])}
    if body.source_id not in found or body.target_id not in found:
        raise Http404(_("没有找到该企业。"))
    relation: Relation = placement_services.relation_record(
        actor=request.user, source=found[body.source_id], target=found[body.target_id],
        kind=body.kind, source_note=body.source_note,
    )  # fmt: skip
    return Status(201, {
        "id": relation.pk, "source": relation.source.name, "target": relation.target.name,
        "kind": relation.kind, "kind_label": str(relation.get_kind_display()), "source_note": relation.source_note,
    })  # fmt: skip


# ----------------------------------------------------------------------------- bulletins
class BulletinOut(Schema):
    month: str
    generated_at: dt.datetime
    pdf_url: str
    xlsx_url: str


@router.get(
    "/insight/bulletins", response={200: list[BulletinOut], **READ_ERRORS}, summary="The bulletins' archive"
)
def bulletins(
    request: HttpRequest, limit: PageLimit = PAGE_DEFAULT, offset: PageOffset = 0
) -> list[dict[str, Any]]:
    require_read(request.user)
    out = []
    for b in Bulletin.objects.defer("pdf", "xlsx").order_by("-month")[offset : offset + limit]:
        month = f"{b.month:%Y-%m}"
        out.append({
            "month": month, "generated_at": b.generated_at,
            "pdf_url": reverse("insight:bulletin_download", args=[month, "pdf"]),
            "xlsx_url": reverse("insight:bulletin_download", args=[month, "xlsx"]),
        })  # fmt: skip
    return out

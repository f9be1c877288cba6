"""Insight's reads: the chains in force (latest version of each), the targets in force, the targets measured
at a day, and the month-end snapshots. Each read checks the one door (`permissions.require_read`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Prefetch

from shouzhan.core.actors import Actor
from shouzhan.insight.figures import Figure, target_frames, target_measure
from shouzhan.insight.models import ChainEdge, ChainNode, ChainVersion, Snapshot, Target, TargetVersion
from shouzhan.insight.permissions import require_read


def chains_current() -> list[ChainVersion]:
    """The latest version of every chain, with its nodes and edges (three queries)."""
    latest = ChainVersion.objects.values("chain").annotate(n=Max("number")).values_list("chain", "n")
    wanted = [(c, n) for c, n in latest]
    if not wanted:
        return []
    from django.db.models import Q

    match = Q()
    for chain, number in wanted:
        match |= Q(chain=chain, number=number)
    return list(
        ChainVersion.objects.filter(match)
        .order_by("chain")
        .prefetch_related(
            Prefetch("nodes", queryset=ChainNode.objects.order_by("order")),
            Prefetch("edges", queryset=ChainEdge.objects.order_by("id")),
        )
    )


def targets_current() -> TargetVersion | None:
    return TargetVersion.objects.order_by("-number").first()


def target_list(version: TargetVersion | None = None) -> list[Target]:
    version = version or targets_current()
    return list(version.targets.order_by("order")) if version is not None else []


def targets_measure(*, as_of: dt.date, targets: list[Target] | None = None) -> list[Figure]:
    """Every target in force measured from the records at the day's end (a query per table, not per target)."""
    targets = target_list() if targets is None else targets
    if not targets:
        return []
    frames = target_frames(targets, as_of)
    figures = [target_measure(target, frames[target.counts], as_of=as_of) for target in targets]
    return figures


def target_figures(*, actor: Actor, as_of: dt.date) -> list[Figure]:
    require_read(actor)
    return targets_measure(as_of=as_of)


def snapshot_series(*, keys: list[str] | None = None) -> dict[str, list[tuple[dt.date, Figure]]]:
    """Every stored month-end figure by key, oldest first (one query)."""
    rows = Snapshot.objects.order_by("month")
    if keys is not None:
        rows = rows.filter(key__in=keys)
    series: dict[str, list[tuple[dt.date, Figure]]] = {}
    for snap in rows:
        series.setdefault(snap.key, []).append((snap.month, Figure.from_json(snap.figure)))
    return series

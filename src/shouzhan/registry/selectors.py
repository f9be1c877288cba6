"""Reads of the registry, scoped to what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from shouzhan.core.permissions import scope_to_enterprises
from shouzhan.registry.choices import Sector, Stage
from shouzhan.registry.models import Enterprise


def enterprise_stats(*, actor: Any) -> dict[str, Any]:
    """Counts for the staff workspace and dashboards: by sector, stage and district."""
    enterprises = scope_to_enterprises(actor, Enterprise.objects.all(), field="id")
    sector_labels = dict(Sector.choices)
    stage_labels = dict(Stage.choices)

    def grouped(field: str, labels: dict[str, Any] | None = None) -> list[tuple[str, int]]:
        rows = enterprises.order_by().values(field).annotate(n=Count("id")).order_by("-n", field)
        return [(str((labels or {}).get(r[field], r[field]) or "—"), r["n"]) for r in rows]

    by_stage = dict(grouped("stage"))
    return {
        "total": enterprises.count(),
        "one_person": enterprises.filter(is_one_person_company=True).count(),
        "in_cluster": enterprises.filter(in_cluster=True).count(),
        "by_sector": grouped("sector", sector_labels),
        "by_district": grouped("district"),
        "by_stage": [(str(stage_labels[s]), by_stage.get(s, 0)) for s in Stage.values],
    }

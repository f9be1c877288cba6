"""Insight's pages under /insight/: each views module lists its own paths (the dashboard, the targets, the
chain map, the gaps and 招商 lists, placements and relations, the bulletins), so the sections stay apart."""

from django.urls import URLPattern

from shouzhan.insight import (
    views_bulletins,
    views_dashboard,
    views_gaps,
    views_map,
    views_placements,
    views_targets,
)

app_name = "insight"

urlpatterns: list[URLPattern] = [
    *views_dashboard.urlpatterns,
    *views_targets.urlpatterns,
    *views_map.urlpatterns,
    *views_gaps.urlpatterns,
    *views_placements.urlpatterns,
    *views_bulletins.urlpatterns,
]

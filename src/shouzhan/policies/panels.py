"""The policies module's card on an enterprise's page (registry.panels): what the calculator says for the
enterprise itself and each of its projects, one line each."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from shouzhan.policies.selectors import enterprise_matches
from shouzhan.registry.models import Enterprise
from shouzhan.registry.panels import EnterprisePanel, enterprise_panel_declare
from shouzhan.registry.selectors import project_list


def matches_context(request: HttpRequest, enterprise: Enterprise) -> dict[str, Any] | None:
    projects = project_list(actor=request.user, enterprise=enterprise)[:8]
    matches = enterprise_matches(
        actor=request.user, enterprise=enterprise, projects=projects, on=timezone.localdate()
    )
    return {"enterprise": enterprise, "matches": matches}


def register() -> None:
    enterprise_panel_declare(
        EnterprisePanel(
            "policies.matches",
            order=10,
            template="policies/_enterprise_matches.html",
            context=matches_context,
        )
    )

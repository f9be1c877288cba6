"""The spaces module's card on an enterprise's page (registry.panels): its desks, rooms and bookings."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from shouzhan.registry.models import Enterprise
from shouzhan.registry.panels import EnterprisePanel, enterprise_panel_declare
from shouzhan.spaces import selectors


def spaces_context(request: HttpRequest, enterprise: Enterprise) -> dict[str, Any] | None:
    try:
        summary = selectors.space_summary(actor=request.user, enterprise=enterprise)
    except Http404:  # who may not read the enterprise sees no card
        return None
    return {"summary": summary}


def register() -> None:
    enterprise_panel_declare(
        EnterprisePanel(
            "spaces.mine", order=20, template="spaces/_enterprise_spaces.html", context=spaces_context
        )
    )

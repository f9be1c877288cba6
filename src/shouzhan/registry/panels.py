"""Cards that other modules add to an enterprise's page, without the registry importing them.

The registry sits below policies, spaces and the coming modules (offers, frontline, insight), yet its
enterprise page is where an enterprise's policy matches, spaces and offers belong. So the page asks the
panels registered here: a module above declares a card in its AppConfig.ready()

    enterprise_panel_declare(EnterprisePanel("policies.matches", order=10,
                                             template="policies/_enterprise_matches.html",
                                             context=matches_context))

and the page renders, in order, every card whose `context(request, enterprise)` returns a dict (None hides
the card, e.g. for who may not see it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from shouzhan.registry.models import Enterprise


@dataclass(frozen=True)
class EnterprisePanel:
    key: str  # "<module>.<card>"
    order: int  # smaller first
    template: str  # rendered with the page's context plus what `context` returns
    context: Callable[[HttpRequest, Enterprise], dict[str, Any] | None]


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    template: str
    context: dict[str, Any]


_panels: dict[str, EnterprisePanel] = {}


def enterprise_panel_declare(panel: EnterprisePanel) -> None:
    _panels[panel.key] = panel


def enterprise_panels(request: HttpRequest, enterprise: Enterprise) -> list[RenderedPanel]:
    """The cards to show on this enterprise's page for this request, in order."""
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request, enterprise)
        if context is not None:
            shown.append(RenderedPanel(panel.key, panel.template, context))
    return shown

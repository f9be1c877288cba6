"""Links from a case's page to what a higher module keeps about it, without cases importing that module.

A rights-protection case is about an infringement report (assets), a licence request about a licence: the
module that opens such cases declares, in its AppConfig.ready(),

    case_links_declare("asset_rights", report_links)

where `report_links(case, actor)` returns [(label, url), …] the actor may follow; the case page lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LinkProvider = Callable[[Any, Any], list[tuple[str, str]]]
_providers: dict[str, list[LinkProvider]] = {}


def case_links_declare(case_type: str, provider: LinkProvider) -> None:
    kept = _providers.setdefault(case_type, [])
    if provider not in kept:
        kept.append(provider)


def case_links(case: Any, actor: Any) -> list[tuple[str, str]]:
    """The links the case's page shows to this actor, in the order they were declared."""
    return [link for provider in _providers.get(case.case_type, ()) for link in provider(case, actor)]

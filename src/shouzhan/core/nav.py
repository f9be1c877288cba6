"""Menu entries: each installed app offers its own in ``<app>/nav.py``; the site's shell assembles them.

The contract (core imports nothing above it, so it never names a module's pages):

- ``<app>/nav.py`` has ``items(user) -> list[NavEntry]``: the entries this user may use, in the module's
  order, each ``(key, label, url)``. The key is what a page's ``active_nav`` names.
- It places its keys in a menu group with ``nav_declare(group, {key: position})`` at import time. A group is
  a ``NavGroup`` (its key, the words on the menu, its place in the bar); groups several modules share,
  like the centre's staff pages, are declared here.

The nav modules are found like Django's admin modules (``autodiscover_modules("nav")``), once. This module
is core's own nav.py too: the working-day calendar is core's page.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.permissions import is_staff_member

NavEntry = tuple[str, str, str]  # (key, label, url)


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: Any  # lazy words: the menu is built per request, in the request's language
    order: int  # place in the top bar, smaller first


# Shared groups: pages of several modules for the centre's staff, and an enterprise user's own records.
CENTRE = NavGroup("centre", _l("服务中心"), 10)
MINE = NavGroup("mine", _l("我的企业"), 20)

_places: dict[str, tuple[NavGroup, int]] = {}
_providers: list[Callable[[Any], list[NavEntry]]] = []
_discovered = False


def nav_declare(group: NavGroup, positions: Mapping[str, int]) -> None:
    """Put entry keys in a group, at their positions in it (smaller first)."""
    for key, position in positions.items():
        known = _places.get(key)
        if known is not None and known != (group, position):
            raise ValueError(f"menu entry {key!r} placed twice")
        _places[key] = (group, position)


def nav_place(key: str) -> tuple[NavGroup, int] | None:
    _discover()
    return _places.get(key)


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True
    for config in apps.get_app_configs():
        module: ModuleType | None = config.module
        if module is None or not module_has_submodule(module, "nav"):
            continue
        nav = importlib.import_module(f"{config.name}.nav")
        items = getattr(nav, "items", None)
        if items is not None:
            _providers.append(items)


def nav_entries(user: Any) -> list[NavEntry]:
    """Every app's entries for this user, in menu order: by group, then by position in the group."""
    _discover()
    entries = [entry for items in _providers for entry in items(user)]
    undeclared = (1_000, 0)  # an entry nobody placed comes last, in its own group

    def order(entry: NavEntry) -> tuple[int, int]:
        place = _places.get(entry[0])
        return (place[0].order, place[1]) if place is not None else undeclared

    return sorted(entries, key=order)


# ----------------------------------------------------------------------------- core's own entries
nav_declare(CENTRE, {"calendar": 40})


def items(user: Any) -> list[NavEntry]:
    if is_staff_member(user):
        return [("calendar", _("工作日历"), reverse("core:calendar"))]
    return []

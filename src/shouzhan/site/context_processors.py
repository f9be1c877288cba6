"""What every page's shell needs: the menu for the user, their role and their enterprise.

The menu is each installed app's own entries (its nav.py, through `shouzhan.core.nav`), in groups so the
top bar stays one line.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from shouzhan.core.nav import NavEntry, nav_entries, nav_place
from shouzhan.core.permissions import user_role
from shouzhan.core.roles import Role
from shouzhan.registry.permissions import member_enterprise_ids

SEARCH = "search"  # the top bar's own box, not a menu entry


def shell(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    role = user_role(user)
    nav = nav_entries(user)
    my_enterprise_id: int | None = None
    if role is not None:
        ids = sorted(member_enterprise_ids(user))
        my_enterprise_id = ids[0] if ids else None
    return {
        "nav_items": nav,
        "nav_groups": group_nav(nav),
        "user_role": role,
        "user_role_label": Role(role).label if role else "",
        "my_enterprise_id": my_enterprise_id,
        "home_url": reverse("site:landing"),
        "search_url": next((url for key, _label, url in nav if key == SEARCH), ""),
        # The bell: its count comes in a request of its own after the page (site:notifications_badge).
        "notifications_url": reverse("site:notifications") if role is not None else "",
        "notifications_badge_url": reverse("site:notifications_badge") if role is not None else "",
    }


def group_nav(nav: Iterable[NavEntry]) -> list[dict[str, Any]]:
    """Entries in groups, in the order each group first appears."""
    groups: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}
    for key, label, url in nav:
        if key == SEARCH:
            continue
        place = nav_place(key)
        group_key, group_label = (place[0].key, place[0].label) if place is not None else (key, label)
        group = by_key.get(group_key)
        if group is None:
            group = {"key": group_key, "label": group_label, "url": url, "items": [], "keys": set()}
            by_key[group_key] = group
            groups.append(group)
        group["items"].append((key, label, url))
        group["keys"].add(key)
    return groups

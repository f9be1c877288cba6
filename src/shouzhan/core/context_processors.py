"""What every page's shell needs: the navigation for the user's role and their enterprise."""

from __future__ import annotations

import importlib
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import pgettext_lazy

from shouzhan.core.permissions import can_read_audit, is_staff_member, user_role
from shouzhan.core.roles import Role
from shouzhan.registry.permissions import member_enterprise_ids


def shell(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    role = user_role(user)
    nav: list[tuple[str, str, str]] = []  # (key, label, url)
    my_enterprise_id: int | None = None
    if role is not None:
        ids = sorted(member_enterprise_ids(user))
        my_enterprise_id = ids[0] if ids else None
        if my_enterprise_id is not None:
            nav.append(("enterprise", _("我的企业"), reverse("registry:enterprise", args=[my_enterprise_id])))
            nav.append(("projects", _("项目与作品"), reverse("registry:projects", args=[my_enterprise_id])))
    nav.append(("policies", _("政策库"), reverse("policies:library")))
    nav.append(("calculator", _("政策计算器"), reverse("policies:calculator")))
    nav.extend(module_nav(user))
    if role is not None:
        if is_staff_member(user):
            nav.insert(0, ("staff", _("工作台"), reverse("core:staff")))
            nav.append(("enterprises", _("企业库"), reverse("registry:enterprise_list")))
        if can_read_audit(user):
            nav.append(("audit", _("审计"), reverse("core:audit")))
        if is_staff_member(user):
            nav.append(("calendar", _("工作日历"), reverse("core:calendar")))
    return {
        "nav_items": nav,
        "nav_groups": group_nav(nav),
        "user_role": role,
        "user_role_label": Role(role).label if role else "",
        "my_enterprise_id": my_enterprise_id,
    }


NAV_MODULES = ("cases", "spaces", "ledger", "community")


def module_nav(user: Any) -> list[tuple[str, str, str]]:
    """Each module may offer menu entries through `shouzhan.<module>.nav.items(user)`."""
    entries: list[tuple[str, str, str]] = []
    for module in NAV_MODULES:
        try:
            nav = importlib.import_module(f"shouzhan.{module}.nav")
        except ModuleNotFoundError:
            continue
        entries.extend(nav.items(user))
    return entries


# Menu entries grouped so the top bar stays one line: (group key, label) per entry key.
NAV_GROUPS: dict[str, tuple[str, Any]] = {
    "staff": ("centre", _l("服务中心")),
    "enterprises": ("centre", _l("服务中心")),
    "audit": ("centre", _l("服务中心")),
    "calendar": ("centre", _l("服务中心")),
    "enterprise": ("mine", _l("我的企业")),
    "projects": ("mine", _l("我的企业")),
    "policies": ("policy", _l("政策")),
    "calculator": ("policy", _l("政策")),
    "cases": ("cases", _l("办件")),
    "queue": ("cases", _l("办件")),
    "spaces": ("spaces", pgettext_lazy("navigation", "空间")),
    "space_floors": ("spaces", pgettext_lazy("navigation", "空间")),
    "ledger": ("ledger", _l("券")),
    "ledger_provider": ("ledger", _l("券")),
    "community": ("community", _l("社区")),
    "market": ("community", _l("社区")),
    "mentor_panel": ("community", _l("社区")),
    "contacts": ("community", _l("社区")),
}


def group_nav(nav: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """Entries in groups, in the order each group first appears; search is the top bar's own box."""
    groups: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}
    for key, label, url in nav:
        if key == "search":
            continue
        group_key, group_label = NAV_GROUPS.get(key, (key, label))
        group = by_key.get(group_key)
        if group is None:
            group = {"key": group_key, "label": group_label, "url": url, "items": [], "keys": set()}
            by_key[group_key] = group
            groups.append(group)
        group["items"].append((key, label, url))
        group["keys"].add(key)
    return groups

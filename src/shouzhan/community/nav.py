"""Menu entries of the community module."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.nav import NavEntry, NavGroup, nav_declare
from shouzhan.core.permissions import has_role, is_staff_member
from shouzhan.core.roles import Role

COMMUNITY = NavGroup("community", _l("社区"), 70)
# "search" is the top bar's own box, not a menu entry.
nav_declare(COMMUNITY, {"community": 10, "market": 20, "mentor_panel": 30, "contacts": 40, "search": 50})


def items(user: Any) -> list[NavEntry]:
    entries = [
        ("community", _("活动与沙龙"), reverse("community:index")),
        ("market", _("技术市场"), reverse("community:market")),
    ]
    if has_role(user, Role.MENTOR):
        entries.append(("mentor_panel", _("导师面板"), reverse("community:panel")))
    if is_staff_member(user):
        entries.append(("contacts", _("对接请求"), reverse("community:contacts")))
    entries.append(("search", _("搜索"), reverse("community:search")))
    return entries

"""Menu entries of the community module."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shouzhan.core.permissions import has_role, is_staff_member
from shouzhan.core.roles import Role


def items(user: Any) -> list[tuple[str, str, str]]:
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

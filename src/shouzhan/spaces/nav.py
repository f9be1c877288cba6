"""Menu entries of the spaces module."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from shouzhan.core.nav import NavEntry, NavGroup, nav_declare
from shouzhan.core.permissions import is_staff_member, user_role

SPACES = NavGroup("spaces", pgettext_lazy("navigation", "空间"), 50)
nav_declare(SPACES, {"spaces": 10, "space_floors": 20})


def items(user: Any) -> list[NavEntry]:
    if user_role(user) is None:
        return []
    entries = [("spaces", _("空间预约"), reverse("spaces:index"))]
    if is_staff_member(user):
        entries.append(("space_floors", _("楼层与收入"), reverse("spaces:floors")))
    return entries

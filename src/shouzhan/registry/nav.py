"""Menu entries of the registry: an enterprise user's own enterprise and projects; the staff's register."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shouzhan.core.nav import CENTRE, MINE, NavEntry, nav_declare
from shouzhan.core.permissions import is_staff_member, user_role
from shouzhan.registry.permissions import member_enterprise_ids

nav_declare(MINE, {"enterprise": 10, "projects": 20})
nav_declare(CENTRE, {"enterprises": 20})


def items(user: Any) -> list[NavEntry]:
    if user_role(user) is None:
        return []
    entries: list[NavEntry] = []
    ids = sorted(member_enterprise_ids(user))
    if ids:
        entries.append(("enterprise", _("我的企业"), reverse("registry:enterprise", args=[ids[0]])))
        entries.append(("projects", _("项目与作品"), reverse("registry:projects", args=[ids[0]])))
    if is_staff_member(user):
        entries.append(("enterprises", _("企业库"), reverse("registry:enterprise_list")))
    return entries

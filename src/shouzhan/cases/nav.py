"""Menu entries of the cases module: only what the user may use."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.nav import NavEntry, NavGroup, nav_declare
from shouzhan.core.permissions import is_staff_member, user_role

CASES = NavGroup("cases", _l("办件"), 40)
nav_declare(CASES, {"queue": 10, "cases": 20})


def items(user: Any) -> list[NavEntry]:
    if user_role(user) is None:
        return []
    if is_staff_member(user):
        return [("queue", _("办件队列"), reverse("cases:queue"))]
    return [("cases", _("我的办件"), reverse("cases:mine"))]

"""Menu entries of the cases module: only what the user may use."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shouzhan.core.permissions import is_staff_member, user_role


def items(user: Any) -> list[tuple[str, str, str]]:
    if user_role(user) is None:
        return []
    if is_staff_member(user):
        return [("queue", _("办件队列"), reverse("cases:queue"))]
    return [("cases", _("我的办件"), reverse("cases:mine"))]

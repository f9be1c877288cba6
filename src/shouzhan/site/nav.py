"""Menu entries of the site: the staff workspace and the figures first, the audit trail for those who may read it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shouzhan.core.nav import CENTRE, NavEntry, nav_declare
from shouzhan.core.permissions import can_read_audit, is_staff_member

nav_declare(CENTRE, {"staff": 10, "figures": 15, "audit": 30})


def items(user: Any) -> list[NavEntry]:
    entries: list[NavEntry] = []
    if is_staff_member(user):
        entries.append(("staff", _("工作台"), reverse("site:staff")))
        entries.append(("figures", _("数据概览"), reverse("site:figures")))
    if can_read_audit(user):
        entries.append(("audit", _("审计"), reverse("site:audit")))
    return entries

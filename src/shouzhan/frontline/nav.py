"""Menu entries of frontline (一线): the centre's receivers and the departments' members find the demand board,
their department's queue, the desk/hotline form, visits, the three rates, 每月一题 and the dispatch
catalogue under 一线; an enterprise's members find "我的诉求" among their enterprise's pages."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from shouzhan.core.nav import MINE, NavEntry, NavGroup, nav_declare
from shouzhan.core.permissions import is_staff_member
from shouzhan.frontline import permissions as perms
from shouzhan.registry.permissions import member_enterprise_ids

# After 办件 (40): the centre's work on tickets, then the frontline's own.
FRONTLINE = NavGroup("frontline", pgettext_lazy("navigation", "一线"), 45)
nav_declare(
    FRONTLINE,
    {
        "frontline_board": 10,
        "frontline_queue": 20,
        "frontline_new": 30,
        "frontline_visits": 40,
        "frontline_rates": 50,
        "frontline_themes": 60,
        "frontline_catalogue": 70,
    },
)
nav_declare(MINE, {"frontline_mine": 25})


def items(user: Any) -> list[NavEntry]:
    if not getattr(user, "is_authenticated", False):
        return []
    entries: list[NavEntry] = []
    staff = is_staff_member(user)
    departments = perms.member_departments(user)
    receiver = perms.can_receive(user)
    if staff or departments:
        entries.append(("frontline_board", _("诉求看板"), reverse("frontline:board")))
    if departments:
        entries.append(("frontline_queue", _("部门工单"), reverse("frontline:queue")))
    if receiver:
        entries.append(("frontline_new", _("登记诉求"), reverse("frontline:demand_new")))
        entries.append(("frontline_visits", _("走访"), reverse("frontline:visits")))
    if perms.can_read_rates(user):
        entries.append(("frontline_rates", _("三率"), reverse("frontline:rates")))
    if staff or departments:
        entries.append(("frontline_themes", _("每月一题"), reverse("frontline:themes")))
        entries.append(("frontline_catalogue", _("派单目录"), reverse("frontline:catalogue")))
    if not staff and not departments and member_enterprise_ids(user):
        entries.append(("frontline_mine", _("我的诉求"), reverse("frontline:mine")))
    return entries

"""Menu entries of patrols (巡查): a chief finds 巡河 (recording on the phone) and the patrol list with their
own patrols; the centre's staff and the offices' members find the list, the river files (一河一档), the
compliance (履职情况) and the frequency rules."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from shouzhan.core.nav import NavEntry, NavGroup, nav_declare
from shouzhan.patrols import permissions as perms

# After 一线 (45): the field inspections.
PATROLS = NavGroup("patrols", pgettext_lazy("navigation", "巡查"), 47)
nav_declare(
    PATROLS,
    {
        "patrols_record": 10,
        "patrols_list": 20,
        "patrols_targets": 30,
        "patrols_map": 35,
        "patrols_compliance": 40,
        "patrols_rules": 50,
    },
)


def items(user: Any) -> list[NavEntry]:
    if not getattr(user, "is_authenticated", False) or not perms.can_read_patrols(user):
        return []
    entries: list[NavEntry] = []
    if perms.is_chief(user):
        entries.append(("patrols_record", _("巡河"), reverse("patrols:record")))
    entries.append(("patrols_list", _("巡查记录"), reverse("patrols:index")))
    entries.append(("patrols_targets", _("一河一档"), reverse("patrols:targets")))
    entries.append(("patrols_map", _("巡查地图"), reverse("patrols:map")))
    if perms.can_read_compliance(user):
        entries.append(("patrols_compliance", _("履职情况"), reverse("patrols:compliance")))
    entries.append(("patrols_rules", _("频次规则"), reverse("patrols:rules")))
    return entries

"""Menu entries of insight (产业洞察): the centre's staff find the dashboard, the targets, the chain map, the
gaps (强链补链) and the bulletins; caseworkers also the placements to confirm."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shouzhan.core.nav import NavEntry, NavGroup, nav_declare
from shouzhan.insight import permissions as perms

INSIGHT = NavGroup("insight", gettext_lazy("产业洞察"), 15)
nav_declare(
    INSIGHT,
    {
        "insight_dashboard": 10,
        "insight_targets": 20,
        "insight_map": 30,
        "insight_gaps": 40,
        "insight_placements": 50,
        "insight_bulletins": 60,
    },
)


def items(user: Any) -> list[NavEntry]:
    if not getattr(user, "is_authenticated", False) or not perms.can_read_insight(user):
        return []
    wanted = [
        ("insight_dashboard", _("产业驾驶舱"), "insight:dashboard"),
        ("insight_targets", _("目标进度"), "insight:targets"),
        ("insight_map", _("产业图谱"), "insight:map"),
        ("insight_gaps", _("强链补链"), "insight:gaps"),
    ]
    if perms.can_place(user):
        wanted.append(("insight_placements", _("企业链位"), "insight:placements"))
    wanted.append(("insight_bulletins", _("月度通报"), "insight:bulletins"))
    return [(key, label, reverse(name)) for key, label, name in wanted]

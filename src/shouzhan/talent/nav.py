"""Menu entries of talent services (人才服务): a person finds their record and the support catalogue, an
institution its training courses; the centre's staff find the talent register and the courses in 服务中心."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shouzhan.core.nav import CENTRE, NavEntry, NavGroup, nav_declare
from shouzhan.core.permissions import is_staff_member
from shouzhan.registry.permissions import member_enterprise_ids

TALENT = NavGroup("talent", gettext_lazy("人才服务"), 27)
nav_declare(TALENT, {"talent_record": 10, "talent_support": 20, "talent_people": 30, "talent_courses": 40})
# The centre's staff have a full bar already: their entries sit in 服务中心.
nav_declare(CENTRE, {"centre_talent_records": 25, "centre_talent_courses": 26})
STAFF_KEYS = {"talent_people": "centre_talent_records", "talent_courses": "centre_talent_courses"}


def nav_key(user: Any, key: str) -> str:
    """The menu key a page marks as current: the staff's own entry in 服务中心 for the same page."""
    return STAFF_KEYS.get(key, key) if is_staff_member(user) else key


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:  # a page of another part of the module not there yet never breaks the menu
        return None


def items(user: Any) -> list[NavEntry]:
    if not getattr(user, "is_authenticated", False):
        return []
    staff = is_staff_member(user)
    if staff:
        wanted = [
            ("centre_talent_records", _("人才库"), "talent:people"),
            ("centre_talent_courses", _("培训课程"), "talent:courses"),
        ]
    else:
        wanted = [
            ("talent_record", _("我的人才档案"), "talent:mine"),
            ("talent_support", _("人才服务"), "talent:support"),
        ]
        if member_enterprise_ids(user):
            wanted += [
                ("talent_people", _("本企业人才"), "talent:people"),
                ("talent_courses", _("培训课程"), "talent:courses"),
            ]
    return [(key, label, url) for key, label, name in wanted if (url := _url(name)) is not None]

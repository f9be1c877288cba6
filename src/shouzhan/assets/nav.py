"""Menu entries of assets (数字资产): an enterprise's members and the centre's staff find their works, the
infringement reports, the licences and the public verification page."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shouzhan.core.nav import CENTRE, NavEntry, NavGroup, nav_declare
from shouzhan.core.permissions import is_staff_member
from shouzhan.registry.permissions import member_enterprise_ids

ASSETS = NavGroup("assets", gettext_lazy("数字资产"), 25)
nav_declare(
    ASSETS,
    {"assets_works": 10, "assets_reports": 20, "assets_licences": 30, "assets_verify": 40},
)
# The centre's staff have a full bar already: their entries sit in 服务中心, after the register.
nav_declare(CENTRE, {"centre_assets_works": 22, "centre_assets_reports": 23, "centre_assets_licences": 24})
STAFF_KEYS = {"assets_works": "centre_assets_works", "assets_reports": "centre_assets_reports",
              "assets_licences": "centre_assets_licences"}  # fmt: skip


def nav_key(user: Any, key: str) -> str:
    """The menu key a page marks as current: the staff's own entry in 服务中心 for the same page."""
    return STAFF_KEYS.get(key, key) if is_staff_member(user) else key


def _url(name: str) -> str | None:
    # The reports and licences pages are other parts of the module: a menu never breaks for a page not
    # there yet.
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def items(user: Any) -> list[NavEntry]:
    if not getattr(user, "is_authenticated", False):
        return []
    if not (is_staff_member(user) or member_enterprise_ids(user)):
        return []
    wanted = [
        ("assets_works", _("我的作品") if not is_staff_member(user) else _("作品登记"), "assets:works"),
        ("assets_reports", _("侵权线索"), "assets:reports"),
        ("assets_licences", _("授权许可"), "assets:licences"),
        ("assets_verify", _("存证核验"), "assets:verify"),
    ]
    staff = is_staff_member(user)
    entries: list[NavEntry] = []
    for key, label, name in wanted:
        url = _url(name)
        if url is None or (staff and key not in STAFF_KEYS):
            continue  # the verification page is public: staff reach it from the works page
        entries.append((STAFF_KEYS[key] if staff else key, label, url))
    return entries

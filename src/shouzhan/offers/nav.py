"""Menu entries of offers: an enterprise's members find "政策直达" among their enterprise's pages; the
centre's staff find the push runs and the exclusion list beside the policy library."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shouzhan.core.nav import MINE, NavEntry, nav_declare
from shouzhan.offers.permissions import can_see_all
from shouzhan.policies.nav import POLICY
from shouzhan.registry.permissions import member_enterprise_ids

nav_declare(MINE, {"offers": 15})
nav_declare(POLICY, {"offers_runs": 30, "offers_exclusions": 40})


def items(user: Any) -> list[NavEntry]:
    if can_see_all(user):
        return [
            ("offers_runs", _("推送批次"), reverse("offers:runs")),
            ("offers_exclusions", _("排除名单"), reverse("offers:exclusions")),
        ]
    if member_enterprise_ids(user):
        return [("offers", _("政策直达"), reverse("offers:index"))]
    return []

"""Menu entries of the ledger module for the shell."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.nav import NavEntry, NavGroup, nav_declare
from shouzhan.core.permissions import is_staff_member
from shouzhan.registry.permissions import member_enterprise_ids

LEDGER = NavGroup("ledger", _l("券"), 60)
# The provider's claims before an enterprise's wallet, for someone who is both.
nav_declare(LEDGER, {"ledger_provider": 10, "ledger": 20})


def items(user: Any) -> list[NavEntry]:
    from shouzhan.ledger.permissions import provider_ids

    out: list[NavEntry] = []
    if is_staff_member(user):
        out.append(("ledger", _("券与预算"), reverse("ledger:staff")))
        return out
    if provider_ids(user):
        out.append(("ledger_provider", _("核销申请"), reverse("ledger:provider")))
    if member_enterprise_ids(user):
        out.append(("ledger", _("我的券"), reverse("ledger:wallet")))
    return out

"""What a policy application's decisions do to the books (connected in LedgerConfig.ready).

Runs inside the case transition's transaction: a refusal here (over the cap, over budget)
rolls the transition back and the caseworker sees our message.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.ledger import services
from shouzhan.ledger.models import CLAUSE_ITEMS, Item, Journal, Programme

LIVE_APPROVED = ("approved", "published")


def on_case_state_changed(
    sender: Any, *, case: Any, action: str, from_state: str, to_state: str, actor: Any, **kwargs: Any
) -> None:
    if getattr(case, "case_type", "") != "policy_application" or not case.clause_id:
        return
    year = case.year or timezone.localdate().year
    if to_state == "approved" and from_state not in LIVE_APPROVED:
        amount = case.amount_approved_fen or 0
        if amount <= 0:
            return
        item = CLAUSE_ITEMS.get(case.clause_id)
        if item is not None:
            programme = Programme.objects.filter(item=item, year=year).first()
            if programme is None:
                raise ValidationError(
                    _("%(year)s 年的%(item)s项目尚未开设，无法发券。")
                    % {"year": year, "item": Item(item).label}
                )
            services.voucher_grant(
                actor=actor,
                programme=programme,
                enterprise=case.enterprise,
                amount_fen=amount,
                case_id=case.pk,
                note=_("申报核定：%(title)s") % {"title": case.title},
            )
        services.budget_reserve(
            actor=actor,
            case_id=case.pk,
            clause_id=case.clause_id,
            year=year,
            enterprise_id=case.enterprise_id,
            amount_fen=amount,
        )
    elif to_state == "disbursed":
        services.budget_consume(actor=actor, case_id=case.pk)
    elif from_state in LIVE_APPROVED and to_state not in LIVE_APPROVED and to_state != "disbursed":
        services.budget_release(actor=actor, case_id=case.pk)
        grant = Journal.objects.filter(kind=Journal.Kind.GRANT, case_id=case.pk).first()
        if grant is not None and not Journal.objects.filter(reverses=grant).exists():
            # Vouchers already spent cannot be taken back: the refusal stops the cancellation.
            services.journal_reverse(
                actor="system:cases", journal=grant, reason=_("申报已撤销：%(note)s") % {"note": action}
            )

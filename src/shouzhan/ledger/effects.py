"""What a policy application's decisions do to the books: the handlers of the effects the case type
declares (cases/workflow.py), registered in LedgerConfig.ready().

They run inside the case transition's transaction: a refusal here (over the cap, over budget, vouchers
already spent) rolls the transition back and the caseworker sees our message.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.cases import workflow as wf
from shouzhan.cases.events import CaseTransitioned, effect_handler_register
from shouzhan.core.actors import system_actor
from shouzhan.ledger import services
from shouzhan.ledger.models import CLAUSE_ITEMS, Item, Journal, Programme


def on_grant_approved_amount(event: CaseTransitioned) -> None:
    """Reserve the approved amount in the clause's budget; a voucher clause also credits the wallet."""
    case = event.case
    amount = case.amount_approved_fen or 0
    enterprise = case.enterprise
    if not case.clause_id or amount <= 0 or enterprise is None:
        return
    year = case.year or timezone.localdate(event.at).year
    item = CLAUSE_ITEMS.get(case.clause_id)
    if item is not None:
        programme = Programme.objects.filter(item=item, year=year).first()
        if programme is None:
            raise ValidationError(
                _("%(year)s 年的%(item)s项目尚未开设，无法发券。") % {"year": year, "item": Item(item).label}
            )
        services.voucher_grant(
            actor=event.actor,
            programme=programme,
            enterprise=enterprise,
            amount_fen=amount,
            case_id=case.pk,
            note=_("申报核定：%(title)s") % {"title": case.title},
        )
    services.budget_reserve(
        actor=event.actor,
        case_id=case.pk,
        clause_id=case.clause_id,
        year=year,
        enterprise_id=enterprise.pk,
        amount_fen=amount,
    )


def on_consume_reserved_budget(event: CaseTransitioned) -> None:
    if event.case.clause_id:
        services.budget_consume(actor=event.actor, case_id=event.case.pk)


def on_revoke_grant(event: CaseTransitioned) -> None:
    """Release the reservation and take back the vouchers; vouchers already spent stop the cancellation."""
    case = event.case
    if not case.clause_id:
        return
    services.budget_release(actor=event.actor, case_id=case.pk)
    grant = Journal.objects.filter(kind=Journal.Kind.GRANT, case_id=case.pk).first()
    if grant is not None and not Journal.objects.filter(reverses=grant).exists():
        services.journal_reverse(
            actor=system_actor("cases"),
            journal=grant,
            reason=_("申报已撤销：%(note)s") % {"note": event.note or case.title},
        )


def register() -> None:
    effect_handler_register(wf.GRANT_APPROVED_AMOUNT, on_grant_approved_amount)
    effect_handler_register(wf.CONSUME_RESERVED_BUDGET, on_consume_reserved_budget)
    effect_handler_register(wf.REVOKE_GRANT, on_revoke_grant)

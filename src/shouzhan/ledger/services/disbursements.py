"""Disbursements: approved claims and reserved subsidies collected into a batch of payments, and the
bank's answer for each payment recorded (paid moves the money out of the books)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.ledger import books, permissions
from shouzhan.ledger.books import Line
from shouzhan.ledger.models import Claim, DisbursementBatch, Journal, Payment, Reservation
from shouzhan.ledger.services.accounts import paid_out_account, receivable_account
from shouzhan.ledger.services.budgets import budget_consume


def _unpaid(rows: QuerySet[Any], *, link: str) -> list[Any]:
    """The rows (claims or reservations) locked, without a payment pending or made for them."""
    taken = Payment.objects.exclude(status=Payment.Status.FAILED).filter(**{f"{link}__isnull": False})
    return list(rows.select_for_update(of=("self",)).exclude(pk__in=taken.values(f"{link}_id")))


def disbursement_batch_create(*, actor: Actor, note: str = "") -> DisbursementBatch:
    """Collect every approved, unpaid claim and every reserved subsidy into one batch of payments."""
    permissions.require_pay(actor)
    with transaction.atomic():
        claims: list[Claim] = _unpaid(
            Claim.objects.filter(state=Claim.State.APPROVED).select_related("provider"), link="claim"
        )
        reservations: list[Reservation] = _unpaid(
            Reservation.objects.filter(state=Reservation.State.RESERVED).select_related("enterprise"),
            link="reservation",
        )
        if not claims and not reservations:
            raise ValidationError(_("没有待拨付的款项。"))
        batch = DisbursementBatch.objects.create(created_by=actor_user(actor), note=note[:255])
        Payment.objects.bulk_create(
            [Payment(batch=batch, payee=c.provider.name, amount_fen=c.amount_fen, claim=c) for c in claims]
            + [
                Payment(batch=batch, payee=r.enterprise.name, amount_fen=r.amount_fen, reservation=r)
                for r in reservations
            ]
        )
        audit_record(
            actor=actor,
            action="ledger.disbursement_batch_create",
            target=batch,
            after={
                "payments": len(claims) + len(reservations),
                "total_fen": sum(c.amount_fen for c in claims) + sum(r.amount_fen for r in reservations),
            },
        )
        return batch


def payment_mark(*, actor: Actor, payment: Payment, status: str, note: str = "") -> Payment:
    """Record the bank's answer. Paid moves the money out of the books; failed lets it be retried."""
    permissions.require_pay(actor)
    if status not in (Payment.Status.PAID, Payment.Status.FAILED):
        raise ValidationError(_("支付状态只能是已支付或支付失败。"))
    with books.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status != Payment.Status.PENDING:
            raise ValidationError(_("该笔支付已经是“%(s)s”。") % {"s": locked.get_status_display()})
        if status == Payment.Status.PAID:
            _payment_pay(actor=actor, payment=locked)
        locked.status = status
        locked.status_note = note[:255]
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "status_note", "updated_at"])
        audit_record(
            actor=actor,
            action="ledger.payment_mark",
            target=locked,
            before={"status": Payment.Status.PENDING},
            after={"status": status, "amount_fen": locked.amount_fen},
            note=note,
        )
        return locked


def _payment_pay(*, actor: Actor, payment: Payment) -> None:
    """A claim's payment leaves the provider's receivable; a subsidy's consumes its reserved budget."""
    if payment.claim_id is None:
        assert payment.reservation is not None
        budget_consume(actor=actor, case_id=payment.reservation.case_id)
        return
    claim = Claim.objects.select_related("provider").get(pk=payment.claim_id)
    books.post(
        kind=Journal.Kind.PAY,
        lines=[
            Line(receivable_account(provider=claim.provider), -payment.amount_fen),
            Line(paid_out_account(), payment.amount_fen),
        ],
        actor=actor,
        memo=claim.invoice_no,
        programme_id=claim.programme_id,
        enterprise_id=claim.enterprise_id,
        claim=claim,
    )

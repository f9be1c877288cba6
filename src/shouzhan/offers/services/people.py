"""A person's offers (talent clauses, decided per talent record): which talent case type delivers each, and
applying for it from the offer.

A talent case type asks for particulars (the need, an address, a title series …) and documents that no
push can know, so a person's offer is not confirmed in one click: the person applies for the service with
its form (the talent support pages), and the case opened is the offer's. A clause no case type delivers
(高端人才引进, 复合型技能培训) only informs: it is read, or declined.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.cases.models import Case
from shouzhan.core.actors import Actor, system_actor
from shouzhan.core.audit import audit_record
from shouzhan.offers import audit_actions as A
from shouzhan.offers import permissions
from shouzhan.offers.models import Offer
from shouzhan.offers.people import person_case_type


@transaction.atomic
def person_offer_apply(
    *,
    actor: Actor,
    offer: Offer,
    data: dict[str, Any],
    documents: list[tuple[str, str, bytes]] | None = None,
) -> Offer:
    """Apply for the talent service a person's offer names (talent.services.support_apply, with the
    service's own fields and documents); the offer is confirmed with that case. Applying again for a
    confirmed offer returns it unchanged."""
    from shouzhan.offers.services.answers import _locked, _refuse_closed
    from shouzhan.talent.services import support_apply

    permissions.require_offer_answer(actor, offer)
    case_type = person_case_type(offer)
    if not case_type:
        raise ValidationError(_("这项推送只作告知，无需申请。"), code="inform")
    offer = _locked(offer)
    if offer.state == Offer.State.CONFIRMED and offer.case_id:
        return offer
    _refuse_closed(offer, timezone.localdate())
    if offer.state != Offer.State.OFFERED:
        raise ValidationError(
            _("该推送当前状态为“%(s)s”，不能申请。") % {"s": offer.get_state_display()}, code="closed"
        )
    assert offer.person is not None
    # The case answers the person's open offers of that service as it is opened (person_offers_answer_with,
    # the offers' receiver of a new case): this one among them.
    support_apply(actor=actor, person=offer.person, case_type=case_type, data=data, documents=documents)
    offer.refresh_from_db()
    return offer


@transaction.atomic
def person_offers_answer_with(*, case: Case) -> list[Offer]:
    """A talent case opened for a person — from the support page, or by their enterprise — answers the
    person's open offers of the clauses that service delivers: they are confirmed with that case, as if
    applied for from the offer (so the push does not keep offering what is being handled)."""
    from shouzhan.offers.people import clauses_delivered_by
    from shouzhan.registry.models import TalentRecord

    clauses = clauses_delivered_by(case.case_type)
    if not clauses or not case.related_id:
        return []
    person_id = TalentRecord.objects.filter(pk=case.related_id).values_list("person_id", flat=True).first()
    if person_id is None:
        return []
    offers = list(
        Offer.objects.select_for_update().filter(
            person_id=person_id, clause_id__in=clauses, state=Offer.State.OFFERED, case__isnull=True
        )
    )
    now = timezone.now()
    for offer in offers:
        offer.state, offer.case, offer.answered_at, offer.updated_at = Offer.State.CONFIRMED, case, now, now
        offer.answered_by = case.applicant
        offer.save(update_fields=["state", "case", "answered_at", "answered_by", "updated_at"])
        audit_record(
            actor=case.applicant or system_actor("offers"),
            action=A.OFFER_CONFIRM,
            target=offer,
            before={"state": Offer.State.OFFERED},
            after={"state": offer.state, "case": case.pk, "case_type": case.case_type},
            enterprise_id=offer.enterprise_id,
        )
    return offers

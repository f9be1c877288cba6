"""Contact requests: ask the centre for an introduction (a service.introduction case staff broker), and its
outcome when the case ends (community/effects.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.cases.models import Case
from shouzhan.cases.services import case_submit
from shouzhan.community import permissions
from shouzhan.community.models import ContactRequest, Listing
from shouzhan.core.actors import Actor, actor_label
from shouzhan.core.audit import audit_record, audited_update, snapshot
from shouzhan.core.limits import TEXT, check_length
from shouzhan.registry.models import Enterprise

INTRODUCTION_CASE_TYPE = "service.introduction"


def _refuse_request(actor: Actor, listing: Listing, from_listing: Listing | None, message: str) -> str:
    if listing.status != Listing.Status.ACTIVE:
        raise ValidationError(_("该条目已下架"))
    if permissions.is_own_listing(actor, listing):
        raise ValidationError(_("不能对自己发布的条目申请对接"))
    if from_listing is not None:
        permissions.require_owner_write(
            actor, person=from_listing.owner_person, enterprise=from_listing.owner_enterprise
        )
    message = (message or "").strip()
    if len(message) < 5:
        raise ValidationError({"message": [_("请用一两句话说明对接的目的（至少 5 个字）")]})
    check_length(field="message", text=message, limit=TEXT)
    return message


def _requesting_enterprise(actor: Actor, from_listing: Listing | None) -> Enterprise | None:
    """The enterprise the request is made for: the need's owner, else the actor's first enterprise."""
    if from_listing is not None and from_listing.owner_enterprise is not None:
        return from_listing.owner_enterprise
    mine = permissions.my_enterprise_ids(actor)
    return Enterprise.objects.get(pk=min(mine)) if mine else None


@transaction.atomic
def contact_request_create(
    *, actor: Actor, listing: Listing, message: str, from_listing: Listing | None = None
) -> ContactRequest:
    """Ask the centre for an introduction; it becomes a service.introduction case staff broker."""
    requester = permissions.user_required(actor)
    message = _refuse_request(actor, listing, from_listing, message)
    enterprise = _requesting_enterprise(actor, from_listing)
    if ContactRequest.objects.filter(
        listing=listing, requester=requester, outcome=ContactRequest.Outcome.OPEN
    ).exists():
        raise ValidationError(_("您已申请对接该条目，营商专员正在处理"))
    contact = ContactRequest.objects.create(
        listing=listing,
        from_listing=from_listing,
        requester=requester,
        enterprise=enterprise,
        message=message,
    )
    contact.case_id = _open_introduction_case(actor=actor, contact=contact).pk
    contact.save(update_fields=["case_id"])
    audit_record(
        actor=actor,
        action="community.contact_request_create",
        target=contact,
        target_label=f"{actor} → {listing.title}",
        after=snapshot(contact),
        enterprise_id=enterprise.pk if enterprise else None,
    )
    return contact


def _open_introduction_case(*, actor: Actor, contact: ContactRequest) -> Case:
    listing = contact.listing
    return case_submit(
        actor=actor,
        case_type=INTRODUCTION_CASE_TYPE,
        enterprise=contact.enterprise,
        title=_("对接引荐：%(title)s") % {"title": listing.title},
        data={
            "contact_request_id": contact.pk,
            "requester": actor_label(actor),
            "requester_enterprise": contact.enterprise.name if contact.enterprise else "",
            "asks_for": listing.owner_name,
            "listing_id": listing.pk,
            "listing_title": listing.title,
            "patent_number": listing.patent_number,
            "from_listing_id": contact.from_listing_id,
            "message": contact.message,
        },
        related=listing,
    )


@transaction.atomic
def contact_outcome_record(
    *, actor: Actor, case_id: int, outcome: str, note: str = ""
) -> ContactRequest | None:
    """Called when the introduction case ends: the request shows how it went."""
    contact = ContactRequest.objects.select_for_update().filter(case_id=case_id).first()
    if contact is None or contact.outcome == outcome:
        return contact
    return audited_update(
        actor=actor,
        instance=contact,
        action="community.contact_outcome_record",
        changes={"outcome": outcome, "outcome_note": note, "closed_at": timezone.now()},
        fields=["outcome", "outcome_note"],
        enterprise_id=contact.enterprise_id,
        clean=False,
    )

"""The technology market: list a patent or technology (an offer) or an enterprise's need, change it, close it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shouzhan.community import permissions
from shouzhan.community.audit_actions import LISTING_CREATE
from shouzhan.community.models import Listing, Seeking
from shouzhan.community.search.documents import listing_tokens
from shouzhan.community.services.checks import unknown_fields
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record, audited_update, snapshot
from shouzhan.core.permissions import require_login
from shouzhan.registry import patent_number
from shouzhan.registry.models import Enterprise, Person

LISTING_FIELDS = ("patent_number", "title", "abstract", "legal_status", "field", "seeking")
Owners = tuple[Person | None, Enterprise | None]


def owner_or_self(actor: Actor, person: Person | None, enterprise: Enterprise | None) -> Owners:
    """No owner named: the actor lists as themself (their Person is created the first time)."""
    if person is None and enterprise is None:
        from shouzhan.registry.services import person_for_user

        require_login(actor)
        return person_for_user(actor=actor), None
    return person, enterprise


def _set_fields(listing: Listing, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    for key, value in data.items():
        if key == "seeking":
            values = list(dict.fromkeys(value or []))
            bad = [v for v in values if v not in Seeking.values]
            if bad:
                errors["seeking"] = [_("未知的合作方式：%(v)s") % {"v": "、".join(map(str, bad))}]
            listing.seeking = values
        else:
            setattr(listing, key, "" if value is None else str(value).strip())
    if listing.patent_number:
        try:
            listing.patent_number = patent_number.validate(listing.patent_number)
        except patent_number.PatentNumberError as exc:
            errors["patent_number"] = [str(exc)]
        if listing.legal_status == Listing.LegalStatus.NONE:
            listing.legal_status = Listing.LegalStatus.GRANTED


def _check_required(listing: Listing, errors: dict[str, list[str]]) -> None:
    if not listing.title:
        errors["title"] = [_("请填写名称")]
    if not listing.abstract:
        errors["abstract"] = [_("请填写摘要或需求说明")]
    if not listing.field:
        errors["field"] = [_("请填写技术领域")]
    if not listing.seeking:
        errors["seeking"] = errors.get("seeking") or [_("请至少选择一种合作方式")]
    if listing.legal_status not in Listing.LegalStatus.values:
        errors["legal_status"] = [_("法律状态应为：已授权、申请中、已失效或非专利技术")]


def clean_listing(listing: Listing, data: dict[str, Any]) -> None:
    unknown_fields(data, set(LISTING_FIELDS))
    errors: dict[str, list[str]] = {}
    _set_fields(listing, data, errors)
    _check_required(listing, errors)
    if errors:
        raise ValidationError(errors)
    listing.full_clean(
        exclude=["owner_person", "owner_enterprise", "created_by", "seeking"], validate_constraints=False
    )


def listing_snapshot(listing: Listing) -> dict[str, Any]:
    # The index terms are derived from the text: the audit trail keeps the text, not the terms.
    return {k: v for k, v in snapshot(listing).items() if k != "search_tokens"}


def save_listing(listing: Listing) -> None:
    # Segmented once, here: the search index and the listing page read the stored terms.
    listing.search_tokens = " ".join(listing_tokens(listing.title, listing.abstract, listing.field))
    try:
        with transaction.atomic():
            listing.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"patent_number": [_("专利 %(n)s 已在技术市场上发布") % {"n": listing.patent_number}]}
        ) from exc


def listing_new(
    *, actor: Actor, direction: str, data: dict[str, Any], owners: Owners, action: str
) -> Listing:
    """A new listing, cleaned, saved and audited (shared by listing_create and the import)."""
    person, enterprise = owners
    listing = Listing(
        direction=direction, owner_person=person, owner_enterprise=enterprise, created_by=actor_user(actor)
    )
    clean_listing(listing, data)
    save_listing(listing)
    audit_record(
        actor=actor,
        action=action,
        target=listing,
        after=listing_snapshot(listing),
        enterprise_id=enterprise.pk if enterprise else None,
    )
    return listing


def listing_change(*, actor: Actor, listing: Listing, data: dict[str, Any], action: str) -> Listing:
    """A listing's text changed, saved and audited (shared by listing_update and the import)."""
    before = listing_snapshot(listing)
    clean_listing(listing, data)
    save_listing(listing)
    audit_record(
        actor=actor,
        action=action,
        target=listing,
        before=before,
        after=listing_snapshot(listing),
        enterprise_id=listing.owner_enterprise_id,
    )
    return listing


@transaction.atomic
def listing_create(
    *,
    actor: Actor,
    direction: str,
    data: dict[str, Any],
    owner_person: Person | None = None,
    owner_enterprise: Enterprise | None = None,
) -> Listing:
    """List a technology (offer) or a need; with no owner named, an offer is the actor's own."""
    if direction not in Listing.Direction.values:
        raise ValidationError(_("类别应为技术成果或技术需求"))
    if direction == Listing.Direction.NEED and owner_enterprise is None:
        raise ValidationError(_("技术需求由企业发布"))
    owners = owner_or_self(actor, owner_person, owner_enterprise)
    permissions.require_owner_write(actor, person=owners[0], enterprise=owners[1])
    listing = listing_new(
        actor=actor, direction=direction, data=data, owners=owners, action=LISTING_CREATE[direction]
    )
    return listing


@transaction.atomic
def listing_update(*, actor: Actor, listing: Listing, data: dict[str, Any]) -> Listing:
    permissions.require_owner_write(actor, person=listing.owner_person, enterprise=listing.owner_enterprise)
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    listing = listing_change(actor=actor, listing=listing, data=data, action="community.listing_update")
    return listing


@transaction.atomic
def listing_set_status(*, actor: Actor, listing: Listing, status: str) -> Listing:
    permissions.require_owner_write(actor, person=listing.owner_person, enterprise=listing.owner_enterprise)
    if status not in Listing.Status.values:
        raise ValidationError(_("未知状态"))
    listing = audited_update(
        actor=actor,
        instance=listing,
        action="community.listing_status_set",
        changes={"status": status},
        fields=["status"],
        enterprise_id=listing.owner_enterprise_id,
        clean=False,
    )
    return listing

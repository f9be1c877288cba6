"""The exclusion list: enterprises that get no offers while an exclusion is valid."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.core.limits import SHORT_TEXT, required_text
from shouzhan.offers import audit_actions as A
from shouzhan.offers import permissions
from shouzhan.offers.models import Exclusion, Offer
from shouzhan.offers.services.runs import enterprise_reevaluate


# ----------------------------------------------------------------------------- exclusions
@transaction.atomic
def exclusion_add(
    *,
    actor: Actor,
    enterprise_id: int,
    reason: str,
    source: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
) -> Exclusion:
    """Put an enterprise on the exclusion list: its open offers are withdrawn now, and no run offers it
    anything while the exclusion is valid."""
    from shouzhan.registry.models import Enterprise

    permissions.require_operator(actor)
    errors: dict[str, list[str]] = {}
    if not Enterprise.objects.filter(pk=enterprise_id).exists():
        errors["enterprise"] = [_("没有找到该企业。")]
    reason, source = (reason or "").strip(), (source or "").strip()
    if not reason or len(reason) > SHORT_TEXT:
        errors["reason"] = [_("请填写原因（最多200字）。")]
    if not source or len(source) > SHORT_TEXT:
        errors["source"] = [_("请填写来源，例如信用信息平台的认定文书（最多200字）。")]
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = [_("失效日期不能早于生效日期。")]
    if errors:
        raise ValidationError(errors)
    exclusion = Exclusion.objects.create(
        enterprise_id=enterprise_id,
        reason=reason,
        source=source,
        valid_from=valid_from,
        valid_to=valid_to,
        created_by=actor_user(actor),
    )
    withdrawn = 0
    if valid_from <= timezone.localdate() and (valid_to is None or valid_to >= timezone.localdate()):
        withdrawn = Offer.objects.filter(
            enterprise_id=enterprise_id, current=True, state__in=Offer.OPEN
        ).update(state=Offer.State.WITHDRAWN, withdraw_cause=Offer.Cause.EXCLUDED, updated_at=timezone.now())
    audit_record(
        actor=actor,
        action=A.EXCLUSION_ADD,
        target=exclusion,
        after={
            "reason": reason,
            "source": source,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "offers_withdrawn": withdrawn,
        },
        enterprise_id=enterprise_id,
    )
    return exclusion


@transaction.atomic
def exclusion_revoke(*, actor: Actor, exclusion: Exclusion, reason: str) -> Exclusion:
    """End an exclusion early; the enterprise is re-evaluated at once."""
    permissions.require_operator(actor)
    exclusion = Exclusion.objects.select_for_update().get(pk=exclusion.pk)
    if exclusion.revoked_at is not None:
        return exclusion
    reason = required_text(reason, field="reason", limit=SHORT_TEXT, missing=_("请填写解除原因。"))
    exclusion.revoked_at, exclusion.revoked_by, exclusion.revoke_reason = (
        timezone.now(),
        actor_user(actor),
        reason,
    )
    exclusion.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_record(
        actor=actor,
        action=A.EXCLUSION_REVOKE,
        target=exclusion,
        after={"revoked": True, "reason": reason},
        enterprise_id=exclusion.enterprise_id,
    )
    transaction.on_commit(lambda: enterprise_reevaluate(enterprise_id=exclusion.enterprise_id))
    return exclusion

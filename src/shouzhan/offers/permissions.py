"""Who may do what with offers (used by offers' services, selectors, pages and API alike).

An enterprise's members see, confirm, decline and answer their own enterprise's offers; another
enterprise's offer is "not found" (404). A person's offer (a talent clause) is the person's: read as their
talent record is (its keeper, the staff, an enterprise it is shared with in full), answered by its keeper.
The centre's staff see every offer and the runs; policy officers, caseworkers and administrators start runs
and keep the exclusion list (403 for anyone else).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.core.permissions import has_role, is_staff_member
from shouzhan.core.roles import Role
from shouzhan.offers.models import Offer
from shouzhan.registry.permissions import member_enterprise_ids

OPERATOR_ROLES = (Role.POLICY_OFFICER, Role.CASEWORKER, Role.ADMIN)


def can_see_all(actor: Actor) -> bool:
    """Every enterprise's offers, the runs and their figures: the centre's staff."""
    return is_staff_member(actor)


def can_operate(actor: Actor) -> bool:
    """Start a run, keep the exclusion list."""
    return has_role(actor, *OPERATOR_ROLES)


def require_staff(actor: Actor) -> None:
    if not can_see_all(actor):
        raise PermissionDenied(_("只有服务中心工作人员可以查看推送批次。"))


def require_operator(actor: Actor) -> None:
    if not can_operate(actor):
        raise PermissionDenied(_("您的角色无权启动推送或维护排除名单。"))


def person_offer_access(actor: Actor, offer: Offer) -> str | None:
    """How the actor reaches a person's offer: through the person's talent record (registry.talent.permissions:
    the keeper, the staff, or an enterprise the person shared the whole record with); None for anyone else —
    the employer's members included, since the offer says what the record says."""
    from shouzhan.registry.talent.models import TalentRecord
    from shouzhan.registry.talent.permissions import FULL, KEEPER, STAFF, record_access

    if offer.person_id is None:
        return None
    record = TalentRecord.objects.filter(person_id=offer.person_id).select_related("person").first()
    if record is None:
        return STAFF if can_see_all(actor) else None
    access = record_access(actor, record)
    return access if access in (KEEPER, STAFF, FULL) else None


def require_offer_read(actor: Actor, offer: Offer) -> None:
    if offer.person_id is not None:
        if person_offer_access(actor, offer) is None:
            raise Http404(_("没有找到该推送。"))
        return
    if not (can_see_all(actor) or offer.enterprise_id in member_enterprise_ids(actor)):
        raise Http404(_("没有找到该推送。"))


def require_offer_answer(actor: Actor, offer: Offer) -> None:
    """Confirm, decline or answer: the enterprise's own members only (staff see, but do not answer); a
    person's offer, its keeper only (the person, or for a person without an account their enterprise)."""
    if offer.person_id is not None:
        from shouzhan.registry.talent.permissions import KEEPER

        access = person_offer_access(actor, offer)
        if access == KEEPER:
            return
        if access is not None:
            raise PermissionDenied(_("只有本人可以确认、放弃或补充个人的推送。"))
        raise Http404(_("没有找到该推送。"))
    if offer.enterprise_id in member_enterprise_ids(actor):
        return
    if can_see_all(actor):
        raise PermissionDenied(_("只有企业本身可以确认、放弃或补充信息。"))
    raise Http404(_("没有找到该推送。"))

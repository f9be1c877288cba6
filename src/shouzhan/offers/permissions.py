"""Who may do what with offers (used by offers' services, selectors, pages and API alike).

An enterprise's members see, confirm, decline and answer their own enterprise's offers; another
enterprise's offer is "not found" (404). The centre's staff see every offer and the runs; policy officers,
caseworkers and administrators start runs and keep the exclusion list (403 for anyone else).
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


def require_offer_read(actor: Actor, offer: Offer) -> None:
    if not (can_see_all(actor) or offer.enterprise_id in member_enterprise_ids(actor)):
        raise Http404(_("没有找到该推送。"))


def require_offer_answer(actor: Actor, offer: Offer) -> None:
    """Confirm, decline or answer: the enterprise's own members only (staff see, but do not answer)."""
    if offer.enterprise_id in member_enterprise_ids(actor):
        return
    if can_see_all(actor):
        raise PermissionDenied(_("只有企业本身可以确认、放弃或补充信息。"))
    raise Http404(_("没有找到该推送。"))

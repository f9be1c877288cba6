"""Who may do what in spaces: the one door the services, the selectors, the pages and the API all use.

Refusals follow the site's rule: another enterprise's booking, waitlist entry, tenancy or statement is
404 (never confirm it exists); an action the user may see but not do — running a tenancy without being
the centre's staff, opening a staff page as a logged-in enterprise user — is 403 with a plain message.
Anonymous users never get this far: pages send them to log in, the API answers 401.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.core.permissions import has_role, is_staff_member
from shouzhan.core.roles import Role
from shouzhan.registry.permissions import (
    member_enterprise_ids,
    require_enterprise_read,
    require_enterprise_write,
    scope_to_enterprises,
)

M = TypeVar("M", bound=Model)

TENANCY_ROLES = (Role.CASEWORKER, Role.ADMIN)  # the centre's staff run the incubator's tenancies
INSIGHT_ROLES = (Role.LEADER, Role.ADMIN, Role.CASEWORKER, Role.AUDITOR, Role.POLICY_OFFICER)


# ------------------------------------------------------------------------------------------ enterprise-owned rows
def scope(actor: Actor, queryset: QuerySet[M]) -> QuerySet[M]:
    """Bookings, waitlist entries, tenancies the actor may read: staff all, members their own, others none."""
    return scope_to_enterprises(actor, queryset)


def require_read(actor: Actor, enterprise_id: int) -> None:
    """An enterprise's spaces (history, statement, summary): 404 for anyone who may not read it."""
    require_enterprise_read(actor, enterprise_id)


def require_booker(actor: Actor, enterprise_id: int) -> None:
    """Book, wait, cancel for an enterprise: its members (and the staff who may edit it); 404 / 403 else."""
    require_enterprise_write(actor, enterprise_id)


def my_enterprise_ids(actor: Actor) -> set[int]:
    return member_enterprise_ids(actor)


def require_member(actor: Actor, *, waitlist: bool = False) -> None:
    """Booking pages act for one of the user's own enterprises: a user without one may see, not book (403)."""
    if not member_enterprise_ids(actor):
        raise PermissionDenied(
            _("只有入驻企业的成员可以登记候补。") if waitlist else _("只有入驻企业的成员可以预约。")
        )


def sees_booker_names(actor: Actor) -> bool:
    """The week calendar names the enterprise holding a slot to the centre's staff only."""
    return is_staff_member(actor)


def cancels_without_fee(actor: Actor) -> bool:
    """The centre's staff cancel a booking without the late-cancellation fee."""
    return has_role(actor, *TENANCY_ROLES)


# ------------------------------------------------------------------------------------------ staff
def can_manage_tenancies(actor: Actor) -> bool:
    return has_role(actor, *TENANCY_ROLES)


def require_tenancy_staff(actor: Actor) -> None:
    if not can_manage_tenancies(actor):
        raise PermissionDenied(_("只有营商专员可以办理入驻、换租和退租"))


def require_staff_page(actor: Actor) -> None:
    """The floors page: the centre's staff; a logged-in enterprise user is refused plainly (403)."""
    if not is_staff_member(actor):
        raise PermissionDenied(_("仅限中心工作人员查看。"))


def can_see_insight(actor: Actor) -> bool:
    return has_role(actor, *INSIGHT_ROLES)


def require_insight(actor: Actor) -> None:
    """Leaders' charts are for the centre's staff (a staff page: 403 for anyone else logged in)."""
    if not can_see_insight(actor):
        raise PermissionDenied(_("仅限中心工作人员查看。"))

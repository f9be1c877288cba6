"""Who may do what with accounts and organisations (used by accounts' services and selectors alike)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shouzhan.accounts.models import Membership, Organisation
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.permissions import has_role
from shouzhan.core.roles import Role

# Staff who may manage any organisation's members (an owner manages their own).
MEMBER_MANAGER_ROLES = (Role.ADMIN, Role.CASEWORKER)


def can_manage_members(actor: Actor, organisation: Organisation | None) -> bool:
    """The organisation's owner, or a caseworker or an administrator."""
    if organisation is None:
        return False
    if has_role(actor, *MEMBER_MANAGER_ROLES):
        return True
    user = actor_user(actor)
    return (
        user is not None
        and Membership.objects.filter(user=user, organisation=organisation, is_owner=True).exists()
    )


def require_member_manager(actor: Actor, organisation: Organisation) -> None:
    """Managing members is an action on an organisation the actor may see: refused with 403."""
    if not can_manage_members(actor, organisation):
        raise PermissionDenied(_("只有企业负责人可以管理成员。"))

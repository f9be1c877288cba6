"""Who may do what in insight: the one door for its services, selectors, pages and API.

- The centre's staff (caseworkers, policy officers, leaders, auditors, administrators) read the map, the gaps,
  the targets, the dashboard and the bulletins; an enterprise's member and a department's officer read none
  of it (it lists every enterprise's figures).
- Caseworkers and administrators confirm, change or reject where an enterprise sits on a chain and record
  relations between enterprises.
- Policy officers, leaders and administrators publish the chains and targets, enter the city's totals and
  generate a bulletin by hand.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user, is_system
from shouzhan.core.permissions import is_staff_member, user_role
from shouzhan.core.roles import Role

PLACEMENT_ROLES = (Role.CASEWORKER, Role.ADMIN)
MANAGER_ROLES = (Role.POLICY_OFFICER, Role.LEADER, Role.ADMIN)


def can_read_insight(actor: Actor) -> bool:
    return is_system(actor) or is_staff_member(actor)


def require_read(actor: Actor) -> None:
    if not can_read_insight(actor):
        raise PermissionDenied(_("产业洞察仅对服务中心工作人员开放。"))


def can_place(actor: Actor) -> bool:
    return is_system(actor) or user_role(actor_user(actor)) in PLACEMENT_ROLES


def require_place(actor: Actor) -> None:
    if not can_place(actor):
        raise PermissionDenied(_("只有营商专员或管理员可以确认企业链位、登记企业关系。"))


def can_manage(actor: Actor) -> bool:
    return is_system(actor) or user_role(actor_user(actor)) in MANAGER_ROLES


def require_manage(actor: Actor) -> None:
    if not can_manage(actor):
        raise PermissionDenied(
            _("只有政策专员、领导或管理员可以发布产业链与目标、录入全市统计数、生成通报。")
        )

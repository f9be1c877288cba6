"""Who may do what in frontline: the one door for its services, selectors, pages and API.

- The centre's caseworkers (and administrators) receive demands (desk, hotline, visits), visit, re-dispatch.
- A department's members see and act on the tickets dispatched to their department; its supervisors
  (负责人) may also exclude a demand from the three rates, with a reason.
- An enterprise's members record their own demands, follow them and rate them; never another's.
- Leaders, auditors and the centre's staff read everything; leaders and administrators publish the
  dispatch catalogue and exclude demands too.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan.cases import workflow as wf
from shouzhan.core.actors import Actor, actor_user, is_system
from shouzhan.core.permissions import is_staff_member, user_role
from shouzhan.core.roles import Role
from shouzhan.frontline.models import Demand, DepartmentMember, TicketMove
from shouzhan.frontline.tickets import KEY
from shouzhan.registry.permissions import member_enterprise_ids

RECEIVER_ROLES = (Role.CASEWORKER, Role.ADMIN)
# Who may be a department's member: its officers, and the centre's caseworkers (its own teams) and administrators.
MEMBER_ROLES = (Role.OFFICER, Role.CASEWORKER, Role.ADMIN)
CATALOGUE_ROLES = (Role.LEADER, Role.ADMIN)


def member_departments(actor: Actor) -> dict[int, str]:
    """The departments the actor belongs to, with their role there (handler / supervisor)."""
    user = actor_user(actor)
    if user is None or user_role(user) not in MEMBER_ROLES:
        return {}  # no query: an enterprise's member, a leader or an auditor is nobody's department member
    cached: dict[int, str] | None = getattr(user, "_frontline_departments", None)
    if cached is None:
        cached = dict(DepartmentMember.objects.filter(user=user).values_list("department_id", "role"))
        setattr(user, "_frontline_departments", cached)  # noqa: B010 — one query per request's user
    return cached


def department_relation(user: Any, case: Any) -> set[str]:
    """cases' relation provider: a member of the department a frontline ticket is with now."""
    if case.case_type != KEY:
        return set()
    mine = member_departments(user)
    if not mine:
        return set()
    department_id = Demand.objects.filter(case_id=case.pk).values_list("department_id", flat=True).first()
    return {wf.DEPARTMENT} if department_id in mine else set()


# ----------------------------------------------------------------------------- reading
def sees_every_demand(actor: Actor) -> bool:
    return is_system(actor) or is_staff_member(actor)


def scope_demands(actor: Actor, queryset: QuerySet[Demand]) -> QuerySet[Demand]:
    """The demands the actor may know of: all for staff; a department's own; an enterprise's own."""
    if sees_every_demand(actor):
        return queryset
    user = actor_user(actor)
    if user is None:
        return queryset.none()
    departments = list(member_departments(user))
    enterprises = member_enterprise_ids(user)
    handled = TicketMove.objects.filter(demand=OuterRef("pk"), department_id__in=departments)
    return queryset.filter(
        Q(department_id__in=departments)
        | Q(accepted_by_id__in=departments)
        | Q(enterprise_id__in=enterprises)
        | Q(requester=user)
        | (Exists(handled) if departments else Q(pk__in=[]))
    )


def can_read_demand(actor: Actor, demand: Demand) -> bool:
    if sees_every_demand(actor):
        return True
    user = actor_user(actor)
    if user is None:
        return False
    departments = member_departments(user)
    return (
        demand.department_id in departments
        or demand.accepted_by_id in departments
        or (demand.enterprise_id is not None and demand.enterprise_id in member_enterprise_ids(user))
        or demand.requester_id == user.pk
        # a department that had it once (and returned it) still reads its history
        or (bool(departments) and demand.moves.filter(department_id__in=list(departments)).exists())
    )


def require_demand_read(actor: Actor, demand: Demand) -> None:
    """404 for a demand the actor may not know about."""
    if not can_read_demand(actor, demand):
        raise Http404(_("没有找到该诉求。"))


def is_requester(actor: Actor, demand: Demand) -> bool:
    user = actor_user(actor)
    if user is None:
        return False
    if demand.requester_id == user.pk:
        return True
    return demand.enterprise_id is not None and demand.enterprise_id in member_enterprise_ids(user)


# ----------------------------------------------------------------------------- acting
def can_receive(actor: Actor) -> bool:
    """Record a demand heard at the desk, on the hotline or on a visit; plan and record visits."""
    return is_system(actor) or user_role(actor) in RECEIVER_ROLES


# Who may report a hazard found on a patrol (source 巡查): the chiefs are officers, leaders (a district chief)
# or the centre's staff; the patrols module checks they patrol that target before it records anything.
HAZARD_REPORTER_ROLES = (Role.OFFICER, Role.LEADER, Role.CASEWORKER, Role.ADMIN)


def can_report_hazard(actor: Actor) -> bool:
    return is_system(actor) or user_role(actor) in HAZARD_REPORTER_ROLES


def require_receive(actor: Actor) -> None:
    if not can_receive(actor):
        raise PermissionDenied(_("只有营商专员可以登记走访和诉求。"))


def can_submit_own(actor: Actor, enterprise_id: int) -> bool:
    """An enterprise's member raises a demand of the enterprise's own."""
    user = actor_user(actor)
    return user is not None and enterprise_id in member_enterprise_ids(user)


def require_department_member(actor: Actor, department_id: int | None) -> None:
    if department_id is None or department_id not in member_departments(actor):
        raise PermissionDenied(_("只有承办部门的工作人员可以进行这一操作。"))


def can_exclude(actor: Actor, demand: Demand) -> bool:
    """Only a supervisor (the department's 负责人, or the centre's leader) excludes a demand from the rates."""
    if user_role(actor) in CATALOGUE_ROLES:
        return True
    mine = member_departments(actor)
    department = demand.accepted_by_id or demand.department_id
    return mine.get(department or 0) == DepartmentMember.Role.SUPERVISOR


def require_exclude(actor: Actor, demand: Demand) -> None:
    if not can_exclude(actor, demand):
        raise PermissionDenied(_("只有部门负责人或中心领导可以决定诉求不计入三率。"))


def can_manage_catalogue(actor: Actor) -> bool:
    return is_system(actor) or user_role(actor) in CATALOGUE_ROLES


def require_manage_catalogue(actor: Actor) -> None:
    if not can_manage_catalogue(actor):
        raise PermissionDenied(_("只有中心领导或管理员可以修订派单目录和部门。"))


def can_read_rates(actor: Actor) -> bool:
    """The three rates: the centre's staff, the departments' members, and the system (a month-end snapshot
    taken by the worker reads every department's, as the centre does)."""
    return is_system(actor) or is_staff_member(actor) or bool(member_departments(actor))


def require_read_rates(actor: Actor) -> None:
    if not can_read_rates(actor):
        raise PermissionDenied(_("仅供中心工作人员和承办部门使用。"))


def can_use_frontline(actor: Actor) -> bool:
    """The frontline workspace: receivers, department members and the centre's staff."""
    return can_receive(actor) or is_staff_member(actor) or bool(member_departments(actor))

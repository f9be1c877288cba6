"""Who may do what in patrols: the one door for its services, selectors, pages and API.

- A target's chiefs (河长 at district, street and village level, or its inspectors) record patrols on it
  while they hold the post, and read their own.
- The supervisors of a target's office (河长办 at the water bureau; a street for its buildings), leaders
  and administrators review flagged patrols; leaders and administrators also set warning levels and
  publish the frequency rules; the office's supervisors update its rivers' plans (一河一策).
- The centre's staff (leaders, caseworkers, auditors …) and the offices' members read every patrol and
  the compliance; an enterprise's member sees none of it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user, is_system
from shouzhan.core.permissions import is_staff_member, user_role
from shouzhan.core.roles import Role
from shouzhan.frontline.models import DepartmentMember
from shouzhan.frontline.permissions import member_departments
from shouzhan.patrols.models import Chief, Patrol, Target

MANAGER_ROLES = (Role.LEADER, Role.ADMIN)


def chief_on(actor: Actor, target: Target, day: dt.date) -> Chief | None:
    """The actor's post on the target on that day (None when they hold none)."""
    user = actor_user(actor)
    if user is None:
        return None
    return (
        Chief.objects.filter(target=target, user=user, from_on__lte=day)
        .filter(Q(to_on__isnull=True) | Q(to_on__gte=day))
        .order_by("level")
        .first()
    )


def require_chief(actor: Actor, target: Target, day: dt.date) -> Chief:
    chief = chief_on(actor, target, day)
    if chief is None:
        raise PermissionDenied(_("您在 %(d)s 不是“%(t)s”的河长或巡查员，不能登记这次巡查。") % {
            "d": day.isoformat(), "t": target.name,
        })  # fmt: skip
    return chief


# Who may hold a chief's post: officers (street and village chiefs), leaders (a district chief), the centre's
# caseworkers and administrators. Anyone else is nobody's chief, and the menu asks the database nothing.
CHIEF_ROLES = (Role.OFFICER, Role.LEADER, Role.CASEWORKER, Role.ADMIN)


def is_chief(actor: Actor) -> bool:
    """Holds a chief's post now (one query per request's user, remembered on it)."""
    user = actor_user(actor)
    if user is None or user_role(user) not in CHIEF_ROLES:
        return False
    cached: bool | None = getattr(user, "_patrols_is_chief", None)
    if cached is None:
        cached = Chief.objects.filter(user=user, to_on__isnull=True).exists()
        setattr(user, "_patrols_is_chief", cached)  # noqa: B010 — one query per request's user
    return cached


def office_ids(actor: Actor) -> set[int]:
    return set(member_departments(actor))


def reads_everything(actor: Actor) -> bool:
    return is_system(actor) or is_staff_member(actor)


def can_read_patrols(actor: Actor) -> bool:
    """The patrol pages: staff, the offices' members, and chiefs (their own)."""
    return reads_everything(actor) or bool(office_ids(actor)) or is_chief(actor)


def require_read_patrols(actor: Actor) -> None:
    if not can_read_patrols(actor):
        raise PermissionDenied(_("仅供河长、巡查员和工作人员使用。"))


def scope_patrols(actor: Actor, queryset: QuerySet[Patrol]) -> QuerySet[Patrol]:
    if reads_everything(actor):
        return queryset
    user = actor_user(actor)
    if user is None:
        return queryset.none()
    offices = office_ids(user)
    return queryset.filter(Q(patroller=user) | Q(target__office_id__in=offices))


def can_review(actor: Actor, target: Target) -> bool:
    """Accept or reject a flagged patrol: the target office's supervisors, leaders and administrators."""
    if user_role(actor) in MANAGER_ROLES:
        return True
    return target.office_id is not None and member_departments(actor).get(target.office_id) == (
        DepartmentMember.Role.SUPERVISOR
    )


def require_review(actor: Actor, target: Target) -> None:
    if not can_review(actor, target):
        raise PermissionDenied(_("只有主管部门负责人或领导可以复核巡查。"))


def can_manage(actor: Actor) -> bool:
    """Set warning levels and publish the frequency rules."""
    return is_system(actor) or user_role(actor) in MANAGER_ROLES


def require_manage(actor: Actor) -> None:
    if not can_manage(actor):
        raise PermissionDenied(_("只有领导或管理员可以修改预警等级和巡查频次规则。"))


def can_update_plan(actor: Actor, office_id: int | None) -> bool:
    """A river's plan (一河一策): its office's supervisors, leaders and administrators."""
    if can_manage(actor):
        return True
    return (
        office_id is not None and member_departments(actor).get(office_id) == DepartmentMember.Role.SUPERVISOR
    )


def require_update_plan(actor: Actor, office_id: int | None) -> None:
    if not can_update_plan(actor, office_id):
        raise PermissionDenied(_("只有主管部门负责人或领导可以更新一河一策。"))


def can_read_compliance(actor: Actor) -> bool:
    """Compliance of every chief (the leader's page, the export): staff and the offices' members."""
    return reads_everything(actor) or bool(office_ids(actor))


def require_read_compliance(actor: Actor) -> None:
    if not can_read_compliance(actor):
        raise PermissionDenied(_("仅供中心工作人员和主管部门使用。"))

"""Who may do what with cases: the one door, used by the services, the selectors, the pages and the API.

The refusal rule (docs/architecture.md): a case the actor may not know about is 404 (`require_case_read`,
never confirming that it exists); an action on a case they may see but not take — or a staff-only page
or action for a logged-in non-staff user — is 403 with a plain message (`PermissionDenied`). Visitors
are sent to log in before any of this (the pages' `login_required`, the API's 401).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case
from shouzhan.core.actors import Actor, actor_user, is_system
from shouzhan.core.permissions import is_staff_member, user_role
from shouzhan.core.roles import Role
from shouzhan.registry.permissions import member_enterprise_ids

CASEWORKER_ROLES = (Role.CASEWORKER, Role.ADMIN)
POLICY_ROLES = (Role.POLICY_OFFICER, Role.ADMIN)


# ----------------------------------------------------------------------------- who the actor is
def is_staff(actor: Actor) -> bool:
    """A member of the centre's staff (caseworkers, policy officers, leaders, auditors, administrators)."""
    return is_staff_member(actor)


def sees_every_case(actor: Actor) -> bool:
    """Staff and system actors read every case, staff-only fields included."""
    return is_system(actor) or is_staff_member(actor)


def is_enterprise_member(actor: Actor) -> bool:
    """A member of some enterprise (who may submit cases for it)."""
    user = actor_user(actor)
    return user is not None and bool(member_enterprise_ids(user))


def is_applicant(actor: Actor, case: Case) -> bool:
    user = actor_user(actor)
    if user is None:
        return False
    if case.enterprise_id is not None:
        return case.enterprise_id in member_enterprise_ids(user)
    return case.applicant_id is not None and case.applicant_id == user.pk


# Relations a higher module knows of (frontline: a member of the department a ticket is dispatched to).
RelationProvider = Callable[[Any, Case], set[str]]
_RELATION_PROVIDERS: list[RelationProvider] = []


def relation_provider_register(provider: RelationProvider) -> None:
    """A module above cases adds relations of its own: `provider(user, case) -> set of relations`.
    Registered once from the module's AppConfig.ready(); it answers only for its own case types."""
    if provider not in _RELATION_PROVIDERS:
        _RELATION_PROVIDERS.append(provider)


# Cases a higher module lets a user see beyond their enterprise's and their own (talent: the person a case
# was opened for by their enterprise): `provider(user) -> Q` over Case, OR-ed into the visible cases.
VisibilityProvider = Callable[[Any], Q]
_VISIBILITY_PROVIDERS: list[VisibilityProvider] = []


def visibility_provider_register(provider: VisibilityProvider) -> None:
    """Registered once from the module's AppConfig.ready(), beside its relation provider: the lists and
    `case_get` then find the cases `relations()` already gives the user a relation to."""
    if provider not in _VISIBILITY_PROVIDERS:
        _VISIBILITY_PROVIDERS.append(provider)


def provided_visibility(user: Any) -> Q:
    found = Q(pk__in=[])
    for provider in _VISIBILITY_PROVIDERS:
        found |= provider(user)
    return found


def provided_relations(user: Any, case: Case) -> set[str]:
    found: set[str] = set()
    for provider in _RELATION_PROVIDERS:
        found |= provider(user, case)
    return found


def relations(actor: Actor, case: Case) -> set[str]:
    """The relations (workflow.APPLICANT, ASSIGNEE, …) the actor has to the case."""
    if is_system(actor):
        return {wf.SYSTEM}
    found: set[str] = set()
    role = user_role(actor)
    user = actor_user(actor)
    if role is None or user is None:
        return found
    found |= provided_relations(user, case)
    if is_applicant(user, case):
        found.add(wf.APPLICANT)
    if role in CASEWORKER_ROLES:
        found.add(wf.CASEWORKER)
        if case.assignee_id is None or case.assignee_id == user.pk:
            found.add(wf.ASSIGNEE)
    if role in POLICY_ROLES:
        found.add(wf.POLICY_OFFICER)
    return found


# ----------------------------------------------------------------------------- reading
def can_read_case(actor: Actor, case: Case) -> bool:
    if sees_every_case(actor) or is_applicant(actor, case):
        return True
    user = actor_user(actor)
    return user is not None and bool(provided_relations(user, case))


def require_case_read(actor: Actor, case: Case) -> None:
    """404 for a case the actor may not know about."""
    if not can_read_case(actor, case):
        raise Http404(_("没有找到该办件。"))


def require_login(actor: Actor) -> None:
    """A person logged in, or a system actor."""
    if not is_system(actor) and actor_user(actor) is None:
        raise PermissionDenied(_("请先登录。"))


def require_staff(actor: Actor, message: Any = None) -> None:
    """403 for a staff-only page or action."""
    if not is_staff_member(actor):
        raise PermissionDenied(message or _("仅供中心工作人员使用。"))


# ----------------------------------------------------------------------------- acting on a case
def allowed_transitions(actor: Actor, case: Case) -> list[wf.Transition]:
    """The transitions this actor may take on this case right now (for buttons and the API)."""
    ct = wf.case_type_get(case.case_type)
    mine = relations(actor, case)
    return [t for t in ct.transitions_from(case.state) if t.who & mine]


def who_message(t: wf.Transition) -> str:
    who = "、".join(str(wf.RELATION_LABELS[r]) for r in sorted(t.who))
    return _("只有%(who)s可以进行“%(action)s”。") % {"who": who, "action": t.label}


def require_transition(actor: Actor, case: Case, t: wf.Transition) -> None:
    """403 unless the actor has one of the relations the transition names."""
    if not t.who & relations(actor, case):
        raise PermissionDenied(who_message(t))


def require_fields_editable(ct: wf.CaseType, actor: Actor, data: Any) -> None:
    """Fields only staff see are changed only by staff (or the system); what a step records (its `asks`)
    is written by taking that step, never through the data."""
    if not isinstance(data, dict):
        return
    recorded = sorted(set(data) & {f.name for f in ct.asked_fields})
    if recorded:
        raise ValidationError({recorded[0]: [_("这一项在办理时记录，不能在申请内容中修改。")]})
    if sees_every_case(actor):
        return
    hidden = sorted(set(data) & {f.name for f in ct.fields if f.staff_only})
    if hidden:
        raise ValidationError({hidden[0]: [_("申请人不能修改这一项。")]})


def can_upload(actor: Actor, case: Case) -> bool:
    """The applicant, caseworkers and the system add documents (to a case not yet closed)."""
    if wf.case_type_get(case.case_type).state(case.state).final:
        return False
    return bool(relations(actor, case) & {wf.APPLICANT, wf.CASEWORKER, wf.SYSTEM})


def require_upload(actor: Actor, case: Case) -> None:
    if not relations(actor, case) & {wf.APPLICANT, wf.CASEWORKER, wf.SYSTEM}:
        raise PermissionDenied(_("只有申请人和营商专员可以上传材料。"))


# ----------------------------------------------------------------------------- staff actions
def can_assign(actor: Actor) -> bool:
    """Caseworkers (and administrators) assign and reassign cases; leaders and auditors only read."""
    return not is_system(actor) and user_role(actor) in CASEWORKER_ROLES


def require_assign(actor: Actor) -> None:
    if not can_assign(actor):
        raise PermissionDenied(_("只有营商专员可以指派办件。"))


def can_be_assigned(user: Any) -> bool:
    """Only caseworkers (and administrators) in post take cases."""
    return user_role(user) in CASEWORKER_ROLES


def can_open_ticket(actor: Actor) -> bool:
    return can_assign(actor)


def require_ticket_open(actor: Actor) -> None:
    if not can_open_ticket(actor):
        raise PermissionDenied(_("只有营商专员可以登记工单。"))

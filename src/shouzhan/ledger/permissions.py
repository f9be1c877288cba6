"""Who may do what in the ledger: the one door its services, selectors, views and API all go through.

Refusals follow the site's rule: a record the user may not know about (another enterprise's wallet or
claim, a provider they do not work for) is 404; a staff page or an action they may see but not do is 403.
A system actor ("system:cases" acting on an approved application) may do what its caller allowed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan.accounts.models import Membership, Organisation
from shouzhan.core.actors import Actor, actor_user, is_system
from shouzhan.core.permissions import has_role, is_staff_member, user_role
from shouzhan.core.roles import Role
from shouzhan.ledger.models import Claim, Programme
from shouzhan.registry.permissions import member_enterprise_ids, require_enterprise_read

GRANT_ROLES = (Role.POLICY_OFFICER, Role.ADMIN)
APPROVE_ROLES = (Role.CASEWORKER, Role.ADMIN)
BUDGET_ROLES = (Role.POLICY_OFFICER, Role.ADMIN)
PAY_ROLES = (Role.CASEWORKER, Role.POLICY_OFFICER, Role.ADMIN)


# ----------------------------------------------------------------------------- who the user is to the ledger
def provider_ids(user: Actor) -> set[int]:
    """The provider organisations the user works for."""
    person = actor_user(user)
    if person is None or user_role(person) is None:
        return set()
    # Asked several times a page (menu, form, claims, totals): read once per user object, as
    # registry's member_enterprise_ids does.
    cache: set[int] | None = getattr(person, "_ledger_provider_ids", None)
    if cache is None:
        cache = set(
            Organisation.objects.filter(
                kind=Organisation.Kind.PROVIDER, memberships__user=person
            ).values_list("id", flat=True)
        )
        person._ledger_provider_ids = cache  # type: ignore[attr-defined]
    return set(cache)


def enterprise_ids(user: Actor) -> set[int]:
    """The enterprises whose vouchers the user holds (as one of their members)."""
    return member_enterprise_ids(user)


def is_staff(user: Actor) -> bool:
    return is_staff_member(user)


# ----------------------------------------------------------------------------- roles
def _allowed(actor: Actor, roles: tuple[str, ...]) -> bool:
    return is_system(actor) or has_role(actor, *roles)


def _require(actor: Actor, roles: tuple[str, ...]) -> None:
    if not _allowed(actor, roles):
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def can_grant(actor: Actor) -> bool:
    return _allowed(actor, GRANT_ROLES)


def can_approve(actor: Actor) -> bool:
    return _allowed(actor, APPROVE_ROLES)


def can_pay(actor: Actor) -> bool:
    return _allowed(actor, PAY_ROLES)


def require_grant(actor: Actor, *, by_case: bool = False) -> None:
    """A policy officer grants directly; an approved application carries its caseworker's authority."""
    _require(actor, GRANT_ROLES + (APPROVE_ROLES if by_case else ()))


def require_approve(actor: Actor) -> None:
    _require(actor, APPROVE_ROLES)


def require_budget(actor: Actor) -> None:
    _require(actor, BUDGET_ROLES)


def require_pay(actor: Actor) -> None:
    _require(actor, PAY_ROLES)


def require_staff(user: Actor) -> None:
    """The staff pages: a logged-in person who is not staff may know they exist, so 403, not 404."""
    if not is_staff_member(user):
        raise PermissionDenied(_("仅限中心工作人员查看。"))


def require_staff_grant(user: Actor) -> None:
    require_staff(user)
    require_grant(user)


# ----------------------------------------------------------------------------- claims
def claims_scope(actor: Actor, claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """Staff see every claim; an enterprise its own; a provider the ones it submitted."""
    if is_staff_member(actor):
        return claims
    return claims.filter(Q(provider_id__in=provider_ids(actor)) | Q(enterprise_id__in=enterprise_ids(actor)))


def require_enterprise_itself(actor: Actor, claim: Claim) -> None:
    """Only the claimed enterprise's own people answer a claim (staff who can read it may not)."""
    require_enterprise_read(actor, claim.enterprise_id)
    if claim.enterprise_id not in member_enterprise_ids(actor):
        raise PermissionDenied(_("只有企业本身可以确认核销申请。"))


def require_provider_known(user: Actor, provider: Organisation) -> None:
    """Staff, or someone who works for the provider; anyone else is not told it exists."""
    if provider.pk not in provider_ids(user) and not is_staff_member(user):
        raise Http404(_("没有找到该服务商。"))


def provider_standing(*, actor: Actor, programme: Programme, provider: Organisation) -> tuple[bool, bool]:
    """(the actor works for the provider, the provider is contracted for the programme) — one query."""
    user = actor_user(actor)
    members = Membership.objects.filter(organisation=OuterRef("pk"))
    members = members.filter(user=user) if user is not None else members.none()
    row = (
        Organisation.objects.filter(pk=provider.pk)
        .annotate(
            member=Exists(members),
            contracted=Exists(
                Programme.providers.through.objects.filter(
                    programme_id=programme.pk, organisation_id=OuterRef("pk")
                )
            ),
        )
        .values_list("kind", "member", "contracted")
        .first()
    )
    if row is None:
        return False, False
    kind, member, contracted = row
    works_for = bool(member and kind == Organisation.Kind.PROVIDER and user_role(actor) is not None)
    return works_for, bool(contracted)


def require_claim_submit(actor: Actor, *, works_for_provider: bool) -> None:
    if not is_system(actor) and not works_for_provider and not has_role(actor, Role.ADMIN):
        raise PermissionDenied(_("只有该服务商的成员可以提交核销申请。"))

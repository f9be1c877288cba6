"""Who may do what with works, licences and reports: the one door for assets' services, pages and API.

- An enterprise's members register works and versions of their own enterprise, offer licences on them,
  report infringements of them and read their reports, packs and certificates. They see another
  enterprise's work only once it is published, and then without its files (the title, kind, holder, DCI,
  the licences offered and the proof of existence — not the content).
- A licence is read by both sides: the holder and the licensee.
- The centre's staff read everything; caseworkers (and administrators) act on the rights-protection and
  licence cases through the cases module, and may build an evidence pack.
- Anybody, signed in or not, may check a file or a certificate's code on the public verification page:
  it tells whether that exact content was registered, when, and by which holder — nothing unpublished
  beyond that.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan.assets.models import InfringementReport, Licence, Work
from shouzhan.core.actors import Actor, actor_user, is_system
from shouzhan.core.permissions import is_staff_member, user_role
from shouzhan.core.roles import Role
from shouzhan.registry.permissions import member_enterprise_ids

CASEWORK_ROLES = (Role.CASEWORKER, Role.ADMIN)


def sees_every_work(actor: Actor) -> bool:
    """The centre's staff and the system read every enterprise's works, reports and licences."""
    return _staff(actor)


def _staff(actor: Actor) -> bool:
    return is_system(actor) or is_staff_member(actor_user(actor))


def _own(actor: Actor) -> set[int]:
    user = actor_user(actor)
    return member_enterprise_ids(user) if user is not None else set()


def own_enterprise_ids(actor: Actor) -> set[int]:
    """The enterprises the actor is a member of (none for staff who belong to none)."""
    return _own(actor)


# ----------------------------------------------------------------------------- works
def scope_works(actor: Actor, queryset: QuerySet[Work]) -> QuerySet[Work]:
    """The works the actor may know of: all for staff; an enterprise's own and every published one."""
    if _staff(actor):
        return queryset
    return queryset.filter(Q(published=True) | Q(enterprise_id__in=_own(actor)))


def is_owner(actor: Actor, work: Work) -> bool:
    return work.enterprise_id in _own(actor)


def can_read_work(actor: Actor, work: Work) -> bool:
    return work.published or _staff(actor) or is_owner(actor, work)


def can_read_content(actor: Actor, work: Work) -> bool:
    """The files themselves (downloads, thumbnails, fingerprints' frames): the owner and the staff."""
    return _staff(actor) or is_owner(actor, work)


def require_work_read(actor: Actor, work: Work) -> None:
    if not can_read_work(actor, work):
        raise Http404(_("没有找到该作品。"))


def require_content_read(actor: Actor, work: Work) -> None:
    require_work_read(actor, work)
    if not can_read_content(actor, work):
        raise PermissionDenied(_("作品文件只有权利人和中心工作人员可以查看。"))


def require_work_write(actor: Actor, work: Work) -> None:
    """Change a work, add a version, offer a licence: its own enterprise's members (staff may act for it)."""
    require_work_read(actor, work)
    if not (is_owner(actor, work) or user_role(actor_user(actor)) in CASEWORK_ROLES or is_system(actor)):
        raise PermissionDenied(_("只有权利人可以修改该作品。"))


def require_enterprise_register(actor: Actor, enterprise_id: int) -> None:
    """Register a work for an enterprise: its members, or a caseworker on its behalf."""
    if enterprise_id in _own(actor) or is_system(actor):
        return
    if user_role(actor_user(actor)) in CASEWORK_ROLES:
        return
    raise Http404(_("没有找到该企业。"))


# ----------------------------------------------------------------------------- licences
def scope_licences(actor: Actor, queryset: QuerySet[Licence]) -> QuerySet[Licence]:
    """Offers on published works for everyone signed in; a licence with a licensee for its two sides."""
    if _staff(actor):
        return queryset
    own = _own(actor)
    offered = Q(state=Licence.State.OFFERED, work__published=True)
    return queryset.filter(offered | Q(holder_id__in=own) | Q(licensee_id__in=own))


def require_licence_read(actor: Actor, licence: Licence) -> None:
    if not scope_licences(actor, Licence.objects.filter(pk=licence.pk)).exists():
        raise Http404(_("没有找到该授权。"))


# ----------------------------------------------------------------------------- reports
def scope_reports(actor: Actor, queryset: QuerySet[InfringementReport]) -> QuerySet[InfringementReport]:
    if _staff(actor):
        return queryset
    return queryset.filter(enterprise_id__in=_own(actor))


def require_report_read(actor: Actor, report: InfringementReport) -> None:
    if not (_staff(actor) or report.enterprise_id in _own(actor)):
        raise Http404(_("没有找到该侵权线索。"))


def can_build_pack(actor: Actor, report: InfringementReport) -> bool:
    """The reporting enterprise and the centre's caseworkers build (and rebuild) the evidence pack."""
    return (
        report.enterprise_id in _own(actor)
        or user_role(actor_user(actor)) in CASEWORK_ROLES
        or is_system(actor)
    )


def require_pack_build(actor: Actor, report: InfringementReport) -> None:
    require_report_read(actor, report)
    if not can_build_pack(actor, report):
        raise PermissionDenied(_("只有权利人和营商专员可以生成证据包。"))

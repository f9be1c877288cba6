"""Who may read and write an enterprise's records: the one door for every module's enterprise-owned data.

The rule: staff of the centre read every enterprise (within their role); an enterprise's members read and
write only their own organisation's data; anyone else sees nothing — and gets 404 rather than a hint that
the record exists. An action on an enterprise the user may see but not change is 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan.core.permissions import has_role, is_staff_member, require_role, user_role
from shouzhan.core.roles import ENTERPRISE_EDITOR_ROLES, Role
from shouzhan.registry.models import Enterprise, ImportJob

# Who may import and export the enterprise register (policy of the centre).
IMPORT_EXPORT_ROLES = (Role.CASEWORKER, Role.POLICY_OFFICER, Role.LEADER, Role.ADMIN)
# Who may keep records of people who belong to no enterprise (inventors, mentors).
UNATTACHED_PERSON_ROLES = (Role.CASEWORKER, Role.ADMIN)


def member_enterprise_ids(user: Any) -> set[int]:
    """Ids of the enterprises whose organisation the user belongs to."""
    if user_role(user) is None:
        return set()
    cache = getattr(user, "_member_enterprise_ids", None)
    if cache is None:
        cache = set(
            Enterprise.objects.filter(organisation__memberships__user=user).values_list("id", flat=True)
        )
        user._member_enterprise_ids = cache
    return set(cache)


def scope_to_enterprises(user: Any, queryset: QuerySet[Any], field: str = "enterprise_id") -> QuerySet[Any]:
    """Restrict a queryset of enterprise-owned rows to what the user may read."""
    if is_staff_member(user):
        return queryset
    ids = member_enterprise_ids(user)
    if not ids:
        return queryset.none()
    return queryset.filter(**{f"{field}__in": ids})


def can_read_enterprise(user: Any, enterprise_id: int) -> bool:
    return is_staff_member(user) or enterprise_id in member_enterprise_ids(user)


def can_write_enterprise(user: Any, enterprise_id: int) -> bool:
    return user_role(user) in ENTERPRISE_EDITOR_ROLES or enterprise_id in member_enterprise_ids(user)


def require_enterprise_read(user: Any, enterprise_id: int) -> None:
    if not can_read_enterprise(user, enterprise_id):
        raise Http404(_("没有找到该企业。"))


def require_enterprise_write(user: Any, enterprise_id: int) -> None:
    if not can_read_enterprise(user, enterprise_id):
        raise Http404(_("没有找到该企业。"))
    if not can_write_enterprise(user, enterprise_id):
        raise PermissionDenied(_("您可以查看，但无权修改该企业的信息。"))


# ----------------------------------------------------------------------------- the registry's own checks
def require_register_read(user: Any) -> None:
    """The register of every enterprise is the centre's: a logged-in enterprise member may see the page
    exists (its menu entry is staff-only) but is refused it with 403."""
    if not is_staff_member(user):
        raise PermissionDenied(_("企业库仅对服务中心工作人员开放。"))


def can_import_export(user: Any) -> bool:
    return has_role(user, *IMPORT_EXPORT_ROLES)


def require_import_export(user: Any) -> None:
    if not can_import_export(user):
        raise PermissionDenied(_("只有营商专员、政策专员、领导和管理员可以导入或导出企业名录。"))


def require_person_write(user: Any, enterprise_id: int | None) -> None:
    """A person of an enterprise is written by whoever may write the enterprise; one of no enterprise by
    a caseworker or an administrator."""
    if enterprise_id is None:
        require_role(user, *UNATTACHED_PERSON_ROLES)
    else:
        require_enterprise_write(user, enterprise_id)


def can_read_import_job(user: Any, job: ImportJob) -> bool:
    """An import job is its uploader's (and an administrator's); to anyone else it does not exist."""
    return job.actor_id == getattr(user, "pk", None) or has_role(user, Role.ADMIN)

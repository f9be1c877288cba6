"""Permission helpers every module uses, so pages, the API and commands never disagree.

The rule: staff of the centre read every enterprise (within their role); an
enterprise's members read and write only their own organisation's data; anyone
else sees nothing — and gets 404 rather than a hint that the record exists.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan.core.roles import AUDIT_READER_ROLES, ENTERPRISE_EDITOR_ROLES, STAFF_ROLES, Role


def user_role(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    return getattr(user, "role", None)


def has_role(user: Any, *roles: str) -> bool:
    return user_role(user) in roles


def require_role(user: Any, *roles: str) -> None:
    if not has_role(user, *roles):
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def require_login(user: Any) -> None:
    if user_role(user) is None:
        raise PermissionDenied(_("请先登录。"))


def is_staff_member(user: Any) -> bool:
    return user_role(user) in STAFF_ROLES


def can_read_audit(user: Any) -> bool:
    return user_role(user) in AUDIT_READER_ROLES


def member_enterprise_ids(user: Any) -> set[int]:
    """Ids of the enterprises whose organisation the user belongs to."""
    if user_role(user) is None:
        return set()
    cache = getattr(user, "_member_enterprise_ids", None)
    if cache is None:
        from shouzhan.registry.models import Enterprise

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

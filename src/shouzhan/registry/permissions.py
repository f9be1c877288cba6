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

from shouzhan.core.permissions import is_staff_member, user_role
from shouzhan.core.roles import ENTERPRISE_EDITOR_ROLES
from shouzhan.registry.models import Enterprise


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

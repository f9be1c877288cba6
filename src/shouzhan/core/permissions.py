"""Roles: who a user is to the centre. Every module's permissions.py builds on these.

What an enterprise's members may read and write is the registry's (`shouzhan.registry.permissions`),
because it reads memberships; core knows roles only and imports nothing above it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shouzhan.core.roles import AUDIT_READER_ROLES, STAFF_ROLES, Role


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

"""Who may do what in talent services: the record's rules are the registry's (`registry.talent.permissions`);
this module adds only who may open a support case and who sees the staff's pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shouzhan.core.permissions import is_staff_member
from shouzhan.registry.talent.permissions import (  # the one door, re-exported for the pages
    FULL,
    KEEPER,
    PROFILE,
    STAFF,
    can_apply_for,
    can_read_course,
    can_run_course,
    can_write_record,
    is_keeper,
    record_access,
    require_apply_for,
    require_course_read,
    require_course_run,
    require_record_read,
    require_record_write,
    require_share_set,
)


def sees_support_cases(access: str | None) -> bool:
    """The support cases on a record: its keeper, the staff, and an enterprise shown everything."""
    return access in (KEEPER, STAFF, FULL)


def require_staff(user: Any) -> None:
    if not is_staff_member(user):
        raise PermissionDenied(_("人才库仅对服务中心工作人员开放。"))


__all__ = [
    "FULL",
    "KEEPER",
    "PROFILE",
    "STAFF",
    "can_apply_for",
    "can_read_course",
    "can_run_course",
    "can_write_record",
    "is_keeper",
    "record_access",
    "require_apply_for",
    "require_course_read",
    "require_course_run",
    "require_record_read",
    "require_record_write",
    "require_share_set",
    "require_staff",
    "sees_support_cases",
]

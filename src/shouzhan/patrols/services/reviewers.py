"""Who is told of a flagged patrol: its target office's supervisors (河长办's 负责人)."""

from __future__ import annotations

from django.db.models import QuerySet

from shouzhan.accounts.models import User
from shouzhan.frontline.models import DepartmentMember
from shouzhan.patrols.models import Target


def reviewers_of(target: Target) -> QuerySet[User]:
    if target.office_id is None:
        return User.objects.none()
    return User.objects.filter(
        departments__department_id=target.office_id, departments__role=DepartmentMember.Role.SUPERVISOR
    )

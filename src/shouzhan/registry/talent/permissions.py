"""Who may read and keep a talent record, and run a training course: the one door for pages, API and services.

A record is kept by its person when they have an account; a person without one (an enterprise's team member
entered by the enterprise) has the record kept by the members of that enterprise. The centre's staff read
every record; caseworkers and administrators may correct one. An enterprise the person belongs to reads
only what the person shared with it (`TalentShare`: the profile, or everything); anyone else gets 404.
A course is run by the members of its organiser (and the centre's caseworkers); its trainees see their own
attendance on their record.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan.core.permissions import has_role, is_staff_member, user_role
from shouzhan.core.roles import ENTERPRISE_EDITOR_ROLES
from shouzhan.registry.models import Enterprise, Person
from shouzhan.registry.permissions import member_enterprise_ids
from shouzhan.registry.talent.choices import ShareLevel
from shouzhan.registry.talent.models import TalentRecord, TrainingCourse

KEEPER = "keeper"  # the person (or, for a person without an account, their enterprise's members)
STAFF = "staff"  # the centre's staff: everything, read-only unless a caseworker or administrator
FULL = ShareLevel.FULL.value
PROFILE = ShareLevel.PROFILE.value


def is_keeper(user: Any, person: Person) -> bool:
    """The user keeps this person's record: it is theirs, or the person has no account and belongs to an
    enterprise the user is a member of."""
    if user_role(user) is None:
        return False
    if person.user_id is not None:
        return bool(person.user_id == user.pk)
    return person.enterprise_id is not None and person.enterprise_id in member_enterprise_ids(user)


def person_enterprise_ids(person: Person) -> set[int]:
    """The enterprises a person belongs to: their registry enterprise and their account's memberships."""
    ids = {person.enterprise_id} if person.enterprise_id is not None else set()
    if person.user_id is not None:
        ids |= set(
            Enterprise.objects.filter(organisation__memberships__user_id=person.user_id).values_list(
                "id", flat=True
            )
        )
    return ids


def record_access(user: Any, record: TalentRecord) -> str | None:
    """KEEPER, STAFF, FULL or PROFILE (what a sharing enterprise's member reads), or None."""
    if user_role(user) is None:
        return None
    if is_keeper(user, record.person):
        return KEEPER
    if is_staff_member(user):
        return STAFF
    mine = member_enterprise_ids(user)
    if not mine:
        return None
    levels = {s.level for s in record.shares.all() if s.enterprise_id in mine}
    if FULL in levels:
        return FULL
    return PROFILE if PROFILE in levels else None


def require_record_read(user: Any, record: TalentRecord) -> str:
    access = record_access(user, record)
    if access is None:
        raise Http404(_("没有找到该人才档案。"))
    return access


def can_write_record(user: Any, record: TalentRecord) -> bool:
    return is_keeper(user, record.person) or user_role(user) in ENTERPRISE_EDITOR_ROLES


def require_record_write(user: Any, record: TalentRecord) -> None:
    require_record_read(user, record)
    if not can_write_record(user, record):
        raise PermissionDenied(_("人才档案由本人维护，您可以查看，但不能修改。"))


def require_share_set(user: Any, record: TalentRecord) -> None:
    """Only the person decides who reads their record (not the enterprise, not the staff)."""
    require_record_read(user, record)
    if record.person.user_id is None or record.person.user_id != user.pk:
        raise PermissionDenied(_("只有本人可以设置档案对企业的可见范围。"))


def can_apply_for(user: Any, person: Person) -> bool:
    """The person themselves, or a member of the person's enterprise applying for its member."""
    if is_keeper(user, person):
        return True
    return person.enterprise_id is not None and person.enterprise_id in member_enterprise_ids(user)


def require_apply_for(user: Any, person: Person) -> None:
    if not can_apply_for(user, person):
        raise Http404(_("没有找到该人员。"))


# ----------------------------------------------------------------------------- training courses
def can_read_course(user: Any, course: TrainingCourse) -> bool:
    return is_staff_member(user) or course.organiser_id in member_enterprise_ids(user)


def require_course_read(user: Any, course: TrainingCourse) -> None:
    if not can_read_course(user, course):
        raise Http404(_("没有找到该培训课程。"))


def can_run_course(user: Any, organiser_id: int) -> bool:
    return organiser_id in member_enterprise_ids(user) or has_role(user, *ENTERPRISE_EDITOR_ROLES)


def require_course_run(user: Any, organiser_id: int) -> None:
    if not (is_staff_member(user) or organiser_id in member_enterprise_ids(user)):
        raise Http404(_("没有找到该培训课程。"))
    if not can_run_course(user, organiser_id):
        raise PermissionDenied(_("只有举办机构和营商专员可以维护课程、学员和考勤。"))

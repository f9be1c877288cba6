"""Who may do what with the policy catalogue (used by policies' services, selectors and pages alike).

Everyone reads what is published. The centre's staff also see drafts and withdrawn versions and review a
draft; policy officers (and administrators) upload, publish and withdraw. A draft is "not found" to
anyone else (404); uploading, publishing or reviewing without the role is refused with 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.core.permissions import has_role, is_staff_member
from shouzhan.core.roles import Role
from shouzhan.policies.models import PolicyVersion
from shouzhan.registry.permissions import member_enterprise_ids

EDITOR_ROLES = (Role.POLICY_OFFICER, Role.ADMIN)


def can_edit_policies(actor: Actor) -> bool:
    """Upload, publish and withdraw rule files."""
    return has_role(actor, *EDITOR_ROLES)


def require_policy_editor(actor: Actor, message: str = "") -> None:
    if not can_edit_policies(actor):
        raise PermissionDenied(message or _("您的角色无权进行此操作。"))


def can_read_rule_expressions(actor: Actor) -> bool:
    """A trace's expressions (the rule text behind each sentence): policy officers and administrators;
    everyone else reads the sentences only."""
    return has_role(actor, *EDITOR_ROLES)


def can_see_drafts(actor: Actor) -> bool:
    """Drafts and withdrawn versions, and a draft's review: the centre's staff."""
    return is_staff_member(actor)


def require_version_read(actor: Actor, version: PolicyVersion) -> None:
    if version.status != PolicyVersion.Status.PUBLISHED and not can_see_drafts(actor):
        raise Http404(_("没有找到该版本。"))


def require_draft_review(actor: Actor) -> None:
    if not can_see_drafts(actor):
        raise PermissionDenied(_("只有政策工作人员可以审阅草稿。"))


def can_apply_from_calculator(actor: Actor, enterprise_id: int) -> bool:
    """Members apply for their own enterprise (staff see any enterprise's result, but do not apply)."""
    return enterprise_id in member_enterprise_ids(actor)

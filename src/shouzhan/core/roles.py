"""Roles of DESIGN.md. Kept in core so every module can check them without importing accounts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ENTREPRENEUR = "entrepreneur", _("创业者·企业")
    CASEWORKER = "caseworker", _("营商专员")
    POLICY_OFFICER = "policy_officer", _("政策专员")
    MENTOR = "mentor", _("导师")
    LEADER = "leader", _("领导")
    AUDITOR = "auditor", _("审计")
    OFFICER = "officer", _("部门工作人员")  # a member of a department tickets are dispatched to (frontline)
    ADMIN = "admin", _("管理员")


# Staff of the centre: they work on every enterprise's records (within their role).
STAFF_ROLES = frozenset({Role.CASEWORKER, Role.POLICY_OFFICER, Role.LEADER, Role.AUDITOR, Role.ADMIN})
# Who may change an enterprise's records besides its own members.
ENTERPRISE_EDITOR_ROLES = frozenset({Role.CASEWORKER, Role.ADMIN})
# Who may read the audit trail.
AUDIT_READER_ROLES = frozenset({Role.AUDITOR, Role.ADMIN, Role.LEADER})

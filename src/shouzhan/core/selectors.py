"""Core reads: the audit trail (for auditors) and an enterprise's own history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shouzhan.core.models import AuditEntry
from shouzhan.core.permissions import can_read_audit, require_enterprise_read


def audit_list(
    *,
    actor: Any,
    q: str = "",
    action: str = "",
    target_type: str = "",
    actor_id: int | None = None,
    enterprise_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    if not can_read_audit(actor):
        raise PermissionDenied(_("只有审计、领导和管理员可以查看审计记录。"))
    entries = AuditEntry.objects.select_related("actor")
    if q:
        entries = entries.filter(
            Q(target_label__icontains=q) | Q(actor_label__icontains=q) | Q(note__icontains=q)
        )
    if action:
        entries = entries.filter(action__startswith=action)
    if target_type:
        entries = entries.filter(target_type=target_type)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if enterprise_id:
        entries = entries.filter(enterprise_id=enterprise_id)
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by().values_list("action", flat=True).distinct())


def enterprise_history(*, actor: Any, enterprise_id: int) -> QuerySet[AuditEntry]:
    """An enterprise's own change history: visible to its members and to staff."""
    require_enterprise_read(actor, enterprise_id)
    return AuditEntry.objects.filter(enterprise_id=enterprise_id).select_related("actor")

"""Core reads: the audit trail and its chain, for those who may read it (an enterprise's own history is
the registry's, which knows who belongs to it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.core.audit_chain import problem_text
from shouzhan.core.models import AuditEntry
from shouzhan.core.permissions import can_read_audit


def audit_list(
    *,
    actor: Actor,
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


@dataclass(frozen=True)
class ChainStatus:
    """The audit chain as the auditor's page tells it: the last check, and what came after it."""

    checked: AuditEntry | None  # the last chain check (audit.verify before #12); None: never checked
    ok: bool
    head_sequence: int
    head_hash: str
    problem: str  # the first broken link in words ("" when whole)
    at_sequence: int | None
    since: int  # entries written after that check
    waiting: int  # entries not chained yet (normally 0: they are chained as they commit)


def audit_chain_status(*, actor: Actor) -> ChainStatus:
    if not can_read_audit(actor):
        raise PermissionDenied(_("只有审计、领导和管理员可以查看审计记录。"))
    checked = (
        AuditEntry.objects.filter(action__in=("audit.verify", "core.chain_verify")).order_by("-id").first()
    )
    after = checked.after if checked is not None and isinstance(checked.after, dict) else {}
    ok = bool(after.get("ok"))
    at_sequence = after.get("at_sequence")
    return ChainStatus(
        checked=checked,
        ok=ok,
        head_sequence=int(after.get("head_sequence") or 0),
        head_hash=str(after.get("head_hash") or ""),
        problem="" if ok or checked is None else problem_text(str(after.get("problem")), at_sequence),
        at_sequence=at_sequence,
        since=AuditEntry.objects.filter(pk__gt=checked.pk).count() if checked is not None else 0,
        waiting=AuditEntry.objects.filter(sequence__isnull=True).count(),
    )

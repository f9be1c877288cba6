"""The one way every module records who did what (Zulip-style: each action writes its own entry).

Call `audit_record` inside the same transaction as the change it describes, so the
change and its record commit or roll back together. Entries are hash-chained when that
transaction commits (`shouzhan.core.audit_chain`).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from shouzhan.core.audit_chain import chain_at_commit
from shouzhan.core.models import AuditEntry

# The current request's client address, set by middleware; services need not take a request.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)


def json_safe(value: Any) -> Any:
    """Turn a model field value into something JSON can hold without losing exactness."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance (foreign keys as ids)."""
    names = fields or [
        f.attname
        for f in instance._meta.concrete_fields
        if f.attname not in {"id", "created_at", "updated_at"}
    ]
    return {name: json_safe(getattr(instance, name)) for name in names}


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    target_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    enterprise_id: int | None = None,
) -> AuditEntry:
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk or ""
        target_label = target_label or str(target)[:255]
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = ""
    if user is not None:
        label = getattr(user, "display_name", "") or str(user)
    elif isinstance(actor, str):
        label = actor  # a system actor, e.g. "system:import" or "task:reminders"
    # A transaction of its own when the caller has none, so the entry and its chaining go together.
    with transaction.atomic(savepoint=False):
        entry = AuditEntry.objects.create(
            actor=user,
            actor_label=label[:150],
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            target_label=target_label[:255],
            enterprise_id=int(enterprise_id) if enterprise_id is not None else None,
            before=json_safe(before) if before is not None else None,
            after=json_safe(after) if after is not None else None,
            note=note,
            ip=current_ip.get(),
        )
        chain_at_commit()
    return entry

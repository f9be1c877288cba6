"""The one way every module records who did what (Zulip-style: each action writes its own entry).

Call `audit_record` inside the same transaction as the change it describes, so the
change and its record commit or roll back together. Entries are hash-chained when that
transaction commits (`shouzhan.core.audit_chain`).

Actions are declared, not free text: each module lists its actions with the words people read on the
audit page in its own ``audit_actions.py`` (``audit_actions_declare("cases", {"case_submit": _l("提交办件")})``),
named ``<module>.<thing>_<verb>``. `audit_record` refuses an action nobody declared, so a typo or a code
built at run time fails the first test that reaches it. `audited_update` is the one
lock → apply → diff → audit for a change to one row.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.actors import Actor, actor_label, actor_user
from shouzhan.core.audit_chain import chain_at_commit
from shouzhan.core.errors import Conflict
from shouzhan.core.models import AuditEntry

# The current request's client address, set by middleware; services need not take a request.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)


# ----------------------------------------------------------------------------- the declared actions
ACTION_NAME = re.compile(r"^[a-z][a-z0-9]*\.[a-z][a-z0-9]*(_[a-z0-9]+)+$")  # <module>.<thing>_<verb>


@dataclass(frozen=True)
class AuditAction:
    code: str  # "cases.case_submit"
    label: Any  # what the audit page says: "提交办件"


class UnknownAuditAction(ValueError):
    """An audit entry for an action no module declared (a programming error, not bad input)."""


_actions: dict[str, AuditAction] = {}
_discovered = False


def audit_actions_declare(module: str, actions: Mapping[str, Any]) -> dict[str, AuditAction]:
    """Declare a module's actions: ``{"<thing>_<verb>": label}``. Returns them by full code."""
    declared: dict[str, AuditAction] = {}
    for name, label in actions.items():
        code = f"{module}.{name}"
        if not ACTION_NAME.match(code):
            raise ValueError(f"audit action {code!r} is not named <module>.<thing>_<verb>")
        known = _actions.get(code)
        if known is not None and str(known.label) != str(label):
            raise ValueError(f"audit action {code!r} declared twice with different labels")
        declared[code] = _actions[code] = AuditAction(code, label)
    return declared


# Words for what a service writes beyond its model's fields (a run's counts, a decision's code) and for
# values its model does not name (a chain's key): declared by the module beside its actions, read by the
# audit pages so that an auditor reads words, never codes.
_keys: dict[tuple[str, str], Any] = {}
_values: dict[tuple[str, str], Callable[[Any], str | None]] = {}


def audit_words_declare(
    target_type: str,
    keys: Mapping[str, Any] | None = None,
    values: Mapping[str, Mapping[str, Any] | Callable[[Any], str | None]] | None = None,
) -> None:
    """Declare the words of `target_type`'s ("app.model") own audit keys ({key: label}) and of values
    ({key: {code: label}} or {key: function(value) → words or None})."""
    target_type = target_type.lower()
    for key, label in (keys or {}).items():
        _keys[(target_type, key)] = label
    for key, table in (values or {}).items():
        _values[(target_type, key)] = table if callable(table) else _lookup(dict(table))


def _lookup(table: dict[str, Any]) -> Callable[[Any], str | None]:
    def words(value: Any) -> str | None:
        label = table.get(str(value))
        return None if label is None else str(label)

    return words


def audit_key_label(target_type: str, key: str) -> str | None:
    _discover()
    label = _keys.get((target_type.lower(), key))
    return None if label is None else str(label)


def audit_value_words(target_type: str, key: str, value: Any) -> str | None:
    _discover()
    words = _values.get((target_type.lower(), key))
    return None if words is None else words(value)


def _discover() -> None:
    # Each installed app's audit_actions.py, once (as admin.autodiscover does): core imports nothing above it.
    global _discovered
    if not _discovered:
        _discovered = True
        autodiscover_modules("audit_actions")


def audit_action_all() -> list[AuditAction]:
    _discover()
    return sorted(_actions.values(), key=lambda a: a.code)


def audit_action_get(code: str) -> AuditAction | None:
    _discover()
    return _actions.get(code)


def audit_action_label(code: str) -> str:
    """The words for an action; an entry from before the actions were declared shows a neutral phrase."""
    action = audit_action_get(code)
    return str(action.label) if action is not None else str(_l("其他操作"))


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
    actor: Actor | None,
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
    if audit_action_get(action) is None:
        raise UnknownAuditAction(f"audit action {action!r} is not declared in any module's audit_actions.py")
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk or ""
        target_label = target_label or str(target)[:255]
    user = actor_user(actor)
    label = actor_label(actor) if actor is not None and (user is not None or isinstance(actor, str)) else ""
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


# ----------------------------------------------------------------------------- one row, changed and audited
M = TypeVar("M", bound=models.Model)
STALE_MESSAGE = _l("该记录已被他人修改，请刷新后重试")


def audited_update(
    *,
    actor: Actor,
    instance: M,
    action: str,
    apply: Callable[[M], None] | None = None,
    changes: Mapping[str, Any] | None = None,
    fields: Iterable[str] | None = None,
    expected_version: int | None = None,
    conflict_message: Any = STALE_MESSAGE,
    note: str = "",
    enterprise_id: int | None = None,
    clean: bool = True,
) -> M:
    """Lock the row, apply the change, save it and audit exactly what changed — or nothing when nothing did.

    The change is either `changes` (field → value) or `apply(locked)` for a change that needs code.
    With `expected_version` the row must still be at that version (optimistic locking; `Conflict`
    otherwise), and a row with a `version` field moves to the next one. `fields` limits the diff (and the
    save) to those fields; by default every concrete field but the id and timestamps.
    """
    model = type(instance)
    with transaction.atomic():
        try:
            locked = model._default_manager.select_for_update().get(pk=instance.pk)
        except model.DoesNotExist as exc:  # type: ignore[attr-defined]
            raise ValidationError(_l("该记录已不存在。")) from exc
        versioned = any(f.attname == "version" for f in locked._meta.concrete_fields)
        if expected_version is not None and versioned and locked.version != expected_version:  # type: ignore[attr-defined]
            raise Conflict(conflict_message, detail={"current_version": locked.version})  # type: ignore[attr-defined]
        names = list(fields) if fields is not None else None
        before = snapshot(locked, names)
        for name, value in (changes or {}).items():
            setattr(locked, name, value)
        if apply is not None:
            apply(locked)
        if clean:
            locked.full_clean()
        after = snapshot(locked, names)
        old = {k: v for k, v in before.items() if after.get(k) != v}
        new = {k: after[k] for k in old}
        if not new:
            return locked
        if versioned:
            locked.version += 1  # type: ignore[attr-defined]
        locked.save()
        audit_record(
            actor=actor,
            action=action,
            target=locked,
            before=old,
            after=new,
            note=note,
            enterprise_id=enterprise_id,
        )
    return locked

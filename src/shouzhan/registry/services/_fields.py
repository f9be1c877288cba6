"""Steps the registry's writes share: merged validation errors and money fields given in yuan."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record, snapshot
from shouzhan.core.money import MoneyError, parse_yuan_fen


def full_clean_merged(
    instance: models.Model, errors: dict[str, list[str]], *, exclude: list[str], mapping: dict[str, str]
) -> None:
    """Run the model's validation on the fields not already refused, and raise every error at once.

    Model field names are renamed to the names callers use (annual_revenue_fen → annual_revenue_yuan).
    """
    reverse = {v: k for k, v in mapping.items()}
    skip = [*exclude, *(reverse.get(name, name) for name in errors)]
    try:
        instance.full_clean(exclude=skip, validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(mapping.get(name, name), []).extend(messages)
    if errors:
        raise ValidationError(errors)


def unknown_fields(data: dict[str, Any], known: set[str] | tuple[str, ...]) -> list[str]:
    """The "未知字段" message for keys no field has (empty when there are none)."""
    unknown = sorted(set(data) - set(known))
    return [_("未知字段：%(names)s") % {"names": "、".join(unknown)}] if unknown else []


def is_empty(value: Any) -> bool:
    """None or blank text: "unknown", which clears the field."""
    return value is None or (isinstance(value, str) and not value.strip())


def set_fen(instance: models.Model, attname: str, key: str, value: Any, errors: dict[str, list[str]]) -> None:
    """Set a money field from yuan (Decimal or text); blank clears it; a bad amount is reported under `key`."""
    if is_empty(value):
        setattr(instance, attname, None)
        return
    try:
        setattr(instance, attname, parse_yuan_fen(value))
    except MoneyError as exc:
        errors[key] = [str(exc)]


def enterprise_row_delete(*, actor: Actor, instance: Any, action: str) -> None:
    """Delete a row an enterprise owns (a person, a project), its last state kept in the audit trail."""
    audit_record(
        actor=actor,
        action=action,
        target=instance,
        before=snapshot(instance),
        enterprise_id=instance.enterprise_id,
    )
    instance.delete()

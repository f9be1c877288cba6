"""The audit trail as people read it: the action's declared words, each field by its label, each value as
it is said — a choice by its label, a list joined in words, money as money, a date as a date, a related
record by its name. The stored code stays beside the words (`Shown.code`) for the page's tooltip, so an
auditor can still see exactly what was written.

Entries keep what the services wrote (`target_type` "app.model", field names or attnames, JSON values);
nothing here changes them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.text import get_text_list
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shouzhan.core.audit import audit_action_label, audit_key_label, audit_value_words
from shouzhan.core.models import AuditEntry
from shouzhan.core.money import format_yuan

EMPTY: tuple[Any, ...] = (None, "", [], {})
CHAIN_CHECK_ACTIONS = frozenset({"audit.verify", "core.chain_verify"})
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")
FEN_UNIT = re.compile(r"\s*[（(](分|fen)[)）]\s*$")  # "金额（分）": shown in yuan, so the unit goes


@dataclass(frozen=True)
class Shown:
    """Words for people, and the stored code behind them (empty when the words are the value itself)."""

    text: str
    code: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Change:
    field: Shown
    before: Shown | None  # None: the field had no value (a new record)
    after: Shown


@dataclass(frozen=True)
class AuditRow:
    """One entry as a leader or auditor reads it: no codes, no ids (those only in tooltips)."""

    entry: AuditEntry
    action: Shown  # the declared words; the code in the tooltip
    actor: str  # the person's (or system actor's) name
    target: str  # the thing, by its name
    changes: list[Change] = field(default_factory=list)
    chain_check: bool = False  # the chain check's own entry: its note, the fingerprint behind a toggle


def audit_rows(entries: Iterable[AuditEntry]) -> list[AuditRow]:
    entries = list(entries)
    names = _related_names(entries)
    return [
        AuditRow(
            entry=e,
            action=Shown(audit_action_label(e.action), e.action),
            actor=e.actor_label or "—",
            target=e.target_label or "—",
            changes=[
                Change(
                    field=_field_words(e.target_type, name),
                    before=None if before is None else value_words(e.target_type, name, before, names),
                    after=value_words(e.target_type, name, after, names),
                )
                for name, before, after in sorted(e.changes, key=lambda c: _reading_order(e, c[0]))
                if not (before is None and after in EMPTY)  # a new record's blank fields say nothing
            ],
            chain_check=e.action in CHAIN_CHECK_ACTIONS,
        )
        for e in entries
    ]


# ----------------------------------------------------------------------------- fields
def _reading_order(entry: AuditEntry, name: str) -> tuple[bool, int, str]:
    """The fields the entry had before first, then the ones it set; each in the model's field order.

    Not the order the entry's keys were written in: PostgreSQL's jsonb keeps its own key order, and the page
    must read the same on every database."""
    f = model_field(entry.target_type, name)
    fields = f.model._meta.concrete_fields if f is not None else ()
    position = fields.index(f) if f in fields else 10_000
    return (name not in (entry.before if isinstance(entry.before, dict) else {}), position, name)


@cache
def model_field(target_type: str, name: str) -> models.Field[Any, Any] | None:
    """The model field an entry's key names (by name or attname), or None for a key of the service's own."""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return None
    for f in model._meta.concrete_fields:
        if name in (f.name, f.attname):
            return f
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _field_words(target_type: str, name: str) -> Shown:
    f = model_field(target_type, name)
    if f is None:
        declared = audit_key_label(target_type, name)
        return Shown(declared, name) if declared is not None else Shown(name)
    label = str(f.verbose_name)
    if _is_money(name, f):
        label = FEN_UNIT.sub("", label)
    return Shown(label[:1].upper() + label[1:], name)


def _related(f: models.Field[Any, Any] | None) -> type[models.Model] | None:
    """The model a foreign key points at (None for any other field)."""
    model = f.related_model if f is not None and f.is_relation else None
    return model if isinstance(model, type) and issubclass(model, models.Model) else None


def _is_money(name: str, f: models.Field[Any, Any] | None) -> bool:
    """Money is stored as integer fen in fields named …_fen (DESIGN.md: money is exact)."""
    return name.endswith("_fen") and (f is None or isinstance(f, models.IntegerField))


# ----------------------------------------------------------------------------- values
def value_words(
    target_type: str, name: str, value: Any, names: dict[tuple[str, str], str] | None = None
) -> Shown:
    """One stored value as it is said; `names` holds related records' names by (model label, pk)."""
    if value is None or value == "":
        return Shown("—")
    f = model_field(target_type, name)
    code = _code(value)
    declared = audit_value_words(target_type, name, value) if target_type else None
    if declared is not None:
        return Shown(declared, code)
    related = _related(f)
    if related is not None:
        label = related._meta.label_lower
        text = (names or {}).get((label, str(value)))
        return Shown(text if text is not None else _("（已删除的记录）"), f"{label} #{value}")
    if f is not None and f.choices:
        return Shown(str(dict(f.flatchoices).get(value, value)), code)
    if isinstance(value, bool):
        return Shown(_("是") if value else _("否"), code)
    if _is_money(name, f) and isinstance(value, int):
        return Shown(format_yuan(value), code)
    if isinstance(value, list):
        return Shown(words_list(_list_items(target_type, name, value)), code)
    if isinstance(value, dict):
        return Shown("；".join(f"{k}：{value_words('', str(k), v)}" for k, v in value.items()), code)
    if isinstance(value, str):
        when = _when(value, f)
        if when is not None:
            return Shown(when, value)
    return Shown(str(value))


def words_list(items: list[str]) -> str:
    """许可、转让 in Chinese; "licence and sale" in English."""
    if (get_language() or "zh-hans").startswith("zh"):
        return "、".join(items)
    return str(get_text_list(items, _("和")))


def _list_items(target_type: str, name: str, value: list[Any]) -> list[str]:
    """A list's items in words: a model that says its list in words (`<field>_labels()`, as the market's
    listing does for what it seeks) is asked; otherwise each item as it is said."""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        model = None
    speaker = getattr(model, f"{name}_labels", None) if model is not None else None
    if callable(speaker) and all(isinstance(v, str) for v in value):
        labels = dict(zip(value, speaker(model(**{name: value})), strict=False))  # type: ignore[misc]
        if len(labels) == len(value):
            return [str(labels[v]) for v in value]
    return [str(value_words("", "", v)) for v in value]


def _when(text: str, f: models.Field[Any, Any] | None) -> str | None:
    """A stored ISO date or moment, in the reader's language and the site's time zone."""
    try:
        if ISO_DATE.fullmatch(text) and not isinstance(f, models.DateTimeField):
            return formats.date_format(dt.date.fromisoformat(text), "DATE_FORMAT")
        if ISO_DATETIME.fullmatch(text):
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "DATETIME_FORMAT")
    except ValueError:
        return None
    return None


def _code(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


# ----------------------------------------------------------------------------- related records, in bulk
def _related_names(entries: list[AuditEntry]) -> dict[tuple[str, str], str]:
    """The names of every record the entries' changes point at: one query per related model."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for e in entries:
        for name, before, after in e.changes:
            related = _related(model_field(e.target_type, name))
            if related is None:
                continue
            for value in (before, after):
                if value is not None and not isinstance(value, list | dict):
                    wanted[related].add(value)
    names: dict[tuple[str, str], str] = {}
    for model, pks in wanted.items():
        label = model._meta.label_lower
        valid = set()
        for pk in pks:  # an entry written with a name where an id belongs is shown as written, never a 500
            try:
                valid.add(model._meta.pk.to_python(pk))
            except (TypeError, ValueError, ValidationError):
                continue
        for pk, obj in model._default_manager.in_bulk(list(valid)).items():
            names[(label, str(pk))] = str(obj)
    return names

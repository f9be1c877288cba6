"""`get_FOO_display()` without rebuilding every choice on each call.

Django's `Model._get_FIELD_display` builds `dict(make_hashable(field.flatchoices))` on every call. With
translated (lazy) labels, hashing each label translates it, so a list of 100 rows showing two such fields
paid for hundreds of translations it then threw away — 12–15 % of the CPU of the technology market and
the enterprise list. Here the table is built once per field, hashing the values only: the labels stay
lazy, so every call still answers in the language of its request. Installed for every model when the
app registry is ready (CoreConfig.ready); a model's own `get_FOO_display` is left alone, and so is a
field whose choices are a callable (they may change, so Django's way is kept).
"""

from __future__ import annotations

from functools import partialmethod
from typing import Any

from django.apps import apps
from django.db.models import Field, Model
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_tables: dict[Field[Any, Any], dict[Any, Any]] = {}


def choice_label(instance: Model, field: Field[Any, Any]) -> Any:
    """What Django's get_FOO_display returns: the label of the field's value, or the value itself."""
    table = _tables.get(field)
    if table is None:
        if isinstance(field.choices, CallableChoiceIterator):
            return Model._get_FIELD_display(instance, field)
        table = {make_hashable(value): label for value, label in field.flatchoices}
        _tables[field] = table
    value = getattr(instance, field.attname)
    return force_str(table.get(make_hashable(value), value), strings_only=True)


def install() -> int:
    """Point every model's Django-made get_FOO_display at choice_label; returns how many."""
    django_display = Model._get_FIELD_display  # type: ignore[attr-defined]
    installed = 0
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_fields:
            name = f"get_{field.name}_display"
            current = model.__dict__.get(name)
            if (
                field.choices is not None
                and isinstance(current, partialmethod)
                and current.func is django_display
            ):
                setattr(model, name, partialmethod(choice_label, field=field))
                installed += 1
    return installed

"""get_FOO_display answers as Django's own for every choice field of every model, in both languages, from
a table built once per field (Django re-translated every choice label on each call)."""

from __future__ import annotations

from functools import partialmethod
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Model
from django.utils import translation

from shouzhan.core.choices import choice_label
from shouzhan.registry.models import Enterprise


def _choice_fields() -> list[tuple[type[Model], Any]]:
    return [
        (model, field)
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.local_fields
        if field.choices is not None
    ]


def test_every_django_made_display_is_the_fast_one() -> None:
    fields = _choice_fields()
    assert len(fields) > 20
    for model, field in fields:
        current = model.__dict__.get(f"get_{field.name}_display")
        if isinstance(current, partialmethod):
            assert current.func is choice_label, f"{model.__name__}.{field.name}"
    assert Enterprise.__dict__["get_sector_display"].func is choice_label


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_same_answer_as_django_for_every_value_and_an_unknown_one(language: str) -> None:
    django_display = Model._get_FIELD_display  # type: ignore[attr-defined]
    checked = 0
    with translation.override(language):
        for model, field in _choice_fields():
            values = [value for value, _label in field.flatchoices] + ["no-such-value", None]
            for value in values:
                instance = model()
                setattr(instance, field.attname, value)
                expected = django_display(instance, field)
                assert getattr(instance, f"get_{field.name}_display")() == expected
                assert type(getattr(instance, f"get_{field.name}_display")()) is type(expected)
                checked += 1
    assert checked > 100


def test_labels_follow_the_language_of_each_call() -> None:
    enterprise = Enterprise(stage="overseas")
    with translation.override("zh-hans"):
        assert enterprise.get_stage_display() == "跨境出海"
    with translation.override("en"):
        english = enterprise.get_stage_display()
    assert english != "跨境出海" and english.isascii()
    with translation.override("zh-hans"):
        assert enterprise.get_stage_display() == "跨境出海"

"""FastInputMixin writes exactly what Django's input.html (with attrs.html) writes, for every kind of
input the calculator uses, and the calculator's inputs are fast ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms

from shouzhan.core.widgets import FastNumberInput, FastTextInput, IsoDateInput
from shouzhan.policies.forms import FactsForm

CASES: list[tuple[type[forms.Widget], type[forms.Widget], Any]] = [
    (FastTextInput, forms.TextInput, None),
    (FastTextInput, forms.TextInput, ""),
    (FastTextInput, forms.TextInput, "<b>\"光合\" & '剧场'</b>"),
    (FastNumberInput, forms.NumberInput, 12),
    (FastNumberInput, forms.NumberInput, None),
    (IsoDateInput, None, dt.date(2026, 11, 30)),
    (IsoDateInput, None, "2026-13-40"),
    (IsoDateInput, None, None),
]
ATTRS: list[dict[str, Any]] = [
    {},
    {"id": "id_x", "required": True, "disabled": False, "inputmode": "decimal", "data-x": '<"&>'},
]


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize(("fast", "django_cls", "value"), CASES)
def test_same_markup_as_djangos_input(fast: Any, django_cls: Any, value: Any, attrs: dict[str, Any]) -> None:
    widget = fast(attrs={"class": "a b"})
    if django_cls is None:  # the date picker: Django's own render of the same widget class
        expected = forms.DateInput.render(widget, "on", value, attrs=attrs)
        django_markup = forms.Widget.render(widget, "on", value, attrs=attrs)
        assert expected == django_markup
    else:
        expected = django_cls(attrs={"class": "a b"}).render("on", value, attrs=attrs)
    got = widget.render("on", value, attrs=attrs)
    assert got == forms.Widget.render(widget, "on", value, attrs=attrs)
    assert got == expected


def test_calculator_inputs_are_fast_inputs() -> None:
    form = FactsForm()
    kinds = {type(f.widget) for f in form.fields.values()}
    assert {FastTextInput, FastNumberInput, IsoDateInput} <= kinds
    assert not {forms.TextInput, forms.NumberInput, forms.DateInput} & kinds

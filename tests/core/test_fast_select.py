"""FastSelect writes the same drop-down as Django's Select (whitespace between tags aside) without two
template includes per option; the calculator's long form of drop-downs uses it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.widgets import FastSelect
from shouzhan.policies.forms import FactsForm


def _tags(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


CHOICES: list[Any] = [
    ("", _l("未知")),
    ("true", _l("是")),
    ("a&b", '<b>"x"</b>'),
    (3, "三"),
    ("组", [("g1", "G1"), ("g2", _l("否"))]),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("attrs", "value"),
    [
        ({}, ""),
        ({"id": "id_x", "required": True, "class": 'c"q'}, "g2"),
        ({"disabled": True, "data-off": False, "data-n": 0}, "a&b"),
        ({}, None),
        ({}, 3),
        ({}, "not-a-choice"),
    ],
)
def test_same_markup_as_djangos_select(language: str, attrs: dict[str, Any], value: Any) -> None:
    with translation.override(language):
        django_html = forms.Select(choices=CHOICES).render("x", value, attrs)
        fast_html = FastSelect(choices=CHOICES).render("x", value, attrs)
    assert _tags(fast_html) == _tags(django_html)
    assert "&lt;b&gt;&quot;x&quot;&lt;/b&gt;" in fast_html and 'value="a&amp;b"' in fast_html


def test_calculator_drop_downs_are_fast_selects_and_keep_the_chosen_value() -> None:
    form = FactsForm(
        data={"enterprise__district": "徐汇", "enterprise__is_startup": "true", "submitted": "1"}
    )
    selects = [f for f in form if isinstance(f.field.widget, forms.Select)]
    assert len(selects) >= 10
    assert all(isinstance(f.field.widget, FastSelect) for f in selects)
    assert '<option value="徐汇" selected>' in str(form["enterprise__district"])
    assert '<option value="true" selected>' in str(form["enterprise__is_startup"])


def test_list_filters_use_fast_selects() -> None:
    from shouzhan.cases.forms import QueueFilterForm
    from shouzhan.registry.forms import EnterpriseFilterForm

    registry = EnterpriseFilterForm(data={"district": "徐汇", "in_cluster": "1"})
    assert all(
        isinstance(registry.fields[n].widget, FastSelect)
        for n in ("district", "sector", "stage", "in_cluster")
    )
    assert '<option value="徐汇" selected>' in str(registry["district"])
    assert '<option value="1" selected>' in str(registry["in_cluster"])
    queue = QueueFilterForm(data={"assigned": "mine"})
    assert all(isinstance(queue.fields[n].widget, FastSelect) for n in ("case_type", "assigned"))
    assert '<option value="mine" selected>' in str(queue["assigned"])

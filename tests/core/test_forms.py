"""A service's refusal lands on the form that asked: on the named field (fen errors on the yuan
field), or on top of the form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from shouzhan.core.forms import add_service_errors, form_saved


class _Form(forms.Form):
    title = forms.CharField()
    amount_yuan = forms.DecimalField()


def test_errors_go_to_the_field_they_name() -> None:
    form = _Form({"title": "x", "amount_yuan": "1"})
    assert form.is_valid()
    add_service_errors(
        form, ValidationError({"title": ["已存在"], "amount_fen": ["超过上限"], "version": ["已被修改"]})
    )
    assert form.errors == {"title": ["已存在"], "amount_yuan": ["超过上限"], "__all__": ["已被修改"]}


def test_a_plain_refusal_goes_on_top() -> None:
    form = _Form({"title": "x", "amount_yuan": "1"})
    assert form.is_valid()
    add_service_errors(form, ValidationError("预算不足"))
    assert form.non_field_errors() == ["预算不足"]


def test_form_saved_runs_the_service_only_for_a_valid_form() -> None:
    calls: list[str] = []
    invalid = _Form({"title": "", "amount_yuan": "1"})
    assert form_saved(invalid, lambda: calls.append("saved")) is False and calls == []

    def refuse() -> None:
        raise ValidationError({"amount_fen": ["超过上限"]})

    refused = _Form({"title": "x", "amount_yuan": "1"})
    assert form_saved(refused, refuse) is False and refused.errors == {"amount_yuan": ["超过上限"]}
    valid = _Form({"title": "x", "amount_yuan": "1"})
    assert form_saved(valid, lambda: calls.append(valid.cleaned_data["title"])) is True and calls == ["x"]

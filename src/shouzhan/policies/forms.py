"""Forms: the calculator's facts (built from the rules' vocabulary), uploads and publishing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.forms import CalendarDateField
from shouzhan.core.limits import MONEY_TEXT, RULE_TEXT, BoundedForm
from shouzhan.core.money import MoneyError, parse_yuan
from shouzhan.core.widgets import FastNumberInput, FastSelect, FastTextInput
from shouzhan.policies.plain import fact_label, value_label
from shouzhan.rules.vocabulary import FACTS, Fact

TRI_CHOICES = [("", _l("未知")), ("true", _l("是")), ("false", _l("否"))]


def _field_for(fact: Fact) -> forms.Field:
    label = fact_label(fact.name, brackets=False)
    if fact.type == "bool":
        return forms.ChoiceField(label=label, choices=TRI_CHOICES, required=False, widget=FastSelect)
    if fact.type == "str" and fact.choices:
        choices = [("", _("未知"))] + [(c, value_label(fact.name, c)) for c in fact.choices]
        return forms.ChoiceField(label=label, choices=choices, required=False, widget=FastSelect)
    if fact.type == "int":
        return forms.IntegerField(
            label=label, required=False, min_value=0, max_value=10**9, widget=FastNumberInput
        )
    if fact.type == "date":
        return CalendarDateField(label=label, required=False)
    if fact.type == "money":
        return forms.CharField(
            label=label,
            required=False,
            max_length=MONEY_TEXT,
            widget=FastTextInput(attrs={"inputmode": "decimal"}),
        )
    return forms.CharField(label=label, required=False, max_length=100, widget=FastTextInput)


def field_name(fact_name: str) -> str:
    return fact_name.replace(".", "__")


class FactsForm(BoundedForm):
    """One field per fact of the vocabulary; blank means unknown."""

    on = CalendarDateField(label=_l("计算日期"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, fact in FACTS.items():
            self.fields[field_name(name)] = _field_for(fact)
            self.fields[field_name(name)].fact = fact  # type: ignore[attr-defined]

    def enterprise_fields(self) -> list[forms.BoundField]:
        return [self[field_name(n)] for n in FACTS if n.startswith("enterprise.")]

    def project_fields(self) -> list[forms.BoundField]:
        return [self[field_name(n)] for n in FACTS if n.startswith("project.")]

    def person_fields(self) -> list[forms.BoundField]:
        return [self[field_name(n)] for n in FACTS if n.startswith("person.")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, fact in FACTS.items():
            key = field_name(name)
            if fact.type == "money" and data.get(key):
                try:
                    data[key] = parse_yuan(data[key])
                except MoneyError as exc:
                    self.add_error(key, str(exc))
        return data

    def nested_facts(self) -> dict[str, dict[str, Any]]:
        """The typed facts by entity. "person" only when a person fact was typed: a person's clauses are
        calculated for a person, an enterprise's for an enterprise (selectors.calculate)."""
        nested: dict[str, dict[str, Any]] = {"enterprise": {}, "project": {}, "person": {}}
        for name, fact in FACTS.items():
            value = self.cleaned_data.get(field_name(name))
            if value in (None, ""):
                continue
            if fact.type == "bool":
                value = value == "true"
            elif fact.type == "money":
                value = str(value)
            elif fact.type == "date" and isinstance(value, dt.date):
                value = value.isoformat()
            entity, attr = name.split(".", 1)
            nested[entity][attr] = value
        if not nested["person"]:
            del nested["person"]
        return nested

    @staticmethod
    def initial_from(nested: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for name, fact in FACTS.items():
            entity, attr = name.split(".", 1)
            value = (nested.get(entity) or {}).get(attr)
            if value is None:
                continue
            if fact.type == "bool":
                value = "true" if value else "false"
            initial[field_name(name)] = str(value) if fact.type in {"money"} else value
        return initial


class UploadForm(BoundedForm):
    file = forms.FileField(label=_l("规则文件（YAML）"), required=False)
    text = forms.CharField(
        label=_l("或直接粘贴规则文本"),
        required=False,
        max_length=RULE_TEXT,
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    note = forms.CharField(label=_l("修订说明"), required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload:
            if upload.size > 512 * 1024:
                raise forms.ValidationError(_("规则文件过大（上限 512 KB）。"))
            raw = upload.read()
            try:
                data["text"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(_("规则文件必须是 UTF-8 编码的文本。")) from exc
            data["filename"] = upload.name
        elif not (data.get("text") or "").strip():
            raise forms.ValidationError(_("请上传规则文件或粘贴规则文本。"))
        else:
            data["filename"] = "pasted.yaml"
        return data


class PublishForm(BoundedForm):
    effective_from = CalendarDateField(label=_l("生效日期"))

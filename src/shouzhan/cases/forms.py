"""Forms of the cases pages: built from the case type's data, so a new type needs no new form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _l

from shouzhan.cases import workflow as wf
from shouzhan.core.money import MoneyError, yuan_to_fen
from shouzhan.core.widgets import IsoDateInput


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form: field errors inline, the rest on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = (
                name
                if name in form.fields
                else ("amount_yuan" if name == "amount_fen" and "amount_yuan" in form.fields else None)
            )
            form.add_error(target, errors)
    else:
        form.add_error(None, exc.messages)


def _field_for(f: wf.Field) -> forms.Field:
    common: dict[str, Any] = {"label": f.label, "required": f.required, "help_text": f.help}
    if f.kind == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, **common)
    if f.kind == "int":
        return forms.IntegerField(min_value=0, error_messages={"invalid": _l("请填写整数。")}, **common)
    if f.kind == "percent":
        return forms.IntegerField(
            min_value=0, max_value=100, error_messages={"invalid": _l("请填写0到100之间的整数。")}, **common
        )
    if f.kind == "date":
        return forms.DateField(
            widget=IsoDateInput(),
            error_messages={"invalid": _l("请输入有效日期，如 2026-05-06。")},
            **common,
        )
    return forms.CharField(max_length=200, **common)


class CaseForm(forms.Form):
    """Title plus the case type's own fields; for policy applications a project and the amount asked."""

    title = forms.CharField(label=_l("标题"), max_length=200)

    def __init__(
        self,
        *args: Any,
        case_type: wf.CaseType,
        enterprises: list[Any],
        projects: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.case_type = case_type
        if len(enterprises) > 1:
            self.fields["enterprise"] = forms.TypedChoiceField(
                label=_l("申请企业"), choices=[(e.pk, e.name) for e in enterprises], coerce=int
            )
        if projects is not None:
            self.fields["project"] = forms.TypedChoiceField(
                label=_l("申报项目"),
                choices=[("", "—"), *[(p.pk, f"{p.title}（{p.get_kind_display()}）") for p in projects]],
                coerce=int,
                required=False,
                empty_value=None,
            )
            self.fields["amount_yuan"] = forms.CharField(
                label=_l("申请金额（元）"),
                required=False,
                max_length=20,
                help_text=_l("可不填，由专员在上限内核定"),
            )
        for f in case_type.fields:
            self.fields[f.name] = _field_for(f)

    def clean_amount_yuan(self) -> int | None:
        value = (self.cleaned_data.get("amount_yuan") or "").strip()
        if not value:
            return None
        try:
            fen = yuan_to_fen(value)
        except MoneyError:
            raise ValidationError(_l("请填写金额，如 200000 或 200000.50。")) from None
        if fen < 0:
            raise ValidationError(_l("金额不能为负数。"))
        return fen

    def data_fields(self) -> list[Any]:
        return [self[f.name] for f in self.case_type.fields]

    def case_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for f in self.case_type.fields:
            value = self.cleaned_data.get(f.name)
            if value is None or value == "":
                continue
            data[f.name] = value.isoformat() if hasattr(value, "isoformat") else value
        return data


class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_l("说明 / 理由"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    amount_yuan = forms.CharField(label=_l("核定金额（元）"), required=False, max_length=20)

    def clean_amount_yuan(self) -> int | None:
        value = (self.cleaned_data.get("amount_yuan") or "").strip()
        if not value:
            return None
        try:
            return yuan_to_fen(value)
        except MoneyError:
            raise ValidationError(_l("请填写金额，如 800000 或 800000.00。")) from None


class UploadForm(forms.Form):
    name = forms.CharField(label=_l("材料名称"), max_length=100, initial=_l("申报材料"))
    file = forms.FileField(
        label=_l("文件"),
        allow_empty_file=True,  # the service refuses empty files with its own message
        error_messages={"required": _l("请选择要上传的文件。")},
    )


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_l("搜索"), required=False, max_length=100)
    case_type = forms.ChoiceField(label=_l("类型"), required=False)
    mine = forms.BooleanField(label=_l("只看我的和未分派的"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_type"].choices = [  # type: ignore[attr-defined]
            ("", _l("全部类型")),
            *[(ct.key, ct.label) for ct in wf.case_types()],
        ]

"""Forms of the cases pages: built from the case type's data, so a new type needs no new form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _l

from shouzhan.cases import workflow as wf
from shouzhan.core.forms import CalendarDateField
from shouzhan.core.limits import LONG_TEXT, MONEY_TEXT, SHORT_TEXT, BoundedForm
from shouzhan.core.money import MoneyError, parse_yuan_fen
from shouzhan.core.widgets import FastSelect


def _field_for(f: wf.Field) -> forms.Field:
    common: dict[str, Any] = {"label": f.label, "required": f.required, "help_text": f.help}
    if f.kind == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=LONG_TEXT, **common)
    if f.kind == "int":
        return forms.IntegerField(min_value=0, error_messages={"invalid": _l("请填写整数。")}, **common)
    if f.kind == "percent":
        return forms.IntegerField(
            min_value=0, max_value=100, error_messages={"invalid": _l("请填写0到100之间的整数。")}, **common
        )
    if f.kind == "date":
        return CalendarDateField(**common)
    if f.kind == "choice":
        return forms.ChoiceField(
            choices=[("", "—"), *f.choices],
            error_messages={"invalid_choice": _l("请从列表中选择。")},
            **common,
        )
    return forms.CharField(max_length=SHORT_TEXT, **common)


def case_fields(form: forms.Form, case_type: wf.CaseType, *, staff_only: bool = True) -> None:
    """Add the case type's own fields to a form (staff-only fields only when `staff_only`)."""
    for f in case_type.fields:
        if f.staff_only and not staff_only:
            continue
        form.fields[f.name] = _field_for(f)


def cleaned_case_data(
    form: forms.Form, case_type: wf.CaseType, *, keep_empty: bool = False
) -> dict[str, Any]:
    """The case type's fields from a valid form; `keep_empty` sends "" for a field emptied on purpose."""
    data: dict[str, Any] = {}
    for f in case_type.fields:
        if f.name not in form.fields:
            continue
        value = form.cleaned_data.get(f.name)
        if value is None or value == "":
            if keep_empty:
                data[f.name] = ""
            continue
        data[f.name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


class EnterpriseNameInput(forms.TextInput):
    """Choose an enterprise by name or credit code: the page's <datalist id="enterprise-names"> offers
    names, refreshed from the server (htmx) as one types, so the whole register is reachable while the
    page carries only a few names. The view resolves the text (`views._enterprise_named`)."""

    def __init__(self) -> None:
        super().__init__(
            attrs={
                "list": "enterprise-names",
                "autocomplete": "off",
                "hx-get": reverse_lazy("cases:enterprise_options"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#enterprise-names",
                "hx-sync": "this:replace",
            }
        )


class CaseForm(BoundedForm):
    """Title plus the case type's own fields; for policy applications a project and the amount asked.

    Who the case is about: staff (`choose_any`) name any enterprise they may see; a member of several
    enterprises chooses one of theirs; a member of one is not asked."""

    title = forms.CharField(label=_l("标题"), max_length=SHORT_TEXT)

    def __init__(
        self,
        *args: Any,
        case_type: wf.CaseType,
        enterprises: list[Any],
        projects: list[Any] | None = None,
        choose_any: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.case_type = case_type
        if choose_any:
            self.fields["enterprise"] = forms.CharField(
                label=_l("申请企业"),
                max_length=SHORT_TEXT,
                help_text=_l("企业名称或统一社会信用代码"),
                widget=EnterpriseNameInput(),
                error_messages={"required": _l("请填写申请企业的名称或统一社会信用代码。")},
            )
        elif len(enterprises) > 1:
            self.fields["enterprise"] = forms.TypedChoiceField(
                label=_l("申请企业"),
                choices=[("", _l("— 请选择 —")), *[(e.pk, e.name) for e in enterprises]],
                coerce=int,
                empty_value=None,
                error_messages={
                    "required": _l("请选择申请企业。"),
                    "invalid_choice": _l("请从列表中选择您的企业。"),
                },
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
                max_length=MONEY_TEXT,
                help_text=_l("可不填，由专员在上限内核定"),
            )
        case_fields(self, case_type, staff_only=False)

    def clean_amount_yuan(self) -> int | None:
        value = (self.cleaned_data.get("amount_yuan") or "").strip()
        if not value:
            return None
        try:
            fen = parse_yuan_fen(value)
        except MoneyError:
            raise ValidationError(_l("请填写金额，如 200000 或 200000.50。")) from None
        if fen < 0:
            raise ValidationError(_l("金额不能为负数。"))
        return fen

    def data_fields(self) -> list[Any]:
        return [self[f.name] for f in self.case_type.fields if f.name in self.fields]

    def case_data(self) -> dict[str, Any]:
        return cleaned_case_data(self, self.case_type)


class TransitionForm(BoundedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_l("说明 / 理由"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    amount_yuan = forms.CharField(label=_l("核定金额（元）"), required=False, max_length=MONEY_TEXT)

    def __init__(self, *args: Any, asks: tuple[wf.Field, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asks = asks
        for f in asks:  # what the step records (Transition.asks); the service checks them, in its words
            self.fields[f.name] = _field_for(f)
            self.fields[f.name].required = False

    def ask_fields(self) -> list[Any]:
        return [self[f.name] for f in self.asks]

    def answers(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.asks:
            value = self.cleaned_data.get(f.name)
            if value is not None and value != "":
                out[f.name] = value.isoformat() if hasattr(value, "isoformat") else value
        return out

    def clean_amount_yuan(self) -> int | None:
        value = (self.cleaned_data.get("amount_yuan") or "").strip()
        if not value:
            return None
        try:
            return parse_yuan_fen(value)
        except MoneyError:
            raise ValidationError(_l("请填写金额，如 800000 或 800000.00。")) from None


class UploadForm(BoundedForm):
    name = forms.CharField(label=_l("材料名称"), max_length=100, initial=_l("申报材料"))
    file = forms.FileField(
        label=_l("文件"),
        allow_empty_file=True,  # the service refuses empty files with its own message
        error_messages={"required": _l("请选择要上传的文件。")},
    )


class ResubmitForm(BoundedForm):
    """Answer a request for more information: the case's fields (pre-filled), a file, a note."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_l("补正说明"), required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    document_name = forms.CharField(
        label=_l("材料名称"), max_length=100, required=False, initial=_l("补正材料")
    )
    file = forms.FileField(label=_l("补充文件（可选）"), required=False, allow_empty_file=True)

    def __init__(self, *args: Any, case_type: wf.CaseType, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case_type = case_type
        case_fields(self, case_type, staff_only=False)

    def data_fields(self) -> list[Any]:
        return [self[f.name] for f in self.case_type.fields if f.name in self.fields]

    def case_data(self) -> dict[str, Any]:
        return cleaned_case_data(self, self.case_type, keep_empty=True)


class AssignForm(BoundedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    assignee = forms.TypedChoiceField(label=_l("指派给"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(label=_l("说明"), required=False, max_length=LONG_TEXT)

    def __init__(self, *args: Any, users: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.users = {u.pk: u for u in users}
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _l("（不指派，放回待分派）")),
            *[(u.pk, u.name or str(u)) for u in users],
        ]

    def chosen(self) -> Any:
        pk = self.cleaned_data.get("assignee")
        return None if pk is None else self.users[pk]


class TicketForm(BoundedForm):
    """A ticket opened by staff: the ticket type's fields, an optional enterprise, an optional assignee."""

    enterprise = forms.CharField(
        label=_l("相关企业（可不填）"),
        required=False,
        max_length=200,
        help_text=_l("企业名称或统一社会信用代码；关于某个地点的问题可不填"),
        widget=EnterpriseNameInput(),
    )
    title = forms.CharField(
        label=_l("标题（可不填）"), required=False, max_length=200, help_text=_l("不填则按类别和描述生成")
    )

    def __init__(self, *args: Any, users: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case_type = wf.case_type_get("ticket")
        case_fields(self, self.case_type)
        self.users = {u.pk: u for u in users}
        self.fields["assignee"] = forms.TypedChoiceField(
            label=_l("指派给"),
            coerce=int,
            required=False,
            empty_value=None,
            choices=[("", _l("（暂不指派，进入待分派）")), *[(u.pk, u.name or str(u)) for u in users]],
        )

    def data_fields(self) -> list[Any]:
        return [self[f.name] for f in self.case_type.fields]

    def case_data(self) -> dict[str, Any]:
        return cleaned_case_data(self, self.case_type)

    def chosen_assignee(self) -> Any:
        pk = self.cleaned_data.get("assignee")
        return None if pk is None else self.users[pk]


ASSIGNED_CHOICES = (("", _l("全部")), ("mine", _l("我承办的")), ("unassigned", _l("待分派")))


class QueueFilterForm(BoundedForm):
    q = forms.CharField(label=_l("搜索"), required=False, max_length=100)
    case_type = forms.ChoiceField(label=_l("类型"), required=False, widget=FastSelect)
    assigned = forms.ChoiceField(
        label=_l("承办"), required=False, choices=ASSIGNED_CHOICES, widget=FastSelect
    )
    mine = forms.BooleanField(label=_l("只看我的和未分派的"), required=False)  # older links keep working

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_type"].choices = [  # type: ignore[attr-defined]
            ("", _l("全部类型")),
            *[(ct.key, ct.label) for ct in wf.case_types()],
        ]

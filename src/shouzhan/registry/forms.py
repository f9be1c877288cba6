"""Forms of the registry pages: they parse what people type; the services decide and save."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.forms import CalendarDateField
from shouzhan.core.limits import LONG_TEXT, MONEY_TEXT, TEXT, BoundedForm
from shouzhan.core.money import YUAN_HELP, MoneyError, parse_yuan, yuan_decimal
from shouzhan.core.widgets import FastSelect
from shouzhan.registry import credit_code as cc
from shouzhan.registry.choices import DISTRICT_CHOICES, VOUCHER_ITEMS, ProjectKind, Sector, Stage
from shouzhan.registry.models import Enterprise, Person, Project
from shouzhan.rules import vocabulary

TRI_CHOICES = [("", _l("未知")), ("1", _l("是")), ("0", _l("否"))]
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
INT_ERRORS = {
    "invalid": _l("请输入整数（如 12）。"),
    "min_value": _l("不能为负数。"),
    "max_value": _l("数值过大（最多 %(limit_value)s）。"),
}


def _english() -> bool:
    return not (get_language() or "zh-hans").startswith("zh")


# Fields that hold a fact of the rules are named by the rules' vocabulary (the calculator says the same).
fact_label = lazy(lambda name: vocabulary.fact_label(name, english=_english()), str)
_value_words = lazy(lambda name, value: vocabulary.value_label(name, value, english=_english()), str)


def fact_choices(name: str, choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """A fact's choices in the vocabulary's words; codes the vocabulary does not list keep their own."""
    known = vocabulary.VALUE_LABELS.get(name, {})
    return [(code, _value_words(name, code) if code in known else label) for code, label in choices]


def tri_initial(value: bool | None) -> str:
    return "" if value is None else ("1" if value else "0")


class TriStateField(forms.TypedChoiceField):
    """A fact that may be yes, no, or not known yet (未知 → None, never False)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=TRI_CHOICES, coerce=lambda v: v == "1", empty_value=None, required=False, **kwargs
        )


class YuanField(forms.CharField):
    """An amount typed in yuan ('1,234.56'); cleaned to Decimal, never float."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MONEY_TEXT)
        kwargs.setdefault("help_text", YUAN_HELP)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def clean(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_yuan(text)
        except MoneyError as exc:
            raise ValidationError(str(exc), code="money") from exc


def yuan_initial(fen: int | None) -> str:
    return "" if fen is None else str(yuan_decimal(fen))


class EnterpriseForm(BoundedForm):
    name = forms.CharField(label=_l("企业名称"), max_length=200)
    credit_code = forms.CharField(
        label=_l("统一社会信用代码"), max_length=24, required=False, help_text=_l("18 位，已注册的企业请填写")
    )
    district = forms.ChoiceField(
        label=fact_label("enterprise.district"), choices=[("", "—"), *DISTRICT_CHOICES], required=False
    )
    registered_on = CalendarDateField(
        label=fact_label("enterprise.registered_on"),
        required=False,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": _l("请输入有效日期，如 2024-03-01。")},
    )
    employees = forms.IntegerField(
        label=fact_label("enterprise.employees"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        error_messages=INT_ERRORS,
    )
    annual_revenue_yuan = YuanField(label=fact_label("enterprise.annual_revenue_yuan"))
    is_one_person_company = TriStateField(label=fact_label("enterprise.is_one_person_company"))
    sector = forms.ChoiceField(
        label=fact_label("enterprise.sector"),
        choices=[("", "—"), *fact_choices("enterprise.sector", Sector.choices)],
        required=False,
    )
    in_cluster = TriStateField(label=fact_label("enterprise.in_cluster"))
    is_startup = TriStateField(label=fact_label("enterprise.is_startup"))
    stage = forms.ChoiceField(label=_l("孵化阶段"), choices=Stage.choices)
    legal_representative = forms.CharField(label=_l("法定代表人"), max_length=60, required=False)
    address = forms.CharField(label=_l("地址"), max_length=255, required=False)
    phone = forms.CharField(label=_l("联系电话"), max_length=30, required=False)
    description = forms.CharField(
        label=_l("简介"), required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("企业名称不能为空。"))
        return name

    def clean_credit_code(self) -> str | None:
        value = (self.cleaned_data.get("credit_code") or "").strip()
        if not value:
            return None
        try:
            return cc.validate(value)
        except cc.CreditCodeError as exc:
            raise ValidationError(str(exc)) from exc

    @classmethod
    def initial_for(cls, e: Enterprise) -> dict[str, Any]:
        return {
            "name": e.name,
            "credit_code": e.credit_code or "",
            "district": e.district,
            "registered_on": e.registered_on,
            "employees": e.employees,
            "annual_revenue_yuan": yuan_initial(e.annual_revenue_fen),
            "is_one_person_company": tri_initial(e.is_one_person_company),
            "sector": e.sector,
            "in_cluster": tri_initial(e.in_cluster),
            "is_startup": tri_initial(e.is_startup),
            "stage": e.stage,
            "legal_representative": e.legal_representative,
            "address": e.address,
            "phone": e.phone,
            "description": e.description,
            "version": e.version,
        }

    def service_data(self) -> tuple[dict[str, Any], int]:
        data = dict(self.cleaned_data)
        version = data.pop("version")
        return data, version


class ProjectForm(BoundedForm):
    kind = forms.ChoiceField(
        label=fact_label("project.kind"), choices=fact_choices("project.kind", ProjectKind.choices)
    )
    title = forms.CharField(label=_l("名称"), max_length=200)
    year = forms.IntegerField(
        label=fact_label("project.year"),
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages=INT_ERRORS,
    )
    rd_investment_yuan = YuanField(label=fact_label("project.rd_investment_yuan"))
    trainees = forms.IntegerField(
        label=fact_label("project.trainees"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        error_messages=INT_ERRORS,
    )
    self_developed = TriStateField(label=fact_label("project.self_developed"))
    market_recognized = TriStateField(label=fact_label("project.market_recognized"))
    national_selection = TriStateField(label=fact_label("project.national_selection"))
    excellent = TriStateField(label=fact_label("project.excellent"))
    promotes_city_image = TriStateField(label=fact_label("project.promotes_city_image"))
    script_copyright_holder = TriStateField(label=fact_label("project.script_copyright_holder"))
    award_winning = TriStateField(label=fact_label("project.award_winning"))
    benchmark_work = TriStateField(label=fact_label("project.benchmark_work"))
    stable_capacity = TriStateField(label=fact_label("project.stable_capacity"))
    overseas_at_scale = TriStateField(label=fact_label("project.overseas_at_scale"))
    voucher_item = forms.ChoiceField(
        label=fact_label("project.voucher_item"),
        choices=[("", "—"), *fact_choices("project.voucher_item", VOUCHER_ITEMS)],
        required=False,
    )
    description = forms.CharField(
        label=_l("简介"), required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )

    BOOL_FIELDS = (
        "self_developed",
        "market_recognized",
        "national_selection",
        "excellent",
        "promotes_city_image",
    )
    EXTRA_BOOL_FIELDS = (
        "script_copyright_holder",
        "award_winning",
        "benchmark_work",
        "stable_capacity",
        "overseas_at_scale",
    )

    @classmethod
    def initial_for(cls, p: Project) -> dict[str, Any]:
        extra = p.extra_facts if isinstance(p.extra_facts, dict) else {}
        initial: dict[str, Any] = {
            "kind": p.kind,
            "title": p.title,
            "year": p.year,
            "rd_investment_yuan": yuan_initial(p.rd_investment_fen),
            "trainees": p.trainees,
            "description": p.description,
            "voucher_item": extra.get("voucher_item", ""),
        }
        for name in cls.BOOL_FIELDS:
            initial[name] = tri_initial(getattr(p, name))
        for name in cls.EXTRA_BOOL_FIELDS:
            initial[name] = tri_initial(extra.get(name))
        return initial

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["voucher_item"] = data.get("voucher_item") or None
        return data


class PersonForm(BoundedForm):
    name = forms.CharField(label=_l("姓名"), max_length=60)
    title = forms.CharField(label=_l("身份 / 职务"), max_length=60, required=False)
    mobile = forms.CharField(label=_l("手机号"), max_length=20, required=False)
    email = forms.EmailField(label=_l("电子邮箱"), required=False)
    birth_year = forms.IntegerField(
        label=_l("出生年份"), required=False, min_value=1900, max_value=2100, error_messages=INT_ERRORS
    )
    note = forms.CharField(
        label=_l("备注"), required=False, max_length=TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )

    @classmethod
    def initial_for(cls, p: Person) -> dict[str, Any]:
        return {
            "name": p.name,
            "title": p.title,
            "mobile": p.mobile,
            "email": p.email,
            "birth_year": p.birth_year,
            "note": p.note,
        }


class EnterpriseFilterForm(BoundedForm):
    q = forms.CharField(label=_l("搜索"), required=False, max_length=100)
    district = forms.ChoiceField(
        label=_l("所在区"), choices=[("", _l("全部")), *DISTRICT_CHOICES], required=False, widget=FastSelect
    )
    sector = forms.ChoiceField(
        label=_l("行业"), choices=[("", _l("全部")), *Sector.choices], required=False, widget=FastSelect
    )
    stage = forms.ChoiceField(
        label=_l("孵化阶段"), choices=[("", _l("全部")), *Stage.choices], required=False, widget=FastSelect
    )
    in_cluster = forms.TypedChoiceField(
        label=_l("集聚区"),
        choices=[("", _l("全部")), ("1", _l("在集聚区")), ("0", _l("不在集聚区"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
        widget=FastSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("企业名称、信用代码或法定代表人")}
        )


class ImportForm(BoundedForm):
    file = forms.FileField(
        label=_l("表格文件"),
        help_text=_l("Excel (.xlsx) 或 CSV（UTF-8 或 GBK 编码）；第 1 行为表头"),
        error_messages={"required": _l("请选择要导入的文件。"), "empty": _l("文件是空的。")},
    )

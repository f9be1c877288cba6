"""The licence forms: an offer on a work, a request for an offer, ending one. Fees are typed in yuan
(core.money's one format) and kept in fen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _l

from shouzhan.assets.models import AssetVersion, Licence
from shouzhan.core.forms import CalendarDateField
from shouzhan.core.limits import LONG_TEXT, MONEY_TEXT, TEXT, BoundedForm
from shouzhan.core.money import YUAN_HELP, MoneyError, parse_yuan_fen, yuan_decimal
from shouzhan.registry.models import Enterprise

TERRITORY_SUGGESTIONS = (_l("中国大陆"), _l("全球"), _l("港澳台地区"), _l("东南亚"))


class _FeeMixin(forms.Form):
    fee = forms.CharField(label=_l("许可费（元）"), max_length=MONEY_TEXT, help_text=YUAN_HELP)

    def clean_fee(self) -> int:
        try:
            return parse_yuan_fen(self.cleaned_data.get("fee", ""))
        except MoneyError as e:
            raise forms.ValidationError(str(e)) from None


class _TermsFields(forms.Form):
    territory = forms.CharField(
        label=_l("授权地域"), max_length=100, help_text=_l("如：中国大陆、全球、东南亚")
    )
    starts_on = CalendarDateField(label=_l("起始日"))
    ends_on = CalendarDateField(label=_l("终止日"))


class VersionChoice(forms.ModelMultipleChoiceField[AssetVersion]):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, AssetVersion)
        note = f" · {obj.note}" if obj.note else ""
        return str(
            _l("第 %(n)s 版 · %(file)s%(note)s") % {"n": obj.number, "file": obj.filename, "note": note}
        )


class LicenceOfferForm(_FeeMixin, _TermsFields, BoundedForm):
    versions = VersionChoice(
        label=_l("授权涉及的版本"),
        queryset=AssetVersion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_l("不选则授权覆盖作品的全部版本。"),
    )
    scope = forms.ChoiceField(label=_l("授权范围"), choices=Licence.Scope.choices)
    exclusive = forms.BooleanField(label=_l("独占许可（同一期限、地域和范围内只授权给一家）"), required=False)
    terms = forms.CharField(
        label=_l("其他条款"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_l("如：署名要求、结算方式、是否可转授权"),
    )

    field_order = ["versions", "scope", "exclusive", "territory", "starts_on", "ends_on", "fee", "terms"]

    def __init__(self, *args: Any, work: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["versions"].queryset = work.versions.order_by("-number")  # type: ignore[attr-defined]
        if not self.is_bound:
            self.fields["territory"].initial = str(TERRITORY_SUGGESTIONS[0])


class LicenceRequestForm(_FeeMixin, _TermsFields, BoundedForm):
    enterprise = forms.TypedChoiceField(label=_l("申请企业"), coerce=int)
    need = forms.CharField(
        label=_l("用途说明"),
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_l("如：改编为 30 集微短剧，在抖音、快手发行"),
    )

    field_order = ["enterprise", "need", "territory", "starts_on", "ends_on", "fee"]

    def __init__(self, *args: Any, offer: Licence, enterprises: list[Enterprise], **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "territory": offer.territory,
                "starts_on": offer.starts_on,
                "ends_on": offer.ends_on,
                "fee": f"{yuan_decimal(offer.fee_fen):,.2f}",
            },
        )
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(e.pk, e.name) for e in enterprises]
        if len(enterprises) == 1:
            field.initial = enterprises[0].pk
            field.widget = forms.HiddenInput()
        for name in ("territory", "starts_on", "ends_on"):
            self.fields[name].help_text = _l("默认为权利人提出的条件，可按您的需要修改，由中心居间洽谈。")


class LicenceEndForm(BoundedForm):
    reason = forms.CharField(label=_l("终止原因"), max_length=TEXT, widget=forms.Textarea(attrs={"rows": 2}))

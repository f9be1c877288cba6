from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shouzhan.core.forms import CalendarDateField
from shouzhan.core.limits import LIST_TEXT, MONEY_TEXT, BoundedForm
from shouzhan.core.money import MoneyError, parse_yuan_fen
from shouzhan.ledger.models import Programme
from shouzhan.registry.models import Enterprise


class YuanField(forms.CharField):
    """Yuan typed by a person → integer fen (exact; never a float)."""

    def clean(self, value: Any) -> int:  # type: ignore[override]
        text = super().clean(value)
        try:
            fen = parse_yuan_fen(text)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if fen <= 0:
            raise forms.ValidationError(_("金额必须大于零。"))
        return fen


class ClaimForm(BoundedForm):
    programme = forms.ModelChoiceField(label=_("券项目"), queryset=Programme.objects.none())
    enterprise = forms.ModelChoiceField(label=_("用券企业"), queryset=Enterprise.objects.all())
    amount = YuanField(label=_("核销金额（元）"), max_length=MONEY_TEXT)
    invoice_no = forms.CharField(label=_("发票号码"), max_length=40)
    service_from = CalendarDateField(label=_("服务期自"))
    service_to = CalendarDateField(label=_("服务期至"))
    description = forms.CharField(label=_("服务内容"), max_length=255, required=False)

    def __init__(self, *args: Any, provider_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programmes = Programme.objects.filter(providers__in=provider_ids, expired_at__isnull=True).distinct()
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        # Only enterprises holding a voucher of these programmes can be charged.
        self.fields["enterprise"].queryset = Enterprise.objects.filter(  # type: ignore[attr-defined]
            pk__in=programmes.values("accounts__enterprise_id")
        ).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("service_from"), data.get("service_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("service_to", _("服务期结束日期不能早于开始日期。"))
        return data


class NoteForm(BoundedForm):
    note = forms.CharField(label=_("说明"), max_length=255, required=False)


# Between the enterprise and the amount of a batch line: a comma, a tab (a list pasted from a sheet)
# or a semicolon, half- or full-width.
_LINE_SEPARATOR = re.compile(r"[,，\t;；]")


class BatchGrantForm(BoundedForm):
    programme = forms.ModelChoiceField(
        label=_("券项目"), queryset=Programme.objects.filter(expired_at__isnull=True)
    )
    rows = forms.CharField(
        label=_("发放名单"),
        max_length=LIST_TEXT,
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "91310104MA0000001X, 200000\n光合剧场, 1,500.50"}
        ),
        help_text=_(
            "每行一家企业：统一社会信用代码或企业名称，逗号（或制表符、分号），金额（元，可用千分位，如 1,500.50）。"
        ),
    )

    def clean_rows(self) -> list[tuple[Enterprise, int]]:
        parsed: list[tuple[Enterprise, int]] = []
        errors: list[str] = []
        for n, line in enumerate(self.cleaned_data["rows"].splitlines(), start=1):
            if not line.strip():
                continue
            # The enterprise ends at the FIRST separator (a credit code or a registered name has none);
            # the rest is the amount, whole — its own commas are thousands separators (1,000.50).
            parts = [p.strip() for p in _LINE_SEPARATOR.split(line, maxsplit=1)]
            if len(parts) != 2 or not all(parts):
                errors.append(str(_("第 %(n)s 行：格式应为“企业, 金额”。") % {"n": n}))
                continue
            who, amount = parts
            enterprise = (
                Enterprise.objects.filter(credit_code=who.upper()).first()
                or Enterprise.objects.filter(name=who).first()
            )
            if enterprise is None:
                errors.append(str(_("第 %(n)s 行：没有找到企业“%(who)s”。") % {"n": n, "who": who}))
                continue
            try:
                parsed.append((enterprise, parse_yuan_fen(amount)))
            except MoneyError as exc:
                errors.append(str(_("第 %(n)s 行：%(e)s") % {"n": n, "e": exc}))
        if errors:
            raise forms.ValidationError(errors)
        if not parsed:
            raise forms.ValidationError(_("名单为空。"))
        return parsed


class BatchSheetForm(BoundedForm):
    programme = forms.ModelChoiceField(
        label=_("券项目"), queryset=Programme.objects.filter(expired_at__isnull=True)
    )
    file = forms.FileField(
        label=_("发放名单（.xlsx）"),
        help_text=_("列：统一社会信用代码、金额（元）、备注；第一行为表头。"),
    )

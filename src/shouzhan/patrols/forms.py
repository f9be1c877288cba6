"""patrols' page forms: the list's filters, a supervisor's review, a target's warning level and a plan
measure's progress. They parse; the services decide (their refusals come back through add_service_errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.forms import CalendarDateField
from shouzhan.patrols.models import Patrol, Warning


class PatrolFilterForm(forms.Form):
    target = forms.TypedChoiceField(label=_l("巡查对象"), required=False, coerce=int, empty_value=None)
    street = forms.ChoiceField(label=_l("所属街镇"), required=False)
    review = forms.ChoiceField(label=_l("复核状态"), required=False)

    def __init__(self, *args: Any, targets: list[tuple[int, str]], streets: list[str], **kw: Any) -> None:
        super().__init__(*args, **kw)
        everything = ("", _l("全部"))
        self.fields["target"].choices = [everything, *targets]  # type: ignore[attr-defined]
        self.fields["street"].choices = [everything, *((s, s) for s in streets)]  # type: ignore[attr-defined]
        self.fields["review"].choices = [everything, *Patrol.Review.choices]  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_l("复核结论"),
        choices=[("accept", _l("通过：这次巡查属实，计入履职")), ("reject", _l("不通过：不计入履职"))],
        widget=forms.RadioSelect,
        error_messages={"required": _l("请选择通过或不通过。")},
    )
    note = forms.CharField(
        label=_l("复核意见"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_l("不通过时必须写明理由，巡查人会看到。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class WarningForm(forms.Form):
    level = forms.ChoiceField(label=_l("预警等级"), choices=Warning.choices)
    from_on = CalendarDateField(label=_l("开始日期"))
    to_on = CalendarDateField(label=_l("结束日期"), required=False, help_text=_l("不填表示直至解除"))
    reason = forms.CharField(label=_l("原因"), max_length=200, required=False)


class MeasureForm(forms.Form):
    progress = forms.IntegerField(label=_l("进度（%）"), min_value=0, max_value=100)
    note = forms.CharField(label=_l("进展说明"), max_length=300, required=False)

"""Forms of the infringement reports: the report itself and the rights-protection case opened from it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _l

from shouzhan.assets.models import InfringementReport
from shouzhan.core.forms import CalendarDateField
from shouzhan.core.limits import TEXT, BoundedForm


class ReportForm(BoundedForm):
    enterprise = forms.TypedChoiceField(label=_l("权利人"), coerce=int)
    file = forms.FileField(
        label=_l("疑似侵权文件"),
        required=False,
        allow_empty_file=True,  # the service says "the file is empty" in its own words
        help_text=_l("视频、音频或图片（mp4、webm、wav、mp3、png、jpg）；上传后立即与登记库比对。"),
    )
    link = forms.CharField(
        label=_l("侵权链接"),
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    platform = forms.ChoiceField(label=_l("发现平台"), choices=InfringementReport.Platform.choices)
    account = forms.CharField(label=_l("发布账号"), required=False, max_length=200)
    first_seen_on = CalendarDateField(label=_l("首次发现日期"))
    note = forms.CharField(
        label=_l("说明"), required=False, max_length=TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, enterprises: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["enterprise"]).choices = [(e.pk, e.name) for e in enterprises]
        if len(enterprises) == 1:
            self.fields["enterprise"].initial = enterprises[0].pk
            self.fields["enterprise"].widget = forms.HiddenInput()


class CaseOpenForm(BoundedForm):
    path = forms.ChoiceField(label=_l("维权路径"), widget=forms.RadioSelect)
    need = forms.CharField(
        label=_l("维权诉求"),
        required=False,
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _l("如：删除链接、赔偿损失、公开致歉")}),
    )
    match_ids = forms.TypedMultipleChoiceField(
        label=_l("作为维权依据的比对结果"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, paths: list[tuple[str, str]], matches: list[tuple[int, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        cast(forms.ChoiceField, self.fields["path"]).choices = paths
        cast(forms.ChoiceField, self.fields["match_ids"]).choices = matches
        if not self.is_bound:
            self.fields["match_ids"].initial = [pk for pk, _label in matches]
        if not matches:
            del self.fields["match_ids"]

"""Forms of the community pages: parse and show errors; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _l

from shouzhan.community.models import Event, EventSeries, Listing, MentorProfile, Seeking
from shouzhan.core.limits import LONG_TEXT, SHORT_TEXT, TEXT, BoundedForm
from shouzhan.registry.forms import ImportForm

__all__ = ["ContactForm", "EventForm", "FeedbackForm", "ImportForm", "ListingForm"]

_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MentorChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.name}（{obj.expertise}）" if obj.expertise else obj.user.name


class EventForm(BoundedForm):
    kind = forms.ChoiceField(label=_l("类型"), choices=Event.Kind.choices)
    title = forms.CharField(label=_l("标题"), max_length=SHORT_TEXT)
    summary = forms.CharField(
        label=_l("简介"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    agenda = forms.CharField(
        label=_l("议程（每行一项）"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    speakers = forms.CharField(label=_l("主讲嘉宾"), max_length=300, required=False)
    venue = forms.CharField(label=_l("地点"), max_length=200, required=False)
    starts_at = forms.DateTimeField(
        label=_l("开始时间"),
        widget=_DT,
        error_messages={"invalid": _l("请输入有效时间，如 2026-05-20 14:00")},
    )
    ends_at = forms.DateTimeField(
        label=_l("结束时间"),
        widget=_DT,
        error_messages={"invalid": _l("请输入有效时间，如 2026-05-20 17:00")},
    )
    capacity = forms.IntegerField(
        label=_l("名额"),
        min_value=1,
        max_value=100000,
        help_text=_l("增加名额时，候补名单按先后自动递补"),
        error_messages={"invalid": _l("请输入整数"), "min_value": _l("名额至少为 1")},
    )
    registration_open = forms.BooleanField(label=_l("开放报名"), required=False, initial=True)
    series = forms.ModelChoiceField(
        label=_l("所属系列"), queryset=EventSeries.objects.all(), required=False, empty_label="—"
    )
    new_series = forms.CharField(
        label=_l("或新建系列"), max_length=120, required=False, help_text=_l("如 OPC 创业能力沙龙")
    )
    number_in_series = forms.IntegerField(
        label=_l("系列中的场次"), min_value=1, max_value=1000, required=False, help_text=_l("如 2 表示第二场")
    )
    mentors = MentorChoices(
        label=_l("点评导师"),
        queryset=MentorProfile.objects.select_related("user"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def initial_for(cls, event: Event) -> dict[str, Any]:
        values = {name: getattr(event, name) for name in cls.base_fields if hasattr(event, name)}
        values["mentors"] = list(event.mentors.all())
        values["new_series"] = ""
        return values

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ListingForm(BoundedForm):
    owner = forms.ChoiceField(label=_l("发布人"))
    patent_number = forms.CharField(
        label=_l("专利号"),
        max_length=30,
        required=False,
        help_text=_l("如 ZL202310123456.7；非专利技术可留空"),
    )
    title = forms.CharField(label=_l("名称"), max_length=SHORT_TEXT)
    abstract = forms.CharField(
        label=_l("摘要 / 需求说明"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )
    legal_status = forms.ChoiceField(label=_l("法律状态"), choices=Listing.LegalStatus.choices)
    field = forms.CharField(label=_l("技术领域"), max_length=60, help_text=_l("如 新材料、智能硬件、微短剧"))
    seeking = forms.MultipleChoiceField(
        label=_l("合作方式"), choices=Seeking.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, owners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data[k]
            for k in ("patent_number", "title", "abstract", "legal_status", "field", "seeking")
        }


class ContactForm(BoundedForm):
    message = forms.CharField(
        label=_l("对接说明"),
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_l("营商专员会据此联系双方，例如：我们想获得该专利的许可，用于保温外墙产品。"),
    )
    from_listing = forms.IntegerField(required=False, widget=forms.HiddenInput)


class FeedbackForm(BoundedForm):
    text = forms.CharField(
        label=_l("点评意见"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )

"""The training course forms: the course, a session, a trainee. The services check everything again; these
give the page its fields and bounds."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.forms import CalendarDateField
from shouzhan.core.limits import LONG_TEXT, SHORT_TEXT, BoundedForm
from shouzhan.registry.models import Enterprise
from shouzhan.registry.talent.choices import TalentField
from shouzhan.registry.talent.models import TrainingCourse

INT_ERRORS = {
    "invalid": _l("请填写整数。"),
    "min_value": _l("不能小于 %(limit_value)s。"),
    "max_value": _l("不能大于 %(limit_value)s。"),
}


class CourseForm(BoundedForm):
    title = forms.CharField(label=_l("课程名称"), max_length=SHORT_TEXT)
    field = forms.ChoiceField(label=_l("领域"), choices=[("", "—"), *TalentField.choices], required=False)
    description = forms.CharField(
        label=_l("课程简介"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    @staticmethod
    def initial_for(course: TrainingCourse) -> dict[str, Any]:
        return {"title": course.title, "field": course.field, "description": course.description}


class CourseNewForm(CourseForm):
    """A new course: which of the user's institutions runs it (asked only of a member of several, or staff)."""

    organiser = forms.ModelChoiceField(
        label=_l("举办机构"),
        queryset=Enterprise.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _l("请从列表中选择举办机构。")},
    )

    def __init__(self, *args: Any, organisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organisers  # type: ignore[attr-defined]
        self.order_fields(["organiser", "title", "field", "description"])

    def service_data(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in ("title", "field", "description")}


class SessionForm(BoundedForm):
    held_on = CalendarDateField(label=_l("上课日期"))
    topic = forms.CharField(label=_l("主题"), max_length=SHORT_TEXT)
    hours = forms.IntegerField(
        label=_l("学时"), min_value=1, max_value=12, initial=3, error_messages=INT_ERRORS
    )


class TraineeForm(BoundedForm):
    name = forms.CharField(label=_l("姓名"), max_length=60)
    mobile = forms.CharField(
        label=_l("手机号"), max_length=20, help_text=_l("按手机号找到已登记的人员；没有登记的，随报名建立。")
    )

"""Forms: a booking (date, start, length — or date and days for sites booked by the day), a tenancy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext

from shouzhan.core.forms import CalendarDateField
from shouzhan.core.limits import BoundedForm
from shouzhan.spaces.models import Resource

ISO_DATE = "%Y-%m-%d"


def hours_label(minutes: int) -> str:
    """A length in hours as the visitor's language says it: "0.5 小时" / "0.5 hours", "1 hour"."""
    n = 1 if minutes == 60 else 2  # English: only exactly one hour is singular (0.5 hours, 1.5 hours)
    return npgettext("duration", "%(h)s 小时", "%(h)s 小时", n) % {"h": f"{minutes / 60:g}"}


# Lazy: built at import, a label formatted then would stay in the default language (Chinese) for ever.
HOURS = [(str(m), lazy(hours_label, str)(m)) for m in range(30, 12 * 60 + 1, 30)]


class BookingForm(BoundedForm):
    enterprise = forms.TypedChoiceField(label=_("预约企业"), coerce=int)
    # <input type="date"> only accepts ISO dates: the zh-hans default format (2026/11/30) would leave it
    # empty in the browser, and the required field would block the submit.
    date = CalendarDateField(label=_("日期"))
    start = forms.TimeField(
        label=_("开始时间"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "step": 1800}, format="%H:%M"),
    )
    minutes = forms.TypedChoiceField(
        label=_("时长"), choices=HOURS, coerce=int, initial="120", required=False
    )
    days = forms.IntegerField(label=_("天数"), min_value=1, max_value=31, initial=1, required=False)
    people = forms.IntegerField(label=_("人数"), min_value=1, max_value=10000, initial=1)
    purpose = forms.CharField(label=_("用途"), max_length=200, required=False)

    def __init__(self, *args: Any, resource: Resource, enterprises: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resource = resource
        self.fields["enterprise"].choices = [(e.pk, e.name) for e in enterprises]  # type: ignore[attr-defined]
        if len(enterprises) == 1:
            self.fields["enterprise"].widget = forms.HiddenInput()
        if resource.unit == Resource.Unit.DAY:
            del self.fields["start"], self.fields["minutes"]
        else:
            del self.fields["days"]
            self.fields["start"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.resource.unit == Resource.Unit.DAY or not data.get("date") or not data.get("start"):
            return data
        if not data.get("minutes"):
            self.add_error("minutes", _("请选择时长"))
        return data

    def slot(self) -> tuple[dt.datetime, dt.datetime]:
        from shouzhan.spaces.services import day_slot

        d = self.cleaned_data
        if self.resource.unit == Resource.Unit.DAY:
            return day_slot(self.resource, d["date"], d.get("days") or 1)
        start = dt.datetime.combine(d["date"], d["start"], tzinfo=timezone.get_current_timezone())
        return start, start + dt.timedelta(minutes=d["minutes"])


class TenancyForm(BoundedForm):
    enterprise = forms.IntegerField(label=_("企业编号"), min_value=1, required=False)
    tenancy = forms.IntegerField(label=_("换租：原租用编号"), min_value=1, required=False)
    resource = forms.ModelChoiceField(
        label=_("空间"), queryset=Resource.objects.filter(unit=Resource.Unit.MONTH).select_related("site")
    )
    start_on = CalendarDateField(label=_("起租日期"))
    months = forms.IntegerField(label=_("租期（月）"), min_value=1, max_value=60, initial=12)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("enterprise") and not data.get("tenancy"):
            raise forms.ValidationError(_("请填写企业编号（入驻）或原租用编号（换租）"))
        return data

"""The visit form (a visit and the demands heard on it) and the plan form; both work without JavaScript."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.forms import CalendarDateField
from shouzhan.core.limits import TEXT, BoundedForm
from shouzhan.frontline.catalogue import dispatch_rules
from shouzhan.frontline.models import Demand
from shouzhan.frontline.services.common import NAME_MAX, PLACE_MAX
from shouzhan.frontline.services.visits import DEMANDS_MAX, PHOTOS_MAX

PLACES_TEXT = 4000


def _choices(form: forms.Form, name: str, choices: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class VisitForm(BoundedForm):
    visited_on = CalendarDateField(label=_l("走访日期"))
    target = forms.TypedChoiceField(
        label=_l("计划中的走访对象（可不选）"), coerce=int, required=False, empty_value=None
    )
    enterprise = forms.CharField(
        label=_l("走访企业"),
        required=False,
        max_length=200,
        help_text=_l("企业名称或统一社会信用代码；走访党群服务站等地点时可不填"),
        widget=forms.TextInput(attrs={"list": "enterprise-names", "autocomplete": "off"}),
    )
    place = forms.CharField(
        label=_l("地点"), required=False, max_length=PLACE_MAX, help_text=_l("如：某某党群服务站")
    )
    met = forms.CharField(label=_l("接待人"), required=False, max_length=NAME_MAX * 2)
    notes = forms.CharField(
        label=_l("走访记录"), required=False, max_length=TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    latitude = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    accuracy_m = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args: Any, targets: list[tuple[int, str]] = (), **kw: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kw)
        _choices(self, "target", [("", _l("（不属于计划）")), *targets])
        today = timezone.localdate().isoformat()
        self.fields["visited_on"].widget.attrs["max"] = today

    def clean_visited_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("走访日期不能晚于今天。"))
        return day


class DemandForm(BoundedForm):
    category = forms.ChoiceField(label=_l("类别"), required=False)
    description = forms.CharField(
        label=_l("诉求内容"), required=False, max_length=TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    urgency = forms.ChoiceField(
        label=_l("紧急程度"), choices=Demand.Urgency.choices, initial=Demand.Urgency.NORMAL
    )
    requester_name = forms.CharField(
        label=_l("反映人"), required=False, max_length=NAME_MAX, help_text=_l("不填则为接待人")
    )
    client_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        _choices(self, "category", category_choices())

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("category") or data.get("description") or data.get("requester_name"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank():
            return data
        if not data.get("category"):
            self.add_error("category", _("请选择诉求类别。"))
        if not (data.get("description") or "").strip():
            self.add_error("description", _("请填写诉求内容。"))
        return data


def category_choices(on: dt.date | None = None) -> list[tuple[str, str]]:
    """The dispatch catalogue in force: each category with the department it goes to."""
    rules = dispatch_rules(on or timezone.localdate())
    return [("", _("请选择类别")), *[(r.category, f"{r.label}（{r.department.name}）") for r in rules]]


DemandFormSet = forms.formset_factory(
    DemandForm, extra=1, max_num=DEMANDS_MAX, absolute_max=DEMANDS_MAX, validate_max=True
)


class PlanForm(BoundedForm):
    title = forms.CharField(label=_l("计划名称"), max_length=120)
    visitor = forms.TypedChoiceField(label=_l("走访人"), coerce=int)
    starts_on = CalendarDateField(label=_l("开始日期"))
    due_on = CalendarDateField(label=_l("完成期限"))
    enterprises = forms.TypedMultipleChoiceField(
        label=_l("走访企业"),
        coerce=int,
        required=False,
        help_text=_l("可多选（按住 Ctrl 或在手机上逐个点选）"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    places = forms.CharField(
        label=_l("走访地点"),
        required=False,
        max_length=PLACES_TEXT,
        help_text=_l("每行一个，如：长白新村街道党群服务站"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        visitors: list[tuple[int, str]],
        enterprises: list[tuple[int, str]],
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        _choices(self, "visitor", visitors)
        _choices(self, "enterprises", enterprises)

    def place_list(self) -> list[str]:
        text = self.cleaned_data.get("places") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def clean_places(self) -> str:
        text: str = self.cleaned_data.get("places") or ""
        for line in text.splitlines():
            if len(line.strip()) > PLACE_MAX:
                raise forms.ValidationError(_("每个地点最多 %(n)s 个字。") % {"n": PLACE_MAX})
        return text


# ----------------------------------------------------------------------------------------------- the phone's JSON
def _text(payload: dict[str, Any], name: str, limit: int) -> str:
    value = payload.get(name)
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise ValidationError({name: [_("“%(f)s”格式不正确。") % {"f": name}]})
    text = str(value).strip()
    if len(text) > limit:
        raise ValidationError({name: [_("内容过长（最多 %(n)s 个字）。") % {"n": limit}]})
    return text


def _int_or_none(payload: dict[str, Any], name: str) -> int | None:
    value = payload.get(name)
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        raise ValidationError({name: [_("“%(f)s”格式不正确。") % {"f": name}]}) from None


def _day(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValidationError({"visited_on": [_("走访日期格式不正确。")]}) from None


def base64_photos(
    items: Any, photo_max: int, *, at_most: int = PHOTOS_MAX, too_many: str = ""
) -> list[tuple[str, bytes]]:
    """A phone's photos ([{name, data_base64}], data: URLs too) decoded, each at most `photo_max` bytes
    (`too_large` when over, so the view answers 413); the patrol page's sync reads its photos through this."""
    if items in (None, ""):
        return []
    if not isinstance(items, list):
        raise ValidationError({"photos": [_("照片格式不正确。")]})
    if len(items) > at_most:
        raise ValidationError(
            {"photos": [(too_many or _("一次走访最多上传 %(n)s 张照片。")) % {"n": at_most}]}
        )
    photos = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValidationError({"photos": [_("第 %(n)s 张照片格式不正确。") % {"n": i}]})
        name = str(item.get("name") or _("照片%(n)s") % {"n": i})[:120]
        data = str(item.get("data_base64") or "")
        if "," in data[:100] and data.startswith("data:"):
            data = data.split(",", 1)[1]
        if len(data) > photo_max * 4 // 3 + 8:
            raise ValidationError({"too_large": [_("照片“%(n)s”超过 2 MB。") % {"n": name}]})
        try:
            content = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({"photos": [_("照片“%(n)s”无法读取。") % {"n": name}]}) from None
        if len(content) > photo_max:
            raise ValidationError({"too_large": [_("照片“%(n)s”超过 2 MB。") % {"n": name}]})
        photos.append((name, content))
    return photos


def _demands(items: Any) -> list[dict[str, Any]]:
    if items in (None, ""):
        return []
    if not isinstance(items, list):
        raise ValidationError({"demands": [_("诉求格式不正确。")]})
    if len(items) > DEMANDS_MAX:
        raise ValidationError({"demands": [_("一次走访最多登记 %(n)s 条诉求。") % {"n": DEMANDS_MAX}]})
    demands = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValidationError({"demands": [_("第 %(n)s 条诉求格式不正确。") % {"n": i}]})
        demands.append(
            {
                "client_key": _text(item, "client_key", 64) or None,
                "category": _text(item, "category", 40),
                "description": _text(item, "description", TEXT),
                "urgency": _text(item, "urgency", 10) or Demand.Urgency.NORMAL,
                "requester_name": _text(item, "requester_name", NAME_MAX),
                "place": _text(item, "place", PLACE_MAX),
            }
        )
    return demands


def payload_parse(payload: Any, *, idempotency_key: str, photo_max: int) -> dict[str, Any]:
    """A visit sent by the phone, checked for shape and size; the service checks the rest in words."""
    if not isinstance(payload, dict):
        raise ValidationError({"__all__": [_("记录格式不正确，无法读取。")]})
    key = _text(payload, "client_key", 64)
    header = (idempotency_key or "").strip()[:200]
    if key and header and key != header:
        raise ValidationError({"client_key": [_("记录标识与 Idempotency-Key 不一致。")]})
    return {
        "client_key": key or header or None,
        "visited_on": _day(payload.get("visited_on")),
        "enterprise_id": _int_or_none(payload, "enterprise_id"),
        "enterprise_name": _text(payload, "enterprise_name", 200),
        "place": _text(payload, "place", PLACE_MAX),
        "met": _text(payload, "met", NAME_MAX * 2),
        "notes": _text(payload, "notes", TEXT),
        "latitude": _text(payload, "latitude", 20) or None,
        "longitude": _text(payload, "longitude", 20) or None,
        "accuracy_m": _text(payload, "accuracy_m", 20) or None,
        "target_id": _int_or_none(payload, "target_id"),
        "demands": _demands(payload.get("demands")),
        "photos": base64_photos(payload.get("photos"), photo_max),
    }

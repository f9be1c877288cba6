"""The three rates' pages (三率): the leaders' dashboard and its .xlsx export.

Thin: parse the period, call frontline.rates (which checks who may read them), draw the charts as inline
SVG computed here (no JavaScript, nothing from the internet), render.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET

from shouzhan.core.limits import BoundedForm
from shouzhan.frontline.exports import rates_export as rates_xlsx
from shouzhan.frontline.models import Department
from shouzhan.frontline.permissions import require_read_rates
from shouzhan.frontline.rates import (
    BY_CATEGORY,
    BY_DEPARTMENT,
    BY_MONTH,
    DEFINITIONS,
    RateRow,
    month_range,
    rates_departments,
    rates_report,
)

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
YEARS = (2000, 2099)
TABS = (
    (BY_DEPARTMENT, _l("按部门")),
    (BY_CATEGORY, _l("按类别")),
    (BY_MONTH, _l("按月份")),
)
SERIES = (
    ("response_rate", _l("响应率"), "#0b57a4", ""),
    ("resolution_rate", _l("解决率"), "#17703d", "6 3"),
    ("satisfaction_rate", _l("满意率"), "#d84315", "2 3"),
)


class RatesForm(BoundedForm):
    start = forms.CharField(
        label=_l("起始月份"), required=False, max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    end = forms.CharField(
        label=_l("截止月份"), required=False, max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    department = forms.ChoiceField(label=_l("承办部门"), required=False)
    by = forms.ChoiceField(required=False, choices=TABS, widget=forms.HiddenInput)

    def __init__(self, *args: Any, departments: list[Department], today: dt.date, **kwargs: Any) -> None:
        if args and hasattr(args[0], "copy"):  # the page shows the period it counts: this year unless chosen
            data = args[0].copy()
            for name, month in (("start", 1), ("end", 12)):
                if not (data.get(name) or "").strip():
                    data[name] = f"{today.year}-{month:02d}"
            args = (data, *args[1:])
        super().__init__(*args, **kwargs)
        self.today = today
        self.departments = {d.key: d for d in departments}
        choices = [("", _("全部部门"))] + [(d.key, d.name) for d in departments]
        self.fields["department"].choices = choices  # type: ignore[attr-defined]

    def _month(self, name: str, default: dt.date) -> dt.date:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return default
        match = MONTH.match(text)
        if not match or not (YEARS[0] <= int(match[1]) <= YEARS[1]) or not 1 <= int(match[2]) <= 12:
            raise ValidationError({name: [_("请按“2026-01”的格式填写月份（2000 至 2099 年）。")]})
        return dt.date(int(match[1]), int(match[2]), 1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start = self._month("start", dt.date(self.today.year, 1, 1))
        end = self._month("end", dt.date(self.today.year, 12, 1))
        if end < start:
            raise ValidationError({"end": [_("截止月份不能早于起始月份。")]})
        data["start_day"] = start
        data["end_day"] = end.replace(day=_last_day(end))
        data["by"] = data.get("by") or BY_DEPARTMENT
        key = data.get("department") or ""
        data["department_obj"] = self.departments.get(key)
        return data


def _last_day(month: dt.date) -> int:
    return ((month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)).day


# ----------------------------------------------------------------------------- charts (inline SVG)
@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    value: str
    label: str
    color: str


@dataclass(frozen=True)
class BarGroup:
    y: float
    label: str
    bars: list[Bar]


def _text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def department_chart(rows: list[RateRow]) -> dict[str, Any] | None:
    """Horizontal bars, three per department (响应率, 解决率, 满意率), 0–100 %."""
    if not rows:
        return None
    label_w, bar_w, tail_w, bar_h, group_h = 150, 340, 70, 9, 40
    groups = []
    for i, row in enumerate(rows):
        bars = []
        for j, (attr, label, color, _dash) in enumerate(SERIES):
            value = getattr(row, attr)
            width = 0.0 if value is None else round(bar_w * float(value) / 100, 1)
            bars.append(
                Bar(y=4 + j * (bar_h + 2), width=width, value=_text(value), label=str(label), color=color)
            )
        groups.append(BarGroup(y=i * group_h, label=row.label, bars=bars))
    return {
        "width": label_w + bar_w + tail_w,
        "height": len(groups) * group_h,
        "label_w": label_w,
        "value_x": label_w + bar_w + 6,
        "bar_h": bar_h,
        "groups": groups,
    }


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value: str


@dataclass(frozen=True)
class Line:
    label: str
    color: str
    dash: str
    segments: list[str]  # polylines, broken where a month has no figure
    points: list[Point]


def month_chart(rows: list[RateRow], months: list[dt.date]) -> dict[str, Any] | None:
    """The three rates month by month (0–100 %); a month without a figure leaves a gap in its line."""
    if not rows or not months:
        return None
    width, height, left, right, top, bottom = 680, 260, 48, 666, 14, 222
    by_key = {r.key: r for r in rows}
    step = (right - left) / (len(months) - 1) if len(months) > 1 else 0.0

    def x_at(i: int) -> float:
        return round(left + i * step, 1) if len(months) > 1 else (left + right) / 2

    def y_at(v: Decimal) -> float:
        return round(bottom - (bottom - top) * float(v) / 100, 1)

    lines = []
    for attr, label, color, dash in SERIES:
        segments: list[list[str]] = [[]]
        points = []
        for i, month in enumerate(months):
            row = by_key.get(f"{month:%Y-%m}")
            value = getattr(row, attr) if row is not None else None
            if value is None:
                segments.append([])
                continue
            segments[-1].append(f"{x_at(i):g},{y_at(value):g}")
            points.append(Point(x_at(i), y_at(value), f"{month.year}-{month.month:02d}", _text(value)))
        lines.append(Line(str(label), color, dash, [" ".join(s) for s in segments if len(s) > 1], points))
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "y_ticks": [(y_at(Decimal(v)), f"{v}%") for v in (0, 25, 50, 75, 100)],
        "x_ticks": [
            (x_at(i), f"{m.month}月" if m.month != 1 or i == 0 else f"{m.year}年1月")
            for i, m in enumerate(months)
        ],
        "lines": lines,
    }


# ----------------------------------------------------------------------------- pages
def _query(data: dict[str, Any], **extra: str) -> str:
    department = data.get("department_obj")
    params = {
        "start": f"{data['start_day']:%Y-%m}",
        "end": f"{data['end_day']:%Y-%m}",
        "department": department.key if department else "",
        "by": data["by"],
    }
    params.update(extra)
    return urlencode({k: v for k, v in params.items() if v})


@login_required
@require_GET
def rates(request: HttpRequest) -> HttpResponse:
    require_read_rates(request.user)
    today = timezone.localdate()
    departments = rates_departments(actor=request.user)
    form = RatesForm(request.GET, departments=departments, today=today)
    context: dict[str, Any] = {"form": form, "definitions": DEFINITIONS, "active_nav": "frontline_rates"}
    if not form.is_valid():
        return render(request, "frontline/rates.html", context, status=400)
    data = form.cleaned_data
    department = data["department_obj"]
    report = rates_report(
        actor=request.user,
        start=data["start_day"],
        end=data["end_day"],
        department_id=department.pk if department else None,
    )
    shown_end = min(data["end_day"], today)
    by = data["by"]
    context.update(
        {
            "report": report,
            "by": by,
            "rows": report.rows(by),
            "department": department,
            "tabs": [(key, label, f"?{_query(data, by=key)}") for key, label in TABS],
            "department_chart": department_chart(report.by_department),
            "month_chart": month_chart(report.by_month, month_range(data["start_day"], shown_end)),
            "series": SERIES,
            "export_url": f"{reverse('frontline:rates_export')}?{_query(data)}",
            "first_column": dict(
                [(BY_DEPARTMENT, _("承办部门")), (BY_CATEGORY, _("诉求类别")), (BY_MONTH, _("受理月份"))]
            )[by],
        }
    )
    return render(request, "frontline/rates.html", context)


@login_required
@require_GET
def rates_export(request: HttpRequest) -> HttpResponse:
    require_read_rates(request.user)
    form = RatesForm(
        request.GET, departments=rates_departments(actor=request.user), today=timezone.localdate()
    )
    if not form.is_valid():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        return HttpResponse(" ".join(messages), status=400, content_type="text/plain; charset=utf-8")
    data = form.cleaned_data
    department = data["department_obj"]
    content = rates_xlsx(
        actor=request.user,
        start=data["start_day"],
        end=data["end_day"],
        department_id=department.pk if department else None,
        scope_label=department.name if department else "",
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"sanlv-{data['start_day']:%Y%m}-{data['end_day']:%Y%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

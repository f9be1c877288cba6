"""The leader's compliance page (巡查履职) and its .xlsx export.

Thin: parse the month and the filters, call patrols.compliance (a handful of queries whatever the number of
chiefs), draw done against due as inline SVG bars computed here (no JavaScript, nothing from the internet),
render. Each row's due is explained by its stretches (the season, the warning, the rule of each part).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET

from shouzhan.core.limits import BoundedForm
from shouzhan.patrols.compliance import ComplianceRow, Summary, compliance_rows, summarise
from shouzhan.patrols.exports import compliance_export as compliance_xlsx
from shouzhan.patrols.exports import due_words, level_words, status_words
from shouzhan.patrols.models import Level, Target
from shouzhan.patrols.permissions import require_read_compliance

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
FIRST_YEAR = 2000


class ComplianceForm(BoundedForm):
    month = forms.CharField(
        label=_l("统计月份"), required=False, max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    street = forms.ChoiceField(label=_l("所属街镇"), required=False)
    level = forms.ChoiceField(label=_l("河长层级"), required=False)

    def __init__(self, *args: Any, streets: list[str], today: dt.date, **kwargs: Any) -> None:
        if args and hasattr(args[0], "copy"):  # the page shows the month it counts: this one unless chosen
            data = args[0].copy()
            if not (data.get("month") or "").strip():
                data["month"] = f"{today:%Y-%m}"
            args = (data, *args[1:])
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["street"].choices = [("", _("全部街镇"))] + [(s, s) for s in streets]  # type: ignore[attr-defined]
        self.fields["level"].choices = [("", _("全部层级")), *Level.choices]  # type: ignore[attr-defined]

    def clean_month(self) -> dt.date:
        text = (self.cleaned_data.get("month") or "").strip()
        match = MONTH.match(text)
        last_year = self.today.year + 1
        if not match or not FIRST_YEAR <= int(match[1]) <= last_year or not 1 <= int(match[2]) <= 12:
            raise ValidationError(
                _("请按“2026-06”的格式填写月份（%(a)s 至 %(b)s 年）。") % {"a": FIRST_YEAR, "b": last_year}
            )
        return dt.date(int(match[1]), int(match[2]), 1)


def _streets() -> list[str]:
    return list(Target.objects.order_by("street").values_list("street", flat=True).distinct())


# ----------------------------------------------------------------------------- the chart (inline SVG)
@dataclass(frozen=True)
class BarPair:
    y: float
    label: str
    due: int
    done: int
    due_w: float
    done_w: float
    rate: str


def bar_chart(summaries: list[Summary], labels: dict[str, str]) -> dict[str, Any] | None:
    """Two horizontal bars per group: patrols due (pale) and done (green), on one scale."""
    if not summaries:
        return None
    label_w, bar_w, tail_w, bar_h, group_h = 120, 330, 130, 11, 36
    most = max(max(s.due, s.done) for s in summaries) or 1
    groups = [
        BarPair(
            y=i * group_h,
            label=labels.get(s.key, s.key),
            due=s.due,
            done=s.done,
            due_w=round(bar_w * s.due / most, 1),
            done_w=round(bar_w * s.done / most, 1),
            rate="—" if s.rate is None else f"{s.rate}%",
        )
        for i, s in enumerate(summaries)
    ]
    return {
        "width": label_w + bar_w + tail_w,
        "height": len(groups) * group_h,
        "label_w": label_w,
        "value_x": label_w + bar_w + 6,
        "bar_h": bar_h,
        "groups": groups,
    }


# ----------------------------------------------------------------------------- pages
def _query(data: dict[str, Any]) -> str:
    params = {"month": f"{data['month']:%Y-%m}", "street": data.get("street"), "level": data.get("level")}
    return urlencode({k: v for k, v in params.items() if v})


def _line(row: ComplianceRow) -> dict[str, Any]:
    return {"row": row, "status": row.status, "status_words": status_words(row), "why": due_words(row)}


@login_required
@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    require_read_compliance(request.user)
    today = timezone.localdate()
    form = ComplianceForm(request.GET, streets=_streets(), today=today)
    context: dict[str, Any] = {"form": form, "active_nav": "patrols_compliance", "today": today}
    if not form.is_valid():
        return render(request, "patrols/compliance.html", context, status=400)
    data = form.cleaned_data
    try:
        rows = compliance_rows(month=data["month"], today=today, street=data["street"], level=data["level"])
    except ValidationError as e:  # a month before any frequency rules were in force
        context["problem"] = " ".join(e.messages)
        return render(request, "patrols/compliance.html", context, status=400)
    by_street, by_level = summarise(rows, "street"), summarise(rows, "level")
    level_labels = {key: str(label) for key, label in Level.choices}
    context.update(
        {
            "month": data["month"],
            "lines": [_line(r) for r in rows],
            "by_street": by_street,
            "by_level": [(s, level_words(s.key)) for s in by_level],
            "street_chart": bar_chart(by_street, {}),
            "level_chart": bar_chart(by_level, level_labels),
            "export_url": f"{reverse('patrols:compliance_export')}?{_query(data)}",
        }
    )
    return render(request, "patrols/compliance.html", context)


@login_required
@require_GET
def compliance_export(request: HttpRequest) -> HttpResponse:
    require_read_compliance(request.user)
    today = timezone.localdate()
    form = ComplianceForm(request.GET, streets=_streets(), today=today)
    if not form.is_valid():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        return HttpResponse(" ".join(messages), status=400, content_type="text/plain; charset=utf-8")
    data = form.cleaned_data
    try:
        content = compliance_xlsx(
            actor=request.user, month=data["month"], today=today, street=data["street"], level=data["level"]
        )
    except ValidationError as e:
        return HttpResponse(" ".join(e.messages), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = _("巡查履职-%(m)s.xlsx") % {"m": f"{data['month']:%Y%m}"}
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response


urlpatterns: list[URLPattern] = [
    path("compliance/", compliance, name="compliance"),
    path("compliance/export.xlsx", compliance_export, name="compliance_export"),
]

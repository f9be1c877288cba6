"""The targets (目标进度, GET /insight/targets/): every target with its definition in words and in the rule
language, its month-end history and a chart of progress against the goal, the unknowns explained, and the
city's totals entered with their source and date — with the form (policy officers, leaders, administrators)
that enters a new one (POST /insight/targets/city-figure/). One target (GET /insight/targets/<key>/): its
definition, history and the enterprises or filings it counts now, a page at a time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from shouzhan.core.forms import CalendarDateField, add_service_errors
from shouzhan.core.limits import BoundedForm
from shouzhan.core.money import MoneyError, format_yuan, parse_yuan
from shouzhan.insight.charts import progress_chart
from shouzhan.insight.permissions import can_manage, require_manage, require_read
from shouzhan.insight.progress import (
    TargetProgress,
    city_figures,
    target_get,
    target_members,
    targets_progress,
)
from shouzhan.insight.services.figures import city_figure_enter
from shouzhan.insight.views_dashboard import card_view, figure_view


class CityFigureForm(BoundedForm):
    year = forms.IntegerField(label=_l("年度"), min_value=2000, max_value=2100)
    value_yuan = forms.CharField(label=_l("全市产业营业收入（元）"), max_length=40)
    source = forms.CharField(label=_l("数据来源"), max_length=200)
    published_on = CalendarDateField(label=_l("发布日期"))

    def clean_value_yuan(self) -> Any:
        try:
            return parse_yuan(self.cleaned_data.get("value_yuan"))
        except MoneyError as exc:
            raise ValidationError(str(exc)) from exc


def _history_rows(tp: TargetProgress) -> list[dict[str, Any]]:
    """The month-ends stored, newest first, as a page writes them."""
    rows = []
    for month, figure in reversed(tp.history):
        rows.append({"month": month, **figure_view(figure)})
    return rows


def _target_view(tp: TargetProgress, period_to: dt.date) -> dict[str, Any]:
    unit = "percent" if tp.figure.unit == "percent" else "count"
    return {
        **card_view(tp),
        "chart": progress_chart(tp.progress, unit=unit, period_to=period_to),
        "history": _history_rows(tp),
    }


def _targets_page(request: HttpRequest, form: CityFigureForm | None, status: int = 200) -> HttpResponse:
    now = timezone.localtime()
    version, targets = targets_progress(actor=request.user, as_of=now.date())
    manage = can_manage(request.user)
    context = {
        "version": version,
        "targets": [_target_view(tp, version.period_to) for tp in targets] if version else [],
        "city_figures": [
            {"row": c, "value": format_yuan(c.value_fen)} for c in city_figures(actor=request.user)
        ],
        "form": form
        if form is not None
        else (CityFigureForm(initial={"year": now.year}) if manage else None),
        "can_manage": manage,
        "now": now,
    }
    return render(request, "insight/targets.html", context, status=status)


@login_required
@require_GET
def targets(request: HttpRequest) -> HttpResponse:
    require_read(request.user)
    return _targets_page(request, None)


@login_required
@require_POST
def city_figure(request: HttpRequest) -> HttpResponse:
    require_manage(request.user)
    form = CityFigureForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            city_figure_enter(
                actor=request.user, year=data["year"], value_yuan=data["value_yuan"],
                source=data["source"], published_on=data["published_on"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已录入 %(y)s 年全市产业营业收入。") % {"y": data["year"]})
            return redirect("insight:targets")
    return _targets_page(request, form, status=400)


@login_required
@require_GET
def target(request: HttpRequest, key: str) -> HttpResponse:
    version, found = target_get(actor=request.user, key=key)
    now = timezone.localtime()
    _version, measured = targets_progress(actor=request.user, as_of=now.date())
    tp = next((t for t in measured if t.target.pk == found.pk), None)
    if tp is None:  # a new version published between the two reads
        raise Http404(_("目标刚刚更新，请刷新页面。"))
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    members = target_members(actor=request.user, target=found, as_of=now.date(), page=page)
    for row in members.rows:
        revenue = row.get("revenue_fen")
        row["revenue"] = format_yuan(revenue) if isinstance(revenue, int) else "—"
    context = {
        "version": version,
        "t": _target_view(tp, version.period_to),
        "members": members,
        "counts_filings": found.counts == found.Counts.FILING,
        "now": now,
    }
    return render(request, "insight/target.html", context)


urlpatterns: list[URLPattern] = [
    path("targets/", targets, name="targets"),
    path("targets/city-figure/", city_figure, name="city_figure"),
    path("targets/<slug:key>/", target, name="target"),
]

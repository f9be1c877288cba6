"""The leader's home (产业驾驶舱, GET /insight/): each target as a card — the value against the goal, a
progress bar, a sparkline of its month-ends, the projection in words, its definition, source and as-of time —
then the service figures, each with its definition, source and as-of day, and the way on to the map, the gaps
and the bulletins. Thin: insight.progress and insight.service_figures measure, insight.charts draws."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shouzhan.core.money import format_yuan
from shouzhan.insight.charts import sparkline
from shouzhan.insight.figures import Figure, definition_lines
from shouzhan.insight.permissions import can_manage, require_read
from shouzhan.insight.progress import TargetProgress, targets_progress
from shouzhan.insight.service_figures import service_figures


def figure_view(figure: Figure) -> dict[str, Any]:
    """What a page writes for a figure: the value in words and, for a share, its two sides exactly."""
    numerator, denominator = figure.detail.get("numerator"), figure.detail.get("denominator")
    if figure.numerator_fen is not None:
        sides = _("%(a)s ÷ %(b)s") % {
            "a": format_yuan(figure.numerator_fen),
            "b": format_yuan(figure.denominator_fen)
            if figure.denominator_fen is not None
            else _("全市数（未录入）"),
        }
    elif numerator is not None:
        sides = f"{numerator} ÷ {denominator}"
    else:
        sides = ""
    if figure.value is None:
        value = "—"
    elif figure.unit == "percent":
        value = f"{figure.value}%"
    else:
        value = f"{figure.value.normalize():f}"
    return {"figure": figure, "value": value, "sides": sides}


def card_view(tp: TargetProgress) -> dict[str, Any]:
    unit = "percent" if tp.figure.unit == "percent" else "count"
    progress = tp.figure.progress
    width = min(float(progress), 100.0) if progress is not None else 0.0
    goal = f"{tp.target.goal.normalize():f}%" if unit == "percent" else f"{tp.target.goal.normalize():f}"
    return {
        **figure_view(tp.figure),
        "target": tp.target,
        "rule_lines": definition_lines(tp.target),
        "noun": tp.noun if unit == "count" else "",
        "goal": goal,
        "percent_done": progress,
        "bar_width": round(width, 1),
        "spark": sparkline(tp.progress.points, unit=unit),
        "progress": tp.progress,
        "unknown_words": tp.unknown_words,
        "no_city_total": tp.figure.note == "no_city_total",
    }


def _links() -> list[tuple[str, str, str]]:
    wanted = [
        ("insight:targets", _("目标进度"), _("口径、月末历史和全市统计数")),
        ("insight:map", _("产业图谱"), _("产业链环节上的企业")),
        ("insight:gaps", _("强链补链"), _("缺口排序与招商清单")),
        ("insight:bulletins", _("月度通报"), _("每月第一个工作日生成的通报")),
    ]
    return [(reverse(name), label, note) for name, label, note in wanted]


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    require_read(request.user)
    now = timezone.localtime()
    as_of = now.date()
    version, targets = targets_progress(actor=request.user, as_of=as_of)
    context = {
        "version": version,
        "cards": [card_view(tp) for tp in targets],
        "services": [figure_view(f) for f in service_figures(as_of=as_of)],
        "now": now,
        "as_of": as_of,
        "links": _links(),
        "can_manage": can_manage(request.user),
    }
    return render(request, "insight/dashboard.html", context)


urlpatterns: list[URLPattern] = [path("", dashboard, name="dashboard")]

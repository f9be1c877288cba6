"""每月一题 (the month's recurring themes) and the likely repeats of a demand being typed in (an htmx fragment).

Thin: parse and bound the input, check who may look, call frontline/themes.py or frontline/repeats.py, render.
"""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shouzhan.core.limits import TEXT
from shouzhan.frontline.models import Demand
from shouzhan.frontline.permissions import require_read_rates, require_receive, scope_demands
from shouzhan.frontline.repeats import repeat_candidates
from shouzhan.frontline.themes import month_bounds, themes_monthly_cached
from shouzhan.registry.models import Enterprise

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
CATEGORY_MAX = 40
PLACE_MAX = 120
ENTERPRISE_MAX = 200
ID_MAX = 12
FIRST_YEAR = 2000
THEMES_SHOWN = 20


def _bad(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "core/error.html", {"status": 400, "message": message}, status=400)


def _month(text: str, today: dt.date) -> dt.date | None:
    """The month typed as YYYY-MM (the month picker's value); empty is this month; None when it is not one."""
    if not text:
        return today.replace(day=1)
    match = MONTH.match(text.strip())
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not (FIRST_YEAR <= year <= today.year + 1 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


@login_required
@require_GET
def themes(request: HttpRequest) -> HttpResponse:
    require_read_rates(request.user)
    today = timezone.localdate()
    month = _month(request.GET.get("month", "")[:20], today)
    if month is None:
        return _bad(request, _("月份无效，请按“年-月”选择，如 2026-11。"))
    every = themes_monthly_cached(month=month)
    found = every[:THEMES_SHOWN]
    example_ids = [e.demand_id for t in found for e in t.examples]
    readable = set(
        scope_demands(request.user, Demand.objects.filter(pk__in=example_ids)).values_list("pk", flat=True)
    )
    first, last = month_bounds(month)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = last + dt.timedelta(days=1)
    context = {
        "active_nav": "frontline_themes",
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "previous_value": f"{previous:%Y-%m}",
        "next_value": f"{following:%Y-%m}" if following <= today else "",
        "themes": [
            {"theme": t, "examples": [e for e in t.examples if e.demand_id in readable]} for t in found
        ],
        "chart_rows": [(t.name, t.count) for t in found],
        "total": sum(t.count for t in every),
        "more": len(every) - len(found),
    }
    return render(request, "frontline/themes.html", context)


@login_required
@require_GET
def repeats(request: HttpRequest) -> HttpResponse:
    """The likely repeats of a demand being recorded: the receiver's form asks as the description is typed."""
    require_receive(request.user)
    description = request.GET.get("description", "").strip()
    category = request.GET.get("category", "").strip()
    place = request.GET.get("place", "").strip()
    enterprise_text = request.GET.get("enterprise", "").strip()
    if len(description) > TEXT or len(category) > CATEGORY_MAX or len(place) > PLACE_MAX:
        return _bad(request, _("输入过长，无法查找重复诉求。"))
    if len(enterprise_text) > ENTERPRISE_MAX:
        return _bad(request, _("企业名称过长。"))
    found = (
        repeat_candidates(
            description=description,
            category=category,
            enterprise_id=_enterprise_id(enterprise_text),
            place=place,
            on=timezone.localdate(),
        )
        if description
        else []
    )
    return render(
        request, "frontline/themes_repeat_candidates.html", {"candidates": found, "asked": bool(description)}
    )


def _enterprise_id(text: str) -> int | None:
    """The enterprise as the demand form has it: its id, or its exact name or credit code (else none yet)."""
    if not text:
        return None
    if text.isdigit() and len(text) <= ID_MAX:
        return int(text)
    return (
        Enterprise.objects.filter(Q(name=text) | Q(credit_code=text.upper()))
        .values_list("pk", flat=True)
        .first()
    )

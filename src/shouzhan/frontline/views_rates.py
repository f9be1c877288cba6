"""The three rates' pages (三率): the dashboard and its .xlsx export (stubs, filled next)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from shouzhan.frontline.permissions import require_read_rates


@login_required
def rates(request: HttpRequest) -> HttpResponse:
    require_read_rates(request.user)
    return HttpResponse("")


@login_required
def rates_export(request: HttpRequest) -> HttpResponse:
    require_read_rates(request.user)
    return HttpResponse("")

"""frontline's pages: thin — parse, call a service or a selector, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from shouzhan.frontline.models import Demand
from shouzhan.frontline.permissions import require_demand_read


@login_required
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand = get_object_or_404(Demand, pk=pk)
    require_demand_read(request.user, demand)
    return redirect("cases:detail", pk=demand.case_id)

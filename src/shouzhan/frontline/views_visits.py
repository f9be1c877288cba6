"""frontline's visit pages: my visits and plans, the visit form, a visit, plan creation, the phone's sync."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


visits = login_required(_todo)
visit_new = login_required(_todo)
visit_detail = login_required(_todo)
visit_photo = login_required(_todo)
plan_new = login_required(_todo)
sync_visit = _todo
service_worker = _todo

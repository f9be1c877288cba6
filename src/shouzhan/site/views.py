"""The site's own pages: the landing page, each role's home, the staff workspace and the audit trail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from shouzhan.core import selectors as audit_selectors
from shouzhan.core.audit_chain import chain_check, problem_text
from shouzhan.core.forms import CalendarDateField
from shouzhan.core.permissions import is_staff_member
from shouzhan.registry.permissions import member_enterprise_ids
from shouzhan.site import selectors


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "site/landing.html", {"active_nav": ""})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where their work is."""
    if is_staff_member(request.user):
        return redirect("site:staff")
    ids = sorted(member_enterprise_ids(request.user))
    if ids:
        return redirect("registry:enterprise", pk=ids[0])
    return render(request, "site/home_empty.html")


@login_required
def staff_workspace(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise PermissionDenied(_("工作台仅对服务中心工作人员开放。"))
    context = selectors.staff_workspace(actor=request.user)
    return render(request, "site/staff.html", {"active_nav": "staff", **context})


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_l("关键词"), required=False, max_length=100)
    action = forms.CharField(label=_l("动作"), required=False, max_length=80)
    since = CalendarDateField(label=_l("起始日期"), required=False)
    until = CalendarDateField(label=_l("截止日期"), required=False)
    enterprise = forms.IntegerField(label=_l("企业编号"), required=False, min_value=1)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "q": data["q"],
            "action": data["action"],
            "since": data["since"],
            "until": data["until"],
            "enterprise_id": data["enterprise"],
        }
    entries = audit_selectors.audit_list(actor=request.user, **filters)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "active_nav": "audit",
        "form": form,
        "page": page,
        "rows": selectors.audit_rows(page.object_list),
        "actions": selectors.audit_action_choices(),
        "query": query.urlencode(),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "site/_audit_rows.html", context)
    context["chain"] = audit_selectors.audit_chain_status(actor=request.user)
    return render(request, "site/audit.html", context)


@login_required
@require_http_methods(["POST"])
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Walk the audit chain now; the result goes into the trail and onto the audit page."""
    state = chain_check(actor=request.user)
    if state.ok:
        messages.success(request, _("审计链完整：已核验至第 %(n)s 条记录。") % {"n": state.head_sequence})
    else:
        messages.error(
            request,
            _("审计链断裂：%(problem)s") % {"problem": problem_text(state.problem, state.at_sequence)},
        )
    return redirect("site:audit")

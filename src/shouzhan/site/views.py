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
from shouzhan.core.notifications import notification_list, notification_mark_read
from shouzhan.core.permissions import is_staff_member
from shouzhan.site import selectors


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "site/landing.html", {"active_nav": ""})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where their work is (site.selectors.landing_url)."""
    url = selectors.landing_url(actor=request.user)
    if url:
        return redirect(url)
    return render(request, "site/home_empty.html")


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    """The centre's figures at a glance (the queue, response times, each voucher budget's burn-down); the
    leader's home is insight's dashboard, which links the targets, the map and the bulletins."""
    if not is_staff_member(request.user):
        raise PermissionDenied(_("数据概览仅对服务中心工作人员开放。"))
    context = selectors.leader_figures(actor=request.user)
    return render(request, "site/figures.html", {"active_nav": "figures", **context})


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """Every module's in-site messages to the user, newest first; one button marks them all read."""
    if request.method == "POST":
        notification_mark_read(actor=request.user)
        return redirect("site:notifications")
    notes = notification_list(actor=request.user)
    page = Paginator(notes, 30).get_page(request.GET.get("page"))
    unread = notification_list(actor=request.user, unread_only=True).count()
    return render(
        request, "site/notifications.html", {"active_nav": "notifications", "page": page, "unread": unread}
    )


@login_required
def notifications_badge(request: HttpRequest) -> HttpResponse:
    """The top bar's bell with the unread count, fetched after the page (keeps every page's queries as
    they are: the count costs this small request, not each page)."""
    unread = notification_list(actor=request.user, unread_only=True).count()
    return render(request, "site/_bell.html", {"unread": unread})


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

"""Pages of the shell: landing, home redirect, staff workspace, audit trail, calendar; error pages."""

from __future__ import annotations

import calendar as pycal
import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from shouzhan.core import selectors, services
from shouzhan.core.audit_chain import chain_check, problem_text
from shouzhan.core.calendar import current_calendar
from shouzhan.core.forms import CalendarDateField
from shouzhan.core.models import WorkdayOverride
from shouzhan.core.permissions import can_read_audit, is_staff_member, require_role
from shouzhan.core.roles import Role
from shouzhan.core.workdays import MAX_DATE, MAX_WORKING_DAYS, MIN_DATE, DateOutOfRange, package_years
from shouzhan.registry.permissions import member_enterprise_ids


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "core/landing.html", {"active_nav": ""})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where their work is."""
    if is_staff_member(request.user):
        return redirect("core:staff")
    ids = sorted(member_enterprise_ids(request.user))
    if ids:
        return redirect("registry:enterprise", pk=ids[0])
    return render(request, "core/home_empty.html")


@login_required
def staff_workspace(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise PermissionDenied(_("工作台仅对服务中心工作人员开放。"))
    from shouzhan.cases.selectors import queue_counts
    from shouzhan.registry.selectors import enterprise_stats

    stats = enterprise_stats(actor=request.user)
    cases = queue_counts(actor=request.user)
    recent = None
    if can_read_audit(request.user):
        recent = selectors.audit_list(actor=request.user)[:8]
    today = timezone.localdate()
    cal = current_calendar()
    context = {
        "active_nav": "staff",
        "stats": stats,
        "cases": cases,
        "recent": recent,
        "today": today,
        "today_is_workday": cal.is_workday(today),
        "due_2": cal.add_working_days(today, 2),
        "due_5": cal.add_working_days(today, 5),
    }
    return render(request, "core/staff.html", context)


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
    entries = selectors.audit_list(actor=request.user, **filters)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "active_nav": "audit",
        "form": form,
        "page": page,
        "actions": selectors.audit_actions(),
        "query": query.urlencode(),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "core/_audit_rows.html", context)
    context["chain"] = selectors.audit_chain_status(actor=request.user)
    return render(request, "core/audit.html", context)


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
    return redirect("core:audit")


class OverrideForm(forms.Form):
    date = CalendarDateField(label=_l("日期"))
    is_workday = forms.TypedChoiceField(
        label=_l("设为"),
        choices=[("1", _l("工作日")), ("0", _l("休息日"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_l("原因"), max_length=200, required=False)


class DueForm(forms.Form):
    start = CalendarDateField(label=_l("提交日期"))
    n = forms.IntegerField(label=_l("工作日数"), min_value=0, max_value=MAX_WORKING_DAYS)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The working-day calendar: a month view, the due-date calculator, and (for admins) overrides."""
    is_admin = request.user.is_superuser or getattr(request.user, "role", "") == Role.ADMIN
    if not (is_admin or is_staff_member(request.user)):
        raise PermissionDenied(_("工作日历仅对服务中心工作人员开放。"))
    override_form = OverrideForm(prefix="ov")
    if request.method == "POST":
        require_role(request.user, Role.ADMIN)
        if "delete" in request.POST:
            try:
                day = dt.date.fromisoformat(request.POST["delete"])
            except ValueError:
                return render(
                    request, "core/error.html", {"status": 400, "message": _("日期无效。")}, status=400
                )
            services.workday_override_delete(actor=request.user, date=day)
            messages.success(request, _("已删除 %(d)s 的调整。") % {"d": day})
            return redirect("core:calendar")
        override_form = OverrideForm(request.POST, prefix="ov")
        if override_form.is_valid():
            d = override_form.cleaned_data
            services.workday_override_set(
                actor=request.user, date=d["date"], is_workday=d["is_workday"], reason=d["reason"]
            )
            messages.success(request, _("已保存 %(d)s 的调整。") % {"d": d["date"]})
            return redirect(f"{request.path}?month={d['date']:%Y-%m}")
    today = timezone.localdate()
    try:
        month = dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        month = today.replace(day=1)
    if not MIN_DATE <= month <= MAX_DATE:  # the calendar's range (9999-12 overflowed the next month)
        month = today.replace(day=1)
    cal = current_calendar()
    weeks = []
    for week in pycal.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        days = []
        for day in week:
            answer = cal.day(day)
            days.append(
                {
                    "date": day,
                    "in_month": day.month == month.month,
                    "workday": answer.is_workday,
                    "adjusted": answer.is_workday and day.weekday() >= 5,
                    "override": day in cal.overrides,
                    "provisional": answer.provisional,
                }
            )
        weeks.append(days)
    due_form = DueForm(request.GET if "start" in request.GET else None)
    due = None
    if due_form.is_bound and due_form.is_valid():
        try:
            due = cal.add_working_days(due_form.cleaned_data["start"], due_form.cleaned_data["n"])
        except DateOutOfRange as exc:  # before 1900, or counting past 2200
            due_form.add_error("start", str(exc))
    prev_month = (month - dt.timedelta(days=1)).replace(day=1)
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    context = {
        "active_nav": "calendar",
        "month": month,
        "weeks": weeks,
        "prev_month": prev_month,
        "next_month": next_month,
        "overrides": WorkdayOverride.objects.all(),
        "override_form": override_form,
        "due_form": due_form,
        "due": due,
        "is_admin": is_admin,
        "known_years": f"{min(package_years())}–{max(package_years())}",
        "month_provisional": not cal.knows_year(month.year),
    }
    return render(request, "core/calendar.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


# Error pages: a clear message in Chinese, the right status, never a stack trace.
def _error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": message}, status=status)
    return render(request, "core/error.html", {"status": status, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("请求无效，请检查后重试。"))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else _("您无权访问此页面。")
    return _error(request, 403, message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("没有找到您要访问的页面或记录。"))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, _("服务器出错了，我们已记录，请稍后重试。您已保存的数据不会丢失。"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, 403, _("页面已过期或缺少安全令牌，请刷新页面后重试。"))

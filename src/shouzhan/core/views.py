"""Core's pages: the working-day calendar and the health check; the error pages every module's requests end in."""

from __future__ import annotations

import calendar as pycal
import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from shouzhan.core import services
from shouzhan.core.calendar import current_calendar
from shouzhan.core.forms import CalendarDateField
from shouzhan.core.models import WorkdayOverride
from shouzhan.core.permissions import is_staff_member, require_role
from shouzhan.core.roles import Role
from shouzhan.core.workdays import MAX_DATE, MAX_WORKING_DAYS, MIN_DATE, DateOutOfRange, package_years


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

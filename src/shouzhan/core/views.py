"""Core's pages: the working-day calendar and the health check; the error pages every module's requests end in."""

from __future__ import annotations

import calendar as pycal
import datetime as dt
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from shouzhan.core import services
from shouzhan.core.calendar import current_calendar
from shouzhan.core.forms import CalendarDateField, add_service_errors
from shouzhan.core.models import ConfirmedYear, WorkdayOverride
from shouzhan.core.permissions import is_staff_member, require_role
from shouzhan.core.roles import Role
from shouzhan.core.workdays import (
    MAX_DATE,
    MAX_WORKING_DAYS,
    MIN_DATE,
    DateOutOfRange,
    package_years,
    parse_iso_date,
    statutory_holidays,
)


class OverrideForm(forms.Form):
    date = CalendarDateField(label=_l("日期"))
    is_workday = forms.TypedChoiceField(
        label=_l("设为"),
        choices=[("1", _l("工作日")), ("0", _l("休息日"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_l("原因"), max_length=200, required=False)


NOTICE_MAX_LINES = 40
NOTICE_MAX_SPAN_DAYS = 31  # the longest holiday the State Council gives is 8–9 days; a typo'd year is not
_RANGE_SEPARATOR = re.compile(r"\s*(?:~|～|至|到|—|–|to)\s*")
_ITEM_SEPARATOR = re.compile(r"[\s,，、;；]+")


def notice_days(text: str) -> dict[dt.date, str]:
    """Days from the lines of a State Council notice, each day with its line's name.

    One line per holiday or group: an optional name, then dates or ranges separated by commas or
    spaces — ``春节 2027-02-05 至 2027-02-11``, ``调休上班：2027-02-20、2027-02-21``, ``2027-01-01``.
    A range is ``A ~ B``, ``A 至 B``, ``A 到 B`` or ``A — B``, both ends included.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > NOTICE_MAX_LINES:
        raise forms.ValidationError(_("最多 %(n)s 行。") % {"n": NOTICE_MAX_LINES})
    days: dict[dt.date, str] = {}
    for number, line in enumerate(lines, start=1):
        first_digit = re.search(r"[0-9]", line)
        if first_digit is None:
            raise forms.ValidationError(_("第 %(n)s 行没有日期：%(line)s") % {"n": number, "line": line})
        name = line[: first_digit.start()].strip(" :：\t")
        for item in _ITEM_SEPARATOR.split(_RANGE_SEPARATOR.sub("~", line[first_digit.start() :]).strip()):
            ends = item.split("~")
            try:
                start, end = parse_iso_date(ends[0]), parse_iso_date(ends[-1])
            except DateOutOfRange:
                raise forms.ValidationError(
                    _("第 %(n)s 行的“%(item)s”不是日期或日期范围（如 2027-02-05 至 2027-02-11）。")
                    % {"n": number, "item": item}
                ) from None
            if len(ends) > 2 or not start <= end <= start + dt.timedelta(days=NOTICE_MAX_SPAN_DAYS - 1):
                raise forms.ValidationError(
                    _("第 %(n)s 行的范围“%(item)s”无效：结束日应不早于开始日，且最多 %(max)s 天。")
                    % {"n": number, "item": item, "max": NOTICE_MAX_SPAN_DAYS}
                )
            day = start
            while day <= end:
                days[day] = name
                day += dt.timedelta(days=1)
    return days


def package_notice_text(year: int) -> str:
    """The `holidays` package's statutory days off for a year as notice lines, to start the entry from.

    Consecutive days (a weekend between them included) make one line, named after its holidays."""
    runs: list[tuple[list[str], dt.date, dt.date]] = []
    for day, label in sorted(statutory_holidays(year).items()):
        names = [name.replace("（补假）", "") for name in label.split("; ")]  # two holidays can share a day
        if runs and _weekend_between(runs[-1][2], day):
            earlier, first, _last = runs[-1]
            runs[-1] = (list(dict.fromkeys(earlier + names)), first, day)
        else:
            runs.append((list(dict.fromkeys(names)), day, day))
    return "\n".join(
        f"{'、'.join(names)} {start.isoformat()}" + ("" if end == start else f" 至 {end.isoformat()}")
        for names, start, end in runs
    )


def _weekend_between(before: dt.date, after: dt.date) -> bool:
    """Whether every day strictly between the two is a Saturday or a Sunday (true when none is)."""
    return all((before + dt.timedelta(days=i)).weekday() >= 5 for i in range(1, (after - before).days))


class NoticeDaysField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 6})

    def clean(self, value: str) -> dict[dt.date, str]:
        return notice_days(super().clean(value))


class NoticeForm(forms.Form):
    """A year's State Council notice: its holidays and its 调休 working weekends, entered at once."""

    year = forms.IntegerField(label=_l("年份"), min_value=MIN_DATE.year, max_value=MAX_DATE.year)
    days_off = NoticeDaysField(
        label=_l("放假安排"),
        max_length=2000,
        help_text=_l("每行一个节日：名称、起止日期，如“春节 2027-02-05 至 2027-02-11”；单日只写一个日期。"),
    )
    working_days = NoticeDaysField(
        label=_l("调休上班日"),
        max_length=1000,
        required=False,
        help_text=_l("通知中要求上班的周六、周日，如“春节调休 2027-02-20、2027-02-21”。"),
    )
    note = forms.CharField(label=_l("通知文号或说明"), max_length=200, required=False)


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
        if "notice" in request.POST:
            notice_form = NoticeForm(request.POST, prefix="nt")
            if _notice_saved(request, notice_form):
                year = notice_form.cleaned_data["year"]
                messages.success(
                    request, _("已录入 %(y)s 年的放假安排，该年的期限不再是暂定。") % {"y": year}
                )
                return redirect(f"{request.path}?month={year}-01")
            return _calendar_render(request, override_form, notice_form)
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
    return _calendar_render(request, override_form, None)


def _notice_saved(request: HttpRequest, form: NoticeForm) -> bool:
    if not form.is_valid():
        return False
    d = form.cleaned_data
    try:
        services.calendar_notice_enter(
            actor=request.user,
            year=d["year"],
            days_off=d["days_off"],
            working_days=d["working_days"],
            note=d["note"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True


def _notice_form(request: HttpRequest) -> NoticeForm:
    """The notice form for the year asked (?notice_year=), else the first year the package does not know
    and nobody confirmed; started from the `holidays` package's days off for that year."""
    confirmed = set(ConfirmedYear.objects.values_list("year", flat=True))
    year = max(package_years()) + 1
    while year in confirmed:
        year += 1
    try:
        asked = int(request.GET.get("notice_year", ""))
    except ValueError:
        asked = year
    if MIN_DATE.year <= asked <= MAX_DATE.year and asked not in package_years():
        year = asked
    return NoticeForm(prefix="nt", initial={"year": year, "days_off": package_notice_text(year)})


def _calendar_render(
    request: HttpRequest, override_form: OverrideForm, notice_form: NoticeForm | None
) -> HttpResponse:
    is_admin = request.user.is_superuser or getattr(request.user, "role", "") == Role.ADMIN
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
        "notice_form": notice_form or (_notice_form(request) if is_admin else None),
        "confirmed_years": ConfirmedYear.objects.all(),
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

"""Pages of the spaces module: thin — parse, call a selector or service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shouzhan.core.forms import add_service_errors
from shouzhan.core.workdays import MAX_DATE, MIN_DATE, DateOutOfRange, parse_iso_date
from shouzhan.registry.models import Enterprise
from shouzhan.spaces import charts, exports, permissions, selectors, services
from shouzhan.spaces.forms import BookingForm, TenancyForm
from shouzhan.spaces.models import Resource


def _day_param(request: HttpRequest, name: str) -> dt.date | None:
    """A date in the query string, as a form's date field reads it: YYYY-MM-DD within the calendar's range
    (core.workdays) — anything else is no date (9999-12-31 overflowed a week's arithmetic into a 500)."""
    try:
        return parse_iso_date(request.GET.get(name) or "")
    except DateOutOfRange:
        return None


def _monday(request: HttpRequest) -> dt.date:
    monday = selectors.week_of(_day_param(request, "week") or timezone.localdate())
    # The week and the next one stay within the range, or it is this week.
    return (
        monday
        if MIN_DATE <= monday and monday + dt.timedelta(days=13) <= MAX_DATE
        else selectors.week_of(timezone.localdate())
    )


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    context = {
        "active_nav": "spaces",
        "sites": selectors.site_list(),
        "my_enterprises": _enterprises_for(request),
    }
    return render(request, "spaces/index.html", context)


def _enterprises_for(request: HttpRequest) -> list[Any]:
    return selectors.my_enterprises(actor=request.user)


def _calendar(
    request: HttpRequest, resource: Resource, form: BookingForm | None, **extra: Any
) -> HttpResponse:
    monday = extra.pop("monday", None) or _monday(request)
    enterprises = _enterprises_for(request)
    if form is None and enterprises:
        initial: dict[str, Any] = {
            "enterprise": enterprises[0].pk,
            "date": monday,
            "people": 1,
            "minutes": "120",
        }
        start = parse_datetime(request.GET.get("start") or "")
        if start is not None:
            start = timezone.make_aware(start) if timezone.is_naive(start) else start
            initial.update(date=timezone.localtime(start).date(), start=timezone.localtime(start).time())
        form = BookingForm(initial=initial, resource=resource, enterprises=enterprises)
    week = selectors.resource_week(actor=request.user, resource=resource, monday=monday)
    context = {"active_nav": "spaces", "resource": resource, "week": week, "form": form, **extra}
    return render(request, "spaces/resource.html", context, status=extra.get("status", 200))


@login_required
@require_GET
def resource_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    return _calendar(request, selectors.resource_get(pk=pk), None)


def _wish(
    request: HttpRequest, resource: Resource
) -> tuple[BookingForm, tuple[Enterprise, dt.datetime, dt.datetime] | None]:
    """The booking form as posted, and (enterprise, start, end) when it is valid."""
    enterprises = _enterprises_for(request)
    form = BookingForm(request.POST, resource=resource, enterprises=enterprises)
    if not form.is_valid():
        return form, None
    start, end = form.slot()
    return form, (next(e for e in enterprises if e.pk == form.cleaned_data["enterprise"]), start, end)


@login_required
@require_POST
def resource_book(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get(pk=pk)
    permissions.require_member(request.user)
    form, wish = _wish(request, resource)
    if wish is None:
        return _calendar(request, resource, form, status=422)
    enterprise, start, end = wish
    monday = selectors.week_of(timezone.localtime(start).date())
    try:
        booking = services.booking_create(
            actor=request.user,
            resource=resource,
            enterprise=enterprise,
            start_at=start,
            end_at=end,
            people=form.cleaned_data["people"],
            purpose=form.cleaned_data.get("purpose") or "",
        )
    except services.BookingConflict as conflict:
        return _calendar(request, resource, form, conflict=conflict, monday=monday, status=409)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _calendar(request, resource, form, monday=monday, status=422)
    if booking.status == booking.Status.PENDING:
        messages.success(request, _("已提交协拍预约，审批通过后确认：%(slot)s") % {"slot": str(booking)})
    else:
        messages.success(request, _("预约成功：%(slot)s") % {"slot": str(booking)})
    return redirect(reverse("spaces:resource", args=[resource.pk]) + f"?week={monday.isoformat()}")


@login_required
@require_POST
def resource_waitlist(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get(pk=pk)
    permissions.require_member(request.user, waitlist=True)
    form, wish = _wish(request, resource)
    if wish is None:
        return _calendar(request, resource, form, status=422)
    enterprise, start, end = wish
    try:
        services.waitlist_join(
            actor=request.user,
            resource=resource,
            enterprise=enterprise,
            start_at=start,
            end_at=end,
            people=form.cleaned_data["people"],
        )
    except ValidationError as exc:
        for error in exc.messages:
            form.add_error(None, error)
        return _calendar(request, resource, form, status=422)
    messages.success(request, _("已登记候补：该时段空出时会第一时间提供给您。"))
    return redirect("spaces:mine")


@login_required
@require_GET
def site_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    site = selectors.site_get(pk=pk)
    monday = _monday(request)
    kind = request.GET.get("kind") or ""
    kinds = [kind] if kind in selectors.BOOKABLE else None
    rows = selectors.site_week(site=site, monday=monday, kinds=kinds)
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    context = {
        "active_nav": "spaces",
        "site": site,
        "rows": rows,
        "days": days,
        "monday": monday,
        "prev": monday - dt.timedelta(days=7),
        "next": monday + dt.timedelta(days=7),
        "kind": kind,
        "kinds": [(k, label) for k, label in Resource.Kind.choices if k in selectors.BOOKABLE],
    }
    return render(request, "spaces/site.html", context)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的空间: bookings, waitlist and incubation history of my enterprises — or of one enterprise
    (`?enterprise=<id>`, the link from the enterprise page; staff may open any, others get 404)."""
    enterprises = _enterprises_for(request)
    wanted = request.GET.get("enterprise") or ""
    if wanted:
        from shouzhan.registry.selectors import enterprise_get

        if not wanted.isdigit():
            raise Http404(_("没有找到该企业。"))
        enterprises = [enterprise_get(actor=request.user, pk=int(wanted))]
    today = timezone.localdate()
    context = {
        "active_nav": "spaces",
        "bookings": selectors.bookings_for(actor=request.user).filter(enterprise__in=enterprises)[:200],
        "waitlist": selectors.waitlist_for(actor=request.user).filter(enterprise__in=enterprises),
        "histories": [
            (e, selectors.incubation_history(actor=request.user, enterprise=e)) for e in enterprises
        ],
        "now": timezone.now(),
        "this_month": (today.year, today.month),
        "single": enterprises[0] if wanted else None,
    }
    return render(request, "spaces/mine.html", context)


@login_required
@require_POST
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get(actor=request.user, pk=pk)
    try:
        services.booking_cancel(
            actor=request.user, booking=booking, reason=request.POST.get("reason", "")[:255]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("spaces:mine")
    messages.success(request, _("已取消预约：%(b)s") % {"b": str(booking)})
    return redirect("spaces:mine")


@login_required
@require_GET
def booking_ics(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get(actor=request.user, pk=pk)
    return exports.booking_ics_response(booking, host=request.get_host())


@login_required
@require_POST
def waitlist_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    entry = selectors.waitlist_get(actor=request.user, pk=pk)
    try:
        if action == "accept":
            services.waitlist_accept(actor=request.user, entry=entry)
            messages.success(request, _("已接受空档，预约成功。"))
        else:
            services.waitlist_withdraw(actor=request.user, entry=entry)
            messages.success(request, _("已撤回候补。"))
    except services.BookingConflict as conflict:
        messages.error(request, conflict.message_text)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("spaces:mine")


def _statement(request: HttpRequest, enterprise_pk: int, year: int, month: int) -> selectors.Statement:
    from shouzhan.registry.selectors import enterprise_get

    enterprise = enterprise_get(actor=request.user, pk=enterprise_pk)
    return selectors.enterprise_statement(actor=request.user, enterprise=enterprise, year=year, month=month)


@login_required
@require_GET
def statement(
    request: HttpRequest, enterprise_pk: int, year: int, month: int, fmt: str = "html"
) -> HttpResponse:
    st = _statement(request, enterprise_pk, year, month)
    name = f"statement-{st.enterprise.pk}-{year}-{month:02d}"
    if fmt == "xlsx":
        response = HttpResponse(
            exports.statement_xlsx(st),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "pdf":
        response = HttpResponse(exports.statement_pdf(st), content_type="application/pdf")
    else:
        first = dt.date(year, month, 1)
        context = {
            "active_nav": "spaces",
            "statement": st,
            "prev": (first - dt.timedelta(days=1)),
            "next": (first + dt.timedelta(days=32)).replace(day=1),
        }
        return render(request, "spaces/statement.html", context)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def floors(request: HttpRequest) -> HttpResponse:
    permissions.require_staff_page(request.user)
    sites = list(selectors.site_list())
    site_id = request.GET.get("site") or ""
    site = next((s for s in sites if str(s.pk) == site_id), sites[0] if sites else None)
    on = _day_param(request, "on") or timezone.localdate()
    form = TenancyForm(request.POST or None, initial={"start_on": on})
    if request.method == "POST":
        permissions.require_tenancy_staff(request.user)
        if form.is_valid():
            if _tenancy_submit(request, form):
                return redirect(request.get_full_path())
    context = {
        "active_nav": "space_floors",
        "sites": sites,
        "site": site,
        "on": on,
        "form": form,
        "floors": selectors.floor_occupancy(site=site, on=on) if site else [],
        "can_manage": permissions.can_manage_tenancies(request.user),
    }
    return render(request, "spaces/floors.html", context, status=422 if form.errors else 200)


def _tenancy_submit(request: HttpRequest, form: TenancyForm) -> bool:
    from shouzhan.registry.selectors import enterprise_get

    d = form.cleaned_data
    try:
        if d.get("tenancy"):
            try:
                old = selectors.tenancy_get(actor=request.user, pk=d["tenancy"])
            except Http404 as exc:
                raise ValidationError({"tenancy": [_("没有找到该租用")]}) from exc
            t = services.tenancy_move(
                actor=request.user, tenancy=old, resource=d["resource"], on=d["start_on"], months=d["months"]
            )
        else:
            try:
                enterprise = enterprise_get(actor=request.user, pk=d["enterprise"])
            except Http404 as exc:
                raise ValidationError({"enterprise": [_("没有找到该企业")]}) from exc
            t = services.tenancy_start(
                actor=request.user,
                enterprise=enterprise,
                resource=d["resource"],
                start_on=d["start_on"],
                months=d["months"],
            )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    note = (
        _("，工位费减免 %(pct)s%%（前 %(m)s 个月）") % {"pct": t.relief_percent, "m": t.relief_months}
        if t.relief_percent
        else ""
    )
    messages.success(
        request,
        _("已办理：%(e)s 入驻 %(r)s%(note)s") % {"e": t.enterprise.name, "r": t.resource.name, "note": note},
    )
    return True


@login_required
@require_GET
def insight(request: HttpRequest) -> HttpResponse:
    series = selectors.occupancy_by_week(actor=request.user)  # 403 for anyone but the centre's staff
    revenue = selectors.revenue_by_month(months=6)
    context = {
        "active_nav": "space_floors",
        "revenue": revenue,
        "occupancy": selectors.occupancy_by_kind(),
        "total_fen": sum(v for _l, v in revenue),
        "max_fen": max((v for _l, v in revenue), default=0) or 1,
        "series": series,
        "series_rows": [
            (monday, i == series.current, [values[i] for _k, _l, values in series.series])
            for i, monday in enumerate(series.weeks)
        ],
        "trend": charts.line_chart(
            x_labels=[f"{m:%m-%d}" for m in series.weeks],
            series=series.series,
            marker=series.current,
            marker_label=_("本周"),
        ),
    }
    return render(request, "spaces/insight.html", context)

"""The spaces module's API: sites, resources, a week's availability, bookings (with 409 and alternatives on a
clash), the waitlist, tenancies (staff), statements, the .ics of a booking and weekly occupancy (staff).

Money is yuan as text ("240.00"), never a float. Times are ISO 8601 in the centre's time zone
(Asia/Shanghai, "+08:00"); a time sent without an offset is read in that zone. Every permission check is
in the selectors and services this router calls (the one door shared with the pages): another
enterprise's booking or tenancy is 404, a write by a role that may not is 403, anonymous writes 401
(shouzhan.spaces.permissions). A taken slot is a `Conflict`: the API's one 409 handler answers it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from shouzhan.core.errors import ErrorOut
from shouzhan.core.limits import PAGE_DEFAULT, Key, PageLimit, PageOffset
from shouzhan.core.money import yuan_decimal
from shouzhan.core.workdays import IsoDate
from shouzhan.spaces import exports, selectors, services
from shouzhan.spaces.models import Booking, Resource, Site, Tenancy, WaitlistEntry

router = Router(tags=["spaces"])


# ------------------------------------------------------------------------------------------ schemas
class FloorOut(Schema):
    number: int
    use: str
    area_sqm: int | None


class SiteOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    district: str
    address: str
    area_sqm: int | None
    floors: list[FloorOut]
    resource_count: int


class ResourceOut(Schema):
    id: int
    site_id: int
    site_name: str
    floor: int | None
    kind: str
    kind_label: str
    unit: str
    name: str
    code: str
    capacity: int
    area_sqm: int | None
    opens_at: str | None
    closes_at: str | None
    price_hour_yuan: str
    price_day_yuan: str
    price_month_yuan: str
    buffer_minutes: int
    needs_approval: bool
    approval_days: int | None
    equipment: list[Any]
    photos: list[Any]
    owner_rules: str
    required_documents: list[Any]


class SpanOut(Schema):
    start: str
    end: str
    state: str = Field(description="free | mine | taken | buffer | past")
    label: str
    booking_id: int | None


class AvailabilityDayOut(Schema):
    date: dt.date
    spans: list[SpanOut]


class AvailabilityOut(Schema):
    resource_id: int
    week: dt.date
    days: list[AvailabilityDayOut]


class BookingIn(Schema):
    resource_id: int
    enterprise_id: int | None = Field(None, description="Omit when you belong to one enterprise only")
    start_at: dt.datetime | None = Field(None, description="Hourly resources: start and end on the half hour")
    end_at: dt.datetime | None = None
    date: IsoDate | None = Field(None, description="Daily resources (filming sites): first day …")
    days: int = Field(1, ge=1, le=services.MAX_DAILY_DAYS, description="… and the number of days")
    people: int = Field(1, ge=1, le=10000)
    purpose: str = Field("", max_length=200)


class BookingOut(Schema):
    id: int
    resource_id: int
    resource_name: str
    enterprise_id: int
    start_at: str
    end_at: str
    blocked_until: str
    people: int
    purpose: str
    status: str
    status_label: str
    fee_yuan: str
    cancellation_fee_yuan: str
    cancel_reason: str
    ics_url: str


class CancelIn(Schema):
    reason: str = Field("", max_length=255)


class WaitlistIn(Schema):
    resource_id: int
    enterprise_id: int | None = None
    start_at: dt.datetime
    end_at: dt.datetime
    people: int = Field(1, ge=1, le=10000)


class WaitlistOut(Schema):
    id: int
    resource_id: int
    enterprise_id: int
    start_at: str
    end_at: str
    people: int
    status: str
    status_label: str


class TenancyIn(Schema):
    enterprise_id: int
    resource_id: int
    start_on: IsoDate
    months: int = Field(ge=1, le=60)


class TenancyMoveIn(Schema):
    resource_id: int
    on: IsoDate
    months: int = Field(ge=1, le=60)


class TenancyEndIn(Schema):
    on: IsoDate


class TenancyOut(Schema):
    id: int
    enterprise_id: int
    resource_id: int
    resource_name: str
    resource_kind: str
    start_on: dt.date
    end_on: dt.date
    months: int
    status: str
    status_label: str
    monthly_fee_yuan: str
    relief_percent: int
    relief_months: int
    relief_clause: str
    relief_reason: str
    previous_id: int | None


class StatementLineOut(Schema):
    day: dt.date
    kind: str
    description: str
    resource: str
    gross_yuan: str
    relief_yuan: str
    net_yuan: str
    reason: str


class StatementOut(Schema):
    enterprise_id: int
    year: int
    month: int
    gross_yuan: str
    relief_yuan: str
    net_yuan: str
    lines: list[StatementLineOut]


# ------------------------------------------------------------------------------------------ helpers
def _yuan(fen: int) -> str:
    return str(yuan_decimal(fen))


def _iso(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat()


def _hm(value: dt.time | None) -> str | None:
    return f"{value:%H:%M}" if value is not None else None


def _aware(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def site_out(site: Site) -> dict[str, Any]:
    return {
        "id": site.pk,
        "name": site.name,
        "kind": site.kind,
        "kind_label": str(site.get_kind_display()),
        "district": site.district,
        "address": site.address,
        "area_sqm": site.area_sqm,
        "floors": [{"number": f.number, "use": f.use, "area_sqm": f.area_sqm} for f in site.floors.all()],
        "resource_count": len(site.resources.all()),
    }


def resource_out(r: Resource) -> dict[str, Any]:
    return {
        "id": r.pk,
        "site_id": r.site_id,
        "site_name": r.site.name,
        "floor": r.floor.number if r.floor else None,
        "kind": r.kind,
        "kind_label": str(r.get_kind_display()),
        "unit": r.unit,
        "name": r.name,
        "code": r.code,
        "capacity": r.capacity,
        "area_sqm": r.area_sqm,
        "opens_at": _hm(r.opens_at),
        "closes_at": _hm(r.closes_at),
        "price_hour_yuan": _yuan(r.price_hour_fen),
        "price_day_yuan": _yuan(r.price_day_fen),
        "price_month_yuan": _yuan(r.price_month_fen),
        "buffer_minutes": r.buffer_minutes,
        "needs_approval": r.needs_approval,
        "approval_days": r.approval_days,
        "equipment": list(r.equipment or []),
        "photos": list(r.photos or []),
        "owner_rules": r.owner_rules,
        "required_documents": list(r.required_documents or []),
    }


def booking_out(b: Booking) -> dict[str, Any]:
    return {
        "id": b.pk,
        "resource_id": b.resource_id,
        "resource_name": b.resource.name,
        "enterprise_id": b.enterprise_id,
        "start_at": _iso(b.start_at),
        "end_at": _iso(b.end_at),
        "blocked_until": _iso(b.blocked_until),
        "people": b.people,
        "purpose": b.purpose,
        "status": b.status,
        "status_label": str(b.get_status_display()),
        "fee_yuan": _yuan(b.fee_fen),
        "cancellation_fee_yuan": _yuan(b.cancellation_fee_fen),
        "cancel_reason": b.cancel_reason,
        "ics_url": f"/api/v1/spaces/bookings/{b.pk}/ics",
    }


def waitlist_out(w: WaitlistEntry) -> dict[str, Any]:
    return {
        "id": w.pk,
        "resource_id": w.resource_id,
        "enterprise_id": w.enterprise_id,
        "start_at": _iso(w.start_at),
        "end_at": _iso(w.end_at),
        "people": w.people,
        "status": w.status,
        "status_label": str(w.get_status_display()),
    }


def tenancy_out(t: Tenancy) -> dict[str, Any]:
    return {
        "id": t.pk,
        "enterprise_id": t.enterprise_id,
        "resource_id": t.resource_id,
        "resource_name": t.resource.name,
        "resource_kind": t.resource.kind,
        "start_on": t.start_on,
        "end_on": t.end_on,
        "months": t.months,
        "status": t.status,
        "status_label": str(t.get_status_display()),
        "monthly_fee_yuan": _yuan(t.monthly_fee_fen),
        "relief_percent": t.relief_percent,
        "relief_months": t.relief_months,
        "relief_clause": t.relief_clause,
        "relief_reason": t.relief_reason,
        "previous_id": t.previous_id,
    }


def _slot(payload: BookingIn, resource: Resource) -> tuple[dt.datetime, dt.datetime]:
    if resource.unit == Resource.Unit.DAY:
        if payload.date is None:
            raise ValidationError(
                {"date": [_("该空间按天预约：请填写日期（date）和天数（days）")]},
            )
        return services.day_slot(resource, payload.date, payload.days)
    if payload.start_at is None or payload.end_at is None:
        raise ValidationError({"start_at": [_("请填写开始时间（start_at）和结束时间（end_at）")]})
    return _aware(payload.start_at), _aware(payload.end_at)


# ------------------------------------------------------------------------------------------ catalogue
@router.get("/spaces/sites", response=list[SiteOut], auth=None, summary="Sites with their floors")
def sites(request: HttpRequest, kind: Key | None = None, district: Key | None = None) -> list[dict[str, Any]]:
    return [site_out(s) for s in selectors.site_list(kind=kind, district=district)]


@router.get("/spaces/resources", response=list[ResourceOut], auth=None, summary="Resources, with filters")
def resources(
    request: HttpRequest,
    site_id: int | None = None,
    kind: Key | None = None,
    floor: int | None = None,
    min_capacity: int | None = None,
    bookable: bool | None = None,
) -> list[dict[str, Any]]:
    if kind and kind not in Resource.Kind.values:
        raise ValidationError({"kind": [_("未知的空间类型：%(kind)s") % {"kind": kind}]})
    qs = selectors.resource_list(
        site_id=site_id, kind=kind, floor=floor, min_capacity=min_capacity, bookable=bookable
    )
    return [resource_out(r) for r in qs]


@router.get("/spaces/resources/{resource_id}", response=ResourceOut, auth=None, summary="One resource")
def resource(request: HttpRequest, resource_id: int) -> dict[str, Any]:
    return resource_out(selectors.resource_get(pk=resource_id))


@router.get(
    "/spaces/resources/{resource_id}/availability",
    response=AvailabilityOut,
    summary="A week's availability in spans (free, mine, taken, buffer, past)",
)
def availability(request: HttpRequest, resource_id: int, week: IsoDate | None = None) -> dict[str, Any]:
    r = selectors.resource_get(pk=resource_id)
    monday = selectors.week_of(week or timezone.localdate())
    days = selectors.resource_availability(actor=request.user, resource=r, monday=monday)
    return {
        "resource_id": r.pk,
        "week": monday,
        "days": [
            {
                "date": day,
                "spans": [
                    {
                        "start": _iso(s.start),
                        "end": _iso(s.end),
                        "state": s.state,
                        "label": s.label,
                        "booking_id": s.booking_id,
                    }
                    for s in spans
                ],
            }
            for day, spans in days.items()
        ],
    }


# ------------------------------------------------------------------------------------------ bookings
@router.get("/spaces/bookings", response=list[BookingOut], summary="My bookings (staff: all), newest first")
def bookings(
    request: HttpRequest,
    enterprise_id: int | None = None,
    status: Key | None = None,
    upcoming: bool = False,
    offset: PageOffset = 0,
    limit: PageLimit = PAGE_DEFAULT,
) -> list[dict[str, Any]]:
    qs = selectors.bookings_for(actor=request.user, enterprise_id=enterprise_id)
    if status:
        qs = qs.filter(status=status)
    if upcoming:
        qs = qs.filter(end_at__gt=timezone.now())
    return [booking_out(b) for b in qs[offset : offset + limit]]


@router.post(
    "/spaces/bookings",
    response={201: BookingOut, 409: ErrorOut},
    summary="Book a slot (409 with the conflicting slot and alternatives)",
)
def booking_create(request: HttpRequest, payload: BookingIn) -> Any:
    r = selectors.resource_get(pk=payload.resource_id)
    enterprise = selectors.booking_enterprise(actor=request.user, enterprise_id=payload.enterprise_id)
    start, end = _slot(payload, r)
    # A taken slot raises services.BookingConflict: the API's one 409 handler answers it, with the
    # conflicting slot (never another enterprise's name) and free alternatives in `detail`.
    booking = services.booking_create(
        actor=request.user,
        resource=r,
        enterprise=enterprise,
        start_at=start,
        end_at=end,
        people=payload.people,
        purpose=payload.purpose,
    )
    return Status(201, booking_out(booking))


@router.get("/spaces/bookings/{booking_id}", response=BookingOut, summary="One booking")
def booking(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    return booking_out(selectors.booking_get(actor=request.user, pk=booking_id))


@router.post("/spaces/bookings/{booking_id}/cancel", response=BookingOut, summary="Cancel a booking")
def booking_cancel(request: HttpRequest, booking_id: int, payload: CancelIn) -> dict[str, Any]:
    b = selectors.booking_get(actor=request.user, pk=booking_id)
    return booking_out(services.booking_cancel(actor=request.user, booking=b, reason=payload.reason))


@router.get("/spaces/bookings/{booking_id}/ics", summary="The booking as iCalendar (.ics)")
def booking_ics(request: HttpRequest, booking_id: int) -> HttpResponse:
    b = selectors.booking_get(actor=request.user, pk=booking_id)
    return exports.booking_ics_response(b, host=request.get_host())


# ------------------------------------------------------------------------------------------ waitlist
@router.get("/spaces/waitlist", response=list[WaitlistOut], summary="My open waitlist entries")
def waitlist(
    request: HttpRequest, offset: PageOffset = 0, limit: PageLimit = PAGE_DEFAULT
) -> list[dict[str, Any]]:
    entries = selectors.waitlist_for(actor=request.user)
    return [waitlist_out(w) for w in entries[offset : offset + limit]]


@router.post("/spaces/waitlist", response={201: WaitlistOut}, summary="Wait for a taken slot")
def waitlist_join(request: HttpRequest, payload: WaitlistIn) -> Any:
    r = selectors.resource_get(pk=payload.resource_id)
    enterprise = selectors.booking_enterprise(actor=request.user, enterprise_id=payload.enterprise_id)
    entry = services.waitlist_join(
        actor=request.user,
        resource=r,
        enterprise=enterprise,
        start_at=_aware(payload.start_at),
        end_at=_aware(payload.end_at),
        people=payload.people,
    )
    return Status(201, waitlist_out(entry))


@router.post(
    "/spaces/waitlist/{entry_id}/accept",
    response={201: BookingOut, 409: ErrorOut},
    summary="Take the offered slot",
)
def waitlist_accept(request: HttpRequest, entry_id: int) -> Any:
    entry = selectors.waitlist_get(actor=request.user, pk=entry_id)
    booking = services.waitlist_accept(actor=request.user, entry=entry)  # 409 as booking_create
    return Status(201, booking_out(booking))


@router.post("/spaces/waitlist/{entry_id}/withdraw", response=WaitlistOut, summary="Leave the waitlist")
def waitlist_withdraw(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    entry = selectors.waitlist_get(actor=request.user, pk=entry_id)
    return waitlist_out(services.waitlist_withdraw(actor=request.user, entry=entry))


# ------------------------------------------------------------------------------------------ tenancies
@router.get(
    "/spaces/tenancies", response=list[TenancyOut], summary="Tenancies (members: their own; staff: all)"
)
def tenancies(
    request: HttpRequest,
    enterprise_id: int | None = None,
    status: Key | None = None,
    offset: PageOffset = 0,
    limit: PageLimit = PAGE_DEFAULT,
) -> list[dict[str, Any]]:
    qs = selectors.tenancies_for(actor=request.user, enterprise_id=enterprise_id, status=status)
    return [tenancy_out(t) for t in qs[offset : offset + limit]]


@router.post("/spaces/tenancies", response={201: TenancyOut}, summary="Staff: move an enterprise in")
def tenancy_start(request: HttpRequest, payload: TenancyIn) -> Any:
    from shouzhan.registry.selectors import enterprise_get

    enterprise = enterprise_get(actor=request.user, pk=payload.enterprise_id)
    t = services.tenancy_start(
        actor=request.user,
        enterprise=enterprise,
        resource=selectors.resource_get(pk=payload.resource_id),
        start_on=payload.start_on,
        months=payload.months,
    )
    return Status(201, tenancy_out(t))


@router.get("/spaces/tenancies/{tenancy_id}", response=TenancyOut, summary="One tenancy")
def tenancy(request: HttpRequest, tenancy_id: int) -> dict[str, Any]:
    return tenancy_out(selectors.tenancy_get(actor=request.user, pk=tenancy_id))


@router.post(
    "/spaces/tenancies/{tenancy_id}/move",
    response={201: TenancyOut},
    summary="Staff: move to another space (the old tenancy ends; the new one points back to it)",
)
def tenancy_move(request: HttpRequest, tenancy_id: int, payload: TenancyMoveIn) -> Any:
    t = selectors.tenancy_get(actor=request.user, pk=tenancy_id)
    new = services.tenancy_move(
        actor=request.user,
        tenancy=t,
        resource=selectors.resource_get(pk=payload.resource_id),
        on=payload.on,
        months=payload.months,
    )
    return Status(201, tenancy_out(new))


@router.post("/spaces/tenancies/{tenancy_id}/end", response=TenancyOut, summary="Staff: end a tenancy")
def tenancy_end(request: HttpRequest, tenancy_id: int, payload: TenancyEndIn) -> dict[str, Any]:
    t = selectors.tenancy_get(actor=request.user, pk=tenancy_id)
    return tenancy_out(services.tenancy_end(actor=request.user, tenancy=t, on=payload.on))


# ------------------------------------------------------------------------------------------ statements
@router.get(
    "/spaces/statements/{enterprise_id}/{year}/{month}",
    response=StatementOut,
    summary="An enterprise's monthly statement, with relief and its reason",
)
def statement(request: HttpRequest, enterprise_id: int, year: int, month: int) -> dict[str, Any]:
    from shouzhan.registry.selectors import enterprise_get

    enterprise = enterprise_get(actor=request.user, pk=enterprise_id)
    st = selectors.enterprise_statement(actor=request.user, enterprise=enterprise, year=year, month=month)
    return {
        "enterprise_id": enterprise.pk,
        "year": year,
        "month": month,
        "gross_yuan": _yuan(st.gross_fen),
        "relief_yuan": _yuan(st.relief_fen),
        "net_yuan": _yuan(st.net_fen),
        "lines": [
            {
                "day": line.day,
                "kind": line.kind,
                "description": line.description,
                "resource": line.resource,
                "gross_yuan": _yuan(line.gross_fen),
                "relief_yuan": _yuan(line.relief_fen),
                "net_yuan": _yuan(line.gross_fen - line.relief_fen),
                "reason": line.reason,
            }
            for line in st.lines
        ],
    }


# ------------------------------------------------------------------------------------------ occupancy
class OccupancySeriesOut(Schema):
    kind: str
    label: str
    percent: list[int]


class OccupancyOut(Schema):
    weeks: list[dt.date]
    current: int
    series: list[OccupancySeriesOut]


@router.get(
    "/spaces/occupancy",
    response=OccupancyOut,
    summary="Staff: weekly occupancy per kind (8 weeks back, this week, 4 ahead)",
)
def occupancy(request: HttpRequest) -> dict[str, Any]:
    s = selectors.occupancy_by_week(actor=request.user)
    return {
        "weeks": s.weeks,
        "current": s.current,
        "series": [{"kind": k, "label": label, "percent": v} for k, label, v in s.series],
    }

"""Reads for spaces: the week calendar, my bookings, incubation history, floors, statements, charts.

Every read that touches an enterprise's bookings is scoped: members see their own enterprise,
staff see all; anyone else gets 404 (the checks are `shouzhan.spaces.permissions`, shared with the services).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.registry.models import Enterprise
from shouzhan.spaces import fees, permissions
from shouzhan.spaces.models import Booking, Floor, Resource, Site, Tenancy, WaitlistEntry

CELL_MINUTES = 30
BOOKABLE = [k for k in Resource.Kind.values if k not in {"desk", "office", "floor"}]


def site_list(*, kind: str | None = None, district: str | None = None) -> QuerySet[Site]:
    qs = Site.objects.prefetch_related("floors", "resources")
    if kind:
        qs = qs.filter(kind=kind)
    if district:
        qs = qs.filter(district=district)
    return qs


def resource_list(
    *,
    site_id: int | None = None,
    kind: str | None = None,
    floor: int | None = None,
    min_capacity: int | None = None,
    bookable: bool | None = None,
    active_only: bool = True,
) -> QuerySet[Resource]:
    """Resources with filters; `bookable` means booked by time slot (not rented by the month)."""
    qs = Resource.objects.select_related("site", "floor")
    if active_only:
        qs = qs.filter(is_active=True)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if kind:
        qs = qs.filter(kind=kind)
    if floor is not None:
        qs = qs.filter(floor__number=floor)
    if min_capacity is not None:
        qs = qs.filter(capacity__gte=min_capacity)
    if bookable is True:
        qs = qs.exclude(unit=Resource.Unit.MONTH)
    elif bookable is False:
        qs = qs.filter(unit=Resource.Unit.MONTH)
    return qs.order_by("site_id", "floor__number", "kind", "name", "id")


def site_get(*, pk: int) -> Site:
    site = Site.objects.filter(pk=pk).first()
    if site is None:
        raise Http404(_("没有找到该场地。"))
    return site


def resource_get(*, pk: int) -> Resource:
    resource = Resource.objects.select_related("site", "floor").filter(pk=pk).first()
    if resource is None:
        raise Http404(_("没有找到该空间。"))
    return resource


def booking_get(*, actor: Actor, pk: int) -> Booking:
    booking = (
        permissions.scope(actor, Booking.objects.select_related("resource__site", "enterprise"))
        .filter(pk=pk)
        .first()
    )
    if booking is None:
        raise Http404(_("没有找到该预约。"))
    return booking


def waitlist_get(*, actor: Actor, pk: int) -> WaitlistEntry:
    entry = (
        permissions.scope(actor, WaitlistEntry.objects.select_related("resource", "enterprise"))
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404(_("没有找到该候补。"))
    return entry


def tenancy_get(*, actor: Actor, pk: int) -> Tenancy:
    tenancy = (
        permissions.scope(actor, Tenancy.objects.select_related("resource__site", "enterprise"))
        .filter(pk=pk)
        .first()
    )
    if tenancy is None:
        raise Http404(_("没有找到该租用。"))
    return tenancy


def tenancies_for(
    *, actor: Actor, enterprise_id: int | None = None, status: str | None = None
) -> QuerySet[Tenancy]:
    """Tenancies the actor may read: staff all, members their own enterprise's, anyone else none."""
    qs = permissions.scope(actor, Tenancy.objects.select_related("resource__site", "enterprise"))
    if enterprise_id is not None:
        qs = qs.filter(enterprise_id=enterprise_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("enterprise_id", "start_on", "id")


def booking_enterprise(*, actor: Actor, enterprise_id: int | None) -> Enterprise:
    """The enterprise a booking is for: the one named (404 if the actor may not read it), or the actor's
    only enterprise when none is named."""
    from shouzhan.registry.selectors import enterprise_get

    if enterprise_id is not None:
        return enterprise_get(actor=actor, pk=enterprise_id)
    mine = my_enterprises(actor=actor)
    if len(mine) == 1:
        return mine[0]
    raise ValidationError(
        {"enterprise_id": [_("请指定预约企业") if mine else _("只有入驻企业的成员可以预约。")]}
    )


def my_enterprises(*, actor: Actor) -> list[Enterprise]:
    return list(Enterprise.objects.filter(pk__in=permissions.my_enterprise_ids(actor)))


def bookings_for(*, actor: Actor, enterprise_id: int | None = None) -> QuerySet[Booking]:
    qs = permissions.scope(actor, Booking.objects.select_related("resource__site", "enterprise"))
    if enterprise_id is not None:
        qs = qs.filter(enterprise_id=enterprise_id)
    return qs.order_by("-start_at", "-id")  # a page boundary never splits ties differently


def waitlist_for(*, actor: Actor) -> QuerySet[WaitlistEntry]:
    return permissions.scope(actor, WaitlistEntry.objects.select_related("resource")).filter(
        status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED]
    )


def incubation_history(*, actor: Actor, enterprise: Enterprise) -> list[Tenancy]:
    """Every tenancy of the enterprise in order: desk → office → floor, moves linked by `previous`."""
    permissions.require_read(actor, enterprise.pk)
    return list(
        Tenancy.objects.filter(enterprise=enterprise)
        .select_related("resource__site", "previous")
        .order_by("start_on", "id")
    )


# ------------------------------------------------------------------------------------------ week calendar
@dataclass
class Cell:
    start: dt.datetime
    state: str  # free | mine | taken | buffer | closed | past
    label: str = ""
    booking_id: int | None = None


@dataclass
class Week:
    resource: Resource
    monday: dt.date
    days: list[dt.date]
    times: list[dt.time]
    rows: list[list[Cell]] = field(default_factory=list)  # one row per time, one cell per day

    @property
    def prev(self) -> dt.date:
        return self.monday - dt.timedelta(days=7)

    @property
    def next(self) -> dt.date:
        return self.monday + dt.timedelta(days=7)


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def resource_week(*, actor: Actor, resource: Resource, monday: dt.date) -> Week:
    """Half-hour cells for seven days: free, mine (with the booking), taken by someone else, buffer, past."""
    tz = timezone.get_current_timezone()
    opens = resource.opens_at or dt.time(0, 0)
    closes = resource.closes_at or dt.time(23, 59)
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    times: list[dt.time] = []
    t = dt.datetime.combine(monday, opens)
    while t.time() < closes and t.date() == monday:
        times.append(t.time())
        t += dt.timedelta(minutes=CELL_MINUTES)
    start = dt.datetime.combine(days[0], dt.time(0), tzinfo=tz)
    end = start + dt.timedelta(days=7)
    bookings = list(
        Booking.objects.filter(
            resource=resource, status__in=Booking.HOLDING, start_at__lt=end, blocked_until__gt=start
        ).order_by("start_at")
    )
    mine = permissions.my_enterprise_ids(actor)
    staff = permissions.sees_booker_names(actor)
    now = timezone.now()
    week = Week(resource=resource, monday=monday, days=days, times=times)
    step = dt.timedelta(minutes=CELL_MINUTES)
    for time in times:
        row = []
        for day in days:
            moment = dt.datetime.combine(day, time, tzinfo=tz)
            cell = Cell(start=moment, state="past" if moment < now else "free")
            for b in bookings:
                if b.start_at < moment + step and b.end_at > moment:
                    own = b.enterprise_id in mine
                    cell.state = "mine" if own else "taken"
                    cell.booking_id = b.pk if (own or staff) else None
                    if own or staff:
                        cell.label = b.enterprise.name if staff and not own else _("我的预约")
                    else:
                        cell.label = _("已占用")
                    if b.status == Booking.Status.PENDING:
                        cell.label += _("（待审批）")
                    break
                if b.end_at <= moment < b.blocked_until:
                    cell.state = "buffer"
                    cell.label = _("间隔")
            row.append(cell)
        week.rows.append(row)
    return week


@dataclass
class Span:
    start: dt.datetime
    end: dt.datetime
    state: str
    label: str = ""
    booking_id: int | None = None


def resource_availability(*, actor: Actor, resource: Resource, monday: dt.date) -> dict[dt.date, list[Span]]:
    """The week calendar as spans per day: consecutive half-hour cells of one state (and one booking)
    merged, e.g. 08:00–10:00 free, 10:00–12:00 taken, 12:00–12:15 buffer… — the API's availability."""
    week = resource_week(actor=actor, resource=resource, monday=monday)
    tz = timezone.get_current_timezone()
    closes = resource.closes_at or dt.time(23, 59)
    out: dict[dt.date, list[Span]] = {}
    step = dt.timedelta(minutes=CELL_MINUTES)
    for i, day in enumerate(week.days):
        spans: list[Span] = []
        last = dt.datetime.combine(day, closes, tzinfo=tz)
        if closes == dt.time(23, 59):
            last = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        for row in week.rows:
            cell = row[i]
            end = min(cell.start + step, last)
            prev = spans[-1] if spans else None
            if (
                prev is not None
                and prev.end == cell.start
                and (prev.state, prev.label, prev.booking_id) == (cell.state, cell.label, cell.booking_id)
            ):
                prev.end = end
            else:
                spans.append(Span(cell.start, end, cell.state, cell.label, cell.booking_id))
        out[day] = spans
    return out


def site_week(*, site: Site, monday: dt.date, kinds: list[str] | None = None) -> list[dict[str, Any]]:
    """Per bookable resource of a site, booked hours on each day of the week (the site's week view).

    Two queries whatever the number of resources and days: the resources, then every holding booking of
    theirs that touches the week; the days are summed here."""
    tz = timezone.get_current_timezone()
    starts = [dt.datetime.combine(monday + dt.timedelta(days=i), dt.time(0), tzinfo=tz) for i in range(8)]
    resources = list(
        site.resources.filter(kind__in=kinds or BOOKABLE, is_active=True).select_related("floor")
    )
    minutes: dict[int, list[int]] = {r.pk: [0] * 7 for r in resources}
    bookings = Booking.objects.filter(
        resource_id__in=minutes, status__in=Booking.HOLDING, start_at__lt=starts[7], end_at__gt=starts[0]
    ).values_list("resource_id", "start_at", "end_at")
    for resource_id, start_at, end_at in bookings:
        for i in range(7):
            overlap = (min(end_at, starts[i + 1]) - max(start_at, starts[i])).total_seconds() // 60
            if overlap > 0:
                minutes[resource_id][i] += int(overlap)
    rows = []
    for r in resources:
        opens, closes = r.opens_at or dt.time(0), r.closes_at or dt.time(23, 59)
        open_minutes = (
            dt.datetime.combine(monday, closes) - dt.datetime.combine(monday, opens)
        ).seconds // 60
        days = [
            {
                "day": monday + dt.timedelta(days=i),
                "hours": booked / 60,
                "pct": min(100, round(100 * booked / open_minutes)) if open_minutes else 0,
            }
            for i, booked in enumerate(minutes[r.pk])
        ]
        rows.append({"resource": r, "days": days})
    return rows


# ------------------------------------------------------------------------------------------ statements
@dataclass
class Statement:
    enterprise: Enterprise
    year: int
    month: int
    lines: list[fees.Line]

    @property
    def gross_fen(self) -> int:
        return sum(line.gross_fen for line in self.lines)

    @property
    def relief_fen(self) -> int:
        return sum(line.relief_fen for line in self.lines)

    @property
    def net_fen(self) -> int:
        return self.gross_fen - self.relief_fen

    @property
    def reasons(self) -> list[str]:
        return sorted({line.reason for line in self.lines if line.reason})


def _month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    first = dt.datetime(year, month, 1, tzinfo=tz)
    nxt = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return first, nxt


def enterprise_statement(*, actor: Actor, enterprise: Enterprise, year: int, month: int) -> Statement:
    """The month's charges: bookings that start in the month (confirmed or pending), late-cancellation
    fees, and tenancy periods that start in the month — each with its relief and the reason."""
    permissions.require_read(actor, enterprise.pk)
    return statement_build(enterprise=enterprise, year=year, month=month)


def statement_build(*, enterprise: Enterprise, year: int, month: int) -> Statement:
    """The statement without a permission check: for callers that already checked (staff totals)."""
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404(_("没有该月份的对账单。"))
    first, nxt = _month_bounds(year, month)
    bookings = Booking.objects.filter(
        enterprise=enterprise, start_at__gte=first, start_at__lt=nxt
    ).select_related("resource")
    tenancies = Tenancy.objects.filter(enterprise=enterprise).select_related("resource")
    lines = _statement_lines(
        bookings=bookings.order_by("start_at", "id"), tenancies=tenancies, year=year, month=month
    )
    return Statement(enterprise=enterprise, year=year, month=month, lines=lines)


def _statement_lines(
    *, bookings: Iterable[Booking], tenancies: Iterable[Tenancy], year: int, month: int
) -> list[fees.Line]:
    """A month's lines from its bookings (those starting in the month, in order) and the tenancies."""
    lines: list[fees.Line] = []
    for b in bookings:
        span = f"{timezone.localtime(b.start_at):%m-%d %H:%M}–{timezone.localtime(b.end_at):%m-%d %H:%M}"
        if b.status in Booking.HOLDING:
            lines.append(
                fees.Line(
                    day=timezone.localtime(b.start_at).date(),
                    kind="booking",
                    description=_("%(kind)s预约 %(span)s")
                    % {"kind": b.resource.get_kind_display(), "span": span},
                    resource=b.resource.name,
                    gross_fen=b.fee_fen,
                    relief_fen=0,
                )
            )
        elif b.status == Booking.Status.CANCELLED and b.cancellation_fee_fen:
            lines.append(
                fees.Line(
                    day=timezone.localtime(b.start_at).date(),
                    kind="cancellation",
                    description=_("开始前 %(hours)s 小时内取消，收取 %(pct)s%% 费用（%(span)s）")
                    % {"hours": fees.CANCEL_FREE_HOURS, "pct": fees.CANCEL_LATE_PERCENT, "span": span},
                    resource=b.resource.name,
                    gross_fen=b.cancellation_fee_fen,
                    relief_fen=0,
                )
            )
    for t in tenancies:
        lines.extend(fees.tenancy_lines(t, year, month))
    lines.sort(key=lambda line: (line.day, line.kind))
    return lines


# ------------------------------------------------------------------------------------------ staff views
def floor_occupancy(*, site: Site, on: dt.date) -> list[dict[str, Any]]:
    """Per floor: every resource with its tenant on that day or today's booked hours."""
    tz = timezone.get_current_timezone()
    d0 = dt.datetime.combine(on, dt.time(0), tzinfo=tz)
    d1 = d0 + dt.timedelta(days=1)
    tenancies = {
        t.resource_id: t
        for t in Tenancy.objects.filter(resource__site=site, start_on__lte=on, end_on__gt=on).select_related(
            "enterprise"
        )
    }
    booked: dict[int, list[Booking]] = {}
    for b in Booking.objects.filter(
        resource__site=site, status__in=Booking.HOLDING, start_at__lt=d1, end_at__gt=d0
    ).select_related("enterprise"):
        booked.setdefault(b.resource_id, []).append(b)
    floors: list[dict[str, Any]] = []
    groups: dict[int | None, list[Resource]] = {}
    for r in site.resources.select_related("floor").order_by("floor__number", "kind", "name"):
        groups.setdefault(r.floor_id, []).append(r)
    floor_objs = {f.pk: f for f in Floor.objects.filter(site=site)}
    for floor_id, resources in groups.items():
        items = []
        used = 0
        for r in resources:
            tenancy = tenancies.get(r.pk)
            bookings = booked.get(r.pk, [])
            occupied = tenancy is not None or bool(bookings)
            used += occupied
            items.append({"resource": r, "tenancy": tenancy, "bookings": bookings, "occupied": occupied})
        floors.append(
            {
                "floor": floor_objs.get(floor_id) if floor_id else None,
                "items": items,
                "used": used,
                "total": len(items),
                "pct": round(100 * used / len(items)) if items else 0,
            }
        )
    # Floors without resources still appear (e.g. a floor waiting for its first tenant).
    for f in floor_objs.values():
        if f.pk not in groups:
            floors.append({"floor": f, "items": [], "used": 0, "total": 0, "pct": 0})
    floors.sort(key=lambda row: row["floor"].number if row["floor"] else -1)
    return floors


def revenue_by_month(*, months: int = 6, today: dt.date | None = None) -> list[tuple[str, int]]:
    """Net revenue in fen per month (bookings, late-cancellation fees, tenancy net of relief): the sum of
    every enterprise's statement, from two queries for the whole window (not two per enterprise and month)."""
    today = today or timezone.localdate()
    firsts = [fees.add_months(today.replace(day=1), -i) for i in range(months - 1, -1, -1)]
    window_start, _x = _month_bounds(firsts[0].year, firsts[0].month)
    _y, window_end = _month_bounds(firsts[-1].year, firsts[-1].month)
    bookings = list(
        Booking.objects.filter(start_at__gte=window_start, start_at__lt=window_end)
        .select_related("resource")
        .order_by("start_at", "id")
    )
    tenancies = list(Tenancy.objects.select_related("resource"))
    out = []
    for first in firsts:
        start, nxt = _month_bounds(first.year, first.month)
        in_month = [b for b in bookings if start <= b.start_at < nxt]
        lines = _statement_lines(bookings=in_month, tenancies=tenancies, year=first.year, month=first.month)
        out.append((f"{first.year}-{first.month:02d}", sum(line.net_fen for line in lines)))
    return out


def occupied_resource_ids(*, on: dt.date, district: str | None = None) -> set[int]:
    """The resources held on a day — a tenancy covering it or a pending or confirmed booking touching it —
    at one district's sites when given (two queries)."""
    tz = timezone.get_current_timezone()
    d0 = dt.datetime.combine(on, dt.time(0), tzinfo=tz)
    d1 = d0 + dt.timedelta(days=1)
    tenancies = Tenancy.objects.filter(start_on__lte=on, end_on__gt=on)
    bookings = Booking.objects.filter(status__in=Booking.HOLDING, start_at__lt=d1, end_at__gt=d0)
    if district is not None:
        tenancies = tenancies.filter(resource__site__district=district)
        bookings = bookings.filter(resource__site__district=district)
    return set(tenancies.values_list("resource_id", flat=True)) | set(
        bookings.values_list("resource_id", flat=True)
    )


def free_resources(
    *, on: dt.date, kinds: Iterable[str] | None = None, district: str | None = None
) -> QuerySet[Resource]:
    """Active resources not held on the day (`occupied_resource_ids`), of these kinds, at the district's sites."""
    rows = Resource.objects.filter(is_active=True)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    if district is not None:
        rows = rows.filter(site__district=district)
    return rows.exclude(pk__in=occupied_resource_ids(on=on, district=district))


def occupancy_by_kind(*, on: dt.date | None = None) -> list[tuple[str, int]]:
    """Share (%) of resources of each kind occupied on a day (tenancy or any booking)."""
    held = occupied_resource_ids(on=on or timezone.localdate())
    by_kind: dict[str, list[int]] = {}
    for resource_id, kind in Resource.objects.values_list("id", "kind"):
        by_kind.setdefault(kind, []).append(resource_id)
    rows = []
    for kind, label in Resource.Kind.choices:
        ids = by_kind.get(kind)
        if ids:
            used = sum(1 for i in ids if i in held)
            rows.append((str(label), round(100 * used / len(ids))))
    return rows


# ------------------------------------------------------------------------------------------ occupancy over time
WEEKS_BACK = 8
WEEKS_AHEAD = 4


@dataclass
class OccupancySeries:
    """Per kind, the share (%) of capacity held in each week: booked hours over opening hours for rooms,
    studios and sites (pending and confirmed bookings), rented days over days for desks, offices, floors."""

    weeks: list[dt.date]  # Mondays, oldest first
    current: int  # index of this week in `weeks`
    series: list[tuple[str, str, list[int]]]  # (kind, label, percent per week)


def _open_window(resource: Resource, day: dt.date, tz: Any) -> tuple[dt.datetime, dt.datetime]:
    opens = resource.opens_at or dt.time(0)
    start = dt.datetime.combine(day, opens, tzinfo=tz)
    if resource.closes_at is None:
        return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return start, dt.datetime.combine(day, resource.closes_at, tzinfo=tz)


def _percent(share: Fraction) -> int:
    """Whole percent, halves rounded up (exact: no float)."""
    return (200 * share.numerator + share.denominator) // (2 * share.denominator)


def occupancy_by_week(
    *,
    actor: Actor,
    today: dt.date | None = None,
    weeks_back: int = WEEKS_BACK,
    weeks_ahead: int = WEEKS_AHEAD,
) -> OccupancySeries:
    """Occupancy per kind for the last `weeks_back` weeks, this week and the next `weeks_ahead` weeks: the
    mean over the kind's resources of each one's share of the week held (booked hours within opening
    hours, or rented days)."""
    permissions.require_insight(actor)
    tz = timezone.get_current_timezone()
    this_monday = week_of(today or timezone.localdate())
    weeks = [this_monday + dt.timedelta(weeks=i) for i in range(-weeks_back, weeks_ahead + 1)]
    first, after = weeks[0], weeks[-1] + dt.timedelta(days=7)
    resources = list(Resource.objects.filter(is_active=True).order_by("id"))
    by_kind: dict[str, list[Resource]] = {}
    for r in resources:
        by_kind.setdefault(r.kind, []).append(r)
    held_minutes: dict[int, list[int]] = {r.pk: [0] * len(weeks) for r in resources}
    rented_days: dict[int, list[int]] = {r.pk: [0] * len(weeks) for r in resources}
    rmap = {r.pk: r for r in resources}

    range_start = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    range_end = dt.datetime.combine(after, dt.time(0), tzinfo=tz)
    bookings = Booking.objects.filter(
        resource_id__in=rmap, status__in=Booking.HOLDING, start_at__lt=range_end, end_at__gt=range_start
    ).values_list("resource_id", "start_at", "end_at")
    for resource_id, start_at, end_at in bookings:
        r = rmap[resource_id]
        day = max(timezone.localtime(start_at).date(), first)
        last = min(timezone.localtime(end_at).date(), after - dt.timedelta(days=1))
        while day <= last:
            w0, w1 = _open_window(r, day, tz)
            minutes = (min(end_at, w1) - max(start_at, w0)).total_seconds() // 60
            if minutes > 0:
                held_minutes[resource_id][(day - first).days // 7] += int(minutes)
            day += dt.timedelta(days=1)
    tenancies = Tenancy.objects.filter(
        resource_id__in=rmap, start_on__lt=after, end_on__gt=first
    ).values_list("resource_id", "start_on", "end_on")
    for resource_id, start_on, end_on in tenancies:
        for i, monday in enumerate(weeks):
            sunday_next = monday + dt.timedelta(days=7)
            days = (min(end_on, sunday_next) - max(start_on, monday)).days
            if days > 0:
                rented_days[resource_id][i] += days

    series: list[tuple[str, str, list[int]]] = []
    for kind, label in Resource.Kind.choices:
        group = by_kind.get(kind)
        if not group:
            continue
        values = []
        for i in range(len(weeks)):
            share = Fraction(0)
            for r in group:
                if r.is_tenancy:
                    share += Fraction(rented_days[r.pk][i], 7)
                else:
                    w0, w1 = _open_window(r, weeks[i], tz)
                    share += Fraction(held_minutes[r.pk][i], 7 * int((w1 - w0).total_seconds() // 60))
            values.append(min(100, _percent(share / len(group))))
        series.append((kind, str(label), values))
    return OccupancySeries(weeks=weeks, current=weeks_back, series=series)


# ------------------------------------------------------------------------------------------ my spaces
@dataclass
class SpaceSummary:
    """An enterprise's spaces at a glance: what it rents now, its next bookings, offers waiting for it."""

    enterprise: Enterprise
    tenancies: list[Tenancy]
    upcoming: list[Booking]
    upcoming_count: int
    pending_count: int
    offers_count: int


def space_summary(*, actor: Actor, enterprise: Enterprise, limit: int = 3) -> SpaceSummary:
    permissions.require_read(actor, enterprise.pk)
    today = timezone.localdate()
    upcoming = Booking.objects.filter(
        enterprise=enterprise, status__in=Booking.HOLDING, end_at__gt=timezone.now()
    ).select_related("resource__site")
    return SpaceSummary(
        enterprise=enterprise,
        tenancies=list(
            Tenancy.objects.filter(enterprise=enterprise, start_on__lte=today, end_on__gt=today)
            .select_related("resource__site")
            .order_by("start_on", "id")
        ),
        upcoming=list(upcoming.order_by("start_at", "id")[:limit]),
        upcoming_count=upcoming.count(),
        pending_count=upcoming.filter(status=Booking.Status.PENDING).count(),
        offers_count=WaitlistEntry.objects.filter(
            enterprise=enterprise, status=WaitlistEntry.Status.OFFERED
        ).count(),
    )

"""Community pages: thin — parse, call a selector or service, render."""

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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shouzhan.community import permissions, selectors, services
from shouzhan.community.forms import (
    ContactForm,
    EventForm,
    FeedbackForm,
    ImportForm,
    ListingForm,
)
from shouzhan.community.models import Listing, Registration, Seeking
from shouzhan.community.qr import qr_svg
from shouzhan.core.forms import add_service_errors


def _error(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# ------------------------------------------------------------------------------------------ events
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    events = list(selectors.event_list())
    upcoming = [e for e in events if e.ends_at >= now]
    past = [e for e in reversed(events) if e.ends_at < now][:12]
    return render(
        request,
        "community/index.html",
        {
            "active_nav": "community",
            "upcoming": upcoming,
            "past": past,
            "can_create": permissions.can_manage_events(request.user),
        },
    )


def calendar_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year = min(max(_int(request.GET.get("y"), today.year), 2000), 2100)
    month = min(max(_int(request.GET.get("m"), today.month), 1), 12)
    first = dt.date(year, month, 1)
    prev = (first - dt.timedelta(days=1)).replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "community/calendar.html",
        {
            "active_nav": "community",
            "weeks": selectors.event_month(year=year, month=month),
            "first": first,
            "prev": prev,
            "next": nxt,
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    permissions.require_event_admin(request.user)
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=request.user, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("活动已发布"))
            return redirect("community:event", pk=event.pk)
    return render(
        request,
        "community/event_form.html",
        {"active_nav": "community", "form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require_event_admin(request.user)
    event = selectors.event_get(pk=pk)
    form = EventForm(request.POST or None, initial=EventForm.initial_for(event))
    if request.method == "POST" and form.is_valid():
        waiting = getattr(event, "waitlisted", 0)
        try:
            event = services.event_update(actor=request.user, event=event, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("活动已更新"))
            promoted = waiting - getattr(selectors.event_get(pk=event.pk), "waitlisted", 0)
            if promoted > 0:
                messages.info(request, _("候补名单中 %(n)s 人已自动转为正式报名") % {"n": promoted})
            return redirect("community:event", pk=event.pk)
    return render(
        request,
        "community/event_form.html",
        {"active_nav": "community", "form": form, "event": event},
        status=422 if form.errors else 200,
    )


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(pk=pk)
    mine = selectors.my_registration(actor=request.user, event=event)
    projects = selectors.my_projects(actor=request.user) if request.user.is_authenticated else []
    return render(
        request,
        "community/event_detail.html",
        {
            "active_nav": "community",
            "event": event,
            "mine": mine,
            "qr": qr_svg(mine.code) if mine and mine.status == Registration.Status.CONFIRMED else None,
            "position": selectors.waitlist_position(registration=mine) if mine else None,
            "agenda": [line for line in event.agenda.splitlines() if line.strip()],
            "mentors": event.mentors.select_related("user"),
            "projects": projects,
            "presented": selectors.presented_projects(event=event),
            "series_events": event.series.events.order_by("number_in_series", "starts_at")
            if event.series
            else [],
            "is_door_staff": permissions.can_check_in(request.user),
            "can_edit": permissions.can_manage_events(request.user),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(pk=pk)
    project = None
    if request.POST.get("project"):
        try:
            project = selectors.my_project(actor=request.user, pk=_int(request.POST["project"], 0))
        except Http404:
            messages.error(request, _("没有找到该项目"))
            return redirect("community:event", pk=pk)
    try:
        reg = services.registration_create(actor=request.user, event=event, project=project)
    except ValidationError as exc:
        _error(request, exc)
    else:
        if reg.status == Registration.Status.CONFIRMED:
            messages.success(request, _("报名成功：请在入场时出示签到二维码"))
        else:
            messages.info(request, _("名额已满，您已进入候补名单；有人取消时将自动为您递补"))
    return redirect("community:event", pk=pk)


@login_required
@require_POST
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    reg = selectors.registration_get(actor=request.user, pk=pk)
    try:
        services.registration_cancel(actor=request.user, registration=reg)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("已取消报名"))
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/community/") else reverse("community:my_events"))


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """The door page for a staff phone: a USB/Bluetooth scanner types the code, or staff type or paste it."""
    event = selectors.event_get(pk=pk)
    permissions.require_door_staff(request.user)  # the event is public, the door page is staff's: 403
    result: dict[str, Any] = {}
    if request.method == "POST":
        try:
            reg = services.registration_check_in(
                actor=request.user, event=event, code=request.POST.get("code", "")
            )
        except ValidationError as exc:
            result = {"ok": False, "message": " ".join(exc.messages)}
        else:
            result = {"ok": True, "message": _("签到成功：%(name)s") % {"name": reg.user.name}, "reg": reg}
    checked = event.registrations.filter(checked_in_at__isnull=False).count()
    opens, closes = selectors.check_in_window(event)
    context = {
        "active_nav": "community",
        "event": event,
        "result": result,
        "checked": checked,
        "opens": opens,
        "closes": closes,
        "door_open": opens <= timezone.now() <= closes,
    }
    status = 200 if not result or result["ok"] else 422
    template = "community/_checkin_result.html" if request.htmx else "community/checkin.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=status)


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(pk=pk)
    regs = list(selectors.event_attendance(actor=request.user, event=event))
    return render(
        request,
        "community/attendance.html",
        {
            "active_nav": "community",
            "event": event,
            "regs": regs,
            "checked": sum(1 for r in regs if r.checked_in_at),
            "confirmed": sum(1 for r in regs if r.status == Registration.Status.CONFIRMED),
        },
    )


@login_required
def my_events(request: HttpRequest) -> HttpResponse:
    regs = list(selectors.my_registrations(actor=request.user))
    rows = [
        {
            "reg": r,
            "qr": qr_svg(r.code, scale=4)
            if r.status == Registration.Status.CONFIRMED and not r.checked_in_at
            else None,
            "position": selectors.waitlist_position(registration=r),
        }
        for r in regs
    ]
    return render(
        request,
        "community/my_events.html",
        {
            "active_nav": "community",
            "rows": rows,
            "feedback": selectors.my_feedback(actor=request.user),
            "now": timezone.now(),
        },
    )


# ------------------------------------------------------------------------------------------ mentors
def mentors(request: HttpRequest) -> HttpResponse:
    return render(
        request, "community/mentors.html", {"active_nav": "community", "mentors": selectors.mentor_list()}
    )


def mentor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mentor = selectors.mentor_get(pk=pk)
    return render(
        request,
        "community/mentor_detail.html",
        {"active_nav": "community", "mentor": mentor, "slots": selectors.office_hours_open(mentor=mentor)},
    )


@login_required
@require_POST
def slot_book(request: HttpRequest, pk: int) -> HttpResponse:
    slot = selectors.office_hour_get(pk=pk)
    try:
        if request.POST.get("release"):
            services.office_hour_release(actor=request.user, slot=slot)
            messages.success(request, _("已取消预约"))
        else:
            services.office_hour_book(actor=request.user, slot=slot, topic=request.POST.get("topic", ""))
            messages.success(request, _("预约成功"))
    except ValidationError as exc:
        _error(request, exc)
    return redirect("community:mentor", pk=slot.mentor_id)


@login_required
def panel(request: HttpRequest) -> HttpResponse:
    mentor = selectors.mentor_of(actor=request.user)
    if mentor is None:
        raise Http404(_("您还没有导师档案"))
    context = selectors.mentor_panel(mentor=mentor)
    return render(
        request, "community/panel.html", {"active_nav": "mentor_panel", "mentor": mentor, **context}
    )


@login_required
@require_POST
def feedback(request: HttpRequest, event_pk: int, project_pk: int) -> HttpResponse:
    event = selectors.event_get(pk=event_pk)
    project = selectors.project_get(actor=request.user, pk=project_pk)
    form = FeedbackForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写点评意见"))
        services.feedback_save(
            actor=request.user, event=event, project=project, text=form.cleaned_data["text"]
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("点评已保存，项目团队可以看到"))
    return redirect(reverse("community:panel") + f"#event-{event.pk}")


@login_required
@require_POST
def note_add(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, pk=project_pk)
    try:
        services.followup_note_add(actor=request.user, project=project, text=request.POST.get("text", ""))
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("跟进记录已保存"))
    return redirect(reverse("community:panel") + f"#project-{project.pk}")


@login_required
@require_POST
def slot_new(request: HttpRequest) -> HttpResponse:
    try:
        starts = dt.datetime.fromisoformat(request.POST.get("starts_at", ""))
    except ValueError:
        messages.error(request, _("请填写开始时间"))
        return redirect("community:panel")
    if timezone.is_naive(starts):
        starts = timezone.make_aware(starts)
    try:
        services.office_hour_create(
            actor=request.user,
            starts_at=starts,
            minutes=_int(request.POST.get("minutes"), 0),
            place=request.POST.get("place", "")[:120],
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("办公时间已发布"))
    return redirect("community:panel")


# ------------------------------------------------------------------------------------------ market
def market(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200]
    direction = request.GET.get("direction", "")
    direction = direction if direction in Listing.Direction.values else ""
    seeking = request.GET.get("seeking", "")
    seeking = seeking if seeking in Seeking.values else ""
    field = request.GET.get("field", "")[:60]
    rows = selectors.market(q=q, direction=direction, field=field, seeking=seeking)
    return render(
        request,
        "community/market.html",
        {
            "active_nav": "market",
            "rows": rows[:100],
            "total": len(rows),
            "q": q,
            "direction": direction,
            "seeking": seeking,
            "field": field,
            "fields": selectors.market_fields(),
            "directions": Listing.Direction.choices,
            "seekings": Seeking.choices,
        },
    )


def _owners(user: Any, direction: str) -> list[tuple[str, str]]:
    owners: list[tuple[str, str]] = []
    person = selectors.person_of(actor=user)
    if direction == Listing.Direction.OFFER:
        # Anyone may list as themself: their Person is created with the first listing.
        value, name = (f"person:{person.pk}", person.name) if person else ("person:me", user.name)
        owners.append((value, _("%(name)s（个人）") % {"name": name}))
    for e in selectors.my_enterprises(actor=user):
        owners.append((f"enterprise:{e.pk}", e.name))
    return owners


def _owner(value: str, user: Any) -> tuple[Any, Any]:
    kind, _sep, pk = value.partition(":")
    if kind == "person":
        if pk == "me":
            return None, None  # the service lists it as the user's own
        person = selectors.person_of(actor=user)
        if person is None or str(person.pk) != pk:
            raise Http404
        return person, None
    return None, selectors.my_enterprise(actor=user, pk=_int(pk, 0))


@login_required
@require_http_methods(["GET", "POST"])
def listing_new(request: HttpRequest) -> HttpResponse:
    direction = request.GET.get("direction", Listing.Direction.OFFER)
    direction = direction if direction in Listing.Direction.values else Listing.Direction.OFFER
    owners = _owners(request.user, direction)
    form = ListingForm(
        request.POST or None,
        owners=owners,
        initial={"legal_status": "granted" if direction == "offer" else "none"},
    )
    if request.method == "POST" and form.is_valid():
        person, enterprise = _owner(form.cleaned_data["owner"], request.user)
        try:
            listing = services.listing_create(
                actor=request.user,
                direction=direction,
                data=form.service_data(),
                owner_person=person,
                owner_enterprise=enterprise,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已发布"))
            return redirect("community:listing", pk=listing.pk)
    return render(
        request,
        "community/listing_form.html",
        {"active_nav": "market", "form": form, "direction": direction, "no_owner": not owners},
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_import(request: HttpRequest) -> HttpResponse:
    owners = _owners(request.user, Listing.Direction.OFFER)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        person, enterprise = _owner(request.POST.get("owner", owners[0][0] if owners else ""), request.user)
        upload = form.cleaned_data["file"]
        try:
            report = services.listing_import(
                actor=request.user,
                data=upload.read(),
                filename=upload.name,
                owner_person=person,
                owner_enterprise=enterprise,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "community/import.html",
        {"active_nav": "market", "form": form, "owners": owners, "report": report},
        status=200 if form.is_bound is False or form.is_valid() else 422,
    )


def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_get(actor=request.user, pk=pk)
    related = selectors.listing_related(actor=request.user, listing=listing)
    can_manage = selectors.listing_can_manage(actor=request.user, listing=listing)
    needs = (
        list(selectors.my_needs(actor=request.user)) if listing.direction == Listing.Direction.OFFER else []
    )
    from_need = _int(request.GET.get("from"), 0)
    return render(
        request,
        "community/listing_detail.html",
        {
            "active_nav": "market",
            "listing": listing,
            "related": [(kind, selectors.kind_labels()[kind], matches) for kind, matches in related.items()],
            "can_manage": can_manage,
            "needs": needs,
            "from_need": from_need,
            "contacts": selectors.listing_contacts(actor=request.user, listing=listing),
            "my_requests": selectors.my_requests_for(actor=request.user, listing=listing)
            if request.user.is_authenticated
            else [],
            "form": ContactForm(initial={"from_listing": from_need or None}),
        },
    )


@login_required
@require_POST
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_get(actor=request.user, pk=pk)
    form = ContactForm(request.POST)
    from_listing = None
    if form.is_valid() and form.cleaned_data.get("from_listing"):
        from_listing = selectors.listing_get(actor=request.user, pk=form.cleaned_data["from_listing"])
    try:
        services.contact_request_create(
            actor=request.user,
            listing=listing,
            message=request.POST.get("message", ""),
            from_listing=from_listing,
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("对接申请已提交，营商专员将联系双方并记录结果"))
    return redirect("community:listing", pk=pk)


@login_required
@require_POST
def listing_status(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_get(actor=request.user, pk=pk)
    try:
        services.listing_set_status(
            actor=request.user, listing=listing, status=request.POST.get("status", "")
        )
    except ValidationError as exc:
        _error(request, exc)
    return redirect("community:listing", pk=pk)


def person_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The inventor's page: every patent they offer and the interest received."""
    person = selectors.person_get(pk=pk)
    listings = list(selectors.owner_listings(actor=request.user, person=person))
    interest = list(selectors.interest_received(actor=request.user, person=person))
    return render(
        request,
        "community/person.html",
        {
            "active_nav": "market",
            "person": person,
            "listings": listings,
            "interest": interest,
            "is_owner": person.user_id == request.user.pk,
            "fields": sorted({(row.field) for row in listings}),
            "granted": sum(1 for row in listings if row.legal_status == Listing.LegalStatus.GRANTED),
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    person = selectors.person_of(actor=request.user)
    if person is not None and selectors.person_has_listings(person=person):
        return redirect("community:person", pk=person.pk)
    needs = selectors.my_needs(actor=request.user)
    return render(
        request,
        "community/mine.html",
        {
            "active_nav": "market",
            "needs": needs,
            "requests": selectors.my_contact_requests(actor=request.user),
            "person": person,
        },
    )


@login_required
def contacts(request: HttpRequest) -> HttpResponse:
    rows = selectors.contact_requests_staff(actor=request.user)[:200]
    return render(request, "community/contacts.html", {"active_nav": "contacts", "rows": rows})


@login_required
def project_related(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, pk=pk)
    related = selectors.project_related(actor=request.user, project=project)
    return render(
        request,
        "community/project_related.html",
        {
            "active_nav": "community",
            "project": project,
            "related": [(kind, selectors.kind_labels()[kind], matches) for kind, matches in related.items()],
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200]
    labels = selectors.kind_labels()
    allowed = sorted(selectors.visible_kinds(request.user), key=list(labels).index)
    kinds = {k for k in request.GET.getlist("kind") if k in allowed}
    hits = selectors.search(q=q, actor=request.user, kinds=kinds or None, limit=30) if q.strip() else []
    return render(
        request,
        "community/search.html",
        {
            "active_nav": "search",
            "q": q,
            "hits": [(h, labels[h.doc.kind]) for h in hits],
            "kinds": [(k, labels[k]) for k in allowed],
            "chosen": kinds,
        },
    )

"""Reads of the community module, scoped to what the user may see."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.community import permissions
from shouzhan.community.models import (
    ContactRequest,
    Event,
    Feedback,
    FollowUpNote,
    Listing,
    MentorProfile,
    OfficeHour,
    Registration,
)
from shouzhan.community.search import index, matching
from shouzhan.community.search.bm25 import Hit
from shouzhan.community.search.documents import kind_labels as all_kind_labels
from shouzhan.community.search.documents import public_kinds
from shouzhan.community.search.tokenizer import tokenize
from shouzhan.core.actors import Actor
from shouzhan.registry.models import Enterprise, Person, Project


# ------------------------------------------------------------------------------------------ events
def check_in_window(event: Event) -> tuple[dt.datetime, dt.datetime]:
    """When the door is open: from EVENT_CHECK_IN_OPENS_MINUTES_BEFORE the start to
    EVENT_CHECK_IN_CLOSES_MINUTES_AFTER the end (both inclusive)."""
    before = dt.timedelta(minutes=int(settings.EVENT_CHECK_IN_OPENS_MINUTES_BEFORE))
    after = dt.timedelta(minutes=int(settings.EVENT_CHECK_IN_CLOSES_MINUTES_AFTER))
    return event.starts_at - before, event.ends_at + after


def event_list(*, upcoming_only: bool = False) -> QuerySet[Event]:
    qs = Event.objects.select_related("series").annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
        waitlisted=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
    )
    if upcoming_only:
        qs = qs.filter(ends_at__gte=timezone.now())
    return qs.order_by("starts_at", "id")  # an aggregate query ignores Meta.ordering: pages need one


def event_get(*, pk: int) -> Event:
    event = event_list().filter(pk=pk).first()
    if event is None:
        raise Http404(_("没有找到该活动"))
    return event


def event_month(*, year: int, month: int) -> list[list[dict[str, Any]]]:
    """Weeks (Monday first) of the month, each day with its events, for the calendar page."""
    cal = calendar.Calendar(firstweekday=0)
    start = dt.date(year, month, 1)
    end = start + dt.timedelta(days=calendar.monthrange(year, month)[1])
    events: dict[dt.date, list[Event]] = {}
    for event in Event.objects.filter(starts_at__date__gte=start, starts_at__date__lt=end):
        events.setdefault(timezone.localtime(event.starts_at).date(), []).append(event)
    return [
        [{"date": d, "in_month": d.month == month, "events": events.get(d, [])} for d in week]
        for week in cal.monthdatescalendar(year, month)
    ]


def my_registration(*, actor: Actor, event: Event) -> Registration | None:
    if not permissions.is_logged_in(actor):
        return None
    return (
        Registration.objects.filter(event=event, user_id=permissions.actor_id(actor) or 0)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("project")
        .first()
    )


def my_registrations(*, actor: Actor) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(user_id=permissions.actor_id(actor) or 0)
        .select_related("event", "project")
        .order_by("-event__starts_at", "-id")
    )


def registration_get(*, actor: Actor, pk: int) -> Registration:
    """One registration: its own person and the centre's event staff see it; anyone else gets 404."""
    reg = Registration.objects.select_related("event", "project").filter(pk=pk).first()
    if reg is None or not permissions.can_see_registration(actor, reg):
        raise Http404(_("没有找到该报名"))
    return reg


def my_projects(*, actor: Actor) -> QuerySet[Project]:
    """The projects of the actor's own enterprises (to present at an event)."""
    return Project.objects.filter(enterprise_id__in=permissions.my_enterprise_ids(actor))


def my_enterprises(*, actor: Actor) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(pk__in=permissions.my_enterprise_ids(actor))


def my_enterprise(*, actor: Actor, pk: int) -> Enterprise:
    """One of the actor's own enterprises (to list for), else 404."""
    enterprise = my_enterprises(actor=actor).filter(pk=pk).first()
    if enterprise is None:
        raise Http404(_("没有找到该企业。"))
    return enterprise


def my_project(*, actor: Actor, pk: int) -> Project:
    """A project of one of the actor's own enterprises (to present at an event), else 404."""
    project = my_projects(actor=actor).filter(pk=pk).first()
    if project is None:
        raise Http404(_("没有找到该项目"))
    return project


def waitlist_position(*, registration: Registration) -> int | None:
    if registration.status != Registration.Status.WAITLISTED:
        return None
    return (
        Registration.objects.filter(event_id=registration.event_id, status=Registration.Status.WAITLISTED)
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, id__lt=registration.pk)
        )
        .count()
        + 1
    )


def event_attendance(*, actor: Actor, event: Event) -> QuerySet[Registration]:
    """Who registered and came: the centre's staff and the event's panel mentors (403 for anyone else)."""
    permissions.require_attendance(actor, event)
    return event.registrations.select_related("user", "project", "project__enterprise").order_by(
        "status", "created_at"
    )


def presented_projects(*, event: Event) -> list[Project]:
    regs = event.registrations.filter(
        status=Registration.Status.CONFIRMED, project__isnull=False
    ).select_related("project", "project__enterprise")
    return list(dict.fromkeys(r.project for r in regs if r.project))


def feedback_for_team(*, actor: Actor, project: Project) -> QuerySet[Feedback]:
    """A project's feedback: its own team, the centre's staff and the mentors see it; others get 404."""
    if not permissions.can_see_project(actor, project):
        raise Http404(_("没有找到该项目"))
    return Feedback.objects.filter(project=project).select_related("mentor__user", "event")


def feedback_for_my_events(*, actor: Actor) -> dict[int, list[Feedback]]:
    ids = permissions.my_enterprise_ids(actor)
    by_project: dict[int, list[Feedback]] = {}
    for fb in Feedback.objects.filter(project__enterprise_id__in=ids).select_related("mentor__user", "event"):
        by_project.setdefault(fb.project_id, []).append(fb)
    return by_project


def my_feedback(*, actor: Actor) -> list[tuple[Project, list[Feedback]]]:
    """The mentors' feedback on my enterprises' projects, project by project."""
    feedback = feedback_for_my_events(actor=actor)
    return [(p, feedback[p.pk]) for p in Project.objects.filter(pk__in=feedback.keys())]


# ------------------------------------------------------------------------------------------ mentors
def mentor_list() -> QuerySet[MentorProfile]:
    return MentorProfile.objects.select_related("user")


def mentor_get(*, pk: int) -> MentorProfile:
    mentor = mentor_list().filter(pk=pk).first()
    if mentor is None:
        raise Http404(_("没有找到该导师"))
    return mentor


def mentor_of(*, actor: Actor) -> MentorProfile | None:
    return permissions.mentor_profile(actor)


@dataclass
class PanelProject:
    project: Project
    events: list[Event]
    my_feedback: dict[int, Feedback]  # by event id
    notes: list[FollowUpNote]


def mentor_panel(*, mentor: MentorProfile) -> dict[str, Any]:
    events = list(mentor.events.order_by("-starts_at"))
    rows: list[dict[str, Any]] = []
    mine = {(f.event_id, f.project_id): f for f in Feedback.objects.filter(mentor=mentor)}
    for event in events:
        projects = presented_projects(event=event)
        rows.append(
            {
                "event": event,
                "projects": [(p, mine.get((event.pk, p.pk))) for p in projects],
                "done": sum(1 for p in projects if (event.pk, p.pk) in mine),
            }
        )
    followed = list(mentor.followed_projects.select_related("enterprise"))
    notes: dict[int, list[FollowUpNote]] = {}
    for note in FollowUpNote.objects.filter(mentor=mentor, project__in=followed):
        notes.setdefault(note.project_id, []).append(note)
    return {
        "events": rows,
        "followed": [(p, notes.get(p.pk, [])) for p in followed],
        "slots": OfficeHour.objects.filter(mentor=mentor, ends_at__gte=timezone.now()).select_related(
            "booked_by"
        ),
    }


def office_hour_get(*, pk: int) -> OfficeHour:
    slot = OfficeHour.objects.select_related("mentor").filter(pk=pk).first()
    if slot is None:
        raise Http404(_("没有找到该时段"))
    return slot


def office_hours_open(*, mentor: MentorProfile) -> QuerySet[OfficeHour]:
    return OfficeHour.objects.filter(mentor=mentor, starts_at__gte=timezone.now()).select_related("booked_by")


# ------------------------------------------------------------------------------------------ listings
def listing_can_manage(*, actor: Actor, listing: Listing) -> bool:
    return permissions.can_manage_listing(actor, listing)


def listing_get(*, actor: Actor, pk: int) -> Listing:
    listing = Listing.objects.select_related("owner_person", "owner_enterprise").filter(pk=pk).first()
    if listing is None or not permissions.can_see_listing(actor, listing):
        raise Http404(_("没有找到该条目"))
    return listing


def person_of(*, actor: Actor) -> Person | None:
    if not permissions.is_logged_in(actor):
        return None
    return Person.objects.filter(user_id=permissions.actor_id(actor) or 0).first()


def person_has_listings(*, person: Person) -> bool:
    return Listing.objects.filter(owner_person=person).exists()


def listing_contacts(*, actor: Actor, listing: Listing) -> QuerySet[ContactRequest]:
    """The requests for introductions to a listing: its managers and the centre's staff see them."""
    qs = listing.contacts.select_related("requester", "enterprise")
    return qs if permissions.can_see_interest(actor, listing) else qs.none()


def my_requests_for(*, actor: Actor, listing: Listing) -> QuerySet[ContactRequest]:
    return ContactRequest.objects.filter(listing=listing, requester_id=permissions.actor_id(actor))


def person_get(*, pk: int) -> Person:
    person = Person.objects.filter(pk=pk, listings__isnull=False).distinct().first()
    if person is None:
        raise Http404(_("没有找到该发布人"))
    return person


def owner_listings(
    *, actor: Actor, person: Person | None = None, enterprise_id: int | None = None
) -> QuerySet[Listing]:
    qs = (
        Listing.objects.filter(owner_person=person)
        if person
        else Listing.objects.filter(owner_enterprise_id=enterprise_id)
    )
    qs = qs.annotate(interest=Count("contacts")).order_by("patent_number", "id")
    sample = qs.first()
    if sample is None or not permissions.can_manage_listing(actor, sample):
        qs = qs.filter(status=Listing.Status.ACTIVE)
    return qs


def interest_received(
    *, actor: Actor, person: Person | None = None, enterprise_id: int | None = None
) -> QuerySet[ContactRequest]:
    """Contact requests for an owner's listings: the owner and the centre's staff see them."""
    qs = ContactRequest.objects.select_related("listing", "requester", "enterprise")
    qs = (
        qs.filter(listing__owner_person=person)
        if person
        else qs.filter(listing__owner_enterprise_id=enterprise_id)
    )
    sample = qs.first()
    if sample is None:
        return qs
    if not permissions.can_see_interest(actor, sample.listing):
        return qs.none()
    return qs


def listing_owner_person(*, actor: Actor, pk: int) -> Person:
    """A person to list for: oneself, or anyone when a caseworker acts for them; else 404."""
    person = Person.objects.filter(pk=pk).first()
    if person is None or not permissions.can_list_for(actor, person):
        raise Http404(_("没有找到该发布人"))
    return person


def my_needs(*, actor: Actor) -> QuerySet[Listing]:
    return Listing.objects.filter(
        direction=Listing.Direction.NEED, owner_enterprise_id__in=permissions.my_enterprise_ids(actor)
    ).exclude(status=Listing.Status.CLOSED)


def my_contact_requests(*, actor: Actor) -> QuerySet[ContactRequest]:
    return ContactRequest.objects.filter(requester_id=permissions.actor_id(actor)).select_related("listing")


def contact_requests_staff(*, actor: Actor) -> QuerySet[ContactRequest]:
    """Every contact request, for the centre's staff who broker them (a staff page: 403 for anyone else)."""
    permissions.require_contacts_staff(actor)
    return ContactRequest.objects.select_related("listing", "requester", "enterprise", "from_listing")


def contact_requests_visible(*, actor: Actor) -> QuerySet[ContactRequest]:
    """Staff see every request; anyone else only their own."""
    if permissions.can_see_contacts(actor):
        return contact_requests_staff(actor=actor)
    return my_contact_requests(actor=actor).select_related("enterprise", "from_listing")


def contact_request_get(*, actor: Actor, pk: int) -> ContactRequest:
    contact = contact_requests_visible(actor=actor).filter(pk=pk).first()
    if contact is None:
        raise Http404(_("没有找到该对接请求"))
    return contact


def market(*, q: str = "", direction: str = "", field: str = "", seeking: str = "") -> list[Listing]:
    """The market: active listings, by relevance when there is a query, newest first otherwise."""
    qs = Listing.objects.filter(status=Listing.Status.ACTIVE).select_related(
        "owner_person", "owner_enterprise"
    )
    if direction:
        qs = qs.filter(direction=direction)
    if field:
        qs = qs.filter(field=field)
    if not q.strip():
        rows = list(qs[:500])
        return [r for r in rows if not seeking or seeking in r.seeking]
    kinds = {direction} if direction else {"offer", "need"}
    hits = search(q=q, kinds=kinds, limit=200, actor=None)
    ids = [int(h.doc.key.split(":")[1]) for h in hits]
    found = {r.pk: r for r in qs.filter(pk__in=ids)}
    out = []
    for h in hits:
        listing = found.get(int(h.doc.key.split(":")[1]))
        if listing is not None and (not seeking or seeking in listing.seeking):
            listing.match_words = h.words  # type: ignore[attr-defined]
            out.append(listing)
    return out


def market_fields() -> list[str]:
    return list(
        Listing.objects.filter(status=Listing.Status.ACTIVE)
        .values_list("field", flat=True)
        .distinct()
        .order_by("field")
    )


# ------------------------------------------------------------------------------------------ search
def visible_kinds(actor: Actor | None) -> frozenset[str]:
    public = public_kinds()
    return public | {"enterprise"} if permissions.sees_enterprises_in_search(actor) else public


def search(*, q: str, actor: Actor | None, kinds: set[str] | None = None, limit: int = 20) -> list[Hit]:
    """Chinese full-text search over everything the actor may see, BM25-ranked, each hit with its words."""
    terms = tokenize(q[:200])
    if not terms:
        return []
    allowed = visible_kinds(actor) if actor is not None else public_kinds()
    wanted = (kinds & allowed) if kinds else allowed
    return index.current_index().search(terms, kinds=wanted, limit=limit)


def kind_labels() -> dict[str, str]:
    return {k: str(v) for k, v in all_kind_labels().items()}


# ------------------------------------------------------------------------------------------ related
RELATED_KINDS = {
    "offer": ["need", "enterprise", "mentor", "clause"],
    "need": ["offer", "mentor", "clause", "enterprise"],
    "project": ["offer", "mentor", "clause", "event"],
}


def listing_related(*, actor: Actor | None, listing: Listing) -> dict[str, list[matching.Match]]:
    from shouzhan.community.search.documents import stored_tokens

    # Never suggest the owner's own enterprise or its other listings.
    owner_keys: set[str] = set()
    if listing.owner_enterprise_id:
        owner_keys.add(f"enterprise:{listing.owner_enterprise_id}")
    same_owner = Q(owner_enterprise_id=listing.owner_enterprise_id) if listing.owner_enterprise_id else Q()
    if listing.owner_person_id:
        same_owner |= Q(owner_person_id=listing.owner_person_id)
    if same_owner:
        owner_keys |= {
            f"{d}:{pk}" for pk, d in Listing.objects.filter(same_owner).values_list("pk", "direction")
        }
    sector = listing.owner_enterprise.sector if listing.owner_enterprise else ""
    source = matching.Source(
        key=f"{listing.direction}:{listing.pk}",
        # The terms saved with the listing: a page view never segments the text again.
        tokens=stored_tokens(listing),
        field=listing.field,
        seeking=list(listing.seeking),
        sector=sector,
        owner_keys=owner_keys,
    )
    return matching.related(
        index=index.current_index(),
        source=source,
        kinds=RELATED_KINDS[listing.direction],
        visible=visible_kinds(actor),
    )


def project_get(*, actor: Actor, pk: int) -> Project:
    project = Project.objects.select_related("enterprise").filter(pk=pk).first()
    if project is None or not permissions.can_see_project(actor, project):
        raise Http404(_("没有找到该项目"))
    return project


def project_related(*, actor: Actor, project: Project) -> dict[str, list[matching.Match]]:
    from shouzhan.community.search.terms import project_source_tokens

    source = matching.Source(
        key=f"project:{project.pk}",
        # The terms saved with the project and its enterprise: a page view never segments them again.
        tokens=project_source_tokens(project),
        field=str(project.enterprise.get_sector_display()) if project.enterprise.sector else "",
        sector=project.enterprise.sector,
        owner_keys={f"enterprise:{project.enterprise_id}"},
    )
    return matching.related(
        index=index.current_index(),
        source=source,
        kinds=RELATED_KINDS["project"],
        visible=visible_kinds(actor),
    )

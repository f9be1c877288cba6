"""Reads of the community module, scoped to what the user may see."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

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
from shouzhan.community.search import live, matching
from shouzhan.community.search.bm25 import Doc, Hit
from shouzhan.community.search.documents import KIND_LABELS, PUBLIC_KINDS
from shouzhan.community.search.tokenizer import tokenize
from shouzhan.core.permissions import has_role, is_staff_member, user_role
from shouzhan.core.roles import Role
from shouzhan.registry.models import Person, Project
from shouzhan.registry.permissions import member_enterprise_ids


# ------------------------------------------------------------------------------------------ events
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


def my_registration(*, actor: Any, event: Event) -> Registration | None:
    if user_role(actor) is None:
        return None
    return (
        Registration.objects.filter(event=event, user=actor)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("project")
        .first()
    )


def my_registrations(*, actor: Any) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(user_id=getattr(actor, "pk", None) or 0)
        .select_related("event", "project")
        .order_by("-event__starts_at", "-id")
    )


def registration_get(*, actor: Any, pk: int) -> Registration:
    """One registration: its own person and the centre's event staff see it; anyone else gets 404."""
    reg = Registration.objects.select_related("event", "project").filter(pk=pk).first()
    if reg is None or (
        reg.user_id != getattr(actor, "pk", None) and not has_role(actor, Role.CASEWORKER, Role.ADMIN)
    ):
        raise Http404(_("没有找到该报名"))
    return reg


def my_project(*, actor: Any, pk: int) -> Project:
    """A project of one of the actor's own enterprises (to present at an event), else 404."""
    project = Project.objects.filter(pk=pk, enterprise_id__in=member_enterprise_ids(actor)).first()
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


def event_attendance(*, actor: Any, event: Event) -> QuerySet[Registration]:
    if not is_staff_member(actor) and not _on_panel(actor, event):
        raise Http404(_("没有找到该活动"))
    return event.registrations.select_related("user", "project", "project__enterprise").order_by(
        "status", "created_at"
    )


def _on_panel(actor: Any, event: Event) -> bool:
    return has_role(actor, Role.MENTOR) and event.mentors.filter(user_id=actor.pk).exists()


def presented_projects(*, event: Event) -> list[Project]:
    regs = event.registrations.filter(
        status=Registration.Status.CONFIRMED, project__isnull=False
    ).select_related("project", "project__enterprise")
    return list(dict.fromkeys(r.project for r in regs if r.project))


def feedback_for_team(*, actor: Any, project: Project) -> QuerySet[Feedback]:
    """A project's feedback: its own team, the centre's staff and the mentors see it; others get 404."""
    allowed = (
        project.enterprise_id in member_enterprise_ids(actor)
        or is_staff_member(actor)
        or has_role(actor, Role.MENTOR)
    )
    if not allowed:
        raise Http404(_("没有找到该项目"))
    return Feedback.objects.filter(project=project).select_related("mentor__user", "event")


def feedback_for_my_events(*, actor: Any) -> dict[int, list[Feedback]]:
    ids = member_enterprise_ids(actor)
    by_project: dict[int, list[Feedback]] = {}
    for fb in Feedback.objects.filter(project__enterprise_id__in=ids).select_related("mentor__user", "event"):
        by_project.setdefault(fb.project_id, []).append(fb)
    return by_project


# ------------------------------------------------------------------------------------------ mentors
def mentor_list() -> QuerySet[MentorProfile]:
    return MentorProfile.objects.select_related("user")


def mentor_get(*, pk: int) -> MentorProfile:
    mentor = mentor_list().filter(pk=pk).first()
    if mentor is None:
        raise Http404(_("没有找到该导师"))
    return mentor


def mentor_of(*, actor: Any) -> MentorProfile | None:
    if not has_role(actor, Role.MENTOR):
        return None
    return MentorProfile.objects.filter(user=actor).first()


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


def office_hours_open(*, mentor: MentorProfile) -> QuerySet[OfficeHour]:
    return OfficeHour.objects.filter(mentor=mentor, starts_at__gte=timezone.now()).select_related("booked_by")


# ------------------------------------------------------------------------------------------ listings
def _can_manage(actor: Any, listing: Listing) -> bool:
    if user_role(actor) is None:
        return False
    if has_role(actor, Role.CASEWORKER, Role.ADMIN):
        return True
    if listing.owner_enterprise_id is not None:
        return listing.owner_enterprise_id in member_enterprise_ids(actor)
    return listing.owner_person is not None and listing.owner_person.user_id == actor.pk


def listing_can_manage(*, actor: Any, listing: Listing) -> bool:
    return _can_manage(actor, listing)


def listing_get(*, actor: Any, pk: int) -> Listing:
    listing = Listing.objects.select_related("owner_person", "owner_enterprise").filter(pk=pk).first()
    if listing is None or (listing.status != Listing.Status.ACTIVE and not _can_manage(actor, listing)):
        raise Http404(_("没有找到该条目"))
    return listing


def person_of(*, actor: Any) -> Person | None:
    if user_role(actor) is None:
        return None
    return Person.objects.filter(user=actor).first()


def person_get(*, pk: int) -> Person:
    person = Person.objects.filter(pk=pk, listings__isnull=False).distinct().first()
    if person is None:
        raise Http404(_("没有找到该发布人"))
    return person


def owner_listings(
    *, actor: Any, person: Person | None = None, enterprise_id: int | None = None
) -> QuerySet[Listing]:
    qs = (
        Listing.objects.filter(owner_person=person)
        if person
        else Listing.objects.filter(owner_enterprise_id=enterprise_id)
    )
    qs = qs.annotate(interest=Count("contacts")).order_by("patent_number", "id")
    sample = qs.first()
    if sample is None or not _can_manage(actor, sample):
        qs = qs.filter(status=Listing.Status.ACTIVE)
    return qs


def interest_received(
    *, actor: Any, person: Person | None = None, enterprise_id: int | None = None
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
    if not (is_staff_member(actor) or _can_manage(actor, sample.listing)):
        return qs.none()
    return qs


def listing_owner_person(*, actor: Any, pk: int) -> Person:
    """A person to list for: oneself, or anyone when a caseworker acts for them; else 404."""
    person = Person.objects.filter(pk=pk).first()
    if person is None or not (
        (person.user_id is not None and person.user_id == getattr(actor, "pk", None))
        or has_role(actor, Role.CASEWORKER, Role.ADMIN)
    ):
        raise Http404(_("没有找到该发布人"))
    return person


def my_needs(*, actor: Any) -> QuerySet[Listing]:
    return Listing.objects.filter(
        direction=Listing.Direction.NEED, owner_enterprise_id__in=member_enterprise_ids(actor)
    ).exclude(status=Listing.Status.CLOSED)


def my_contact_requests(*, actor: Any) -> QuerySet[ContactRequest]:
    return ContactRequest.objects.filter(requester_id=getattr(actor, "pk", None)).select_related("listing")


def contact_requests_staff(*, actor: Any) -> QuerySet[ContactRequest]:
    """Every contact request, for the centre's staff who broker them; anyone else gets 404."""
    if not is_staff_member(actor):
        raise Http404(_("没有找到该页面"))
    return ContactRequest.objects.select_related("listing", "requester", "enterprise", "from_listing")


def contact_requests_visible(*, actor: Any) -> QuerySet[ContactRequest]:
    """Staff see every request; anyone else only their own."""
    if is_staff_member(actor):
        return contact_requests_staff(actor=actor)
    return my_contact_requests(actor=actor).select_related("enterprise", "from_listing")


def contact_request_get(*, actor: Any, pk: int) -> ContactRequest:
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
def visible_kinds(actor: Any) -> frozenset[str]:
    return PUBLIC_KINDS | {"enterprise"} if is_staff_member(actor) else PUBLIC_KINDS


def search(*, q: str, actor: Any, kinds: set[str] | None = None, limit: int = 20) -> list[Hit]:
    """Chinese full-text search over everything the actor may see, BM25-ranked, each hit with its words."""
    terms = tokenize(q[:200])
    if not terms:
        return []
    allowed = visible_kinds(actor) if actor is not None else PUBLIC_KINDS
    wanted = (kinds & allowed) if kinds else allowed

    def accept(doc: Doc) -> bool:
        return doc.kind in wanted

    return live.current_index().search(terms, limit=limit, accept=accept)


def kind_labels() -> dict[str, str]:
    return {k: str(v) for k, v in KIND_LABELS.items()}


# ------------------------------------------------------------------------------------------ related
RELATED_KINDS = {
    "offer": ["need", "enterprise", "mentor", "clause"],
    "need": ["offer", "mentor", "clause", "enterprise"],
    "project": ["offer", "mentor", "clause", "event"],
}


def listing_related(*, actor: Any, listing: Listing) -> dict[str, list[matching.Match]]:
    from shouzhan.community.search.documents import stored_tokens

    index = live.current_index()
    owner_keys: set[str] = set()
    if listing.owner_enterprise_id:
        owner_keys.add(f"enterprise:{listing.owner_enterprise_id}")
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
    result = matching.related(
        index=index, source=source, kinds=RELATED_KINDS[listing.direction], visible=visible_kinds(actor)
    )
    # Never suggest the owner's own listings.
    for kind in ("offer", "need"):
        if kind in result:
            result[kind] = [
                m for m in result[kind] if not _same_owner(index.docs[index.key_to_id[m.key]].facts, listing)
            ]
    return result


def _same_owner(facts: dict[str, Any], listing: Listing) -> bool:
    return (
        listing.owner_enterprise_id is not None
        and facts.get("owner_enterprise_id") == listing.owner_enterprise_id
    ) or (listing.owner_person_id is not None and facts.get("owner_person_id") == listing.owner_person_id)


def project_get(*, actor: Any, pk: int) -> Project:
    project = Project.objects.select_related("enterprise").filter(pk=pk).first()
    if project is None or not (
        project.enterprise_id in member_enterprise_ids(actor)
        or is_staff_member(actor)
        or has_role(actor, Role.MENTOR)
    ):
        raise Http404(_("没有找到该项目"))
    return project


def project_related(*, actor: Any, project: Project) -> dict[str, list[matching.Match]]:
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
        index=live.current_index(),
        source=source,
        kinds=RELATED_KINDS["project"],
        visible=visible_kinds(actor),
    )

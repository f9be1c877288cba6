"""The community module's JSON API: events, registrations, check-in, feedback, listings, needs,
search and contact requests.

Permissions are the services' and selectors' own (the one door): the API only parses and
translates their answers — 401 for an anonymous write, 403 for a role that may not act,
404 for someone else's private data, 422 for bad input, each as {"error": "English / 中文", "detail": …}.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from shouzhan.community import selectors, services
from shouzhan.community.models import ContactRequest, Event, Feedback, Listing, Registration, Seeking
from shouzhan.community.search.documents import KIND_LABELS
from shouzhan.community.search.matching import Match
from shouzhan.core.limits import (
    PAGE_DEFAULT,
    Key,
    LongText,
    PageLimit,
    PageOffset,
    QueryText,
    ShortText,
    Text,
    excerpt,
)
from shouzhan.registry.models import Enterprise, Person
from shouzhan.registry.selectors import enterprise_get

router = Router(tags=["community"])


# ------------------------------------------------------------------------------------------ events
class SeriesOut(Schema):
    id: int
    name: str


class EventOut(Schema):
    id: int
    kind: str
    title: str
    series: SeriesOut | None
    number_in_series: int | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str
    capacity: int
    confirmed: int
    waitlisted: int
    registration_open: bool


class MentorOut(Schema):
    id: int
    name: str
    headline: str
    expertise: list[str]


class RegistrationOut(Schema):
    id: int
    event_id: int
    status: str
    code: str
    project_id: int | None
    waitlist_position: int | None
    checked_in_at: dt.datetime | None


class EventDetailOut(EventOut):
    summary: str
    agenda: list[str]
    speakers: str
    mentors: list[MentorOut]
    my_registration: RegistrationOut | None


class RegistrationIn(Schema):
    project_id: int | None = Field(default=None, description="A project of your enterprise to present")


class CheckInIn(Schema):
    code: str = Field(max_length=40, description="The code of the QR ticket, as scanned or typed")


class CheckInOut(Schema):
    registration_id: int
    name: str
    checked_in_at: dt.datetime


class FeedbackIn(Schema):
    project_id: int
    text: LongText


class FeedbackOut(Schema):
    id: int
    event_id: int
    project_id: int
    mentor: str
    text: str
    created_at: dt.datetime
    updated_at: dt.datetime


def _event_out(event: Event) -> dict[str, Any]:
    return {
        "id": event.pk,
        "kind": event.kind,
        "title": event.title,
        "series": {"id": event.series.pk, "name": event.series.name} if event.series else None,
        "number_in_series": event.number_in_series,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "venue": event.venue,
        "capacity": event.capacity,
        "confirmed": getattr(event, "confirmed", 0),
        "waitlisted": getattr(event, "waitlisted", 0),
        "registration_open": event.registration_open,
    }


def _registration_out(reg: Registration) -> dict[str, Any]:
    return {
        "id": reg.pk,
        "event_id": reg.event_id,
        "status": reg.status,
        "code": reg.code,
        "project_id": reg.project_id,
        "waitlist_position": selectors.waitlist_position(registration=reg),
        "checked_in_at": reg.checked_in_at,
    }


def _feedback_out(fb: Feedback) -> dict[str, Any]:
    return {
        "id": fb.pk,
        "event_id": fb.event_id,
        "project_id": fb.project_id,
        "mentor": fb.mentor.user.name,
        "text": fb.text,
        "created_at": fb.created_at,
        "updated_at": fb.updated_at,
    }


@router.get("/community/events", response=list[EventOut], auth=None, summary="Events, soonest first")
def event_list(
    request: HttpRequest,
    upcoming: bool = False,
    kind: Key = "",
    offset: PageOffset = 0,
    limit: PageLimit = PAGE_DEFAULT,
) -> list[dict[str, Any]]:
    qs = selectors.event_list(upcoming_only=upcoming)
    if kind:
        if kind not in Event.Kind.values:
            raise ValidationError({"kind": [f"kind: {' | '.join(Event.Kind.values)}"]})
        qs = qs.filter(kind=kind)
    return [_event_out(e) for e in qs[offset : offset + limit]]


@router.get(
    "/community/events/{int:event_id}",
    response=EventDetailOut,
    auth=None,
    summary="One event: agenda, mentors, seats, and your registration",
)
def event_detail(request: HttpRequest, event_id: int) -> dict[str, Any]:
    event = selectors.event_get(pk=event_id)
    mine = selectors.my_registration(actor=request.user, event=event)
    return _event_out(event) | {
        "summary": event.summary,
        "agenda": [line.strip() for line in event.agenda.splitlines() if line.strip()],
        "speakers": event.speakers,
        "mentors": [
            {"id": m.pk, "name": m.user.name, "headline": m.headline, "expertise": m.expertise_list}
            for m in event.mentors.select_related("user")
        ],
        "my_registration": _registration_out(mine) if mine else None,
    }


@router.post(
    "/community/events/{int:event_id}/registrations",
    response={201: RegistrationOut},
    summary="Register (a seat, or the waitlist with its position when full)",
)
def registration_create(request: HttpRequest, event_id: int, payload: RegistrationIn) -> Status:
    event = selectors.event_get(pk=event_id)
    project = (
        selectors.my_project(actor=request.user, pk=payload.project_id)
        if payload.project_id is not None
        else None
    )
    reg = services.registration_create(actor=request.user, event=event, project=project)
    return Status(201, _registration_out(reg))


@router.get("/community/registrations", response=list[RegistrationOut], summary="My registrations")
def my_registrations(
    request: HttpRequest, offset: PageOffset = 0, limit: PageLimit = PAGE_DEFAULT
) -> list[dict[str, Any]]:
    regs = selectors.my_registrations(actor=request.user)
    return [_registration_out(r) for r in regs[offset : offset + limit]]


@router.get(
    "/community/registrations/{int:registration_id}", response=RegistrationOut, summary="One registration"
)
def registration_detail(request: HttpRequest, registration_id: int) -> dict[str, Any]:
    return _registration_out(selectors.registration_get(actor=request.user, pk=registration_id))


@router.post(
    "/community/registrations/{int:registration_id}/cancel",
    response=RegistrationOut,
    summary="Cancel a registration (the first on the waitlist moves up)",
)
def registration_cancel(request: HttpRequest, registration_id: int) -> dict[str, Any]:
    reg = selectors.registration_get(actor=request.user, pk=registration_id)
    return _registration_out(services.registration_cancel(actor=request.user, registration=reg))


@router.post(
    "/community/events/{int:event_id}/check-in",
    response=CheckInOut,
    summary="Check a person in at the door by their code (staff); once, and only for this event",
)
def check_in(request: HttpRequest, event_id: int, payload: CheckInIn) -> dict[str, Any]:
    event = selectors.event_get(pk=event_id)
    reg = services.registration_check_in(actor=request.user, event=event, code=payload.code)
    return {"registration_id": reg.pk, "name": reg.user.name, "checked_in_at": reg.checked_in_at}


@router.post(
    "/community/events/{int:event_id}/feedback",
    response=FeedbackOut,
    summary="A panel mentor's written feedback on a project presented at the event (saving again edits it)",
)
def feedback_save(request: HttpRequest, event_id: int, payload: FeedbackIn) -> dict[str, Any]:
    event = selectors.event_get(pk=event_id)
    project = selectors.project_get(actor=request.user, pk=payload.project_id)
    fb = services.feedback_save(actor=request.user, event=event, project=project, text=payload.text)
    return _feedback_out(fb)


@router.get(
    "/community/projects/{int:project_id}/feedback",
    response=list[FeedbackOut],
    summary="The mentors' feedback on a project (its team, staff and mentors)",
)
def project_feedback(
    request: HttpRequest, project_id: int, offset: PageOffset = 0, limit: PageLimit = PAGE_DEFAULT
) -> list[dict[str, Any]]:
    project = selectors.project_get(actor=request.user, pk=project_id)
    feedback = selectors.feedback_for_team(actor=request.user, project=project)
    return [_feedback_out(fb) for fb in feedback[offset : offset + limit]]


# ------------------------------------------------------------------------------------------ listings
# Each way of cooperating at most once (licence, sale, partner, investment).
SeekingList = Annotated[list[Key], Field(max_length=len(Seeking.values))]


class ListingOut(Schema):
    id: int
    direction: str
    patent_number: str
    title: str
    legal_status: str
    field: str
    seeking: list[str]
    status: str
    owner: str
    owner_person_id: int | None
    owner_enterprise_id: int | None
    created_at: dt.datetime


class ListingItemOut(ListingOut):
    excerpt: str = Field(description="The start of the abstract; the listing itself has the whole text")


class ListingPage(Schema):
    count: int
    items: list[ListingItemOut]


class MatchOut(Schema):
    kind: str
    title: str
    url: str
    score: float
    words: list[str] = Field(description="The words both sides share, strongest first")
    facts: list[str] = Field(description="The facts that explain the match (field, sector, what is sought)")


class ListingDetailOut(ListingOut):
    abstract: str
    can_manage: bool
    matches: dict[str, list[MatchOut]] = Field(description="By kind: need, offer, enterprise, mentor, clause")


class ListingFilters(Schema):
    q: QueryText = ""
    direction: Key = ""
    field: str = Field(default="", max_length=60)
    seeking: Key = ""
    offset: PageOffset = 0
    limit: PageLimit = PAGE_DEFAULT


class ListingIn(Schema):
    title: ShortText
    abstract: LongText
    field: str = Field(max_length=60)
    seeking: SeekingList = Field(description="licence | sale | partner | investment")
    patent_number: str = Field(
        default="", max_length=30, description="e.g. ZL202310123456.7; blank for an unpatented technology"
    )
    legal_status: Key = Field(default="", description="granted | pending | expired | none")
    owner_enterprise_id: int | None = Field(
        default=None, description="List for your enterprise; leave out to list as yourself"
    )
    owner_person_id: int | None = Field(default=None, description="Staff: list for this person")


class NeedIn(Schema):
    owner_enterprise_id: int
    title: ShortText
    abstract: LongText
    field: str = Field(max_length=60)
    seeking: SeekingList


class ListingPatch(Schema):
    title: ShortText | None = None
    abstract: LongText | None = None
    field: str | None = Field(default=None, max_length=60)
    seeking: SeekingList | None = None
    patent_number: str | None = Field(default=None, max_length=30)
    legal_status: Key | None = None


class ListingStatusIn(Schema):
    status: Key = Field(description="active | closed")


class ImportRowError(Schema):
    row: int
    column: str
    reason: str


class ImportReportOut(Schema):
    filename: str
    total_rows: int
    created: int
    updated: int
    errors: list[ImportRowError]
    ignored_columns: list[str]


def _listing_out(listing: Listing) -> dict[str, Any]:
    return {
        "id": listing.pk,
        "direction": listing.direction,
        "patent_number": listing.patent_number,
        "title": listing.title,
        "legal_status": listing.legal_status,
        "field": listing.field,
        "seeking": list(listing.seeking),
        "status": listing.status,
        "owner": listing.owner_name,
        "owner_person_id": listing.owner_person_id,
        "owner_enterprise_id": listing.owner_enterprise_id,
        "created_at": listing.created_at,
    }


def _match_out(match: Match) -> dict[str, Any]:
    return {
        "kind": match.kind,
        "title": match.title,
        "url": match.url,
        "score": round(match.score, 3),
        "words": match.words,
        "facts": match.facts,
    }


def _check_filters(direction: str, seeking: str) -> None:
    errors: dict[str, list[str]] = {}
    if direction and direction not in Listing.Direction.values:
        errors["direction"] = ["direction: offer | need / 类别应为 offer（技术成果）或 need（技术需求）"]
    if seeking and seeking not in Seeking.values:
        errors["seeking"] = [f"seeking: {' | '.join(Seeking.values)} / 未知的合作方式"]
    if errors:
        raise ValidationError(errors)


def _page(rows: list[Listing], filters: ListingFilters) -> dict[str, Any]:
    return {
        "count": len(rows),
        # A list carries an excerpt of each abstract: a page stays small whatever the abstracts hold.
        "items": [
            _listing_out(r) | {"excerpt": excerpt(r.abstract)}
            for r in rows[filters.offset : filters.offset + filters.limit]
        ],
    }


@router.get(
    "/community/listings",
    response=ListingPage,
    auth=None,
    summary="The technology market: search (Chinese, BM25) and filters; newest first without a query",
)
def listing_list(request: HttpRequest, filters: Query[ListingFilters]) -> dict[str, Any]:
    _check_filters(filters.direction, filters.seeking)
    rows = selectors.market(
        q=filters.q, direction=filters.direction, field=filters.field, seeking=filters.seeking
    )
    return _page(rows, filters)


@router.get(
    "/community/listings/{int:listing_id}",
    response=ListingDetailOut,
    auth=None,
    summary="One listing with its matches, each with the words and facts that explain it",
)
def listing_detail(request: HttpRequest, listing_id: int) -> dict[str, Any]:
    listing = selectors.listing_get(actor=request.user, pk=listing_id)
    related = selectors.listing_related(actor=request.user, listing=listing)
    return _listing_out(listing) | {
        "abstract": listing.abstract,
        "can_manage": selectors.listing_can_manage(actor=request.user, listing=listing),
        "matches": {kind: [_match_out(m) for m in matches] for kind, matches in related.items()},
    }


def _owners(
    request: HttpRequest, enterprise_id: int | None, person_id: int | None
) -> tuple[Person | None, Enterprise | None]:
    if enterprise_id is not None:
        return None, enterprise_get(actor=request.user, pk=enterprise_id)
    if person_id is not None:
        return selectors.listing_owner_person(actor=request.user, pk=person_id), None
    return None, None  # the service lists it as the user's own


@router.post(
    "/community/listings",
    response={201: ListingDetailOut},
    summary="List a patent or technology (as yourself, or for your enterprise)",
)
def listing_create(request: HttpRequest, payload: ListingIn) -> Status:
    person, enterprise = _owners(request, payload.owner_enterprise_id, payload.owner_person_id)
    data = payload.dict(exclude={"owner_enterprise_id", "owner_person_id"}, exclude_unset=True)
    listing = services.listing_create(
        actor=request.user,
        direction=Listing.Direction.OFFER,
        data=data,
        owner_person=person,
        owner_enterprise=enterprise,
    )
    return Status(201, listing_detail(request, listing.pk))


@router.patch(
    "/community/listings/{int:listing_id}",
    response=ListingDetailOut,
    summary="Change your own listing or need (only the fields sent)",
)
def listing_update(request: HttpRequest, listing_id: int, payload: ListingPatch) -> dict[str, Any]:
    listing = selectors.listing_get(actor=request.user, pk=listing_id)
    data = payload.dict(exclude_unset=True)
    if listing.direction == Listing.Direction.NEED:
        data.pop("legal_status", None)
    services.listing_update(actor=request.user, listing=listing, data=data)
    return listing_detail(request, listing_id)


@router.post(
    "/community/listings/{int:listing_id}/status",
    response=ListingDetailOut,
    summary="Take your listing off the market, or put it back",
)
def listing_status(request: HttpRequest, listing_id: int, payload: ListingStatusIn) -> dict[str, Any]:
    listing = selectors.listing_get(actor=request.user, pk=listing_id)
    services.listing_set_status(actor=request.user, listing=listing, status=payload.status)
    return listing_detail(request, listing_id)


@router.post(
    "/community/listings/import",
    response=ImportReportOut,
    summary="Import patents from .xlsx/.csv (multipart); good rows saved, bad rows reported row by row",
)
def listing_import(
    request: HttpRequest,
    file: File[UploadedFile],
    owner_enterprise_id: Form[int | None] = None,
    owner_person_id: Form[int | None] = None,
) -> dict[str, Any]:
    person, enterprise = _owners(request, owner_enterprise_id, owner_person_id)
    report = services.listing_import(
        actor=request.user,
        data=file.read(settings.IMPORT_MAX_BYTES + 1),
        filename=file.name or "upload.xlsx",
        owner_person=person,
        owner_enterprise=enterprise,
    )
    return report.as_dict()


@router.get(
    "/community/needs",
    response=ListingPage,
    auth=None,
    summary="Enterprises' technology needs (mine=true: your enterprises' needs, open or closed)",
)
def need_list(request: HttpRequest, filters: Query[ListingFilters], mine: bool = False) -> dict[str, Any]:
    _check_filters("", filters.seeking)
    if mine:
        return _page(list(selectors.my_needs(actor=request.user)), filters)
    rows = selectors.market(
        q=filters.q, direction=Listing.Direction.NEED, field=filters.field, seeking=filters.seeking
    )
    return _page(rows, filters)


@router.post("/community/needs", response={201: ListingDetailOut}, summary="Post your enterprise's need")
def need_create(request: HttpRequest, payload: NeedIn) -> Status:
    enterprise = enterprise_get(actor=request.user, pk=payload.owner_enterprise_id)
    listing = services.listing_create(
        actor=request.user,
        direction=Listing.Direction.NEED,
        data=payload.dict(exclude={"owner_enterprise_id"}),
        owner_enterprise=enterprise,
    )
    return Status(201, listing_detail(request, listing.pk))


# ------------------------------------------------------------------------------------------ search
class SearchParams(Schema):
    q: QueryText = Field(description="Words in Chinese or English")
    kind: list[Key] = Field(
        default_factory=list,
        max_length=len(KIND_LABELS) + 8,  # room for the kinds other modules declare (core.search_sources)
        description="offer | need | mentor | event | policy | clause | enterprise (staff) | work",
    )
    limit: int = Field(default=20, ge=1, le=100)


class SearchHitOut(Schema):
    kind: str
    kind_label: str
    title: str
    url: str
    snippet: str
    score: float
    words: list[str]


class SearchOut(Schema):
    q: str
    count: int
    items: list[SearchHitOut]


@router.get(
    "/search",
    response=SearchOut,
    auth=None,
    summary="Chinese full-text search over policies, clauses, listings, needs, events, mentors "
    "(and enterprises, for staff); kind may repeat",
)
def search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    q, kind = params.q, params.kind
    known = selectors.kind_labels()  # community's kinds and those other modules declared
    unknown = sorted(set(kind) - set(known))
    if unknown:
        raise ValidationError(
            {"kind": [f"unknown kind / 未知类别：{'、'.join(unknown)} ({' | '.join(known)})"]}
        )
    hits = (
        selectors.search(q=q, actor=request.user, kinds=set(kind) or None, limit=params.limit)
        if q.strip()
        else []
    )
    labels = selectors.kind_labels()
    return {
        "q": q,
        "count": len(hits),
        "items": [
            {
                "kind": h.doc.kind,
                "kind_label": labels[h.doc.kind],
                "title": h.doc.title,
                "url": h.doc.url,
                "snippet": h.doc.snippet,
                "score": round(h.score, 3),
                "words": h.words,
            }
            for h in hits
        ],
    }


# ------------------------------------------------------------------------------------------ contacts
class ContactIn(Schema):
    listing_id: int
    message: Text
    from_listing_id: int | None = Field(default=None, description="Your need that the listing matched")


class ContactOut(Schema):
    id: int
    listing_id: int
    listing_title: str
    from_listing_id: int | None
    enterprise_id: int | None
    message: str
    case_id: int | None = Field(description="The service.introduction case the centre brokers")
    outcome: str
    outcome_note: str
    created_at: dt.datetime


def _contact_out(contact: ContactRequest) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "listing_id": contact.listing_id,
        "listing_title": contact.listing.title,
        "from_listing_id": contact.from_listing_id,
        "enterprise_id": contact.enterprise_id,
        "message": contact.message,
        "case_id": contact.case_id,
        "outcome": contact.outcome,
        "outcome_note": contact.outcome_note,
        "created_at": contact.created_at,
    }


@router.post(
    "/community/contact-requests",
    response={201: ContactOut},
    summary="Ask the centre for an introduction; it becomes a service.introduction case",
)
def contact_create(request: HttpRequest, payload: ContactIn) -> Status:
    listing = selectors.listing_get(actor=request.user, pk=payload.listing_id)
    from_listing = (
        selectors.listing_get(actor=request.user, pk=payload.from_listing_id)
        if payload.from_listing_id is not None
        else None
    )
    contact = services.contact_request_create(
        actor=request.user, listing=listing, message=payload.message, from_listing=from_listing
    )
    return Status(201, _contact_out(contact))


@router.get(
    "/community/contact-requests",
    response=list[ContactOut],
    summary="Contact requests: your own (staff: every one)",
)
def contact_list(
    request: HttpRequest, offset: PageOffset = 0, limit: PageLimit = PAGE_DEFAULT
) -> list[dict[str, Any]]:
    contacts = selectors.contact_requests_visible(actor=request.user)
    return [_contact_out(c) for c in contacts[offset : offset + limit]]


@router.get(
    "/community/contact-requests/{int:contact_id}", response=ContactOut, summary="One contact request"
)
def contact_detail(request: HttpRequest, contact_id: int) -> dict[str, Any]:
    return _contact_out(selectors.contact_request_get(actor=request.user, pk=contact_id))

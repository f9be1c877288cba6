"""The frontline API's shapes: what comes in (bounded, like every input: core.limits' ShortText, Text, Key;
lists with a maximum) and what goes out (states, sources and moves in words beside their codes), and the
presenters that make the answers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db.models import Prefetch, QuerySet
from ninja import Schema
from pydantic import Field, StringConstraints

from shouzhan.cases import workflow as wf
from shouzhan.core.actors import Actor
from shouzhan.core.limits import Key, ShortText, Text, excerpt
from shouzhan.frontline.models import Demand, Department, DispatchRule, Visit
from shouzhan.frontline.permissions import can_use_frontline
from shouzhan.frontline.tickets import KEY

IdempotencyKey = Annotated[str, StringConstraints(max_length=200)]

PHOTOS_MAX = 6
PHOTO_BYTES_MAX = 2 * 1024 * 1024  # decoded
# base64 of PHOTO_BYTES_MAX, with room for a "data:image/jpeg;base64," prefix and line breaks
PHOTO_BASE64_MAX = (PHOTO_BYTES_MAX + 2) // 3 * 4 + 4096
VISIT_DEMANDS_MAX = 20  # as frontline.services.visits.DEMANDS_MAX
Base64Photo = Annotated[str, StringConstraints(max_length=PHOTO_BASE64_MAX)]
ClientKey = Annotated[str, StringConstraints(max_length=64)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


# ----------------------------------------------------------------------------- the catalogue
class DepartmentOut(Schema):
    id: int
    key: str
    name: str
    kind: str
    kind_label: str
    phone: str
    active: bool


class DepartmentPage(Schema):
    count: int
    items: list[DepartmentOut]


class CategoryOut(Schema):
    category: str = Field(description="The category's code, as demands are sent with it")
    label: str
    keywords: str = Field(description="Words that help the receiver choose it")
    department_key: str
    department: str
    accept_days: int = Field(description="Working days to accept (签收)")
    resolve_days: int = Field(description="Working days to resolve (办结), counted from the receipt")
    urgent_resolve_days: int | None = Field(description="Working days to resolve an urgent demand, if other")


class CatalogueOut(Schema):
    version: int
    valid_from: dt.date
    note: str
    categories: list[CategoryOut]


# ----------------------------------------------------------------------------- visits
class PhotoIn(Schema):
    name: ShortText = ""
    content_base64: Base64Photo = Field(
        description=f"The photo (JPEG or PNG), base64; at most {PHOTO_BYTES_MAX // (1024 * 1024)} MB decoded"
    )


class VisitDemandIn(Schema):
    category: Key = Field(description="A category of the dispatch catalogue in force (GET …/catalogue)")
    description: Text
    urgency: Key = "normal"
    requester_name: ShortText = Field("", description="Who raised it; the visit's `met` when empty")
    requester_contact: ShortText = ""
    place: ShortText = ""
    client_key: ClientKey | None = Field(None, description="The phone's own key for this demand")


class VisitIn(Schema):
    visited_on: dt.date | None = Field(None, description="Not in the future; today when empty")
    enterprise_id: int | None = None
    place: ShortText = ""
    met: ShortText = ""
    notes: Text = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    accuracy_m: Annotated[int, Field(ge=0, le=100_000)] | None = None
    demands: list[VisitDemandIn] = Field([], max_length=VISIT_DEMANDS_MAX)
    photos: list[PhotoIn] = Field([], max_length=PHOTOS_MAX)
    client_key: ClientKey | None = Field(
        None, description="The phone's own key for the visit: sent again, the same visit comes back"
    )


class PhotoOut(Schema):
    content_type: str
    size: int
    sha256: str


# ----------------------------------------------------------------------------- demands
class DepartmentRefOut(Schema):
    key: str
    name: str


class DemandOut(Schema):
    id: int
    case_id: int
    reference: str
    title: str
    source: str
    source_label: str
    category: str
    category_label: str
    description: str = Field(description="An excerpt in a list; the whole text in a demand's own answer")
    urgency: str
    urgency_label: str
    enterprise_id: int | None
    enterprise: str | None
    requester_name: str
    place: str
    visit_id: int | None
    received_on: dt.date
    state: str
    state_label: str
    department: DepartmentRefOut | None = Field(description="The department responsible now")
    accepted_by: DepartmentRefOut | None
    accept_due_on: dt.date | None
    resolve_due_on: dt.date | None
    due_on: dt.date | None = Field(description="The ticket's deadline now (working days)")
    repeat_of_id: int | None
    excluded: bool = Field(description="Not counted in the three rates (三率)")
    version: int = Field(description="Send it back as expected_version with the next move")


class DemandPage(Schema):
    count: int
    items: list[DemandOut]


class MoveOut(Schema):
    action: str
    action_label: str
    department: str | None
    actor: str
    on: dt.date
    due_on: dt.date | None
    on_time: bool | None
    note: str


class FollowUpOut(Schema):
    resolved: bool
    satisfaction: str
    satisfaction_label: str
    channel: str
    channel_label: str
    note: str
    on: dt.date


class DemandDetailOut(DemandOut):
    requester_contact: str = Field(description="Staff and departments only; empty for the enterprise")
    receiver: str | None = Field(description="The first receiver (首接负责)")
    catalogue_version: int
    accept_days: int
    resolve_days: int
    excluded_reason: str
    moves: list[MoveOut] = Field(description="The ticket's history, oldest first")
    follow_ups: list[FollowUpOut]


class VisitOut(Schema):
    id: int
    visited_on: dt.date
    visitor: str
    enterprise_id: int | None
    enterprise: str | None
    place: str
    met: str
    notes: str
    latitude: str | None
    longitude: str | None
    accuracy_m: int | None
    client_key: str | None
    photos: list[PhotoOut]
    demands: list[DemandOut]


class VisitPage(Schema):
    count: int
    items: list[VisitOut]


class DemandIn(Schema):
    source: Key = Field(
        "desk", description="desk | hotline (caseworkers), enterprise (an enterprise's member, its own)"
    )
    category: Key
    description: Text
    urgency: Key = "normal"
    enterprise_id: int | None = None
    requester_name: ShortText = ""
    requester_contact: ShortText = ""
    place: ShortText = ""
    received_on: dt.date | None = Field(None, description="Not in the future; today when empty")
    client_key: ClientKey | None = None


# ----------------------------------------------------------------------------- moves
class MoveIn(Schema):
    expected_version: int = Field(description="The demand's version as last read (409 when it changed)")


class AcceptIn(MoveIn):
    pass


class ReturnIn(MoveIn):
    reason: Text


class RedispatchIn(MoveIn):
    department_key: Key
    note: Text = ""


class ReplyIn(MoveIn):
    answer: Text


class FollowUpIn(MoveIn):
    resolved: bool
    satisfaction: Key = Field("", description="satisfied | basic | unsatisfied")
    channel: Key = Field("site", description="site (the requester) | phone (a caseworker who called them)")
    note: Text = ""


class LinkRepeatIn(MoveIn):
    original_id: int


class ExcludeIn(MoveIn):
    reason: Text


# ----------------------------------------------------------------------------- presenters
def _ref(department: Department | None) -> dict[str, str] | None:
    return None if department is None else {"key": department.key, "name": department.name}


def demands_query() -> QuerySet[Demand]:
    return Demand.objects.select_related("case", "enterprise", "department", "accepted_by")


def demand_out(demand: Demand, actor: Actor, *, whole: bool = False) -> dict[str, Any]:
    case = demand.case
    state = wf.case_type_get(KEY).state(case.state)
    staff_words = can_use_frontline(actor)
    return {
        "id": demand.pk,
        "case_id": case.pk,
        "reference": case.reference,
        "title": case.title,
        "source": demand.source,
        "source_label": str(demand.get_source_display()),
        "category": demand.category,
        "category_label": str((case.data or {}).get("category_label") or demand.category),
        "description": demand.description if whole else excerpt(demand.description),
        "urgency": demand.urgency,
        "urgency_label": str(demand.get_urgency_display()),
        "enterprise_id": demand.enterprise_id,
        "enterprise": demand.enterprise.name if demand.enterprise is not None else None,
        "requester_name": demand.requester_name,
        "place": demand.place,
        "visit_id": demand.visit_id,
        "received_on": demand.received_on,
        "state": case.state,
        "state_label": str(state.staff_label if staff_words else state.applicant_label),
        "department": _ref(demand.department),
        "accepted_by": _ref(demand.accepted_by),
        "accept_due_on": demand.accept_due_on,
        "resolve_due_on": demand.resolve_due_on,
        "due_on": case.due_on,
        "repeat_of_id": demand.repeat_of_id,
        "excluded": bool(demand.excluded_reason),
        "version": demand.version,
    }


def demand_detail_out(demand: Demand, actor: Actor) -> dict[str, Any]:
    staff_words = can_use_frontline(actor)
    moves = demand.moves.select_related("department")
    return {
        **demand_out(demand, actor, whole=True),
        "requester_contact": demand.requester_contact if staff_words else "",
        "receiver": demand.receiver.name if demand.receiver is not None else None,
        "catalogue_version": demand.dispatch_version.number,
        "accept_days": demand.accept_days,
        "resolve_days": demand.resolve_days,
        "excluded_reason": demand.excluded_reason if staff_words else "",
        "moves": [
            {
                "action": m.action,
                "action_label": str(m.get_action_display()),
                "department": m.department.name if m.department is not None else None,
                "actor": m.actor_label,
                "on": m.on,
                "due_on": m.due_on,
                "on_time": m.on_time,
                "note": m.note,
            }
            for m in moves
        ],
        "follow_ups": [
            {
                "resolved": f.resolved,
                "satisfaction": f.satisfaction,
                "satisfaction_label": str(f.get_satisfaction_display()) if f.satisfaction else "",
                "channel": f.channel,
                "channel_label": str(f.get_channel_display()),
                "note": f.note,
                "on": f.on,
            }
            for f in demand.follow_ups.all()
        ],
    }


def visit_out(visit: Visit, actor: Actor) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "visited_on": visit.visited_on,
        "visitor": visit.visitor.name,
        "enterprise_id": visit.enterprise_id,
        "enterprise": visit.enterprise.name if visit.enterprise is not None else None,
        "place": visit.place,
        "met": visit.met,
        "notes": visit.notes,
        "latitude": None if visit.latitude is None else str(visit.latitude),
        "longitude": None if visit.longitude is None else str(visit.longitude),
        "accuracy_m": visit.accuracy_m,
        "client_key": visit.client_key,
        "photos": [
            {"content_type": p.content_type, "size": p.size, "sha256": p.sha256} for p in visit.photos.all()
        ],
        "demands": [demand_out(d, actor) for d in visit.demands.all()],
    }


def visits_query() -> QuerySet[Visit]:
    return Visit.objects.select_related("visitor", "enterprise").prefetch_related(
        "photos", Prefetch("demands", queryset=demands_query().order_by("pk"))
    )


def category_out(rule: DispatchRule) -> dict[str, Any]:
    return {
        "category": rule.category,
        "label": rule.label,
        "keywords": rule.keywords,
        "department_key": rule.department.key,
        "department": rule.department.name,
        "accept_days": rule.accept_days,
        "resolve_days": rule.resolve_days,
        "urgent_resolve_days": rule.urgent_resolve_days,
    }


def department_out(department: Department) -> dict[str, Any]:
    return {
        "id": department.pk,
        "key": department.key,
        "name": department.name,
        "kind": department.kind,
        "kind_label": str(department.get_kind_display()),
        "phone": department.phone,
        "active": department.active,
    }

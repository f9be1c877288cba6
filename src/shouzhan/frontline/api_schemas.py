"""The frontline API's shapes: what comes in (bounded, like every input: core.limits' ShortText, Text, Key;
lists with a maximum) and what goes out (states, sources and moves in words beside their codes)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

from shouzhan.core.limits import Key, ShortText, Text

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

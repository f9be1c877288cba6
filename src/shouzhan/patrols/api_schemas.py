"""The patrols API's shapes: what comes in (bounded like every input: core.limits' Key, ShortText, Text;
lists with a maximum, as the recording service's own limits) and what goes out (levels, reviews, the
verdict and the flags in words beside their codes), and the presenters that make the answers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db.models import Prefetch, QuerySet
from ninja import Schema
from pydantic import Field

from shouzhan.core.limits import Key, ShortText, Text
from shouzhan.frontline.api_schemas import ClientKey, IdempotencyKey, Latitude, Longitude, PhotoIn
from shouzhan.patrols.honesty import flag_words
from shouzhan.patrols.models import Checkpoint, Hazard, Patrol, PatrolCheckin, Target
from shouzhan.patrols.observations import observations_words
from shouzhan.patrols.rules import verdict_words
from shouzhan.patrols.services.record import CHECKINS_MAX, HAZARDS_MAX, PHOTOS_MAX, TRACK_MAX

__all__ = ["IdempotencyKey"]

# A fix as watchPosition gives it: [latitude, longitude, unix seconds] or with the accuracy in metres.
TrackPoint = Annotated[list[float | None], Field(min_length=0, max_length=4)]
OBSERVATIONS_MAX = 20


# ----------------------------------------------------------------------------- targets
class CheckpointOut(Schema):
    order: int
    name: str
    latitude: str
    longitude: str


class TargetOut(Schema):
    id: int
    code: str
    kind: str
    kind_label: str
    name: str
    river: str | None
    level: str
    level_label: str
    street: str
    start_label: str
    end_label: str
    length_m: int
    checkin_radius_m: int = Field(description="A check-in by location counts within this distance (m)")
    path: list[list[float]] = Field(description="The route as [[lat, lon], …] (WGS-84)")
    checkpoints: list[CheckpointOut]
    my_level: str | None = Field(description="The caller's chief level on it today, if they hold a post")


class TargetPage(Schema):
    count: int
    items: list[TargetOut]


# ----------------------------------------------------------------------------- recording
class CheckinIn(Schema):
    code: Key = Field(description="The code the checkpoint's QR carries")
    at: dt.datetime | None = Field(None, description="When; the end of the patrol when empty")
    method: Key = Field("qr", description="qr (scanned) | near (by location: counted only if the track was)")


class HazardIn(Schema):
    category: Key = Field("water", description="A category of the frontline dispatch catalogue")
    description: Text
    urgent: bool = False
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    observed_at: dt.datetime | None = None
    client_key: ClientKey | None = None
    photos: list[Annotated[int, Field(ge=0, le=PHOTOS_MAX)]] = Field(
        [], max_length=PHOTOS_MAX, description="Indexes into the patrol's photos"
    )


class PatrolIn(Schema):
    target_id: int
    started_at: dt.datetime
    ended_at: dt.datetime
    track: list[TrackPoint] = Field(
        max_length=TRACK_MAX, description="[[lat, lon, unix seconds, accuracy m], …] in time order"
    )
    checkins: list[CheckinIn] = Field([], max_length=CHECKINS_MAX)
    observations: Annotated[dict[Key, ShortText], Field(max_length=OBSERVATIONS_MAX)] = Field(
        {}, description="colour, odour, debris, outfall, quality, wall, encroachment, note"
    )
    notes: Text = ""
    hazards: list[HazardIn] = Field([], max_length=HAZARDS_MAX)
    photos: list[PhotoIn] = Field([], max_length=PHOTOS_MAX)
    client_key: ClientKey | None = Field(
        None, description="The phone's own key for the patrol: sent again, the same patrol comes back"
    )


class ReviewIn(Schema):
    accept: bool
    note: Text = Field("", description="Required when not accepted: the patroller reads it")
    expected_version: int = Field(description="The patrol's version as last read (409 when it changed)")


# ----------------------------------------------------------------------------- patrols
class PatrolOut(Schema):
    id: int
    target_id: int
    target: str
    patroller: str
    level: str
    level_label: str
    on: dt.date
    started_at: dt.datetime
    ended_at: dt.datetime
    minutes: int
    distance_m: int
    points: int
    meets_rules: bool
    review: str
    review_label: str
    flags: int = Field(description="How many honesty checks flagged it")
    counts: bool = Field(description="Counted in compliance: meets the rules, clean or accepted on review")
    version: int = Field(description="Send it back as expected_version with a review")


class PatrolPage(Schema):
    count: int
    items: list[PatrolOut]


class SentenceOut(Schema):
    ok: bool
    words: str


class FlagOut(Schema):
    check: str
    words: str


class CheckinOut(Schema):
    checkpoint: str
    method: str
    method_label: str
    at: dt.datetime


class ObservationOut(Schema):
    item: str
    answer: str


class HazardOut(Schema):
    id: int
    category: str
    description: str
    urgent: bool
    observed_at: dt.datetime
    demand_id: int
    reference: str
    department: str | None
    accept_due_on: dt.date | None
    resolve_due_on: dt.date | None


class PatrolPhotoOut(Schema):
    content_type: str
    size: int
    sha256: str
    hazard_id: int | None


class PatrolDetailOut(PatrolOut):
    rule_version: int
    warning: str
    warning_label: str
    season: str
    season_label: str
    verdict: list[SentenceOut] = Field(description="The verdict against the rules of its date, in words")
    flag_list: list[FlagOut] = Field(description="Each honesty flag in words")
    checkpoints: int = Field(description="The route's checkpoints")
    checkins: list[CheckinOut]
    observations: list[ObservationOut]
    notes: str
    hazards: list[HazardOut]
    photos: list[PatrolPhotoOut]
    review_note: str
    reviewed_by: str | None
    reviewed_at: dt.datetime | None


# ----------------------------------------------------------------------------- presenters
def targets_query() -> QuerySet[Target]:
    return (
        Target.objects.filter(active=True)
        .select_related("river")
        .prefetch_related(Prefetch("checkpoints", queryset=Checkpoint.objects.order_by("order")))
    )


def target_out(target: Target, my_level: str | None) -> dict[str, Any]:
    return {
        "id": target.pk,
        "code": target.code,
        "kind": target.kind,
        "kind_label": str(target.get_kind_display()),
        "name": target.name,
        "river": target.river.name if target.river is not None else None,
        "level": target.level,
        "level_label": str(target.get_level_display()),
        "street": target.street,
        "start_label": target.start_label,
        "end_label": target.end_label,
        "length_m": target.length_m,
        "checkin_radius_m": target.checkin_radius_m,
        "path": [[float(p[0]), float(p[1])] for p in target.path or []],
        "checkpoints": [
            {"order": c.order, "name": c.name, "latitude": str(c.latitude), "longitude": str(c.longitude)}
            for c in target.checkpoints.all()
        ],
        "my_level": my_level,
    }


def patrols_query() -> QuerySet[Patrol]:
    return Patrol.objects.select_related("target", "patroller").defer("track")


def patrol_out(patrol: Patrol) -> dict[str, Any]:
    return {
        "id": patrol.pk,
        "target_id": patrol.target_id,
        "target": patrol.target.name,
        "patroller": patrol.patroller.name or str(patrol.patroller),
        "level": patrol.level,
        "level_label": str(patrol.get_level_display()),
        "on": patrol.on,
        "started_at": patrol.started_at,
        "ended_at": patrol.ended_at,
        "minutes": patrol.duration_s // 60,
        "distance_m": patrol.distance_m,
        "points": patrol.points,
        "meets_rules": patrol.meets_rules,
        "review": patrol.review,
        "review_label": str(patrol.get_review_display()),
        "flags": len(patrol.flags or []),
        "counts": patrol.counts,
        "version": patrol.version,
    }


def _hazard_out(h: Hazard) -> dict[str, Any]:
    d = h.demand
    return {
        "id": h.pk,
        "category": h.category,
        "description": h.description,
        "urgent": h.urgent,
        "observed_at": h.observed_at,
        "demand_id": d.pk,
        "reference": d.case.reference,
        "department": d.department.name if d.department is not None else None,
        "accept_due_on": d.accept_due_on,
        "resolve_due_on": d.resolve_due_on,
    }


def patrol_detail_out(patrol: Patrol) -> dict[str, Any]:
    checkins = PatrolCheckin.objects.filter(patrol=patrol).select_related("checkpoint")
    hazards = patrol.hazards.select_related("demand__case", "demand__department")
    reviewer = patrol.reviewed_by
    return {
        **patrol_out(patrol),
        "rule_version": patrol.rule_version.number,
        "warning": patrol.warning,
        "warning_label": str(patrol.get_warning_display()),
        "season": patrol.season,
        "season_label": str(patrol.get_season_display()),
        "verdict": [{"ok": ok, "words": words} for ok, words in verdict_words(patrol)],
        "flag_list": [{"check": str(f.get("check", "")), "words": flag_words(f)} for f in patrol.flags or []],
        "checkpoints": patrol.target.checkpoints.count(),
        "checkins": [
            {
                "checkpoint": c.checkpoint.name,
                "method": c.method,
                "method_label": str(c.get_method_display()),
                "at": c.at,
            }
            for c in checkins
        ],
        "observations": [{"item": i, "answer": a} for i, a in observations_words(patrol.observations or {})],
        "notes": patrol.notes,
        "hazards": [_hazard_out(h) for h in hazards],
        "photos": [
            {"content_type": p.content_type, "size": p.size, "sha256": p.sha256, "hazard_id": p.hazard_id}
            for p in patrol.photos.order_by("pk")
        ],
        "review_note": patrol.review_note,
        "reviewed_by": (reviewer.name or str(reviewer)) if reviewer is not None else None,
        "reviewed_at": patrol.reviewed_at,
    }

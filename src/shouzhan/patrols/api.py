"""The patrols API (河长制 巡河): the targets a chief patrols, a patrol sent from a phone (as the offline
page syncs it), the patrols the caller may read with their verdict and flags in words, and a supervisor's
review of a flagged patrol.

Permissions are patrols.permissions' (the one door): anonymous 401; a patrol the caller may not know of
404; recording on a target one is not chief of, or reviewing without being its office's supervisor (or a
leader), 403. A patrol carries the phone's `client_key` (and the request may carry an `Idempotency-Key`):
sent again, the same patrol comes back, never a second one. A review carries the patrol's
`expected_version`; a patrol reviewed meanwhile is refused with 409.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.params.functions import Header as HeaderParam

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.errors import ErrorOut
from shouzhan.core.limits import PAGE_DEFAULT, Key, PageLimit, PageOffset
from shouzhan.frontline.api import photos_decode
from shouzhan.ledger.idempotency import HEADER, run_once
from shouzhan.patrols import services
from shouzhan.patrols.api_schemas import (
    IdempotencyKey,
    PatrolDetailOut,
    PatrolIn,
    PatrolPage,
    ReviewIn,
    TargetPage,
    patrol_detail_out,
    patrol_out,
    patrols_query,
    target_out,
    targets_query,
)
from shouzhan.patrols.models import Chief, Patrol, Target
from shouzhan.patrols.permissions import office_ids, reads_everything, require_read_patrols, scope_patrols

router = Router(tags=["patrols"])

Once = Annotated[IdempotencyKey | None, HeaderParam(alias=HEADER)]  # read by run_once


def _posts(actor: Actor) -> dict[int, str]:
    """The caller's posts today: target id → chief level."""
    user = actor_user(actor)
    if user is None:
        return {}
    today = timezone.localdate()
    posts = (
        Chief.objects.filter(user=user, from_on__lte=today)
        .filter(Q(to_on__isnull=True) | Q(to_on__gte=today))
        .order_by("-level")
        .values_list("target_id", "level")
    )
    return dict(posts)


def _patrol_get(actor: Actor, pk: int) -> Patrol:
    """A patrol the actor may read, or 404 (never confirming that it exists)."""
    found = (
        scope_patrols(actor, patrols_query().select_related("rule_version", "rule", "reviewed_by"))
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("没有找到这次巡查。"))
    return found


# ----------------------------------------------------------------------------- targets
@router.get(
    "/patrols/targets",
    response=TargetPage,
    summary="What the caller patrols (their posts today); the staff and the offices see every target",
)
def targets(request: HttpRequest, offset: PageOffset = 0, limit: PageLimit = PAGE_DEFAULT) -> dict[str, Any]:
    actor = request.user
    require_read_patrols(actor)
    posts = _posts(actor)
    found = targets_query()
    if not reads_everything(actor):
        found = found.filter(Q(pk__in=list(posts)) | Q(office_id__in=office_ids(actor)))
    return {
        "count": found.count(),
        "items": [target_out(t, posts.get(t.pk)) for t in found[offset : offset + limit]],
    }


# ----------------------------------------------------------------------------- patrols
@router.post(
    "/patrols/patrols",
    response={201: PatrolDetailOut, 409: ErrorOut},
    summary="Record a patrol as the phone syncs it: track, check-ins, observations, photos, hazards (each a "
    "ticket); sent again with the same client_key (or Idempotency-Key), the same patrol comes back",
)
def patrol_create(request: HttpRequest, payload: PatrolIn, idempotency_key: Once = None) -> Status[Any]:
    actor = request.user

    def work() -> tuple[int, Any]:
        target = Target.objects.filter(pk=payload.target_id, active=True).first()
        if target is None:
            raise ValidationError({"target_id": [_("没有找到该巡查对象。")]})
        patrol = services.patrol_record(
            actor=actor,
            target=target,
            started_at=payload.started_at,
            ended_at=payload.ended_at,
            track=[list(p) for p in payload.track],
            checkins=[c.dict() for c in payload.checkins],
            observations=dict(payload.observations),
            notes=payload.notes,
            hazards=[h.dict() for h in payload.hazards],
            photos=photos_decode(payload.photos),
            client_key=payload.client_key,
        )
        return 201, patrol_detail_out(_patrol_get(actor, patrol.pk))

    return Status(*run_once(request, payload.dict(), work))


@router.get(
    "/patrols/patrols",
    response=PatrolPage,
    summary="Patrols the caller may read (a chief: their own; an office: its targets'; staff: all), newest first",
)
def patrols(
    request: HttpRequest,
    target_id: int | None = None,
    review: Key | None = None,
    offset: PageOffset = 0,
    limit: PageLimit = PAGE_DEFAULT,
) -> dict[str, Any]:
    require_read_patrols(request.user)
    found = scope_patrols(request.user, patrols_query())
    if target_id is not None:
        found = found.filter(target_id=target_id)
    if review:
        found = found.filter(review=review)
    return {"count": found.count(), "items": [patrol_out(p) for p in found[offset : offset + limit]]}


@router.get(
    "/patrols/patrols/{patrol_id}",
    response=PatrolDetailOut,
    summary="One patrol: its verdict against the rules of its date and its honesty flags, in words",
)
def patrol_detail(request: HttpRequest, patrol_id: int) -> dict[str, Any]:
    return patrol_detail_out(_patrol_get(request.user, patrol_id))


@router.post(
    "/patrols/patrols/{patrol_id}/review",
    response={200: PatrolDetailOut, 409: ErrorOut},
    summary="A supervisor accepts or rejects a flagged patrol (a reason when rejecting); 409 when it was "
    "reviewed or changed meanwhile",
)
def patrol_review(
    request: HttpRequest, patrol_id: int, payload: ReviewIn, idempotency_key: Once = None
) -> Status[Any]:
    def work() -> tuple[int, Any]:
        patrol = _patrol_get(request.user, patrol_id)
        services.patrol_review(
            actor=request.user,
            patrol=patrol,
            accept=payload.accept,
            note=payload.note,
            expected_version=payload.expected_version,
        )
        return 200, patrol_detail_out(_patrol_get(request.user, patrol_id))

    return Status(*run_once(request, payload.dict(), work))

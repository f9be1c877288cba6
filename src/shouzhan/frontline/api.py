"""The frontline API (一线工作法 · 接诉即办): the dispatch catalogue and departments, visits with the demands
heard on them, demands and their tickets' moves, the requester's follow-up.

Permissions are frontline.permissions' (the one door): a demand the caller may not know of is 404, a move
they may not make 403, anonymous 401. Every write takes an `Idempotency-Key` (a retry gets the first
answer); a visit or demand sent from a phone also carries its own `client_key`, so the same record sent
again — with or without the header, even twice at once — is one record. Every move on a ticket carries
the demand's `expected_version`: a move made on a ticket that changed meanwhile (another department, a
phone that was offline) is refused with 409 and the current version and state, never applied silently.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.params.functions import Header as HeaderParam

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.errors import ErrorOut
from shouzhan.core.limits import PAGE_DEFAULT, Key, PageLimit, PageOffset
from shouzhan.core.permissions import is_staff_member
from shouzhan.frontline import services
from shouzhan.frontline.api_schemas import (
    PHOTO_BYTES_MAX,
    AcceptIn,
    CatalogueOut,
    DemandDetailOut,
    DemandIn,
    DemandPage,
    DepartmentPage,
    ExcludeIn,
    FollowUpIn,
    IdempotencyKey,
    LinkRepeatIn,
    PhotoIn,
    RedispatchIn,
    ReplyIn,
    ReturnIn,
    VisitIn,
    VisitOut,
    VisitPage,
    category_out,
    demand_detail_out,
    demand_out,
    demands_query,
    department_out,
    visit_out,
    visits_query,
)
from shouzhan.frontline.catalogue import dispatch_rules, dispatch_version_in_force
from shouzhan.frontline.models import Demand, Department, Visit
from shouzhan.frontline.permissions import (
    can_read_demand,
    require_exclude,
    require_receive,
    scope_demands,
)
from shouzhan.frontline.services.common import demand_lock
from shouzhan.ledger.idempotency import HEADER, run_once
from shouzhan.registry.models import Enterprise

router = Router(tags=["frontline"])

Once = Annotated[IdempotencyKey | None, HeaderParam(alias=HEADER)]  # read by run_once
MOVE_ERRORS: dict[int, Any] = {200: DemandDetailOut, 409: ErrorOut}


# ----------------------------------------------------------------------------- reading helpers
def _demand_get(actor: Actor, pk: int) -> Demand:
    """A demand the actor may know of, or 404 (never confirming that it exists)."""
    found = (
        scope_demands(actor, demands_query().select_related("dispatch_version", "receiver"))
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("没有找到该诉求。"))
    return found


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return demand_detail_out(_demand_get(request.user, pk), request.user)


def _enterprise(pk: int | None) -> Enterprise | None:
    if pk is None:
        return None
    found = Enterprise.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({"enterprise_id": [_("没有找到该企业。")]})
    return found


def _key_taken(taken: bool) -> None:
    """A phone's key is its own: another person's record with the same key is never handed back."""
    if taken:
        raise ValidationError({"client_key": [_("该记录标识已被其他记录使用，请换一个。")]})


def photos_decode(photos: list[PhotoIn]) -> list[tuple[str, bytes]]:
    """The API's photos decoded, each at most PHOTO_BYTES_MAX; whether each is an image the service decides
    (by content). Patrols' API sends its photos through this too."""
    out = []
    for i, photo in enumerate(photos, start=1):
        text = photo.content_base64.strip()
        if text.startswith("data:") and "," in text:
            text = text.split(",", 1)[1]
        try:
            content = base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(
                {"photos": [_("第 %(n)s 张照片的内容不是 base64 编码。") % {"n": i}]}
            ) from None
        if len(content) > PHOTO_BYTES_MAX:
            mb = PHOTO_BYTES_MAX // (1024 * 1024)
            raise ValidationError({"photos": [_("第 %(n)s 张照片超过 %(mb)s MB。") % {"n": i, "mb": mb}]})
        out.append((photo.name.strip() or _("第 %(n)s 张照片") % {"n": i}, content))
    return out


def _once(request: HttpRequest, payload: Any, work: Callable[[], tuple[int, Any]]) -> Status[Any]:
    return Status(*run_once(request, payload.dict(), work))


# ----------------------------------------------------------------------------- the catalogue
@router.get(
    "/frontline/catalogue",
    response={200: CatalogueOut, 404: ErrorOut},
    summary="The dispatch catalogue in force: each category's department and working-day limits",
)
def catalogue(request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    version = dispatch_version_in_force(today)
    if version is None:
        raise Http404(_("派单目录尚未发布。"))
    return {
        "version": version.number,
        "valid_from": version.valid_from,
        "note": version.note,
        "categories": [category_out(r) for r in dispatch_rules(today)],
    }


@router.get("/frontline/departments", response=DepartmentPage, summary="The departments demands go to")
def departments(
    request: HttpRequest, offset: PageOffset = 0, limit: PageLimit = PAGE_DEFAULT
) -> dict[str, Any]:
    found = Department.objects.all()
    return {
        "count": found.count(),
        "items": [department_out(d) for d in found[offset : offset + limit]],
    }


# ----------------------------------------------------------------------------- visits
@router.get("/frontline/visits", response=VisitPage, summary="Visits: my own; the centre's staff see all")
def visits(request: HttpRequest, offset: PageOffset = 0, limit: PageLimit = PAGE_DEFAULT) -> dict[str, Any]:
    found = visits_query()
    if not is_staff_member(request.user):
        found = found.filter(visitor=actor_user(request.user))
    return {
        "count": found.count(),
        "items": [visit_out(v, request.user) for v in found[offset : offset + limit]],
    }


@router.post(
    "/frontline/visits",
    response={201: VisitOut, 409: ErrorOut},
    summary="Record a visit with the demands heard on it (each dispatched at once) and its photos "
    "(Idempotency-Key and the body's client_key: sent again, the same visit comes back)",
)
def visit_create(request: HttpRequest, payload: VisitIn, idempotency_key: Once = None) -> Status[Any]:
    actor = request.user

    def work() -> tuple[int, Any]:
        require_receive(actor)
        enterprise = _enterprise(payload.enterprise_id)
        photos = photos_decode(payload.photos)
        key = (payload.client_key or "").strip()
        _key_taken(
            bool(key) and Visit.objects.filter(client_key=key).exclude(visitor=actor_user(actor)).exists()
        )
        visit = services.visit_record(
            actor=actor,
            visited_on=payload.visited_on,
            enterprise=enterprise,
            place=payload.place,
            met=payload.met,
            notes=payload.notes,
            latitude=payload.latitude,
            longitude=payload.longitude,
            accuracy_m=payload.accuracy_m,
            demands=[d.dict() for d in payload.demands],
            photos=photos,
            client_key=payload.client_key,
        )
        return 201, visit_out(visits_query().get(pk=visit.pk), actor)

    return _once(request, payload, work)


# ----------------------------------------------------------------------------- demands
@router.get(
    "/frontline/demands",
    response=DemandPage,
    summary="Demands the caller may see (staff: all; a department: its own; an enterprise: its own)",
)
def demands(
    request: HttpRequest,
    state: Key | None = None,
    category: Key | None = None,
    department: Key | None = None,
    offset: PageOffset = 0,
    limit: PageLimit = PAGE_DEFAULT,
) -> dict[str, Any]:
    found = scope_demands(request.user, demands_query())
    if state:
        found = found.filter(case__state=state)
    if category:
        found = found.filter(category=category)
    if department:
        found = found.filter(department__key=department)
    return {
        "count": found.count(),
        "items": [demand_out(d, request.user) for d in found[offset : offset + limit]],
    }


@router.post(
    "/frontline/demands",
    response={201: DemandDetailOut, 409: ErrorOut},
    summary="Record a demand: desk or hotline (caseworkers), or an enterprise's own (its members); "
    "dispatched at once by the catalogue",
)
def demand_create(request: HttpRequest, payload: DemandIn, idempotency_key: Once = None) -> Status[Any]:
    actor = request.user

    def work() -> tuple[int, Any]:
        enterprise = _enterprise(payload.enterprise_id)
        key = (payload.client_key or "").strip()
        earlier = Demand.objects.filter(client_key=key).first() if key else None
        user_id = getattr(actor_user(actor), "pk", None)
        _key_taken(earlier is not None and user_id not in (earlier.receiver_id, earlier.requester_id))
        demand = services.demand_record(
            actor=actor,
            source=payload.source,
            category=payload.category,
            description=payload.description,
            urgency=payload.urgency,
            enterprise=enterprise,
            requester_name=payload.requester_name,
            requester_contact=payload.requester_contact,
            place=payload.place,
            received_on=payload.received_on,
            client_key=payload.client_key,
        )
        return 201, _detail(request, demand.pk)

    return _once(request, payload, work)


@router.get(
    "/frontline/demands/{demand_id}",
    response=DemandDetailOut,
    summary="One demand: its ticket's state, department, deadlines, history and follow-ups",
)
def demand_detail(request: HttpRequest, demand_id: int) -> dict[str, Any]:
    return _detail(request, demand_id)


# ----------------------------------------------------------------------------- the ticket's moves
@router.post(
    "/frontline/demands/{demand_id}/accept",
    response=MOVE_ERRORS,
    summary="The department responsible accepts (签收) the ticket",
)
def demand_accept(
    request: HttpRequest, demand_id: int, payload: AcceptIn, idempotency_key: Once = None
) -> Status[Any]:
    def work() -> tuple[int, Any]:
        demand = _demand_get(request.user, demand_id)
        services.ticket_accept(actor=request.user, demand=demand, expected_version=payload.expected_version)
        return 200, _detail(request, demand_id)

    return _once(request, payload, work)


@router.post(
    "/frontline/demands/{demand_id}/return",
    response=MOVE_ERRORS,
    summary="The department returns a misrouted ticket (退单) with its reason",
)
def demand_return(
    request: HttpRequest, demand_id: int, payload: ReturnIn, idempotency_key: Once = None
) -> Status[Any]:
    def work() -> tuple[int, Any]:
        demand = _demand_get(request.user, demand_id)
        services.ticket_return(
            actor=request.user,
            demand=demand,
            reason=payload.reason,
            expected_version=payload.expected_version,
        )
        return 200, _detail(request, demand_id)

    return _once(request, payload, work)


@router.post(
    "/frontline/demands/{demand_id}/redispatch",
    response=MOVE_ERRORS,
    summary="The receiver sends a returned ticket to another department (改派)",
)
def demand_redispatch(
    request: HttpRequest, demand_id: int, payload: RedispatchIn, idempotency_key: Once = None
) -> Status[Any]:
    def work() -> tuple[int, Any]:
        demand = _demand_get(request.user, demand_id)
        department = Department.objects.filter(key=payload.department_key).first()
        if department is None:
            raise ValidationError({"department_key": [_("没有找到该部门。")]})
        services.ticket_redispatch(
            actor=request.user,
            demand=demand,
            department=department,
            note=payload.note,
            expected_version=payload.expected_version,
        )
        return 200, _detail(request, demand_id)

    return _once(request, payload, work)


@router.post(
    "/frontline/demands/{demand_id}/reply",
    response=MOVE_ERRORS,
    summary="The department answers (答复办结); the requester is asked whether it was resolved",
)
def demand_reply(
    request: HttpRequest, demand_id: int, payload: ReplyIn, idempotency_key: Once = None
) -> Status[Any]:
    def work() -> tuple[int, Any]:
        demand = _demand_get(request.user, demand_id)
        services.ticket_reply(
            actor=request.user,
            demand=demand,
            answer=payload.answer,
            expected_version=payload.expected_version,
        )
        return 200, _detail(request, demand_id)

    return _once(request, payload, work)


@router.post(
    "/frontline/demands/{demand_id}/follow-up",
    response=MOVE_ERRORS,
    summary="The requester's answer to a reply (回访): resolved or not, how satisfied; "
    "channel site (the requester) or phone (a caseworker who called them)",
)
def demand_follow_up(
    request: HttpRequest, demand_id: int, payload: FollowUpIn, idempotency_key: Once = None
) -> Status[Any]:
    def work() -> tuple[int, Any]:
        demand = _demand_get(request.user, demand_id)
        services.follow_up_record(
            actor=request.user,
            demand=demand,
            resolved=payload.resolved,
            satisfaction=payload.satisfaction,
            channel=payload.channel,
            note=payload.note,
            expected_version=payload.expected_version,
        )
        return 200, _detail(request, demand_id)

    return _once(request, payload, work)


@router.post(
    "/frontline/demands/{demand_id}/link-repeat",
    response=MOVE_ERRORS,
    summary="The receiver merges a likely repeat into its original (the requester is told)",
)
def demand_link_repeat(
    request: HttpRequest, demand_id: int, payload: LinkRepeatIn, idempotency_key: Once = None
) -> Status[Any]:
    def work() -> tuple[int, Any]:
        demand = _demand_get(request.user, demand_id)
        original = demands_query().filter(pk=payload.original_id).first()
        if original is None or not can_read_demand(request.user, original):
            raise ValidationError({"original_id": [_("没有找到原诉求。")]})
        services.demand_link_repeat(
            actor=request.user, demand=demand, original=original, expected_version=payload.expected_version
        )
        return 200, _detail(request, demand_id)

    return _once(request, payload, work)


@router.post(
    "/frontline/demands/{demand_id}/exclude",
    response=MOVE_ERRORS,
    summary="A supervisor takes a demand out of the three rates (不计入三率), with a reason",
)
def demand_exclude(
    request: HttpRequest, demand_id: int, payload: ExcludeIn, idempotency_key: Once = None
) -> Status[Any]:
    def work() -> tuple[int, Any]:
        demand = _demand_get(request.user, demand_id)
        require_exclude(request.user, demand)
        with transaction.atomic():
            # demand_exclude takes no expected_version: the version is checked under the same lock.
            demand_lock(demand, expected_version=payload.expected_version)
            services.demand_exclude(actor=request.user, demand=demand, reason=payload.reason)
        return 200, _detail(request, demand_id)

    return _once(request, payload, work)

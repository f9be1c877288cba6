"""The cases module's API router: case types, cases, transitions, documents, notices, the queue.

Same doors as the pages: selectors and services check who may do what (404 for another
enterprise's case, 403 for a transition the role may not take, 422 for bad input or a
transition not allowed from the state, 409 for a stale version).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from shouzhan.cases import notices, permissions, selectors, services
from shouzhan.cases import workflow as wf
from shouzhan.cases.files import CONTENT_TYPES
from shouzhan.cases.models import Case, Document
from shouzhan.core.actors import Actor
from shouzhan.core.errors import ErrorOut
from shouzhan.core.limits import (
    PAGE_DEFAULT,
    JsonDict,
    Key,
    LongText,
    MoneyText,
    PageLimit,
    PageOffset,
    ShortText,
)
from shouzhan.core.money import MoneyError, parse_yuan_fen, yuan_decimal
from shouzhan.core.notifications import target_is
from shouzhan.registry.permissions import member_enterprise_ids

router = Router(tags=["cases"])


class StateOut(Schema):
    key: str
    staff_label: str
    applicant_label: str
    limit_days: int | None
    stops_clock: bool
    final: bool


class ChoiceOut(Schema):
    value: str
    label: str


class FieldOut(Schema):
    name: str
    label: str
    kind: str
    required: bool
    choices: list[ChoiceOut]
    staff_only: bool


class TransitionOut(Schema):
    action: str
    label: str
    sources: list[str]
    target: str
    who: list[str]
    needs_note: bool
    needs_amount: bool
    edits_data: bool
    asks: list[FieldOut] = Field(description="What the staff record with this step (pass as `answers`)")


class CaseTypeOut(Schema):
    key: str
    label: str
    group: str
    limit_days: int
    states: list[StateOut]
    transitions: list[TransitionOut]
    fields: list[FieldOut]
    document_formats: list[str]
    document_max_bytes: int


class ClockOut(Schema):
    status: str
    label: str
    working_days_left: int | None


class CaseOut(Schema):
    id: int
    reference: str
    case_type: str
    state: str
    state_label: str
    enterprise_id: int | None
    title: str
    data: dict[str, Any]
    clause_id: str
    year: int | None
    project_id: int | None
    amount_requested_yuan: str | None
    amount_approved_yuan: str | None
    submitted_on: dt.date
    due_on: dt.date | None
    due_provisional: bool
    clock: ClockOut
    version: int
    assignee_id: int | None
    assignee_name: str
    created_at: dt.datetime


class CaseEventOut(Schema):
    """One entry of a case's timeline: who took which action, from which state to which, and when."""

    action: str
    from_state: str
    to_state: str
    actor: str
    note: str
    amount_yuan: str | None
    due_on: dt.date | None
    at: dt.datetime


class DocumentOut(Schema):
    id: int
    name: str
    version: int
    filename: str
    format: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    url: str


class CaseDetailOut(CaseOut):
    actions: list[str]
    events: list[CaseEventOut]
    documents: list[DocumentOut]
    notices: list[str]
    rule_result: dict[str, Any] | None
    decision_rule_result: dict[str, Any] | None
    decision_reasons: str


class CaseIn(Schema):
    case_type: Key
    enterprise_id: int | None = None
    title: ShortText
    data: JsonDict = Field(default_factory=dict)
    project_id: int | None = None
    clause_id: Key | None = None
    year: int | None = Field(default=None, ge=2000, le=2100)
    amount_requested_yuan: MoneyText | None = Field(
        default=None, description='Yuan as text, e.g. "200000.00"'
    )


class TransitionIn(Schema):
    action: Key
    expected_version: int = Field(description="The version you read; a stale one gets 409")
    note: LongText = ""
    amount_yuan: MoneyText | None = Field(
        default=None, description="Approved amount in yuan (text), for approvals"
    )
    data: JsonDict | None = None
    answers: JsonDict | None = Field(
        default=None,
        description="What the step asks the staff for (its `asks` in the case type): e.g. certificate_no",
    )


class AssignIn(Schema):
    assignee_id: int | None = Field(
        description="A caseworker's user id; null puts the case back as unassigned"
    )
    expected_version: int = Field(description="The version you read; a stale one gets 409")
    note: LongText = ""


class TicketIn(Schema):
    enterprise_id: int | None = None
    title: ShortText = ""
    data: JsonDict = Field(
        description="need (required), category, urgency (normal|urgent|critical), location, reported_on, "
        "reporter, reporter_contact"
    )
    assignee_id: int | None = None


class ResponseTimeOut(Schema):
    key: str
    label: str
    limit_days: int
    limit_variants: str
    closed_last_90_days: int
    median_working_days: float | None
    on_time: int
    late: int
    open_overdue: int
    rate_percent: str


class OnTimeOut(Schema):
    key: str
    label: str
    on_time: int
    late: int
    open_overdue: int
    rate_percent: str


class NotificationOut(Schema):
    id: int
    case_id: int | None  # the case the message is about (null for a message about something else)
    kind: str
    message: str
    created_at: dt.datetime
    read: bool


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else str(yuan_decimal(fen))


def _fen(value: str | None, field: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        fen = parse_yuan_fen(value)
    except MoneyError:
        raise ValidationError({field: ["请填写金额（元），如 200000.00"]}) from None
    if fen < 0:
        raise ValidationError({field: ["金额不能为负数"]})
    return fen


def case_out(case: Case, actor: Actor) -> dict[str, Any]:
    ct = wf.case_type_get(case.case_type)
    clock = selectors.case_clock(case)
    staff = permissions.is_staff(actor)
    state = ct.state(case.state)
    return {
        "id": case.pk,
        "reference": case.reference,
        "case_type": case.case_type,
        "state": case.state,
        "state_label": str(state.staff_label if staff else state.applicant_label),
        "enterprise_id": case.enterprise_id,
        "title": case.title,
        "data": selectors.case_visible_data(actor=actor, case=case),
        "clause_id": case.clause_id,
        "year": case.year,
        "project_id": case.project_id,
        "amount_requested_yuan": _yuan(case.amount_requested_fen),
        "amount_approved_yuan": _yuan(case.amount_approved_fen),
        "submitted_on": case.submitted_on,
        "due_on": case.due_on,
        "due_provisional": case.due_provisional,
        "clock": {"status": clock.status, "label": str(clock.label), "working_days_left": clock.days_left},
        "version": case.version,
        "assignee_id": case.assignee_id,
        "assignee_name": case.assignee.name if case.assignee_id and case.assignee else "",
        "created_at": case.created_at,
    }


def _document_out(d: Document) -> dict[str, Any]:
    return {
        "id": d.pk,
        "name": d.name,
        "version": d.version,
        "filename": d.filename,
        "format": d.format,
        "size": d.size,
        "sha256": d.sha256,
        "uploaded_at": d.created_at,
        "url": f"/api/v1/cases/documents/{d.pk}",
    }


def case_detail_out(case: Case, actor: Actor) -> dict[str, Any]:
    return {
        **case_out(case, actor),
        "actions": [t.action for t in selectors.case_actions(actor=actor, case=case)],
        "events": [
            {
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "actor": e.actor_label,
                "note": e.note,
                "amount_yuan": _yuan(e.amount_fen),
                "due_on": e.due_on,
                "at": e.created_at,
            }
            for e in selectors.case_timeline(actor=actor, case=case)
        ],
        "documents": [_document_out(d) for d in selectors.case_documents(actor=actor, case=case)],
        "notices": [kind for kind, _label in notices.notices_available(case)],
        "rule_result": case.rule_result,
        "decision_rule_result": case.decision_rule_result,
        "decision_reasons": case.decision_reasons,
    }


@router.get(
    "/cases/types", response=list[CaseTypeOut], auth=None, summary="Case types: states, transitions, limits"
)
def case_types(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "key": ct.key,
            "label": str(ct.label),
            "group": ct.group,
            "limit_days": ct.limit_days,
            "states": [
                {
                    "key": s.key,
                    "staff_label": str(s.staff_label),
                    "applicant_label": str(s.applicant_label),
                    "limit_days": s.limit_days,
                    "stops_clock": s.stops_clock,
                    "final": s.final,
                }
                for s in ct.states
            ],
            "transitions": [
                {
                    "action": t.action,
                    "label": str(t.label),
                    "sources": list(t.sources),
                    "target": t.target,
                    "who": sorted(t.who),
                    "needs_note": t.needs_note,
                    "needs_amount": t.needs_amount,
                    "edits_data": t.edits_data,
                    "asks": [case_field_out(f) for f in t.asks],
                }
                for t in ct.transitions
            ],
            "fields": [case_field_out(f) for f in ct.fields],
            "document_formats": sorted(ct.documents.formats),
            "document_max_bytes": ct.documents.max_bytes,
        }
        for ct in wf.case_types()
    ]


def case_field_out(f: wf.Field) -> dict[str, Any]:
    """A case type's field as the API describes it (the talent API's support types too)."""
    return {
        "name": f.name,
        "label": str(f.label),
        "kind": f.kind,
        "required": f.required,
        "choices": [{"value": v, "label": str(lab)} for v, lab in f.choices],
        "staff_only": f.staff_only,
    }


@router.get("/cases", response=list[CaseOut], summary="Cases you may see (members: your enterprise's)")
def case_list(
    request: HttpRequest,
    case_type: Key = "",
    state: Key = "",
    open_only: bool = False,
    offset: PageOffset = 0,
    limit: PageLimit = 100,
) -> list[dict[str, Any]]:
    cases = selectors.case_list(actor=request.user, case_type=case_type, state=state, open_only=open_only)
    return [case_out(c, request.user) for c in cases[offset : offset + limit]]


@router.get("/cases/queue", response=list[CaseOut], summary="Staff queue: open cases, earliest due first")
def case_queue(
    request: HttpRequest,
    case_type: Key = "",
    mine: bool = False,
    assigned: Key = "",
    offset: PageOffset = 0,
    limit: PageLimit = 100,
) -> list[dict[str, Any]]:
    permissions.require_staff(request.user)
    if assigned not in ("", "mine", "unassigned"):
        raise ValidationError({"assigned": ["assigned 只能是 mine 或 unassigned / mine or unassigned"]})
    cases = selectors.case_queue(actor=request.user, case_type=case_type, mine=mine, assigned=assigned)
    return [case_out(c, request.user) for c in cases[offset : offset + limit]]


@router.get("/cases/on-time", response=list[OnTimeOut], summary="On-time rate per case type or caseworker")
def on_time(request: HttpRequest, by: Key = "type") -> list[dict[str, Any]]:
    permissions.require_staff(request.user)
    if by not in ("type", "caseworker"):
        raise ValidationError({"by": ["by 只能是 type 或 caseworker"]})
    return [
        {
            "key": r.key,
            "label": r.label,
            "on_time": r.on_time,
            "late": r.late,
            "open_overdue": r.open_overdue,
            "rate_percent": r.percent,
        }
        for r in selectors.on_time_rates(actor=request.user, by=by)
    ]


@router.get(
    "/cases/response-times",
    response=list[ResponseTimeOut],
    summary="Per case type: time limit, median working days to close (90 days), on-time rate",
)
def response_times(request: HttpRequest) -> list[dict[str, Any]]:
    permissions.require_staff(request.user)
    return [
        {
            "key": r.key,
            "label": r.label,
            "limit_days": r.limit_days,
            "limit_variants": r.limit_variants,
            "closed_last_90_days": r.closed,
            "median_working_days": r.median_days,
            "on_time": r.on_time,
            "late": r.late,
            "open_overdue": r.open_overdue,
            "rate_percent": r.percent,
        }
        for r in selectors.response_times(actor=request.user)
    ]


def _assignee(actor: Actor, user_id: int | None) -> Any:
    if not permissions.can_assign(actor):
        raise PermissionDenied("只有营商专员可以指派办件 / only caseworkers assign cases")
    if user_id is None:
        return None
    found = next((u for u in selectors.assignable_users() if u.pk == user_id), None)
    if found is None:
        raise ValidationError({"assignee_id": ["只能指派给在岗的营商专员 / not an active caseworker"]})
    return found


@router.post("/cases/tickets", response={201: CaseDetailOut}, summary="Open a ticket (staff): 工单")
def ticket_create(request: HttpRequest, payload: TicketIn) -> Any:
    from shouzhan.registry.selectors import enterprise_get

    if not permissions.can_open_ticket(request.user):
        raise PermissionDenied("只有营商专员可以登记工单 / only caseworkers open tickets")
    enterprise = None
    if payload.enterprise_id is not None:
        enterprise = enterprise_get(actor=request.user, pk=payload.enterprise_id)
    case = services.ticket_open(
        actor=request.user,
        enterprise=enterprise,
        title=payload.title,
        data=payload.data,
        assignee=_assignee(request.user, payload.assignee_id),
    )
    return Status(201, case_detail_out(case, request.user))


@router.post(
    "/cases/{case_id}/assign",
    response={200: CaseDetailOut, 409: ErrorOut},
    summary="Assign or reassign a case to a caseworker (send the version you read)",
)
def case_assign(request: HttpRequest, case_id: int, payload: AssignIn) -> Any:
    case = selectors.case_get(actor=request.user, pk=case_id)
    moved = services.case_assign(
        actor=request.user,
        case=case,
        assignee=_assignee(request.user, payload.assignee_id),
        expected_version=payload.expected_version,
        note=payload.note,
    )
    return case_detail_out(moved, request.user)


@router.get("/cases/notifications", response=list[NotificationOut], summary="Your in-site notifications")
def notifications(
    request: HttpRequest, unread_only: bool = False, offset: PageOffset = 0, limit: PageLimit = PAGE_DEFAULT
) -> list[dict[str, Any]]:
    notes = selectors.notifications_for(actor=request.user, unread_only=unread_only)
    return [
        {
            "id": n.pk,
            "case_id": n.target_id if target_is(n, Case) else None,
            "kind": n.kind,
            "message": n.message,
            "created_at": n.created_at,
            "read": n.read_at is not None,
        }
        for n in notes[offset : offset + limit]
    ]


@router.post("/cases", response={201: CaseDetailOut}, summary="Submit a case")
def case_create(request: HttpRequest, payload: CaseIn) -> Any:
    from shouzhan.registry.models import Enterprise, Project
    from shouzhan.registry.selectors import enterprise_get

    enterprise: Enterprise | None = None
    if payload.enterprise_id is not None:
        enterprise = enterprise_get(actor=request.user, pk=payload.enterprise_id)
    project = None
    if payload.project_id is not None:
        # Without enterprise_id the service takes a member's only enterprise: look among theirs.
        owners = [enterprise.pk] if enterprise is not None else member_enterprise_ids(request.user)
        project = Project.objects.filter(pk=payload.project_id, enterprise_id__in=owners).first()
        if project is None:
            raise ValidationError({"project_id": ["该项目不属于申报企业"]})
    case = services.case_submit(
        actor=request.user,
        case_type=payload.case_type,
        enterprise=enterprise,
        title=payload.title,
        data=payload.data,
        project=project,
        clause_id=payload.clause_id,
        year=payload.year,
        amount_requested_fen=_fen(payload.amount_requested_yuan, "amount_requested_yuan"),
    )
    return Status(201, case_detail_out(case, request.user))


@router.get(
    "/cases/{case_id}", response=CaseDetailOut, summary="One case with history, documents and allowed actions"
)
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return case_detail_out(selectors.case_get(actor=request.user, pk=case_id), request.user)


@router.post(
    "/cases/{case_id}/transitions",
    response={200: CaseDetailOut, 409: ErrorOut},
    summary="Take a transition (send the version you read)",
)
def case_transition(request: HttpRequest, case_id: int, payload: TransitionIn) -> Any:
    case = selectors.case_get(actor=request.user, pk=case_id)
    moved = services.case_transition(
        actor=request.user,
        case=case,
        action=payload.action,
        expected_version=payload.expected_version,
        note=payload.note,
        amount_fen=_fen(payload.amount_yuan, "amount_fen"),
        data=payload.data,
        answers=payload.answers,
    )
    return case_detail_out(moved, request.user)


@router.post(
    "/cases/{case_id}/documents", response={201: DocumentOut}, summary="Upload a document (multipart)"
)
def document_upload(
    request: HttpRequest, case_id: int, file: File[UploadedFile], name: Form[ShortText] = "申报材料"
) -> Any:
    case = selectors.case_get(actor=request.user, pk=case_id)
    max_bytes = wf.case_type_get(case.case_type).documents.max_bytes
    doc = services.document_upload(
        actor=request.user,
        case=case,
        name=name,
        filename=file.name or "file",
        content=file.read(max_bytes + 1),
    )
    return Status(201, _document_out(doc))


@router.get("/cases/documents/{document_id}", summary="Download a document (only for who may read the case)")
def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    doc = selectors.document_get(actor=request.user, pk=document_id)
    return FileResponse(
        doc.file.open("rb"),
        as_attachment=True,
        filename=doc.filename,
        content_type=CONTENT_TYPES.get(doc.format, "application/octet-stream"),
    )


@router.get(
    "/cases/{case_id}/notices/{kind}", summary="A PDF notice: acceptance (受理通知书) or decision (决定书)"
)
def notice(request: HttpRequest, case_id: int, kind: Key) -> HttpResponse:
    case = selectors.case_get(actor=request.user, pk=case_id)
    return notices.notice_response(actor=request.user, case=case, kind=kind)

"""Policies API: the library, clauses, the calculator, and upload → review → publish for policy officers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from shouzhan.core.limits import JSON_BOUND, JSON_MAX_KEYS, Key, QueryText, RuleText, ShortText, Text
from shouzhan.core.workdays import IsoDate
from shouzhan.policies import selectors, services

router = Router(tags=["policies"])


class ClauseOut(Schema):
    id: str
    policy: str
    title: str
    text: str
    decision: str
    cap_yuan: str | None
    cap_per: str | None
    condition: str
    amount: str | None
    note: str


class PolicyOut(Schema):
    code: str
    title: str
    short_title: str
    issuer: str
    version: int
    effective_from: dt.date | None
    districts: list[str]
    clauses: list[ClauseOut]


class VersionOut(Schema):
    id: int
    code: str
    number: int
    status: str
    effective_from: dt.date | None
    sha256: str
    uploaded_at: dt.datetime


# {"enterprise": {…}, "project": {…}}: bounded like any JSON a client sends.
Facts = Annotated[
    dict[Key, Annotated[dict[Key, Any], Field(max_length=JSON_MAX_KEYS)]],
    Field(max_length=JSON_MAX_KEYS),
    JSON_BOUND,
]


class CalculatorIn(Schema):
    facts: Facts
    on: IsoDate | None = None


class ClauseResultOut(Schema):
    id: str
    policy: str
    title: str
    status: str
    max_amount_yuan: str | None
    decision: str
    missing_facts: list[str]
    trace: list[dict[str, Any]]


class CalculatorOut(Schema):
    on: dt.date
    clauses: list[ClauseResultOut]


class UploadIn(Schema):
    text: RuleText
    filename: ShortText = "upload.yaml"
    note: Text = ""


class PublishIn(Schema):
    effective_from: IsoDate


class ReviewOut(Schema):
    version: VersionOut
    current_version: int | None
    changes: list[dict[str, Any]]
    impact: list[dict[str, Any]]


def _clause_out(clause: Any) -> ClauseOut:
    return ClauseOut(
        id=clause.id,
        policy=clause.policy_id,
        title=clause.title,
        text=clause.text,
        decision=clause.decision,
        cap_yuan=str(clause.cap.to_dict()["yuan"]) if clause.cap else None,
        cap_per=clause.cap.per if clause.cap else None,
        condition=clause.condition.source.strip(),
        amount=clause.amount.source.strip() if clause.amount else None,
        note=clause.note,
    )


def _version_out(v: Any) -> VersionOut:
    return VersionOut(
        id=v.pk,
        code=v.document.code,
        number=v.number,
        status=v.status,
        effective_from=v.effective_from,
        sha256=v.sha256,
        uploaded_at=v.uploaded_at,
    )


def _calc_out(result: selectors.CalculatorResult) -> CalculatorOut:
    return CalculatorOut(on=result.on, clauses=[ClauseResultOut(**r.to_dict()) for r in result.results])


@router.get("/policies", response=list[PolicyOut], auth=None, summary="Policies in force, with their clauses")
def policy_list(
    request: HttpRequest,
    q: QueryText = "",
    issuer: ShortText = "",
    district: Key = "",
    sector: Key = "",
    on: IsoDate | None = None,
) -> list[PolicyOut]:
    entries = selectors.policy_library(
        on=on or timezone.localdate(), q=q, issuer=issuer, district=district, sector=sector
    )
    return [
        PolicyOut(
            code=e.document.code,
            title=e.policy.title,
            short_title=e.policy.short_title,
            issuer=e.policy.issuer,
            version=e.version.number,
            effective_from=e.version.effective_from,
            districts=e.districts,
            clauses=[_clause_out(c) for c in e.clauses],
        )
        for e in entries
    ]


@router.get("/clauses/{clause_id}", response=ClauseOut, auth=None, summary="One clause in force")
def clause_detail(request: HttpRequest, clause_id: Key, on: IsoDate | None = None) -> ClauseOut:
    _, clause, _ = selectors.clause_get(clause_id=clause_id, on=on or timezone.localdate())
    return _clause_out(clause)


@router.post("/calculator", response=CalculatorOut, auth=None, summary="Every clause for the given facts")
def calculator(request: HttpRequest, payload: CalculatorIn) -> CalculatorOut:
    from shouzhan import rules

    try:
        result = selectors.calculate(facts=payload.facts, on=payload.on or timezone.localdate())
    except rules.RuleError as exc:
        raise HttpError(422, f"invalid facts / 事实有误: {exc}") from exc
    return _calc_out(result)


@router.get(
    "/enterprises/{enterprise_id}/calculator", response=CalculatorOut, summary="Calculator for an enterprise"
)
def enterprise_calculator(
    request: HttpRequest, enterprise_id: int, project: int | None = None, on: IsoDate | None = None
) -> CalculatorOut:
    from shouzhan.registry.models import Enterprise, Project
    from shouzhan.registry.permissions import require_enterprise_read

    require_enterprise_read(request.user, enterprise_id)
    enterprise = get_object_or_404(Enterprise, pk=enterprise_id)
    chosen = get_object_or_404(Project, pk=project, enterprise=enterprise) if project else None
    result = selectors.enterprise_calculate(
        actor=request.user, enterprise=enterprise, project=chosen, on=on or timezone.localdate()
    )
    return _calc_out(result)


@router.get("/policies/{code}/versions", response=list[VersionOut], auth=None, summary="Versions of a policy")
def versions(request: HttpRequest, code: Key) -> list[VersionOut]:
    document = selectors.document_get(code=code)
    return [_version_out(v) for v in selectors.document_versions(actor=request.user, document=document)]


@router.post("/policy-versions", response={201: VersionOut}, summary="Upload a changed rule file as a draft")
def upload(request: HttpRequest, payload: UploadIn) -> Status:
    version = services.policy_version_upload(
        actor=request.user, text=payload.text, filename=payload.filename, note=payload.note
    )
    return Status(201, _version_out(version))


@router.get(
    "/policy-versions/{pk}/review", response=ReviewOut, summary="Diff and affected enterprises of a draft"
)
def review(request: HttpRequest, pk: int) -> ReviewOut:
    version = selectors.version_get(actor=request.user, pk=pk)
    result = selectors.version_review(actor=request.user, version=version, on=timezone.localdate())
    return ReviewOut(
        version=_version_out(version),
        current_version=result["current"].number if result["current"] else None,
        changes=result["changes"],
        impact=[
            {
                "enterprise_id": r.enterprise_id,
                "enterprise": r.enterprise_name,
                "project": r.project_title,
                "clause_id": r.clause_id,
                "old_status": r.old_status or "not_eligible",
                "new_status": r.new_status or "not_eligible",
                "old_max_amount_fen": r.old_fen,
                "new_max_amount_fen": r.new_fen,
            }
            for r in result["impact"]
        ],
    )


@router.post(
    "/policy-versions/{pk}/publish", response=VersionOut, summary="Publish a draft with an effective date"
)
def publish(request: HttpRequest, pk: int, payload: PublishIn) -> VersionOut:
    version = selectors.version_get(actor=request.user, pk=pk)
    published = services.policy_version_publish(
        actor=request.user, version=version, effective_from=payload.effective_from
    )
    return _version_out(published)

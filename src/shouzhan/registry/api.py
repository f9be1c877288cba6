"""The registry's JSON API: enterprises, their facts and projects. Money is a string of yuan, never a float.

Permissions are the services' and selectors' own: the API only translates their answers
(404 for another enterprise, 403 for read-only staff, 422 for bad input, 409 for a stale version).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from shouzhan.core.errors import ErrorOut
from shouzhan.core.limits import (
    PAGE_DEFAULT,
    Key,
    LongText,
    MoneyText,
    PageLimit,
    PageOffset,
    QueryText,
    ShortText,
    Text,
)
from shouzhan.core.money import yuan_decimal
from shouzhan.core.workdays import IsoDate
from shouzhan.registry import selectors, services
from shouzhan.registry.choices import PROJECT_EXTRA_FACTS
from shouzhan.registry.models import Enterprise, Project

router = Router(tags=["registry"])


class EnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str | None
    district: str
    registered_on: dt.date | None
    employees: int | None
    annual_revenue_yuan: MoneyText | None
    is_one_person_company: bool | None
    sector: str
    in_cluster: bool | None
    is_startup: bool | None
    stage: str
    legal_representative: str
    address: str
    phone: str
    description: str
    version: int


class EnterprisePage(Schema):
    count: int
    items: list[EnterpriseOut]


class EnterprisePatch(Schema):
    expected_version: int = Field(description="The version you read; a stale one gets 409")
    name: ShortText | None = None
    credit_code: Key | None = None
    district: Key | None = None
    registered_on: IsoDate | None = None
    employees: int | None = None
    annual_revenue_yuan: MoneyText | None = Field(default=None, description='Yuan as text, e.g. "1234.50"')
    is_one_person_company: bool | None = None
    sector: Key | None = None
    in_cluster: bool | None = None
    is_startup: bool | None = None
    stage: Key | None = None
    legal_representative: ShortText | None = None
    address: Text | None = None
    phone: Key | None = None
    description: LongText | None = None


class EnterpriseFilters(Schema):
    q: QueryText = ""
    district: Key = ""
    sector: Key = ""
    stage: Key = ""
    in_cluster: bool | None = None
    offset: PageOffset = 0
    limit: PageLimit = 50


class ProjectIn(Schema):
    kind: Key
    title: ShortText
    description: LongText = ""
    year: int | None = None
    rd_investment_yuan: MoneyText | None = Field(default=None, description='Yuan as text, e.g. "250000.00"')
    self_developed: bool | None = None
    market_recognized: bool | None = None
    national_selection: bool | None = None
    excellent: bool | None = None
    promotes_city_image: bool | None = None
    trainees: int | None = None
    script_copyright_holder: bool | None = None
    award_winning: bool | None = None
    benchmark_work: bool | None = None
    stable_capacity: bool | None = None
    overseas_at_scale: bool | None = None
    voucher_item: Key | None = None


class ProjectOut(Schema):
    id: int
    enterprise_id: int
    kind: str
    title: str
    description: str
    year: int | None
    rd_investment_yuan: MoneyText | None
    self_developed: bool | None
    market_recognized: bool | None
    national_selection: bool | None
    excellent: bool | None
    promotes_city_image: bool | None
    trainees: int | None
    extra_facts: dict[str, Any]


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else str(yuan_decimal(fen))


def enterprise_out(e: Enterprise) -> EnterpriseOut:
    return EnterpriseOut(
        id=e.pk,
        name=e.name,
        credit_code=e.credit_code,
        district=e.district,
        registered_on=e.registered_on,
        employees=e.employees,
        annual_revenue_yuan=_yuan(e.annual_revenue_fen),
        is_one_person_company=e.is_one_person_company,
        sector=e.sector,
        in_cluster=e.in_cluster,
        is_startup=e.is_startup,
        stage=e.stage,
        legal_representative=e.legal_representative,
        address=e.address,
        phone=e.phone,
        description=e.description,
        version=e.version,
    )


def project_out(p: Project) -> ProjectOut:
    extra = p.extra_facts if isinstance(p.extra_facts, dict) else {}
    return ProjectOut(
        id=p.pk,
        enterprise_id=p.enterprise_id,
        kind=p.kind,
        title=p.title,
        description=p.description,
        year=p.year,
        rd_investment_yuan=_yuan(p.rd_investment_fen),
        self_developed=p.self_developed,
        market_recognized=p.market_recognized,
        national_selection=p.national_selection,
        excellent=p.excellent,
        promotes_city_image=p.promotes_city_image,
        trainees=p.trainees,
        extra_facts={name: extra[name] for name, _label, _t in PROJECT_EXTRA_FACTS if name in extra},
    )


@router.get(
    "/enterprises", response=EnterprisePage, summary="Enterprises: staff see the register, others their own"
)
def enterprises_list(request: HttpRequest, filters: Query[EnterpriseFilters]) -> EnterprisePage:
    data = filters.dict()
    offset, limit = data.pop("offset"), data.pop("limit")
    enterprises = selectors.enterprise_visible(actor=request.user, **data)
    return EnterprisePage(
        count=enterprises.count(), items=[enterprise_out(e) for e in enterprises[offset : offset + limit]]
    )


@router.get("/enterprises/{enterprise_id}", response=EnterpriseOut, summary="One enterprise's profile")
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> EnterpriseOut:
    return enterprise_out(selectors.enterprise_get(actor=request.user, pk=enterprise_id))


@router.patch(
    "/enterprises/{enterprise_id}",
    response={200: EnterpriseOut, 409: ErrorOut},
    summary="Change some facts of an enterprise (optimistic: send the version you read)",
)
def enterprise_patch(request: HttpRequest, enterprise_id: int, payload: EnterprisePatch) -> Any:
    enterprise = selectors.enterprise_get(actor=request.user, pk=enterprise_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("expected_version")
    for key in ("name", "stage"):
        if key in data and data[key] is None:
            raise ValidationError({key: "不能为空"})
    # A stale version is services.StaleVersionError, a Conflict: the API's one 409 handler answers it.
    updated = services.enterprise_update(
        actor=request.user, enterprise=enterprise, data=data, expected_version=version
    )
    return enterprise_out(updated)


@router.get("/enterprises/{enterprise_id}/facts", summary="The facts the rules read, nested by entity")
def enterprise_facts(request: HttpRequest, enterprise_id: int, project: int | None = None) -> dict[str, Any]:
    enterprise = selectors.enterprise_get(actor=request.user, pk=enterprise_id)
    chosen = selectors.project_get(actor=request.user, enterprise=enterprise, pk=project) if project else None
    return selectors.enterprise_facts(enterprise=enterprise, project=chosen)


@router.get(
    "/enterprises/{enterprise_id}/projects", response=list[ProjectOut], summary="An enterprise's projects"
)
def projects_list(
    request: HttpRequest, enterprise_id: int, offset: PageOffset = 0, limit: PageLimit = PAGE_DEFAULT
) -> list[ProjectOut]:
    enterprise = selectors.enterprise_get(actor=request.user, pk=enterprise_id)
    projects = selectors.project_list(actor=request.user, enterprise=enterprise)
    return [project_out(p) for p in projects[offset : offset + limit]]


@router.post(
    "/enterprises/{enterprise_id}/projects", response={201: ProjectOut}, summary="Add a project or work"
)
def projects_create(request: HttpRequest, enterprise_id: int, payload: ProjectIn) -> Any:
    enterprise = selectors.enterprise_get(actor=request.user, pk=enterprise_id)
    project = services.project_create(actor=request.user, enterprise=enterprise, data=payload.dict())
    return Status(201, project_out(project))

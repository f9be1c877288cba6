"""The talent services' JSON API under /api/v1/talent/ (docs/talent.md).

Same doors as the pages: `registry.talent.permissions` decides who reads a record and how much (a record
the caller may not see is 404; a write they may not make on one they see is 403), the services check and
audit every write (422 with their message for bad input, 409 for a stale `expected_version`). A support
case is opened here and followed through the cases API (documents, transitions).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from shouzhan.cases.api import CaseOut, case_field_out, case_out
from shouzhan.core.errors import ErrorOut
from shouzhan.registry.models import Enterprise, Person
from shouzhan.registry.services.people import person_for_user
from shouzhan.registry.talent import selectors
from shouzhan.registry.talent import services as talent
from shouzhan.registry.talent.facts import categories_catalogue
from shouzhan.registry.talent.models import SkillCertificate, TalentRecord, TalentTitle
from shouzhan.talent import permissions as P
from shouzhan.talent import workflow as tw
from shouzhan.talent.api_courses import register as courses_register
from shouzhan.talent.api_schemas import (
    TalentCategoryOut,
    TalentCertificateIn,
    TalentCertificateOut,
    TalentRecordFilters,
    TalentRecordOut,
    TalentRecordPage,
    TalentRecordPatch,
    TalentShareIn,
    TalentShareOut,
    TalentSupportIn,
    TalentSupportTypeOut,
    TalentTitleIn,
    TalentTitleOut,
    certificate_out,
    record_out,
    row_out,
    share_out,
    title_out,
)
from shouzhan.talent.services import support_apply

router = Router(tags=["talent"])

ERRORS: dict[int | frozenset[int], Any] = {frozenset({401, 403, 404, 409, 422}): ErrorOut}


def _status_label(status: str) -> str:
    labels = {"eligible": _("符合条件"), "not_eligible": _("不符合"), "unknown": _("信息不全")}
    return labels.get(status, status)


def _record_get(request: HttpRequest, record_id: int) -> TalentRecord:
    return selectors.record_get(actor=request.user, pk=record_id)


def _detail(request: HttpRequest, record: TalentRecord) -> dict[str, Any]:
    return record_out(selectors.record_view(actor=request.user, record=record, on=timezone.localdate()))


# ----------------------------------------------------------------------------- records
@router.get("/talent/me", response={200: TalentRecordOut, **ERRORS}, summary="Your own talent record")
def record_mine(request: HttpRequest) -> dict[str, Any]:
    person = person_for_user(actor=request.user)
    record = talent.talent_record_for(actor=request.user, person=person)
    return _detail(request, _record_get(request, record.pk))


@router.get(
    "/talent/records",
    response={200: TalentRecordPage, **ERRORS},
    summary="Talent records you may read (staff: all; members: those shared with your enterprises)",
)
def record_list(request: HttpRequest, filters: Query[TalentRecordFilters]) -> dict[str, Any]:
    found = selectors.record_list(
        actor=request.user, on=timezone.localdate(), q=filters.q, category=filters.category
    )
    rows = found.rows
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": len(rows), "items": [row_out(row) for row in page]}


@router.get(
    "/talent/records/{record_id}",
    response={200: TalentRecordOut, **ERRORS},
    summary="A talent record, as far as you may read it (profile: no certificates, trainings, support)",
)
def record_detail(request: HttpRequest, record_id: int) -> dict[str, Any]:
    return _detail(request, _record_get(request, record_id))


@router.patch(
    "/talent/records/{record_id}",
    response={200: TalentRecordOut, **ERRORS},
    summary="Change a talent record (expected_version)",
)
def record_update(request: HttpRequest, record_id: int, payload: TalentRecordPatch) -> dict[str, Any]:
    record = _record_get(request, record_id)
    data = payload.dict(exclude={"expected_version"}, exclude_unset=True)
    talent.talent_record_update(
        actor=request.user, record=record, data=data, expected_version=payload.expected_version
    )
    return _detail(request, _record_get(request, record_id))


@router.get(
    "/talent/records/{record_id}/category",
    response={200: TalentCategoryOut, **ERRORS},
    summary="The talent category the rules give, with each category's answer and reasons",
)
def record_category(request: HttpRequest, record_id: int) -> dict[str, Any]:
    from shouzhan.policies.trace import condition_lines

    on = timezone.localdate()
    view = selectors.record_view(actor=request.user, record=_record_get(request, record_id), on=on)
    rows = []
    if view.full:  # the reasons read certificates, trainings and hukou: not the profile's
        for r in view.category.results:
            key = r.id.split(".", 1)[1]
            lines = condition_lines(r.trace, categories_catalogue(), view.facts, r.id)
            rows.append(
                {
                    "key": key,
                    "label": selectors.category_label(key),
                    "status": r.status,
                    "status_label": _status_label(r.status),
                    "decided": key == view.category.key,
                    "reasons": [
                        {"text": line.sentence, "met": line.value if isinstance(line.value, bool) else None}
                        for line in lines
                    ],
                }
            )
    return {
        "record_id": view.record.pk,
        "on": on,
        "category": view.category.key,
        "category_label": view.category_label,
        "categories": rows,
    }


# ----------------------------------------------------------------------------- titles and certificates
@router.post(
    "/talent/records/{record_id}/titles",
    response={201: TalentTitleOut, **ERRORS},
    summary="Add a professional title (职称) to a record",
)
def title_add(request: HttpRequest, record_id: int, payload: TalentTitleIn) -> Status[Any]:
    record = _record_get(request, record_id)
    title = talent.talent_title_add(actor=request.user, record=record, data=payload.dict())
    return Status(201, title_out(title))


@router.delete(
    "/talent/records/{record_id}/titles/{title_id}",
    response={204: None, **ERRORS},
    summary="Remove a title you entered (one a support case recorded stays: 422)",
)
def title_remove(request: HttpRequest, record_id: int, title_id: int) -> Status[None]:
    record = _record_get(request, record_id)
    title = TalentTitle.objects.filter(pk=title_id, record=record).select_related("record__person").first()
    if title is None:
        raise Http404(_("没有找到该职称。"))
    talent.talent_item_remove(actor=request.user, item=title)
    return Status(204, None)


@router.post(
    "/talent/records/{record_id}/certificates",
    response={201: TalentCertificateOut, **ERRORS},
    summary="Add a skill certificate to a record (the number's shape is checked)",
)
def certificate_add(request: HttpRequest, record_id: int, payload: TalentCertificateIn) -> Status[Any]:
    record = _record_get(request, record_id)
    certificate = talent.talent_certificate_add(actor=request.user, record=record, data=payload.dict())
    return Status(201, certificate_out(certificate))


@router.delete(
    "/talent/records/{record_id}/certificates/{certificate_id}",
    response={204: None, **ERRORS},
    summary="Remove a certificate you entered (one a support case recorded stays: 422)",
)
def certificate_remove(request: HttpRequest, record_id: int, certificate_id: int) -> Status[None]:
    record = _record_get(request, record_id)
    found = SkillCertificate.objects.filter(pk=certificate_id, record=record)
    profile_only = P.record_access(request.user, record) == P.PROFILE
    certificate = None if profile_only else found.select_related("record__person").first()
    if certificate is None:  # a profile reader does not see the certificates at all
        raise Http404(_("没有找到该证书。"))
    talent.talent_item_remove(actor=request.user, item=certificate)
    return Status(204, None)


# ----------------------------------------------------------------------------- sharing
@router.put(
    "/talent/records/{record_id}/shares/{enterprise_id}",
    response={200: TalentShareOut, **ERRORS},
    summary='What one of your enterprises may read of your record (profile, full, or "" for nothing)',
)
def share_set(
    request: HttpRequest, record_id: int, enterprise_id: int, payload: TalentShareIn
) -> dict[str, Any]:
    record = _record_get(request, record_id)
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None:
        raise Http404(_("没有找到该企业。"))
    share = talent.talent_share_set(
        actor=request.user, record=record, enterprise=enterprise, level=payload.level
    )
    return share_out(enterprise, share.level if share is not None else "")


# ----------------------------------------------------------------------------- support
@router.get(
    "/talent/support-types",
    response={200: list[TalentSupportTypeOut], **ERRORS},
    summary="The talent support a person may apply for, with its fields and working-day limit",
)
def support_types(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "key": ct.key,
            "label": str(ct.label),
            "description": str(ct.description),
            "limit_days": ct.limit_days,
            "fields": [case_field_out(f) for f in ct.fields],
            "document_formats": sorted(ct.documents.formats),
        }
        for ct in tw.CASE_TYPES
    ]


@router.post(
    "/talent/support",
    response={201: CaseOut, **ERRORS},
    summary="Apply for talent support, for yourself or for a member of your enterprise (documents: cases API)",
)
def support_create(request: HttpRequest, payload: TalentSupportIn) -> Status[Any]:
    if payload.person_id is None:
        person = person_for_user(actor=request.user)
    else:
        found = Person.objects.select_related("enterprise").filter(pk=payload.person_id).first()
        if found is None:
            raise Http404(_("没有找到该人员。"))
        person = found
    case = support_apply(actor=request.user, person=person, case_type=payload.case_type, data=payload.data)
    return Status(201, case_out(case, request.user))


courses_register(router, ERRORS)

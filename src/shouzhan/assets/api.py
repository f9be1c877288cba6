"""The assets API: works and their versions (upload as multipart; each version time-stamped and
fingerprinted), provenance, the public verification of a file or a certificate's code, infringement
reports with their matches and cases, and licences.

Permissions are assets.permissions' (the one door): another enterprise's unpublished work is 404, a
published one is read without its files; an edit carries the work's `expected_version` and a stale one is
409. Money is yuan as text, exact; times are ISO 8601 with their offset."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from shouzhan.assets import permissions as perms
from shouzhan.assets import selectors
from shouzhan.assets.api_schemas import (
    AssetProvenanceIn,
    AssetVerificationOut,
    AssetVersionOut,
    AssetWorkDetailOut,
    AssetWorkFilters,
    AssetWorkIn,
    AssetWorkPage,
    AssetWorkPatch,
    WorkPublishIn,
)
from shouzhan.assets.models import AssetVersion, Timestamp, Work
from shouzhan.assets.services import versions as version_services
from shouzhan.assets.services import works as work_services
from shouzhan.core.errors import ErrorOut
from shouzhan.core.limits import Key, Text
from shouzhan.registry.models import Enterprise

router = Router(tags=["assets"])

ERRORS: dict[int | frozenset[int], Any] = {frozenset({401, 403, 404, 409, 422}): ErrorOut}


# ----------------------------------------------------------------------------- shapes
def _version(v: AssetVersion, *, content: bool) -> dict[str, Any]:
    stamp: Timestamp | None = (
        getattr(v, "timestamp", None) if v.stamp_state == AssetVersion.Stamp.STAMPED else None
    )
    return {
        "code": v.code,
        "number": v.number,
        "filename": v.filename if content else "",
        "note": v.note,
        "sha256": v.blob.sha256,
        "size": v.blob.size,
        "format": v.blob.format,
        "media": v.blob.media,
        "duration_ms": v.blob.duration_ms,
        "stamp_state": v.stamp_state,
        "stamp_state_label": v.get_stamp_state_display(),
        "stamped_at": stamp.gen_time if stamp else None,
        "tsa": stamp.tsa_name if stamp else "",
        "tsa_serial": stamp.serial if stamp else "",
        "prints_state": v.prints_state,
        "prints_state_label": v.get_prints_state_display(),
        "created_at": v.created_at,
    }


def _work(w: Work) -> dict[str, Any]:
    return {
        "id": w.pk,
        "enterprise_id": w.enterprise_id,
        "holder": w.enterprise.name,
        "kind": w.kind,
        "kind_label": w.get_kind_display(),
        "title": w.title,
        "description": w.description,
        "dci": w.dci,
        "parent_id": w.parent_id,
        "episode_no": w.episode_no,
        "published": w.published,
        "versions": getattr(w, "n_versions", None)
        if getattr(w, "n_versions", None) is not None
        else w.versions.count(),
        "version": w.version,
        "created_at": w.created_at,
    }


def _work_get(request: HttpRequest, work_id: int) -> Work:
    work = Work.objects.select_related("enterprise").filter(pk=work_id).first()
    if work is None:
        raise Http404(_("没有找到该作品。"))
    perms.require_work_read(request.user, work)
    return work


def _detail(request: HttpRequest, work: Work) -> dict[str, Any]:
    content = perms.can_read_content(request.user, work)
    versions = work.versions.select_related("blob", "timestamp").order_by("-number")
    return {**_work(work), "versions": [_version(v, content=content) for v in versions]}


# ----------------------------------------------------------------------------- works
@router.get(
    "/assets/works",
    response={200: AssetWorkPage, **ERRORS},
    summary="Works you may see (yours, and published ones)",
)
def work_list(request: HttpRequest, filters: Query[AssetWorkFilters]) -> dict[str, Any]:
    rows = perms.scope_works(request.user, Work.objects.select_related("enterprise"))
    if filters.mine:
        rows = rows.filter(enterprise_id__in=perms.own_enterprise_ids(request.user))
    if filters.enterprise_id is not None:
        rows = rows.filter(enterprise_id=filters.enterprise_id)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.q:
        rows = rows.filter(title__icontains=filters.q)
    rows = rows.annotate(n_versions=Count("versions")).order_by("-created_at", "-id")
    count = rows.count()
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": count, "items": [_work(w) for w in page]}


@router.post(
    "/assets/works",
    response={201: AssetWorkDetailOut, **ERRORS},
    summary="Register a work of your enterprise",
)
def work_create(request: HttpRequest, payload: AssetWorkIn) -> Status[Any]:
    enterprise = Enterprise.objects.filter(pk=payload.enterprise_id).first()
    if enterprise is None:
        raise Http404(_("没有找到该企业。"))
    work = work_services.work_create(
        actor=request.user, enterprise=enterprise, data=payload.dict(exclude={"enterprise_id"})
    )
    return Status(201, _detail(request, work))


@router.get(
    "/assets/works/{work_id}", response={200: AssetWorkDetailOut, **ERRORS}, summary="A work and its versions"
)
def work_detail(request: HttpRequest, work_id: int) -> dict[str, Any]:
    return _detail(request, _work_get(request, work_id))


@router.patch(
    "/assets/works/{work_id}",
    response={200: AssetWorkDetailOut, **ERRORS},
    summary="Change a work (expected_version)",
)
def work_update(request: HttpRequest, work_id: int, payload: AssetWorkPatch) -> dict[str, Any]:
    work = _work_get(request, work_id)
    data = payload.dict(exclude={"expected_version"}, exclude_unset=True)
    work = work_services.work_update(
        actor=request.user, work=work, data=data, version=payload.expected_version
    )
    return _detail(request, work)


@router.post(
    "/assets/works/{work_id}/publish",
    response={200: AssetWorkDetailOut, **ERRORS},
    summary="Publish or withdraw a work",
)
def work_publish(request: HttpRequest, work_id: int, payload: WorkPublishIn) -> dict[str, Any]:
    work = work_services.work_publish(
        actor=request.user, work=_work_get(request, work_id), published=payload.published
    )
    return _detail(request, work)


@router.post(
    "/assets/works/{work_id}/versions",
    response={201: AssetVersionOut, **ERRORS},
    summary="Upload a new version (multipart): stored by SHA-256, time-stamped, fingerprinted",
)
def version_create(
    request: HttpRequest, work_id: int, file: File[UploadedFile], note: Form[Text] = ""
) -> Status[Any]:
    work = _work_get(request, work_id)
    content = file.read(int(settings.ASSETS_MAX_BYTES) + 1)
    version = version_services.version_register(
        actor=request.user, work=work, filename=file.name or "upload", content=content, note=note
    )
    version.refresh_from_db()
    return Status(201, _version(version, content=True))


@router.post(
    "/assets/provenance",
    response={201: AssetVersionOut, **ERRORS},
    summary="Record where a version came from",
)
def provenance_create(request: HttpRequest, payload: AssetProvenanceIn) -> Status[Any]:
    target = _version_by_code(request, payload.target_code)
    source = _version_by_code(request, payload.source_code)
    version_services.provenance_record(
        actor=request.user, target=target, source=source, relation=payload.relation, note=payload.note
    )
    return Status(201, _version(target, content=True))


def _version_by_code(request: HttpRequest, code: str) -> AssetVersion:
    version = selectors.version_by_code(code)
    if version is None:
        raise Http404(_("没有找到该存证编号。"))
    perms.require_work_read(request.user, version.work)
    return version


# ----------------------------------------------------------------------------- public verification
def _verification(request: HttpRequest, version: AssetVersion | None, sha256: str) -> dict[str, Any]:
    if version is None:
        return {
            "found": False,
            "sha256": sha256,
            "message": _("未找到登记记录：登记库中没有内容完全相同的文件。"),
        }
    checked = selectors.registration_check(request.user, version)
    work, stamp, verification = version.work, checked.stamp, checked.verification
    return {
        "found": True,
        "sha256": version.blob.sha256,
        "code": version.code,
        "version": version.number,
        "title": work.title if checked.disclosed else "",
        "holder": work.enterprise.name if checked.disclosed else "",
        "kind_label": work.get_kind_display(),
        "registered_at": version.created_at,
        "stamped_at": stamp.gen_time if stamp else None,
        "tsa": stamp.tsa_name if stamp else "",
        "tsa_serial": stamp.serial if stamp else "",
        "token_ok": verification.ok if verification else None,
        "message": verification.message if verification else _("该版本尚未加盖时间戳。"),
    }


@router.get(
    "/assets/verify/{code}",
    auth=None,
    response={200: AssetVerificationOut, **ERRORS},
    summary="Verify a certificate's code (public)",
)
def verify_code(request: HttpRequest, code: Key) -> dict[str, Any]:
    version = selectors.version_by_code(code)
    if version is None:
        raise Http404(_("没有找到该存证编号。"))
    return _verification(request, version, version.blob.sha256)


@router.post(
    "/assets/verify",
    auth=None,
    response={200: AssetVerificationOut, **ERRORS},
    summary="Check a file against the registry (public)",
)
def verify_file(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    digest = hashlib.sha256()
    read = 0
    for chunk in file.chunks():
        read += len(chunk)
        if read > int(settings.ASSETS_MAX_BYTES):
            from django.core.exceptions import ValidationError

            raise ValidationError(
                {
                    "file": [
                        _("文件过大（上限 %(mb)s MB）。") % {"mb": int(settings.ASSETS_MAX_BYTES) // 1048576}
                    ]
                }
            )
        digest.update(chunk)
    sha256 = digest.hexdigest()
    found = selectors.versions_by_digest(sha256)  # the earliest registration of this content first
    return _verification(request, found[0] if found else None, sha256)

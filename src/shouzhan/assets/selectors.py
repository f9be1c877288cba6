"""Reads of the registry for the pages and the API: works for an actor with their counts, a work with its
versions, time-stamps, provenance, licences and episodes in a fixed number of queries, a version by its
public code or by its content, and what the public verification tells of a registration."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan.assets.models import AssetVersion, Licence, Provenance, Timestamp, Work, WorkKind
from shouzhan.assets.permissions import (
    can_read_work,
    own_enterprise_ids,
    require_work_read,
    scope_licences,
    scope_works,
    sees_every_work,
)
from shouzhan.assets.services.blobs import blob_local_path
from shouzhan.assets.services.versions import CODE_ALPHABET
from shouzhan.assets.tsa import Verification, token_verify
from shouzhan.core.actors import Actor
from shouzhan.registry.models import Enterprise

# SZ-7KQ2-M9XD-PA: 'SZ' and ten characters of services.versions.CODE_ALPHABET, in groups of 4, 4 and 2.
_CODE_CHAR = f"[{CODE_ALPHABET}]"
CODE_SHAPE = re.compile(f"SZ-{_CODE_CHAR}{{4}}-{_CODE_CHAR}{{4}}-{_CODE_CHAR}{{2}}")
DIGEST_SHAPE = re.compile(r"[0-9a-f]{64}")


# ----------------------------------------------------------------------------- works list
def works_list(actor: Actor, *, enterprise: Enterprise | None = None, kind: str = "") -> QuerySet[Work]:
    """The works the list page shows: the staff's all (or one enterprise's), a member's own enterprises'.

    Each carries `n_versions`, and the newest version's `last_stamp_state` and `last_stamp_at`."""
    works = (
        Work.objects.all()
        if sees_every_work(actor)
        else Work.objects.filter(enterprise_id__in=own_enterprise_ids(actor))
    )
    if enterprise is not None:
        works = works.filter(enterprise=enterprise)
    if kind:
        works = works.filter(kind=kind)
    newest = AssetVersion.objects.filter(work=OuterRef("pk")).order_by("-number")
    return (
        works.select_related("enterprise", "parent")
        .annotate(
            n_versions=Count("versions", distinct=True),
            last_stamp_state=Subquery(newest.values("stamp_state")[:1]),
            last_stamp_at=Subquery(newest.values("timestamp__gen_time")[:1]),
        )
        .order_by("-created_at", "-id")
    )


def kind_counts(works: QuerySet[Work]) -> list[dict[str, Any]]:
    """Works by kind, in the kinds' own order, only the kinds present: [{kind, label, n}]."""
    found = dict(works.order_by().values_list("kind").annotate(n=Count("id")))
    return [
        {"kind": value, "label": label, "n": found[value]}
        for value, label in WorkKind.choices
        if found.get(value)
    ]


def enterprises_with_works() -> QuerySet[Enterprise]:
    """The staff's filter: enterprises that registered at least one work (not the whole register)."""
    return Enterprise.objects.filter(works__isnull=False).distinct().order_by("name", "id")


# ----------------------------------------------------------------------------- one work
def _versions_prefetch(actor: Actor) -> Prefetch[Any]:
    provenance = Provenance.objects.select_related(
        "source__work__enterprise", "target__work__enterprise"
    ).order_by("created_at", "id")
    versions = (
        AssetVersion.objects.select_related("blob", "timestamp", "created_by")
        .prefetch_related(
            Prefetch("sources", queryset=provenance),
            Prefetch("derived", queryset=provenance),
            Prefetch("licences", queryset=scope_licences(actor, Licence.objects.all())),
        )
        .order_by("-number")
    )
    return Prefetch("versions", queryset=versions)


def work_detail(actor: Actor, pk: int) -> Work:
    """The work with everything its page shows, in a fixed number of queries whatever its size; 404 when
    the actor may not know of it (another enterprise's unpublished work)."""
    parts = (
        scope_works(actor, Work.objects.all())
        .annotate(n_versions=Count("versions"))
        .order_by("episode_no", "id")
    )
    licences = scope_licences(actor, Licence.objects.select_related("holder", "licensee"))
    work = (
        Work.objects.select_related("enterprise", "parent", "created_by")
        .prefetch_related(
            _versions_prefetch(actor),
            Prefetch("parts", queryset=parts),
            Prefetch("licences", queryset=licences),
        )
        .filter(pk=pk)
        .first()
    )
    if work is None:
        raise Http404(_("没有找到该作品。"))
    require_work_read(actor, work)
    return work


def work_for_write(pk: int) -> Work:
    work = Work.objects.select_related("enterprise").filter(pk=pk).first()
    if work is None:
        raise Http404(_("没有找到该作品。"))
    return work


def series_choices(enterprise_ids: set[int] | None) -> QuerySet[Work]:
    """Series an episode may belong to: the given enterprises' (None: every enterprise's, for staff)."""
    series = Work.objects.filter(kind=WorkKind.SERIES).select_related("enterprise")
    if enterprise_ids is not None:
        series = series.filter(enterprise_id__in=enterprise_ids)
    return series.order_by("title", "id")


def provenance_sources(work: Work, limit: int = 300) -> list[AssetVersion]:
    """Versions the work's enterprise may name as a source without typing a code: its own other works'
    newest versions first (a published work of another enterprise is named by its certificate code)."""
    return list(
        AssetVersion.objects.filter(work__enterprise_id=work.enterprise_id)
        .exclude(work=work)
        .select_related("work")
        .order_by("-created_at", "-id")[:limit]
    )


# ----------------------------------------------------------------------------- versions
def code_clean(text: str) -> str:
    """A code as people type it (lower case, spaces) in the stored shape, or '' when it cannot be one."""
    code = re.sub(r"\s+", "", str(text or "")).upper()
    return code if CODE_SHAPE.fullmatch(code) else ""


def version_by_code(code: str) -> AssetVersion | None:
    code = code_clean(code)
    if not code:
        return None
    return (
        AssetVersion.objects.select_related("work__enterprise", "work__parent", "blob", "timestamp")
        .filter(code=code)
        .first()
    )


def versions_by_digest(digest: str) -> list[AssetVersion]:
    """Every registration of exactly this content, the earliest first (the same bytes in two works)."""
    if not DIGEST_SHAPE.fullmatch(digest):
        return []
    return list(
        AssetVersion.objects.select_related("work__enterprise", "blob", "timestamp")
        .filter(blob_id=digest)
        .order_by("created_at", "id")
    )


# ----------------------------------------------------------------------------- public verification
@dataclass(frozen=True)
class Registration:
    """What the public learns of one registration of a content: the version, whether its work and holder
    are named, its time-stamp and that token checked against the stored file."""

    version: AssetVersion
    disclosed: bool
    stamp: Timestamp | None
    verification: Verification | None


def _disclosed(actor: Actor, version: AssetVersion) -> bool:
    """Whether the work and its holder are named.

    A published work is public already (the community search, licences offered), so yes. An unpublished
    work's title and holder are not disclosed to a visitor: a studio registers an episode before it airs
    and a competitor must not learn from the verification page what it is making. The proof itself — this
    content existed at this time, vouched by this authority, under this certificate code — is shown to
    everyone; that is what the page is for. The holder and the staff, signed in, see their own work named."""
    if version.work.published:
        return True
    return bool(getattr(actor, "is_authenticated", False)) and can_read_work(actor, version.work)


def registration_check(actor: Actor, version: AssetVersion) -> Registration:
    """The verification page's and the API's answer for a version (its token verified against the stored
    file, as a third party would with the downloaded token: this also proves the platform's copy is intact)."""
    try:
        stamp: Timestamp | None = version.timestamp
    except Timestamp.DoesNotExist:
        stamp = None
    verification = None
    if stamp is not None:
        verification = token_verify(
            response_der=bytes(stamp.response_der), data_path=blob_local_path(version.blob)
        )
    return Registration(version, _disclosed(actor, version), stamp, verification)

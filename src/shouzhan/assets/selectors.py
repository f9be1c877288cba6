"""Reads of the registry for the pages and the API: works for an actor with their counts, a work with its
versions, time-stamps, provenance, licences and episodes in a fixed number of queries, a version by its
public code or by its content, and an enterprise's registry counts (the asset library's facts)."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan.assets.models import IP_KINDS, AssetVersion, Licence, Provenance, Work, WorkKind
from shouzhan.assets.permissions import require_work_read, scope_licences, scope_works
from shouzhan.core.actors import Actor, actor_user, is_system
from shouzhan.core.permissions import is_staff_member
from shouzhan.registry.models import Enterprise
from shouzhan.registry.permissions import member_enterprise_ids

# SZ-7KQ2-M9XD-PA: 'SZ' and ten characters of services.versions.CODE_ALPHABET, in groups of 4, 4 and 2.
CODE_SHAPE = re.compile(r"SZ-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{2}")
DIGEST_SHAPE = re.compile(r"[0-9a-f]{64}")


def is_staff(actor: Actor) -> bool:
    """The centre's staff (and the system) read every enterprise's works: as permissions.scope_works."""
    return is_system(actor) or is_staff_member(actor_user(actor))


def own_enterprise_ids(actor: Actor) -> set[int]:
    user = actor_user(actor)
    return member_enterprise_ids(user) if user is not None else set()


# ----------------------------------------------------------------------------- works list
def works_list(actor: Actor, *, enterprise: Enterprise | None = None, kind: str = "") -> QuerySet[Work]:
    """The works the list page shows: the staff's all (or one enterprise's), a member's own enterprises'.

    Each carries `n_versions`, and the newest version's `last_stamp_state` and `last_stamp_at`."""
    works = (
        Work.objects.all()
        if is_staff(actor)
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


# ----------------------------------------------------------------------------- counts
def registry_counts(enterprise: Enterprise) -> dict[str, Any]:
    """What an enterprise registered, for the asset library's facts and its profile:

    {"works": n, "ip_works": n (series, scripts, characters), "asset_works": n (the rest), "published": n,
     "versions": n, "stamped": n (versions with a time-stamp), "by_kind": {kind: n for every WorkKind}}."""
    works = Work.objects.filter(enterprise=enterprise)
    by_kind = {value: 0 for value in WorkKind.values}
    by_kind.update(dict(works.order_by().values_list("kind").annotate(n=Count("id"))))
    versions = AssetVersion.objects.filter(work__enterprise=enterprise).aggregate(
        n=Count("id"), stamped=Count("id", filter=Q(stamp_state=AssetVersion.Stamp.STAMPED))
    )
    ip = sum(n for kind, n in by_kind.items() if kind in IP_KINDS)
    total = sum(by_kind.values())
    return {
        "works": total,
        "ip_works": ip,
        "asset_works": total - ip,
        "published": works.filter(published=True).count(),
        "versions": int(versions["n"] or 0),
        "stamped": int(versions["stamped"] or 0),
        "by_kind": by_kind,
    }

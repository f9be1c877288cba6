"""The registry's counts as the facts of an asset or IP library project, so that an application for
徐汇 `xuhui.asset_library` (数字资产库、IP库建设补贴) opens with them filled (#18).

`library_project_sync` creates or updates the enterprise's library project through the registry's services:
its kind `ip_library` when most of its registered works are characters, scripts or series (models.IP_KINDS),
else `asset_library`; the counts in its further facts (rules vocabulary: project.registered_works,
registered_versions, ip_works, video_minutes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.assets import audit_actions as aa
from shouzhan.assets.models import IP_KINDS, AssetVersion, Blob, MediaKind, Work
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.registry.choices import ProjectKind
from shouzhan.registry.models import Enterprise, Project
from shouzhan.registry.permissions import member_enterprise_ids, require_enterprise_write
from shouzhan.registry.services.projects import project_create, project_update
from shouzhan.rules.vocabulary import fact_label, value_label

LIBRARY_KINDS = (ProjectKind.ASSET_LIBRARY, ProjectKind.IP_LIBRARY)


@dataclass(frozen=True)
class LibraryCounts:
    registered_works: int
    registered_versions: int
    ip_works: int
    video_minutes: int

    @property
    def kind(self) -> str:
        """An IP library when IP works are more than half of the works."""
        ip = self.ip_works * 2 > self.registered_works
        return str(ProjectKind.IP_LIBRARY if ip else ProjectKind.ASSET_LIBRARY)

    def facts(self) -> dict[str, int]:
        return {
            "registered_works": self.registered_works,
            "registered_versions": self.registered_versions,
            "ip_works": self.ip_works,
            "video_minutes": self.video_minutes,
        }


def library_counts(*, enterprise: Enterprise) -> LibraryCounts:
    works = Work.objects.filter(enterprise=enterprise)
    versions = AssetVersion.objects.filter(work__enterprise=enterprise)
    # Each distinct video file once (the same file may be a version of two works: an episode and its cut).
    video_ms = (
        Blob.objects.filter(media=MediaKind.VIDEO, versions__in=versions)
        .distinct()
        .aggregate(total=Sum("duration_ms"))["total"]
    )
    return LibraryCounts(
        registered_works=works.count(),
        registered_versions=versions.count(),
        ip_works=works.filter(kind__in=list(IP_KINDS)).count(),
        video_minutes=int(video_ms or 0) // 60_000,
    )


def library_project(*, enterprise: Enterprise) -> Project | None:
    """The enterprise's library project: the one synced before (it carries the counts), else its newest
    project of a library kind."""
    projects = Project.objects.filter(enterprise=enterprise, kind__in=LIBRARY_KINDS).order_by(
        "-created_at", "-id"
    )
    synced = projects.filter(extra_facts__has_key="registered_works").first()
    return synced or projects.first()


def library_summary(*, actor: Actor, enterprise: Enterprise | None = None) -> dict[str, Any] | None:
    """What the asset library page's card shows (assets/_library_apply.html): the actor's enterprise (the
    one given, if theirs), its counts in words and the kind it would apply as; None for who has none."""
    own = member_enterprise_ids(actor_user(actor))
    if enterprise is None or enterprise.pk not in own:
        enterprise = Enterprise.objects.filter(pk__in=own).order_by("pk").first()
    if enterprise is None:
        return None
    counts = library_counts(enterprise=enterprise)
    return {
        "enterprise": enterprise,
        "counts": counts,
        "kind_label": value_label("project.kind", counts.kind),
        "facts": [(fact_label(f"project.{name}"), value) for name, value in counts.facts().items()],
    }


@transaction.atomic
def library_project_sync(*, actor: Actor, enterprise: Enterprise) -> Project:
    """Create or update the enterprise's library project with the registry's counts."""
    require_enterprise_write(actor, enterprise.pk)
    counts = library_counts(enterprise=enterprise)
    if counts.registered_works == 0:
        raise ValidationError({"__all__": [_("请先登记作品，再以资产库申报补贴。")]})
    project = library_project(enterprise=enterprise)
    data: dict[str, Any] = {"kind": counts.kind, **counts.facts()}
    if project is None:
        title = _("%(name)s IP 库") if counts.kind == ProjectKind.IP_LIBRARY else _("%(name)s 数字资产库")
        data.update(
            title=title % {"name": enterprise.name},
            year=timezone.localdate().year,
            description=_("由数字资产登记平台的作品登记情况生成。"),
        )
        project = project_create(actor=actor, enterprise=enterprise, data=data)
    else:
        project = project_update(actor=actor, project=project, data=data)
    audit_record(
        actor=actor,
        action=aa.LIBRARY_APPLY,
        target=project,
        after={"kind": counts.kind, **counts.facts()},
        enterprise_id=enterprise.pk,
    )
    return project

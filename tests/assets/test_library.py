"""The registry's counts as the facts of the enterprise's library project, and the 徐汇 application it opens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shouzhan.assets import audit_actions as aa
from shouzhan.assets.services.library import library_counts, library_project_sync, library_summary
from shouzhan.assets.services.versions import version_register
from shouzhan.assets.services.works import work_create
from shouzhan.core.models import AuditEntry
from shouzhan.policies.selectors import enterprise_calculate
from shouzhan.policies.services import catalogue_sync
from shouzhan.registry.models import Project
from shouzhan.registry.selectors import enterprise_facts
from tests.cases.samples import pdf

CLAUSE = "xuhui.asset_library"


@pytest.fixture
def studio(make_enterprise: Callable[..., Any]) -> tuple[Any, Any]:
    """3 works (2 characters, 1 series) and 4 versions."""
    enterprise, user = make_enterprise(name="画匣数字", district="徐汇")
    works = [
        work_create(actor=user, enterprise=enterprise, data={"kind": kind, "title": title})
        for kind, title in (("character", "小青"), ("character", "阿白"), ("series", "海派旗袍传奇"))
    ]
    for i, work in enumerate([works[0], works[0], works[1], works[2]]):
        version_register(actor=user, work=work, filename=f"v{i}.pdf", content=pdf(str(i)), finish=False)
    return enterprise, user


FACTS = {"registered_works": 3, "registered_versions": 4, "ip_works": 3, "video_minutes": 0}


def test_counts_and_the_project(studio: tuple[Any, Any]) -> None:
    enterprise, user = studio
    counts = library_counts(enterprise=enterprise)
    assert counts.facts() == FACTS and counts.kind == "ip_library"
    project = library_project_sync(actor=user, enterprise=enterprise)
    assert project.kind == "ip_library"
    assert project.title == "画匣数字 IP 库"
    assert project.year == timezone.localdate().year
    assert project.extra_facts == FACTS
    facts = enterprise_facts(enterprise=enterprise, project=project)["project"]
    assert {k: facts[k] for k in FACTS} == FACTS
    entry = AuditEntry.objects.get(action=aa.LIBRARY_APPLY)
    assert entry.after == {"kind": "ip_library", **FACTS}
    # Synced again after another work: the same project, updated, of the kind the majority decides.
    for n in range(3):
        work_create(actor=user, enterprise=enterprise, data={"kind": "ai_model", "title": f"模型{n}"})
    again = library_project_sync(actor=user, enterprise=enterprise)
    assert again.pk == project.pk and Project.objects.filter(enterprise=enterprise).count() == 1
    assert again.kind == "asset_library"
    assert again.extra_facts == {**FACTS, "registered_works": 6}


def test_series_counts_as_ip_but_models_do_not(make_enterprise: Callable[..., Any]) -> None:
    enterprise, user = make_enterprise()
    work_create(actor=user, enterprise=enterprise, data={"kind": "series", "title": "剧"})
    work_create(actor=user, enterprise=enterprise, data={"kind": "corpus", "title": "语料"})
    counts = library_counts(enterprise=enterprise)
    assert (counts.ip_works, counts.kind) == (1, "asset_library")  # half is not most


def test_nothing_registered_is_refused(make_enterprise: Callable[..., Any]) -> None:
    enterprise, user = make_enterprise()
    with pytest.raises(ValidationError) as e:
        library_project_sync(actor=user, enterprise=enterprise)
    assert e.value.messages == ["请先登记作品，再以资产库申报补贴。"]


def test_the_calculator_finds_the_clause(studio: tuple[Any, Any]) -> None:
    catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)
    enterprise, user = studio
    project = library_project_sync(actor=user, enterprise=enterprise)
    result = enterprise_calculate(actor=user, enterprise=enterprise, project=project, on=timezone.localdate())
    clause = next(r for r in result.results if r.id == CLAUSE)
    assert clause.status == "eligible"
    assert clause.max_amount_fen == 300_000_000


def test_the_apply_view_opens_the_application(
    studio: tuple[Any, Any], login_client: Callable[..., Any], make_enterprise: Callable[..., Any]
) -> None:
    catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)
    enterprise, user = studio
    client = login_client(user)
    assert client.get(reverse("assets:library_apply")).status_code == 405
    page = client.post(reverse("assets:library_apply"), {"enterprise": str(enterprise.pk)})
    project = Project.objects.get(enterprise=enterprise)
    assert page.status_code == 302
    assert page["Location"] == (
        reverse("cases:apply", args=[CLAUSE]) + f"?enterprise={enterprise.pk}&project={project.pk}"
    )
    form = client.get(page["Location"])
    assert form.status_code == 200
    assert f'<option value="{project.pk}" selected>' in form.content.decode()
    # Nobody applies for another enterprise's library: their own is taken instead (none here: refused).
    _other, stranger = make_enterprise()
    refused = login_client(stranger).post(reverse("assets:library_apply"), {"enterprise": str(enterprise.pk)})
    assert refused.status_code == 302 and Project.objects.filter(enterprise=enterprise).count() == 1


def test_summary_in_words(studio: tuple[Any, Any]) -> None:
    enterprise, user = studio
    summary = library_summary(actor=user)
    assert summary is not None and summary["enterprise"] == enterprise
    assert summary["kind_label"] == "IP 库"
    assert summary["facts"] == [
        ("登记的作品数", 3),
        ("登记存证的作品版本数", 4),
        ("IP 类作品数（角色、剧本、剧集）", 3),
        ("登记的视频时长（分钟）", 0),
    ]

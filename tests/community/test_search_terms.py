"""The registry's searchable texts (an enterprise's and a project's) are segmented once, when they are
saved; the project's related page and the index rebuild read the stored terms (#11 defect 5)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from shouzhan.community import selectors
from shouzhan.community.models import SearchTerms
from shouzhan.community.search import index
from shouzhan.community.search.tokenizer import tokenize
from shouzhan.core.roles import Role
from shouzhan.registry import services as registry
from tests.community.test_bounds import jieba_refused

pytestmark = pytest.mark.django_db


def _terms(source: str, pk: int) -> tuple[list[str], list[str]]:
    row = SearchTerms.objects.get(source=source, source_id=pk)
    return row.title_terms.split(), row.body_terms.split()


@pytest.fixture
def project(make_enterprise: Any) -> Any:
    enterprise, owner = make_enterprise(name="星河影业", description="专注短剧剧本创作与发行")
    return registry.project_create(
        actor=owner,
        enterprise=enterprise,
        data={"kind": "micro_drama", "title": "海上来信", "description": "一部讲述跨境出海故事的微短剧"},
    )


def test_saving_an_enterprise_or_a_project_stores_its_terms(project: Any) -> None:
    assert _terms("project", project.pk) == (
        tokenize("海上来信"),
        tokenize("一部讲述跨境出海故事的微短剧") + tokenize("微短剧作品"),  # the kind, in Chinese
    )
    assert _terms("enterprise", project.enterprise_id) == (
        tokenize("星河影业"),
        tokenize("专注短剧剧本创作与发行"),
    )
    assert "出海" in _terms("project", project.pk)[1]


def test_the_related_page_reads_the_stored_terms_and_never_calls_jieba(
    project: Any, make_event: Any, login_client: Any
) -> None:
    make_event(title="微短剧出海发行沙龙")
    make_event(title="新材料专利对接会")
    owner = project.enterprise.organisation.memberships.get().user
    index.current_index()  # built before jieba goes away; a page view does not rebuild it

    with jieba_refused():
        page = login_client(owner).get(reverse("community:project_related", args=[project.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "微短剧出海发行沙龙" in body
    assert "新材料专利对接会" not in body


def test_the_stored_terms_follow_a_changed_description(project: Any, make_user: Any) -> None:
    owner = project.enterprise.organisation.memberships.get().user
    registry.project_update(actor=owner, project=project, data={"description": "面向直播电商的智能体"})
    registry.enterprise_update(
        actor=owner, enterprise=project.enterprise, data={"description": "新材料与算力服务"}
    )
    assert _terms("project", project.pk)[1] == tokenize("面向直播电商的智能体") + tokenize("微短剧作品")
    assert "出海" not in _terms("project", project.pk)[1]
    assert _terms("enterprise", project.enterprise_id)[1] == tokenize("新材料与算力服务")

    # The index follows the save (no rebuild): staff find the enterprise by its new words only.
    staff = make_user(role=Role.CASEWORKER)
    new = [h.doc.title for h in selectors.search(q="算力", actor=staff, kinds={"enterprise"})]
    old = [h.doc.title for h in selectors.search(q="剧本", actor=staff, kinds={"enterprise"})]
    assert (new, old) == (["星河影业"], [])


def test_the_index_rebuild_takes_the_stored_terms(project: Any, make_user: Any) -> None:
    # Terms that are nowhere in the text, kept for the text as it is: only the stored terms can find it.
    SearchTerms.objects.filter(source="enterprise", source_id=project.enterprise_id).update(
        body_terms="zzstored"
    )
    staff = make_user(role=Role.CASEWORKER)
    index.rebuild()
    assert [h.doc.title for h in selectors.search(q="zzstored", actor=staff)] == ["星河影业"]


def test_terms_of_a_text_changed_without_a_save_signal_are_not_used(project: Any, make_user: Any) -> None:
    from shouzhan.registry.models import Enterprise

    Enterprise.objects.filter(pk=project.enterprise_id).update(description="算力服务")  # no signal
    staff = make_user(role=Role.CASEWORKER)
    index.rebuild()
    assert [h.doc.title for h in selectors.search(q="算力", actor=staff, kinds={"enterprise"})] == [
        "星河影业"
    ]
    assert selectors.search(q="剧本", actor=staff, kinds={"enterprise"}) == []


def test_the_migration_segments_the_rows_saved_before_it(project: Any) -> None:
    SearchTerms.objects.all().delete()
    migration = importlib.import_module("shouzhan.community.migrations.0003_registry_search_terms")
    migration.segment_existing_sources(apps, None)
    assert _terms("project", project.pk) == (
        tokenize("海上来信"),
        tokenize("一部讲述跨境出海故事的微短剧") + tokenize("微短剧作品"),
    )
    assert _terms("enterprise", project.enterprise_id) == (
        tokenize("星河影业"),
        tokenize("专注短剧剧本创作与发行"),
    )
    assert SearchTerms.objects.count() == 2


def test_deleting_a_project_removes_its_terms(project: Any) -> None:
    owner = project.enterprise.organisation.memberships.get().user
    registry.project_delete(actor=owner, project=project)
    assert not SearchTerms.objects.filter(source="project", source_id=project.pk).exists()
    assert SearchTerms.objects.filter(source="enterprise", source_id=project.enterprise_id).exists()

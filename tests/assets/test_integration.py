"""Assets in the rest of the platform: the card on an enterprise's page and published works in the community
search (through core.search_sources: community never imports assets)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from shouzhan.assets import panels
from shouzhan.assets.services.versions import version_register
from shouzhan.assets.services.works import work_create, work_publish
from shouzhan.community import selectors as community
from shouzhan.community.search import index
from shouzhan.core.roles import Role
from tests.cases.samples import pdf


@pytest.fixture(autouse=True)
def _registered() -> None:
    panels.register()  # AssetsConfig.ready() calls it once the lead wires it in


@pytest.fixture
def studio(make_enterprise: Callable[..., Any]) -> dict[str, Any]:
    enterprise, user = make_enterprise(name="星河影业")
    shown = work_create(
        actor=user,
        enterprise=enterprise,
        data={"kind": "series", "title": "海派旗袍传奇", "description": "民国上海的裁缝铺"},
    )
    version_register(actor=user, work=shown, filename="ep1.pdf", content=pdf("1"), finish=False)
    work_publish(actor=user, work=shown, published=True)
    hidden = work_create(
        actor=user, enterprise=enterprise, data={"kind": "character", "title": "旗袍少女小青"}
    )
    return {"enterprise": enterprise, "user": user, "shown": shown, "hidden": hidden}


def test_enterprise_page_shows_the_card(
    studio: dict[str, Any], login_client: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    url = reverse("registry:enterprise", args=[studio["enterprise"].pk])
    body = login_client(studio["user"]).get(url).content.decode()
    assert 'id="assets-panel"' in body
    assert '已登记 <strong id="assets-panel-count">2</strong> 件作品，其中公开 1 件' in body
    assert "海派旗袍传奇" in body and "旗袍少女小青" in body and "未公开" in body
    assert "微短剧（剧集） 1" in body and "角色 / IP 形象 1" in body
    assert reverse("assets:work", args=[studio["shown"].pk]) in body
    # The centre's staff see every work too.
    staff = login_client(make_user(role=Role.CASEWORKER)).get(url).content.decode()
    assert "旗袍少女小青" in staff


def test_visitor_card_lists_published_works_only(
    studio: dict[str, Any], rf: Any, make_user: Callable[..., Any]
) -> None:
    request = rf.get("/")
    request.user = make_user()  # a member of no enterprise
    context = panels.works_context(request, studio["enterprise"])
    assert context is not None
    assert context["total"] == 1 and context["own"] is False
    assert [w.title for w, _url in context["top"]] == ["海派旗袍传奇"]


def test_community_search_finds_published_works_only(
    studio: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    visitor = make_user()
    index.rebuild()
    hits = community.search(q="旗袍", actor=visitor)
    works = [h for h in hits if h.doc.kind == "work"]
    assert [h.doc.title for h in works] == ["海派旗袍传奇"]
    assert works[0].doc.url == reverse("assets:work", args=[studio["shown"].pk])
    assert works[0].doc.facts["holder"] == "星河影业"
    assert community.kind_labels()["work"] == "作品"
    # Found by its holder and its description too.
    assert [h.doc.title for h in community.search(q="裁缝铺", actor=visitor)] == ["海派旗袍传奇"]
    # Kept in step without a rebuild: published → in; unpublished → out.
    work_publish(actor=studio["user"], work=studio["hidden"], published=False)
    version_register(
        actor=studio["user"], work=studio["hidden"], filename="q.pdf", content=pdf("q"), finish=False
    )
    work_publish(actor=studio["user"], work=studio["hidden"], published=True)
    titles = sorted(h.doc.title for h in community.search(q="旗袍", actor=visitor) if h.doc.kind == "work")
    assert titles == ["旗袍少女小青", "海派旗袍传奇"]
    work_publish(actor=studio["user"], work=studio["shown"], published=False)
    titles = [h.doc.title for h in community.search(q="旗袍", actor=visitor) if h.doc.kind == "work"]
    assert titles == ["旗袍少女小青"]


def test_search_page_shows_the_work(studio: dict[str, Any], client: Any) -> None:
    index.rebuild()
    page = client.get(reverse("community:search") + "?q=旗袍")
    body = page.content.decode()
    assert page.status_code == 200
    assert "海派旗袍传奇" in body and "旗袍少女小青" not in body
    assert 'value="work"' in body  # its kind can be chosen as a filter

"""Listings are bounded and segmented once (#11 defect 5).

Before: a 3,000,000-character abstract was accepted, its public page re-segmented it with jieba on
every view (13 s a view once the tokenizer's cache no longer held it), and the market API returned
every abstract whole — 24 MB for limit=200 to an anonymous caller."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import jieba
import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from shouzhan.community import selectors, services
from shouzhan.community.models import ContactRequest, Listing
from shouzhan.community.search import index, tokenizer
from shouzhan.community.search.documents import listing_tokens
from shouzhan.core.limits import EXCERPT, LONG_TEXT, PAGE_MAX, TEXT
from shouzhan.registry.models import Person

pytestmark = pytest.mark.django_db

OFFER = {
    "title": "一种节能型保温墙体材料",
    "abstract": "发泡陶瓷保温墙体材料，导热系数低，适用于外墙保温板。",
    "field": "新材料",
    "seeking": ["licence", "sale"],
}


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def inventor(make_user: Any) -> tuple[Any, Person]:
    user = make_user(name="周老先生")
    return user, Person.objects.create(name="周老先生", user=user, title="发明人")


@contextmanager
def jieba_refused() -> Iterator[None]:
    """jieba refuses to work (and the tokenizer's cache is empty): anything that segments text fails."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("jieba was called")

    tokenizer._tokens_cached.cache_clear()
    try:
        with (
            mock.patch.object(jieba.Tokenizer, "cut", refuse),
            mock.patch.object(jieba.Tokenizer, "cut_for_search", refuse),
            mock.patch.object(jieba.Tokenizer, "lcut", refuse),
            mock.patch.object(jieba, "cut", refuse),
            mock.patch.object(jieba, "lcut", refuse),
        ):
            yield
    finally:
        tokenizer._tokens_cached.cache_clear()


def test_an_abstract_beyond_the_bound_is_refused_by_the_api_the_form_and_the_service(
    inventor: Any, login_client: Any
) -> None:
    user, person = inventor
    client = login_client(user)
    body = json.dumps(
        OFFER | {"abstract": "保温" * 1_500_000}, ensure_ascii=False
    ).encode()  # 3,000,000 characters
    client.get("/api/v1/me")  # the URLconf is imported: time only the refusal
    started = time.perf_counter()
    huge = client.post("/api/v1/community/listings", body, content_type="application/json")
    assert time.perf_counter() - started < 1
    assert huge.status_code == 422
    assert huge.json() == {
        "error": "invalid input / 输入有误",
        "detail": [
            {"field": "abstract", "message": f"at most {LONG_TEXT} characters / 最多 {LONG_TEXT} 个字"}
        ],
    }
    just_over = post(client, "/api/v1/community/listings", OFFER | {"abstract": "材" * (LONG_TEXT + 1)})
    assert just_over.status_code == 422
    at_the_bound = post(client, "/api/v1/community/listings", OFFER | {"abstract": "材" * LONG_TEXT})
    assert at_the_bound.status_code == 201
    assert Listing.objects.count() == 1

    page = client.post(
        reverse("community:listing_new"),
        {
            "owner": f"person:{person.pk}",
            "title": "一种可降解包装膜",
            "abstract": "膜" * (LONG_TEXT + 1),
            "legal_status": "granted",
            "field": "新材料",
            "seeking": ["licence"],
        },
    )
    assert page.status_code == 200
    assert f'maxlength="{LONG_TEXT}"' in page.content.decode()
    assert page.context["form"].errors["abstract"] == [
        f"最多 {LONG_TEXT} 个字（现有 {LONG_TEXT + 1} 个字）。"
    ]

    with pytest.raises(ValidationError) as refused:
        services.listing_create(
            actor=user,
            direction="offer",
            owner_person=person,
            data=OFFER | {"abstract": "膜" * (LONG_TEXT + 1)},
        )
    assert refused.value.message_dict == {
        "abstract": [f"最多 {LONG_TEXT} 个字（现有 {LONG_TEXT + 1} 个字）。"]
    }
    assert Listing.objects.count() == 1


def test_the_market_api_pages_at_most_the_shared_cap_with_an_excerpt_of_each_abstract(
    inventor: Any, login_client: Any
) -> None:
    user, person = inventor
    abstract = "发泡陶瓷保温墙体材料，导热系数低。" + "外墙保温板" * 990
    assert len(abstract) <= LONG_TEXT
    for n in range(3):
        services.listing_create(
            actor=user,
            direction="offer",
            owner_person=person,
            data=OFFER | {"title": f"材料 {n}", "abstract": abstract},
        )
    anonymous = Client()
    over = anonymous.get("/api/v1/community/listings", {"limit": PAGE_MAX + 1})
    assert over.status_code == 422
    assert over.json()["detail"] == [
        {"field": "limit", "message": f"at most {PAGE_MAX} / 不能大于 {PAGE_MAX}"}
    ]
    page = anonymous.get("/api/v1/community/listings", {"limit": PAGE_MAX})
    assert page.status_code == 200
    items = page.json()["items"]
    assert len(items) == 3
    for item in items:
        assert "abstract" not in item
        assert len(item["excerpt"]) == EXCERPT
        assert item["excerpt"] == abstract[: EXCERPT - 1] + "…"
    # A whole page of the longest abstracts stays small: the excerpt, not the text, is in the list.
    assert len(page.content) < 3 * (EXCERPT * len("\\u4fdd") + 800)
    detail = anonymous.get(f"/api/v1/community/listings/{items[0]['id']}").json()
    assert detail["abstract"] == abstract


def _listing_and_need(inventor: Any, make_enterprise: Any) -> tuple[Listing, Listing]:
    user, person = inventor
    offer = services.listing_create(actor=user, direction="offer", owner_person=person, data=OFFER)
    enterprise, owner = make_enterprise(name="光合建材")
    need = services.listing_create(
        actor=owner,
        direction="need",
        owner_enterprise=enterprise,
        data={
            "title": "寻找外墙保温新材料技术",
            "abstract": "我们生产外墙保温板，需要节能保温墙体材料专利许可。",
            "field": "新材料",
            "seeking": ["licence"],
        },
    )
    return offer, need


def test_the_listing_is_segmented_once_when_saved_and_its_page_never_calls_jieba(
    inventor: Any, make_enterprise: Any
) -> None:
    offer, _need = _listing_and_need(inventor, make_enterprise)
    offer.refresh_from_db()
    assert offer.search_tokens.split() == listing_tokens(offer.title, offer.abstract, offer.field)
    assert "导热" in offer.search_tokens.split()
    index.current_index()  # built before jieba goes away; a page view does not rebuild it

    with jieba_refused():
        page = Client().get(reverse("community:listing", args=[offer.pk]))
        api = Client().get(f"/api/v1/community/listings/{offer.pk}")
    assert page.status_code == 200
    assert "寻找外墙保温新材料技术" in page.content.decode()  # the related need, found by the stored terms
    assert api.status_code == 200
    assert [m["title"] for m in api.json()["matches"]["need"]] == ["寻找外墙保温新材料技术"]


def test_the_index_is_built_from_the_stored_terms(inventor: Any, make_enterprise: Any) -> None:
    offer, _need = _listing_and_need(inventor, make_enterprise)
    # Terms that are nowhere in the text: only the stored terms can make the index find it.
    Listing.objects.filter(pk=offer.pk).update(search_tokens="zzstored zzstored")
    index.rebuild()
    hits = selectors.search(q="zzstored", actor=None)
    assert [h.doc.key for h in hits] == [f"offer:{offer.pk}"]
    assert selectors.search(q="导热", actor=None) == []


def test_the_migration_segments_listings_saved_before_the_terms_were_stored(
    inventor: Any, make_enterprise: Any
) -> None:
    import importlib

    migration = importlib.import_module(
        "shouzhan.community.migrations.0002_listing_search_tokens_and_text_bounds"
    )
    _listing_and_need(inventor, make_enterprise)
    Listing.objects.update(search_tokens="")
    migration.segment_existing_listings(apps, None)
    for listing in Listing.objects.all():
        assert listing.search_tokens.split() == listing_tokens(listing.title, listing.abstract, listing.field)


def test_a_contact_message_beyond_the_bound_is_refused_by_the_service_the_page_uses(
    inventor: Any, make_enterprise: Any, login_client: Any
) -> None:
    offer, _need = _listing_and_need(inventor, make_enterprise)
    _enterprise, asker = make_enterprise(name="远景材料")
    response = login_client(asker).post(
        reverse("community:contact", args=[offer.pk]), {"message": "想获得许可" * (TEXT // 5 + 1)}
    )
    assert response.status_code in (200, 302)
    assert not ContactRequest.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.contact_request_create(actor=asker, listing=offer, message="想" * (TEXT + 1))
    assert refused.value.message_dict == {"message": [f"最多 {TEXT} 个字（现有 {TEXT + 1} 个字）。"]}


def test_an_admin_correction_is_segmented_when_saved(inventor: Any, make_enterprise: Any, rf: Any) -> None:
    from django.contrib import admin

    offer, _need = _listing_and_need(inventor, make_enterprise)
    offer.abstract = "石墨烯导电薄膜"
    admin.site._registry[Listing].save_model(rf.post("/admin/"), offer, form=None, change=True)
    offer.refresh_from_db()
    assert offer.search_tokens.split() == listing_tokens(offer.title, "石墨烯导电薄膜", offer.field)
    assert "导热" not in offer.search_tokens.split()

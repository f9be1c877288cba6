"""The search index lives in the database and follows each change one document at a time (#13): a saved
listing is found at once, a closed or deleted one is gone at once, and nothing rebuilds the index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest

from shouzhan.community import selectors, services
from shouzhan.community.models import Listing, SearchDocument, SearchPosting, SearchStats, SearchTerm
from shouzhan.community.search import index
from shouzhan.core.roles import Role
from shouzhan.registry import services as registry
from shouzhan.registry.models import Person

pytestmark = pytest.mark.django_db

OFFER = {
    "title": "一种石墨烯导热膜",
    "abstract": "石墨烯导热膜用于手机散热，导热系数高。",
    "field": "新材料",
    "seeking": ["licence"],
}


@pytest.fixture
def inventor(make_user: Any) -> tuple[Any, Person]:
    user = make_user(name="周老先生")
    return user, Person.objects.create(name="周老先生", user=user, title="发明人")


@pytest.fixture
def no_rebuild() -> Iterator[None]:
    """The index is built once (an empty database's first query); after that, a rebuild is a failure."""
    index.current_index()

    def refuse(**_: Any) -> float:
        raise AssertionError("the index was rebuilt")

    with mock.patch.object(index, "rebuild", refuse):
        yield


def _titles(q: str, actor: Any = None) -> list[str]:
    return [h.doc.title for h in selectors.search(q=q, actor=actor)]


def test_a_saved_listing_is_found_at_once_without_a_rebuild(inventor: Any, no_rebuild: None) -> None:
    user, person = inventor
    assert _titles("石墨烯") == []
    offer = services.listing_create(actor=user, direction="offer", owner_person=person, data=OFFER)
    hits = selectors.search(q="石墨烯 导热", actor=None)
    assert [(h.doc.key, h.doc.title) for h in hits] == [(f"offer:{offer.pk}", "一种石墨烯导热膜")]
    assert hits[0].words[0] == "导热"  # the words it matched, strongest first
    assert hits[0].doc.facts["owner"] == "周老先生"


def test_a_changed_listing_is_found_by_its_new_words_only(inventor: Any, no_rebuild: None) -> None:
    user, person = inventor
    offer = services.listing_create(actor=user, direction="offer", owner_person=person, data=OFFER)
    services.listing_update(
        actor=user, listing=offer, data={**OFFER, "title": "一种碳纤维散热片", "abstract": "碳纤维散热片"}
    )
    assert _titles("碳纤维") == ["一种碳纤维散热片"]
    assert _titles("石墨烯") == []
    assert not SearchTerm.objects.filter(term="导热").exists()  # no document holds it any more


def test_a_closed_or_deleted_listing_is_gone_at_once(inventor: Any, no_rebuild: None) -> None:
    user, person = inventor
    offer = services.listing_create(actor=user, direction="offer", owner_person=person, data=OFFER)
    other = services.listing_create(
        actor=user, direction="offer", owner_person=person, data={**OFFER, "title": "石墨烯散热涂料"}
    )
    services.listing_set_status(actor=user, listing=offer, status=Listing.Status.CLOSED)
    assert _titles("石墨烯") == ["石墨烯散热涂料"]
    Listing.objects.get(pk=other.pk).delete()  # as the admin deletes it
    assert _titles("石墨烯") == []
    assert not SearchDocument.objects.filter(key__in=[f"offer:{offer.pk}", f"offer:{other.pk}"]).exists()
    assert not SearchPosting.objects.filter(term="导热").exists()


def test_statistics_follow_each_document(inventor: Any, no_rebuild: None) -> None:
    user, person = inventor
    before = SearchStats.objects.get()
    offer = services.listing_create(actor=user, direction="offer", owner_person=person, data=OFFER)
    row = SearchDocument.objects.get(key=f"offer:{offer.pk}")
    after = SearchStats.objects.get()
    assert (after.documents, after.length) == (before.documents + 1, before.length + row.length)
    assert SearchTerm.objects.get(term="导热").df == 1
    services.listing_set_status(actor=user, listing=offer, status=Listing.Status.CLOSED)
    again = SearchStats.objects.get()
    assert (again.documents, again.length) == (before.documents, before.length)
    assert not SearchTerm.objects.filter(term="导热").exists()


def test_the_incremental_index_equals_a_rebuilt_one(
    inventor: Any, make_enterprise: Any, make_user: Any
) -> None:
    user, person = inventor
    index.current_index()
    services.listing_create(actor=user, direction="offer", owner_person=person, data=OFFER)
    enterprise, owner = make_enterprise(name="光合建材", description="外墙保温板与石墨烯涂料")
    services.listing_create(
        actor=owner,
        direction="need",
        owner_enterprise=enterprise,
        data={
            "title": "寻找石墨烯散热技术",
            "abstract": "手机散热",
            "field": "新材料",
            "seeking": ["licence"],
        },
    )
    registry.enterprise_update(actor=owner, enterprise=enterprise, data={"name": "光合新材"})

    def snapshot() -> tuple[Any, ...]:
        stats = SearchStats.objects.get()
        return (
            (stats.documents, stats.length),
            sorted(SearchTerm.objects.values_list("term", "df")),
            sorted(SearchPosting.objects.values_list("doc__key", "term", "tf", "length")),
            sorted(SearchDocument.objects.values_list("key", "title", "tokens")),
        )

    incremental = snapshot()
    index.rebuild()
    assert snapshot() == incremental
    staff = make_user(role=Role.CASEWORKER)
    # The enterprise's new name reached its listing (the listing's owner) and its own profile.
    assert [h.doc.facts["owner"] for h in selectors.search(q="散热", actor=staff, kinds={"need"})] == [
        "光合新材"
    ]
    assert _titles("光合新材", staff)[:1] == ["光合新材"]


def test_search_rebuild_takes_rows_written_without_a_signal(inventor: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    user, person = inventor
    index.current_index()  # built (an empty database's first query)
    offer = services.listing_create(actor=user, direction="offer", owner_person=person, data=OFFER)
    Listing.objects.filter(pk=offer.pk).update(search_tokens="zzbulk", title="批量写入")  # no signal
    assert _titles("zzbulk") == []
    out = StringIO()
    call_command("search_rebuild", stdout=out)
    assert out.getvalue().startswith("search index: ")
    assert _titles("zzbulk") == ["批量写入"]

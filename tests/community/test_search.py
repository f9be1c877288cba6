"""Chinese search: the relevance set (recall@5 ≥ 0.9), explanations, filters, visibility, matching."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from shouzhan.community import selectors
from shouzhan.community.models import Listing
from shouzhan.community.search.tokenizer import tokenize
from tests.community.corpus import load_corpus, load_relevance

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def corpus(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Built once for the module inside a transaction that is rolled back at the end."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield load_corpus()  # indexed as it is saved (the index rolls back with it)
            transaction.set_rollback(True)


def _ids(hit: Any) -> set[str]:
    return {hit.doc.key, f"{hit.doc.kind}:{hit.doc.title}"}


def test_domain_dictionary_keeps_the_field_words_whole() -> None:
    assert tokenize("AI微短剧一人公司申请算力券和语料券") == [
        "短剧",
        "微短剧",
        "ai微短剧",
        "公司",
        "一人公司",
        "申请",
        "算力",
        "算力券",
        "语料",
        "语料券",
    ]
    assert "智能体" in tokenize("企业客服智能体")
    assert tokenize("的 和 一种") == []


def test_relevance_set_recall_at_5(corpus: dict[str, Any]) -> None:
    queries = load_relevance()["queries"]
    assert len(queries) >= 30
    found = total = 0
    misses = []
    for item in queries:
        hits = selectors.search(q=item["q"], actor=corpus["staff"], limit=5)
        top = set().union(*(_ids(h) for h in hits)) if hits else set()
        for expected in item["expect"]:
            total += 1
            if expected in top:
                found += 1
            else:
                misses.append((item["q"], expected, [h.doc.title for h in hits]))
    recall = found / total
    assert recall >= 0.9, f"recall@5 = {recall:.3f}; misses: {misses}"


def test_every_hit_explains_itself(corpus: dict[str, Any]) -> None:
    hits = selectors.search(q="节能保温材料", actor=None, limit=3)
    assert hits[0].doc.title == "一种节能型保温墙体材料"
    assert hits[0].words[:3] == ["保温", "节能", "材料"] or set(hits[0].words) >= {"保温", "节能", "材料"}


def test_enterprises_are_found_by_staff_only(corpus: dict[str, Any], make_user: Any) -> None:
    staff_hits = selectors.search(q="保温板企业", actor=corpus["staff"], kinds={"enterprise"})
    assert [h.doc.title for h in staff_hits][:1] == ["上海绿筑建材科技有限公司"]
    assert selectors.search(q="保温板企业", actor=make_user(), kinds={"enterprise"}) == []


def test_kind_filter(corpus: dict[str, Any]) -> None:
    hits = selectors.search(q="防跌倒", actor=None, kinds={"need"})
    assert [h.doc.title for h in hits] == ["求购适老化防跌倒技术"]


def test_need_matches_offer_with_words_and_facts(corpus: dict[str, Any]) -> None:
    need = Listing.objects.get(title="寻找外墙保温新材料技术")
    related = selectors.listing_related(actor=corpus["staff"], listing=need)
    top = related["offer"][0]
    assert top.title == "一种节能型保温墙体材料"
    assert {"保温", "外墙"} <= set(top.words)
    assert "同一技术领域：新材料" in top.facts
    assert "合作方式一致：许可" in top.facts
    assert related["mentor"] == [] or all(m.words or m.facts for m in related["mentor"])
    # The owner's own enterprise is never suggested to it.
    assert all(m.title != "上海绿筑建材科技有限公司" for m in related["enterprise"])


def test_offer_suggests_needs_and_mentors(corpus: dict[str, Any]) -> None:
    offer = Listing.objects.get(title="短剧版权监测与维权系统")
    related = selectors.listing_related(actor=None, listing=offer)
    assert related["mentor"][0].title == "刘律师"
    assert "enterprise" not in related  # the public never sees enterprise profiles


def test_market_search_and_filters(corpus: dict[str, Any]) -> None:
    rows = selectors.market(q="新材料")
    assert rows[0].title in {"寻找外墙保温新材料技术", "一种节能型保温墙体材料", "一种高强度轻质陶瓷复合材料"}
    assert [r.title for r in selectors.market(q="助行器", direction="offer")] == ["一种折叠式助行器"]
    assert selectors.market(direction="need", field="直播电商")[0].title == "需要多语种数字人直播方案"

"""What the search index holds: one document per policy, clause, enterprise, listing, need, event and mentor,
and the documents other modules declare (core.search_sources: assets' published works …).

A title counts twice (a word in the title says more than a word in passing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from shouzhan.community.search.bm25 import Doc
from shouzhan.community.search.terms import enterprise_terms_many
from shouzhan.community.search.tokenizer import tokenize
from shouzhan.core.search_sources import SearchItem, search_sources

KIND_LABELS = {
    "offer": _l("技术成果"),
    "need": _l("技术需求"),
    "enterprise": _l("企业"),
    "mentor": _l("导师"),
    "event": _l("活动"),
    "policy": _l("政策"),
    "clause": _l("政策条款"),
}
# Kinds everyone may see in results; enterprises' profiles are shown to the centre's staff only.
PUBLIC_KINDS = frozenset({"offer", "need", "mentor", "event", "policy", "clause"})


def kind_labels() -> dict[str, Any]:
    """Every kind's name: community's own and those other modules declared (core.search_sources)."""
    return {**KIND_LABELS, **{s.kind: s.label for s in search_sources()}}


def public_kinds() -> frozenset[str]:
    return PUBLIC_KINDS | {s.kind for s in search_sources() if s.public}


# Words a technology field or an enterprise sector implies, used by the matcher's facts.
SECTOR_WORDS = {
    "micro_drama": "微短剧 短剧 影视 剧本 AIGC",
    "ai_agent": "智能体 大模型 人工智能 AI",
    "live_streaming": "直播 直播带货 电商",
    "ip_design": "IP 形象 设计 周边",
    "cross_border": "出海 跨境",
    "compute": "算力 模型 语料",
    "games": "游戏",
    "new_materials": "新材料 材料",
}


def doc_tokens(title: str, *parts: str) -> list[str]:
    tokens = tokenize(title) * 2
    for part in parts:
        tokens.extend(tokenize(part))
    return tokens


def _snip(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def listing_tokens(title: str, abstract: str, field: str) -> list[str]:
    """A listing's own index terms, made once when it is saved (Listing.search_tokens)."""
    return doc_tokens(title, abstract, field, field)


def stored_tokens(listing: object) -> list[str]:
    """The terms saved with the listing; segmenting the text again only for a row saved without them."""
    from shouzhan.community.models import Listing

    assert isinstance(listing, Listing)
    if listing.search_tokens:
        return listing.search_tokens.split()
    return listing_tokens(listing.title, listing.abstract, listing.field)


def listing_doc(listing: object) -> tuple[Doc, list[str]]:
    """The listing in the index: its stored terms, and its owner's name (which can change elsewhere)."""
    from shouzhan.community.models import Listing

    assert isinstance(listing, Listing)
    owner = listing.owner_name
    doc = Doc(
        key=f"{listing.direction}:{listing.pk}",
        kind=listing.direction,
        title=listing.title,
        url=reverse("community:listing", args=[listing.pk]),
        snippet=_snip(listing.abstract),
        facts={
            "field": listing.field,
            "seeking": list(listing.seeking),
            "owner": owner,
            "owner_enterprise_id": listing.owner_enterprise_id,
            "owner_person_id": listing.owner_person_id,
            "patent_number": listing.patent_number,
            "legal_status": listing.legal_status,
        },
    )
    return doc, stored_tokens(listing) + tokenize(owner)


def policy_docs(today: dt.date) -> Iterator[tuple[Doc, list[str]]]:
    """Each policy in force, and each of its clauses."""
    from shouzhan.policies.selectors import clause_sectors, policy_library

    for entry in policy_library(on=today):
        policy = entry.policy
        clause_titles = " ".join(c.title for c in entry.clauses)
        yield (
            Doc(
                key=f"policy:{entry.document.code}",
                kind="policy",
                title=policy.title,
                url=reverse("policies:document", args=[entry.document.code]),
                snippet=_snip(policy.issuer + " · " + "；".join(c.title for c in entry.clauses)),
                facts={"issuer": policy.issuer},
            ),
            doc_tokens(policy.title, policy.short_title, policy.issuer, clause_titles),
        )
        for clause in entry.clauses:
            yield (
                Doc(
                    key=f"clause:{clause.id}",
                    kind="clause",
                    title=f"{policy.short_title or policy.title} · {clause.title}",
                    url=reverse("policies:clause", args=[clause.id]),
                    snippet=_snip(clause.text),
                    facts={"sectors": clause_sectors(clause), "clause_id": clause.id},
                ),
                doc_tokens(clause.title, clause.text, clause.note, policy.short_title),
            )


def enterprise_docs(enterprises: list[Any]) -> Iterator[tuple[Doc, list[str]]]:
    # Name and description as segmented when the enterprise was saved; the sector's words are a fixed
    # vocabulary (the tokenizer keeps their terms in its cache).
    stored = enterprise_terms_many(enterprises)
    for e in enterprises:
        sector_label = str(e.get_sector_display()) if e.sector else ""
        yield (
            Doc(
                key=f"enterprise:{e.pk}",
                kind="enterprise",
                title=e.name,
                url=reverse("registry:enterprise", args=[e.pk]),
                snippet=_snip(e.description),
                facts={"sector": e.sector, "district": e.district},
            ),
            stored[e.pk].doc() + tokenize(sector_label) + tokenize(SECTOR_WORDS.get(e.sector, "")),
        )


def _enterprise_docs() -> Iterator[tuple[Doc, list[str]]]:
    from shouzhan.registry.models import Enterprise

    yield from enterprise_docs(
        list(Enterprise.objects.only("id", "name", "description", "sector", "district"))
    )


def _listing_docs() -> Iterator[tuple[Doc, list[str]]]:
    from shouzhan.community.models import Listing

    listings = Listing.objects.filter(status=Listing.Status.ACTIVE).select_related(
        "owner_person", "owner_enterprise"
    )
    for listing in listings.iterator(chunk_size=2000):
        yield listing_doc(listing)


def event_doc(event: Any) -> tuple[Doc, list[str]]:
    series = event.series.name if event.series else ""
    return (
        Doc(
            key=f"event:{event.pk}",
            kind="event",
            title=event.title,
            url=reverse("community:event", args=[event.pk]),
            snippet=_snip(event.summary),
            facts={"starts_at": event.starts_at.isoformat(), "event_kind": event.kind},
        ),
        doc_tokens(event.title, event.summary, event.agenda, event.speakers, series),
    )


def _event_docs() -> Iterator[tuple[Doc, list[str]]]:
    from shouzhan.community.models import Event

    for event in Event.objects.select_related("series"):
        yield event_doc(event)


def mentor_doc(mentor: Any) -> tuple[Doc, list[str]]:
    return (
        Doc(
            key=f"mentor:{mentor.pk}",
            kind="mentor",
            title=mentor.user.name,
            url=reverse("community:mentor", args=[mentor.pk]),
            snippet=_snip(mentor.headline + " · " + mentor.expertise),
            facts={"expertise": mentor.expertise_list},
        ),
        doc_tokens(mentor.user.name + " " + mentor.headline, mentor.expertise, mentor.expertise, mentor.bio),
    )


def _mentor_docs() -> Iterator[tuple[Doc, list[str]]]:
    from shouzhan.community.models import MentorProfile

    for mentor in MentorProfile.objects.select_related("user"):
        yield mentor_doc(mentor)


def item_doc(item: SearchItem) -> tuple[Doc, list[str]]:
    """A declared module's document in the index (its title counts twice, as every title does)."""
    doc = Doc(
        key=item.key,
        kind=item.kind,
        title=item.title,
        url=item.url,
        snippet=_snip(item.snippet),
        facts=dict(item.facts),
    )
    return doc, doc_tokens(item.title, *item.text)


def _declared_docs() -> Iterator[tuple[Doc, list[str]]]:
    for source in search_sources():
        for item in source.collect():
            yield item_doc(item)


def collect(*, today: dt.date | None = None) -> Iterator[tuple[Doc, list[str]]]:
    """Every document of the index, kind by kind: policies and clauses, enterprises, listings, events, mentors,
    then the kinds other modules declared."""
    yield from policy_docs(today or timezone.localdate())
    yield from _enterprise_docs()
    yield from _listing_docs()
    yield from _event_docs()
    yield from _mentor_docs()
    yield from _declared_docs()

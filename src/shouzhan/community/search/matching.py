"""Related suggestions — listings ↔ needs ↔ enterprises ↔ mentors ↔ policy clauses — each explained.

The source (a listing, a need, a project) becomes a weighted query of its own words; BM25 finds
candidates of each kind, then facts that agree (same field, the same way of cooperating, a sector
a clause is for, a mentor's expertise) lift a candidate and are shown as the reason beside the words.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from shouzhan.community.search.bm25 import Doc, Hit
from shouzhan.community.search.documents import KIND_LABELS, SECTOR_WORDS
from shouzhan.community.search.index import Index
from shouzhan.community.search.tokenizer import tokenize

MAX_QUERY_TERMS = 24
FACT_LIFT = 0.25  # each agreeing fact adds a quarter to the score


@dataclass
class Source:
    key: str  # excluded from its own results
    tokens: list[str]
    field: str = ""
    seeking: list[str] = dataclasses.field(default_factory=list)
    sector: str = ""
    owner_keys: set[str] = dataclasses.field(
        default_factory=set
    )  # the owner's other listings are not "related"


@dataclass
class Match:
    kind: str
    kind_label: str
    title: str
    url: str
    score: float
    words: list[str]
    facts: list[str]
    snippet: str = ""
    key: str = ""


def query_weights(index: Index, tokens: list[str]) -> dict[str, float]:
    """The source's most telling words (tf × idf), with a weight that grows gently with repetition."""
    counts = Counter(tokens)
    idfs = index.idf_many(counts)  # one query for all of them
    ranked = sorted(counts, key=lambda t: -(min(counts[t], 3) * idfs[t]))
    return {t: 1.0 + 0.25 * (min(counts[t], 3) - 1) for t in ranked[:MAX_QUERY_TERMS] if idfs[t] > 0}


def _facts(source: Source, doc: Doc) -> list[str]:
    from shouzhan.community.models import Seeking
    from shouzhan.registry.choices import Sector

    facts: list[str] = []
    f = doc.facts
    if source.field and f.get("field") == source.field:
        facts.append(_("同一技术领域：%(field)s") % {"field": source.field})
    common = [s for s in source.seeking if s in f.get("seeking", [])]
    if common:
        facts.append(
            _("合作方式一致：%(ways)s")
            % {"ways": _("、").join(str(Seeking(s).label) for s in common if s in Seeking.values)}
        )
    if doc.kind == "mentor" and source.field:
        if any(source.field in e or e in source.field for e in f.get("expertise", [])):
            facts.append(_("导师擅长：%(field)s") % {"field": source.field})
    if doc.kind == "clause" and source.sector and source.sector in f.get("sectors", []):
        facts.append(_("条款适用行业：%(sector)s") % {"sector": Sector(source.sector).label})
    if doc.kind == "enterprise" and f.get("sector"):
        sector_words = set(tokenize(SECTOR_WORDS.get(f["sector"], "")))
        if source.field and set(tokenize(source.field)) & sector_words:
            facts.append(_("企业行业：%(sector)s") % {"sector": Sector(f["sector"]).label})
    return facts


def related(
    *,
    index: Index,
    source: Source,
    kinds: list[str],
    per_kind: int = 4,
    visible: frozenset[str] | None = None,
) -> dict[str, list[Match]]:
    weights = query_weights(index, source.tokens)
    terms = list(weights)
    excluded = {source.key, *source.owner_keys}
    result: dict[str, list[Match]] = {}
    for kind in kinds:
        if visible is not None and kind not in visible:
            continue
        hits: list[Hit] = index.search(
            terms, kinds=[kind], exclude=excluded, limit=per_kind * 4, query_weights=weights
        )
        matches = []
        for hit in hits:
            facts = _facts(source, hit.doc)
            matches.append(
                Match(
                    kind=kind,
                    kind_label=str(KIND_LABELS[kind]),
                    title=hit.doc.title,
                    url=hit.doc.url,
                    score=round(hit.score * (1 + FACT_LIFT * len(facts)), 3),
                    words=hit.words[:6],
                    facts=facts,
                    snippet=hit.doc.snippet,
                    key=hit.doc.key,
                )
            )
        matches.sort(key=lambda m: -m.score)
        result[kind] = matches[:per_kind]
    return result


def explain_search(hit: Hit) -> dict[str, Any]:
    return {"words": hit.words, "score": round(hit.score, 3)}

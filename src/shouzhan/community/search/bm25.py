"""An in-memory BM25 index with precomputed postings (Okapi BM25, k1=1.2, b=0.75).

Each posting stores the term's finished BM25 weight for that document (idf and length
normalisation folded in at build time), so a query is only sums over a few posting lists.
Document ids in a posting list are ascending, so "does document d contain term t" is a
binary search — that is how a hit explains which words matched.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

K1 = 1.2
B = 0.75


@dataclass
class Doc:
    key: str  # "listing:12", "clause:hu8-1" …
    kind: str
    title: str
    url: str
    snippet: str = ""
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class Hit:
    doc: Doc
    score: float
    words: list[str]  # the query words it contains, strongest first


class Index:
    def __init__(self) -> None:
        self.docs: list[Doc] = []
        self.doc_ids: dict[str, array[int]] = {}
        self.weights: dict[str, array[float]] = {}
        self.key_to_id: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.docs)

    @classmethod
    def build(cls, items: Iterable[tuple[Doc, list[str]]]) -> Index:
        index = cls()
        raw: dict[str, tuple[array[int], array[int]]] = {}
        lengths = array("i")
        for doc, tokens in items:
            doc_id = len(index.docs)
            index.docs.append(doc)
            index.key_to_id[doc.key] = doc_id
            lengths.append(len(tokens))
            for term, tf in Counter(tokens).items():
                entry = raw.get(term)
                if entry is None:
                    entry = raw[term] = (array("i"), array("i"))
                entry[0].append(doc_id)
                entry[1].append(tf)
        n = len(index.docs)
        avgdl = (sum(lengths) / n) if n else 1.0
        norm = [K1 * (1 - B + B * dl / avgdl) for dl in lengths]
        for term, (ids, tfs) in raw.items():
            df = len(ids)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            scale = idf * (K1 + 1)
            index.doc_ids[term] = ids
            index.weights[term] = array(
                "d", (scale * tf / (tf + norm[d]) for d, tf in zip(ids, tfs, strict=True))
            )
        return index

    def idf(self, term: str) -> float:
        df = len(self.doc_ids.get(term, ()))
        n = len(self.docs)
        return math.log(1 + (n - df + 0.5) / (df + 0.5)) if n else 0.0

    def contains(self, doc_id: int, term: str) -> float:
        """The term's weight in the document, 0.0 when absent."""
        ids = self.doc_ids.get(term)
        if ids is None:
            return 0.0
        i = bisect_left(ids, doc_id)
        return self.weights[term][i] if i < len(ids) and ids[i] == doc_id else 0.0

    def search(
        self,
        terms: list[str],
        *,
        limit: int = 10,
        accept: Callable[[Doc], bool] | None = None,
        query_weights: dict[str, float] | None = None,
    ) -> list[Hit]:
        """Top documents for the query terms (each distinct term counted once unless weighted)."""
        unique = list(dict.fromkeys(t for t in terms if t in self.doc_ids))
        if not unique:
            return []
        scores: dict[int, float] = {}
        get = scores.get
        for term in unique:
            qw = query_weights.get(term, 1.0) if query_weights else 1.0
            if qw == 1.0:
                for d, w in zip(self.doc_ids[term], self.weights[term], strict=True):
                    scores[d] = get(d, 0.0) + w
            else:
                for d, w in zip(self.doc_ids[term], self.weights[term], strict=True):
                    scores[d] = get(d, 0.0) + w * qw
        docs = self.docs
        if accept is None:
            top = heapq.nlargest(limit, scores.items(), key=_by_score)
        else:
            top = heapq.nlargest(limit, ((d, s) for d, s in scores.items() if accept(docs[d])), key=_by_score)
        hits = []
        for doc_id, score in top:
            present = [(t, self.contains(doc_id, t)) for t in unique]
            words = [t for t, w in sorted(present, key=lambda p: -p[1]) if w > 0]
            hits.append(Hit(doc=docs[doc_id], score=score, words=_drop_parts(words)))
        return hits


def _by_score(item: tuple[int, float]) -> tuple[float, int]:
    return (item[1], -item[0])  # ties: the earlier document first (stable results)


def _drop_parts(words: list[str]) -> list[str]:
    """新材料 and 材料 both matched: show 新材料 only."""
    return [w for w in words if not any(w != o and w in o for o in words)]

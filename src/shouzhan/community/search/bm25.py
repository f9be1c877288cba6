"""An in-memory BM25 index with precomputed postings (Okapi BM25, k1=1.2, b=0.75).

Each posting stores the term's finished BM25 weight for that document (idf and length
normalisation folded in at build time), so a query is only sums over a few posting lists.
Queries use MaxScore (Turtle & Flood): lists are summed from the strongest term down, and once the
terms left could not lift an unseen document into the top k, their long lists of common words are
only looked up for the few candidates still in reach — the same top k, without walking every list.
A word found in more than CHAMPIONS documents also keeps a "champion list" (its CHAMPIONS strongest
postings, Manning et al. §7.1.3): a query first gathers candidates from those, then scores the best
candidates exactly; only when that finds too few results does it walk the full lists.
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
CHAMPIONS = 3000
CANDIDATES_PER_RESULT = 20


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
        self.max_weight: dict[str, float] = {}
        self.champions: dict[str, tuple[array[int], array[float]]] = {}
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
            weights = array("d", (scale * tf / (tf + norm[d]) for d, tf in zip(ids, tfs, strict=True)))
            index.weights[term] = weights
            index.max_weight[term] = max(weights)
            if df > CHAMPIONS:
                best = heapq.nlargest(CHAMPIONS, range(df), key=weights.__getitem__)
                best.sort(key=ids.__getitem__)
                index.champions[term] = (
                    array("i", (ids[i] for i in best)),
                    array("d", (weights[i] for i in best)),
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
        if any(t in self.champions for t in unique):
            hits = self._search_champions(unique, limit=limit, accept=accept, query_weights=query_weights)
            if len(hits) >= limit:
                return hits
        return self._search_exact(unique, limit=limit, accept=accept, query_weights=query_weights)

    def _search_champions(
        self,
        unique: list[str],
        *,
        limit: int,
        accept: Callable[[Doc], bool] | None,
        query_weights: dict[str, float] | None,
    ) -> list[Hit]:
        qw = {t: (query_weights.get(t, 1.0) if query_weights else 1.0) for t in unique}
        scores: dict[int, float] = {}
        get = scores.get
        for term in unique:
            ids, weights = self.champions.get(term) or (self.doc_ids[term], self.weights[term])
            w_q = qw[term]
            for d, w in zip(ids, weights, strict=True):
                scores[d] = get(d, 0.0) + w * w_q
        docs = self.docs
        pool = scores.items() if accept is None else ((d, s) for d, s in scores.items() if accept(docs[d]))
        short = heapq.nlargest(limit * CANDIDATES_PER_RESULT, pool, key=_by_score)
        exact = [(d, sum(self.contains(d, t) * qw[t] for t in unique)) for d, _s in short]
        return self._hits(heapq.nlargest(limit, exact, key=_by_score), unique)

    def _search_exact(
        self,
        unique: list[str],
        *,
        limit: int,
        accept: Callable[[Doc], bool] | None,
        query_weights: dict[str, float] | None,
    ) -> list[Hit]:
        if not unique:
            return []
        qw = {t: (query_weights.get(t, 1.0) if query_weights else 1.0) for t in unique}
        bound = {t: self.max_weight[t] * qw[t] for t in unique}
        order = sorted(unique, key=lambda t: -bound[t])
        docs = self.docs
        verdict: dict[int, bool] = {}

        def ok(d: int) -> bool:
            if accept is None:
                return True
            seen = verdict.get(d)
            if seen is None:
                seen = verdict[d] = accept(docs[d])
            return seen

        scores: dict[int, float] = {}
        get = scores.get
        remaining = sum(bound.values())
        theta = 0.0
        done = 0
        for term in order:
            done += 1
            remaining -= bound[term]
            w_q = qw[term]
            if w_q == 1.0:
                for d, w in zip(self.doc_ids[term], self.weights[term], strict=True):
                    scores[d] = get(d, 0.0) + w
            else:
                for d, w in zip(self.doc_ids[term], self.weights[term], strict=True):
                    scores[d] = get(d, 0.0) + w * w_q
            if done < len(order) and len(scores) >= limit:
                kth = heapq.nlargest(limit, (s for d, s in scores.items() if ok(d)))
                theta = kth[-1] if len(kth) == limit else 0.0
                if remaining < theta:
                    break  # an unseen document scores at most `remaining`: it cannot enter the top k
        rest = order[done:]
        if rest:
            candidates = {d: s for d, s in scores.items() if s + remaining >= theta and ok(d)}
            for d in candidates:
                candidates[d] += sum(self.contains(d, t) * qw[t] for t in rest)
            pool = candidates.items()
        else:
            pool = ((d, s) for d, s in scores.items() if ok(d))  # type: ignore[assignment]
        return self._hits(heapq.nlargest(limit, pool, key=_by_score), unique)

    def _hits(self, top: list[tuple[int, float]], unique: list[str]) -> list[Hit]:
        docs = self.docs
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

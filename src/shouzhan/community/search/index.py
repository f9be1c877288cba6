"""The search index, kept in the database and updated one document at a time (#13).

Why this engine: a table of pre-segmented tokens per document (SearchDocument), an inverted index of
postings (SearchPosting: term, document, kind, tf, document length and the tf-part of the BM25 weight)
behind one B-tree on (term, kind, impact DESC), and the BM25 statistics kept as documents come and go
(SearchTerm: document frequency; SearchStats: documents and total length). The same tables and the same
SQL run on SQLite and PostgreSQL, so both rank exactly alike, with the same Okapi BM25 the relevance set
was tuned on. The alternatives rank differently per database — PostgreSQL's ts_rank over a tsvector is
not BM25, SQLite FTS5's bm25() uses another idf — and neither takes the per-word query weights the
related-suggestions matcher sends, nor tells which words a hit matched (the explanation beside each
hit); an external engine (tantivy) would be a second store to back up and keep in step with the
database's transactions, and a writer process to run. Here an index write is part of the transaction
that saves the thing: committed together, rolled back together, and visible to every worker at once.

Writing: `documents_put` / `documents_remove` replace one document's postings and adjust the
statistics; they lock SearchStats' row first, so writers take turns (a single writer at a time) and
never deadlock on each other's term rows. `rebuild` writes everything from scratch (a new database, a
bulk load that sent no signals, `manage.py search_rebuild`).

Reading: each (term, kind) list is read strongest first to a depth, as champion lists are (Manning et
al. §7.1.3); the most promising candidates (at most 20 per result wanted) get the weights of the words
their lists did not reach from the postings, until no other candidate could pass the k-th score. The
answer is exact when no list was cut short, or when the k-th score is at least what a document in no
list could reach (the sum of each list's last weight, Fagin's threshold); on a large corpus with many
near-ties it is, like champion lists, the best of the strongest postings. Only when that gives fewer
results than asked are the lists read again, four times deeper. The lists are ordered by `impact`, the
tf-part when the posting was written; scores use the average document length of now (a rebuild
resets the drift).
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from shouzhan.community.search import documents
from shouzhan.community.search.bm25 import Doc, Hit, drop_parts, idf, tf_part

log = logging.getLogger(__name__)

MAX_TERM = 64  # SearchPosting.term's length: a longer token is cut (alike when indexing and querying)
MIN_DEPTH = 200
DEPTH_PER_RESULT = 10
COMPLETE_BATCH = 100
CANDIDATES_PER_RESULT = 20  # candidates completed (their missing words read) per result wanted
ROUNDS = 3  # too few results: the lists are read again, four times deeper
BATCH = 2000
MAX_UNION = 100  # subqueries per statement (SQLite allows 500 in one compound select)
POLICY_KINDS = ("policy", "clause")


def clip(term: str) -> str:
    return term[:MAX_TERM]


def _models():  # type: ignore[no-untyped-def]
    from shouzhan.community import models

    return models


# ------------------------------------------------------------------------------------------ writing
def _stats_locked():  # type: ignore[no-untyped-def]
    """The statistics row, locked until the transaction ends: the index's writer lock."""
    m = _models()
    m.SearchStats.objects.get_or_create(pk=1)
    return m.SearchStats.objects.select_for_update().get(pk=1)


@dataclass
class _Delta:
    documents: int = 0
    length: int = 0
    df: Counter[str] | None = None

    def __post_init__(self) -> None:
        self.df = Counter()


def _drop(rows: Iterable[object], delta: _Delta) -> None:
    m = _models()
    ids = []
    assert delta.df is not None
    for row in rows:
        assert isinstance(row, m.SearchDocument)
        ids.append(row.pk)
        delta.documents -= 1
        delta.length -= row.length
        delta.df.subtract(set(row.tokens.split()))
    for start in range(0, len(ids), BATCH):
        m.SearchPosting.objects.filter(doc_id__in=ids[start : start + BATCH]).delete()


def _write(items: Sequence[tuple[Doc, list[str]]], *, avgdl: float, delta: _Delta) -> None:
    """Document rows and postings for items whose old postings are gone (their rows may remain)."""
    m = _models()
    assert delta.df is not None
    existing = {
        row.key: row
        for start in range(0, len(items), BATCH)
        for row in m.SearchDocument.objects.filter(
            key__in=[doc.key for doc, _t in items[start : start + BATCH]]
        ).only("id", "key")
    }
    rows = []
    for doc, tokens in items:
        row = existing.get(doc.key) or m.SearchDocument(key=doc.key)
        row.kind, row.title, row.url = doc.kind, doc.title[:300], doc.url[:300]
        row.snippet, row.facts = doc.snippet, doc.facts
        row.tokens, row.length = " ".join(tokens), len(tokens)
        rows.append(row)
    fields = ["kind", "title", "url", "snippet", "facts", "tokens", "length", "updated_at"]
    now = timezone.now()
    for row in rows:
        row.updated_at = now
    m.SearchDocument.objects.bulk_update([r for r in rows if r.pk], fields, batch_size=BATCH)
    m.SearchDocument.objects.bulk_create([r for r in rows if not r.pk], batch_size=BATCH)
    table = connection.ops.quote_name(m.SearchPosting._meta.db_table)
    sql = f"INSERT INTO {table} (doc_id, term, kind, tf, length, impact) VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608
    postings: list[tuple[int, str, str, int, int, float]] = []
    with connection.cursor() as cursor:  # plain rows: a million postings are not a million model objects
        for row, (_doc, tokens) in zip(rows, items, strict=True):
            delta.documents += 1
            delta.length += len(tokens)
            counts = Counter(tokens)
            delta.df.update(counts.keys())
            dl = len(tokens)
            postings.extend((row.pk, t, row.kind, tf, dl, tf_part(tf, dl, avgdl)) for t, tf in counts.items())
            if len(postings) >= BATCH * 5:
                cursor.executemany(sql, postings)
                postings = []
        if postings:
            cursor.executemany(sql, postings)


def _apply(stats: object, delta: _Delta) -> None:
    """Document frequencies by their net change (sorted: the same order in every writer), then the sizes."""
    m = _models()
    assert delta.df is not None and isinstance(stats, m.SearchStats)
    table = connection.ops.quote_name(m.SearchTerm._meta.db_table)
    ups = sorted((t, n) for t, n in delta.df.items() if n > 0)
    downs = sorted((t, -n) for t, n in delta.df.items() if n < 0)
    with connection.cursor() as cursor:
        for start in range(0, len(ups), 400):
            chunk = ups[start : start + 400]
            # The table's name comes from the model; every value is a parameter.
            values = ", ".join(["(%s, %s)"] * len(chunk))
            sql = f"INSERT INTO {table} (term, df) VALUES {values} ON CONFLICT (term) DO UPDATE SET df = {table}.df + excluded.df"  # noqa: S608
            cursor.execute(sql, [v for pair in chunk for v in pair])
        if downs:
            cursor.executemany(
                f"UPDATE {table} SET df = CASE WHEN df > %s THEN df - %s ELSE 0 END WHERE term = %s",  # noqa: S608
                [(n, n, t) for t, n in downs],
            )
            for start in range(0, len(downs), 400):
                gone = [t for t, _n in downs[start : start + 400]]
                m.SearchTerm.objects.filter(term__in=gone, df=0).delete()
    stats.documents = max(0, stats.documents + delta.documents)
    stats.length = max(0, stats.length + delta.length)
    stats.save(update_fields=["documents", "length"])


def _avgdl(stats: object, items: Sequence[tuple[Doc, list[str]]]) -> float:
    m = _models()
    assert isinstance(stats, m.SearchStats)
    if stats.documents:
        return stats.length / stats.documents
    return (sum(len(t) for _d, t in items) / len(items)) if items else 1.0


def _clean(items: Iterable[tuple[Doc, list[str]]]) -> list[tuple[Doc, list[str]]]:
    by_key = {doc.key: (doc, [clip(t) for t in tokens]) for doc, tokens in items}  # the last one wins
    return list(by_key.values())


def _put(stats: object, items: Iterable[tuple[Doc, list[str]]]) -> None:
    m = _models()
    cleaned = _clean(items)
    if not cleaned:
        return
    delta = _Delta()
    old = list(
        m.SearchDocument.objects.filter(key__in=[d.key for d, _t in cleaned]).only("id", "tokens", "length")
    )
    _drop(old, delta)
    _write(cleaned, avgdl=_avgdl(stats, cleaned), delta=delta)
    _apply(stats, delta)


def _remove(stats: object, keys: Iterable[str]) -> None:
    m = _models()
    rows = list(m.SearchDocument.objects.filter(key__in=list(keys)).only("id", "tokens", "length"))
    if not rows:
        return
    delta = _Delta()
    _drop(rows, delta)
    m.SearchDocument.objects.filter(pk__in=[r.pk for r in rows]).delete()
    _apply(stats, delta)


def documents_put(items: Iterable[tuple[Doc, list[str]]]) -> None:
    """Index these documents (new, or replacing what the index held under their keys)."""
    items = list(items)
    if not items:
        return
    with transaction.atomic():
        _put(_stats_locked(), items)


def documents_remove(keys: Iterable[str]) -> None:
    keys = list(keys)
    if not keys:
        return
    with transaction.atomic():
        _remove(_stats_locked(), keys)


def policies_stale() -> None:
    """A policy changed: its documents are taken again before the next query."""
    _models().SearchStats.objects.filter(pk=1).update(policies_on=None)


def policies_refresh(*, today: dt.date, only_if_stale: bool = True) -> None:
    """The policies in force today and their clauses (a few dozen documents), in place of the old ones."""
    m = _models()
    with transaction.atomic():
        stats = _stats_locked()
        if only_if_stale and stats.policies_on == today:
            return  # another worker did it while this one waited for the lock
        items = list(documents.policy_docs(today))
        keep = {doc.key for doc, _t in items}
        gone = m.SearchDocument.objects.filter(kind__in=POLICY_KINDS).exclude(key__in=keep)
        _remove(stats, gone.values_list("key", flat=True))
        _put(stats, items)
        stats.policies_on = today
        stats.save(update_fields=["policies_on"])


def _truncate_all() -> None:
    m = _models()
    with connection.cursor() as cursor:
        for model in (m.SearchPosting, m.SearchTerm, m.SearchDocument):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


def rebuild(
    *,
    today: dt.date | None = None,
    only_if_unbuilt: bool = False,
    items: Iterable[tuple[Doc, list[str]]] | None = None,
) -> float:
    """Every document written again from the sources (or `items`: the bench's corpus); returns seconds."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        stats = _stats_locked()
        if only_if_unbuilt and stats.built:
            return 0.0
        _truncate_all()
        stats.documents = stats.length = 0
        cleaned = _clean(documents.collect(today=today) if items is None else items)
        delta = _Delta()
        _write(cleaned, avgdl=_avgdl(stats, cleaned), delta=delta)
        _apply(stats, delta)
        stats.built, stats.policies_on, stats.built_at = True, today, timezone.now()
        stats.save(update_fields=["built", "policies_on", "built_at"])
        if (
            connection.vendor == "postgresql"
        ):  # the planner's statistics of tables just filled (autovacuum lags)
            m = _models()
            with connection.cursor() as cursor:
                for model in (m.SearchPosting, m.SearchTerm, m.SearchDocument):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    seconds = time.perf_counter() - started
    log.info("search index rebuilt: %d documents in %.2fs", len(cleaned), seconds)
    return seconds


# ------------------------------------------------------------------------------------------ reading
class Index:
    """The index as a query sees it: the sizes read once, the postings read per query."""

    def __init__(self, *, documents: int, length: int) -> None:
        self.documents = documents
        self.avgdl = (length / documents) if documents else 1.0

    def __len__(self) -> int:
        return self.documents

    def df(self, terms: Iterable[str]) -> dict[str, int]:
        m = _models()
        wanted = list(dict.fromkeys(clip(t) for t in terms))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), 500):
            found.update(
                m.SearchTerm.objects.filter(term__in=wanted[start : start + 500]).values_list("term", "df")
            )
        return found

    def idf_many(self, terms: Iterable[str]) -> dict[str, float]:
        """Each term's idf; a term no document holds has none (0.0)."""
        dfs = self.df(terms)
        return {t: (idf(self.documents, dfs[clip(t)]) if clip(t) in dfs else 0.0) for t in terms}

    def search(
        self,
        terms: list[str],
        *,
        kinds: Iterable[str],
        exclude: Iterable[str] = (),
        limit: int = 10,
        query_weights: dict[str, float] | None = None,
    ) -> list[Hit]:
        """The top documents of these kinds for the query terms (each distinct term once unless weighted)."""
        m = _models()
        weight_of = {clip(t): w for t, w in (query_weights or {}).items()}
        unique = list(dict.fromkeys(clip(t) for t in terms))
        kind_list = sorted(set(kinds))
        if not unique or not kind_list or limit <= 0:
            return []
        qw = {t: weight_of.get(t, 1.0) for t in unique}
        exclude = list(exclude)
        excluded = (
            set(m.SearchDocument.objects.filter(key__in=exclude).values_list("id", flat=True))
            if exclude
            else set()
        )
        depth = max(MIN_DEPTH, (limit + len(excluded)) * DEPTH_PER_RESULT)
        rounds = 0
        while True:
            dfs, rows = self._lists(unique, kind_list, depth)
            idfs = {t: idf(self.documents, dfs[t]) for t in unique if dfs.get(t)}
            if not idfs:
                return []
            known = [t for t in unique if t in idfs]
            top, weights, enough = self._top(rows, known, kind_list, idfs, qw, excluded, limit, depth)
            rounds += 1
            if enough or rounds >= ROUNDS:
                break
            depth *= 4
        return self._hits(top, weights)

    def _lists(
        self, terms: list[str], kinds: list[str], depth: int
    ) -> tuple[dict[str, int], list[tuple[int, str, str, int, int]]]:
        """The terms' document frequencies and each (term, kind) list to `depth`, in one statement."""
        m = _models()
        postings = connection.ops.quote_name(m.SearchPosting._meta.db_table)
        counts = connection.ops.quote_name(m.SearchTerm._meta.db_table)
        pairs = [(t, k) for t in terms for k in kinds]
        dfs: dict[str, int] = {}
        rows: list[tuple[int, str, str, int, int]] = []
        with connection.cursor() as cursor:
            for start in range(0, len(pairs), MAX_UNION):
                chunk = pairs[start : start + MAX_UNION]
                params: list[str] = []
                parts = []
                if start == 0:  # a row per known term, told apart by its doc_id of -1
                    parts.append(
                        f"SELECT -1 AS doc_id, term, '' AS kind, df AS tf, 0 AS length FROM {counts} "  # noqa: S608
                        f"WHERE term IN ({', '.join(['%s'] * len(terms))})"
                    )
                    params.extend(terms)
                for i, pair in enumerate(chunk):
                    parts.append(
                        f"SELECT * FROM (SELECT doc_id, term, kind, tf, length FROM {postings} "  # noqa: S608
                        f"WHERE term = %s AND kind = %s ORDER BY impact DESC LIMIT {int(depth)}) s{i}"
                    )
                    params.extend(pair)
                cursor.execute(" UNION ALL ".join(parts), params)
                for row in cursor.fetchall():
                    if row[0] == -1:
                        dfs[row[1]] = row[3]
                    else:
                        rows.append(row)
        return dfs, rows

    def _top(
        self,
        rows: list[tuple[int, str, str, int, int]],
        terms: list[str],
        kinds: list[str],
        idfs: dict[str, float],
        qw: dict[str, float],
        excluded: set[int],
        limit: int,
        depth: int,
    ) -> tuple[list[tuple[int, float]], dict[int, dict[str, float]], bool]:
        avgdl = self.avgdl
        weights: dict[int, dict[str, float]] = {}
        kind_of: dict[int, str] = {}
        seen: Counter[tuple[str, str]] = Counter()
        last: dict[tuple[str, str], float] = {}
        for d, t, k, tf, dl in rows:
            if t not in idfs:
                continue
            w = idfs[t] * tf_part(tf, dl, avgdl)
            seen[(t, k)] += 1
            last[(t, k)] = min(last.get((t, k), w), w)
            if d in excluded:
                continue
            weights.setdefault(d, {})[t] = w
            kind_of[d] = k
        # What a document not read in a list may still hold of that word: nothing when the list ended.
        bound = {key: (last[key] if n >= depth else 0.0) for key, n in seen.items()}

        def score(d: int) -> float:
            return sum(w * qw[t] for t, w in weights[d].items())

        partial = {d: score(d) for d in weights}  # a lower bound until the document is complete
        complete, upper = [], {}
        for d, ws in weights.items():
            missing = sum(bound.get((t, kind_of[d]), 0.0) * qw[t] for t in terms if t not in ws)
            if missing == 0.0:
                complete.append(d)
            else:
                upper[d] = partial[d] + missing
        # Complete the most promising first; stop once no other could reach the k-th score known.
        pending = sorted(upper, key=lambda d: -upper[d])
        theta = _kth(partial.values(), limit)
        done = 0
        budget = limit * CANDIDATES_PER_RESULT
        while done < min(len(pending), budget) and upper[pending[done]] >= theta:
            chunk = pending[done : done + COMPLETE_BATCH]
            done += len(chunk)
            for d, t, tf, dl in self._postings(chunk, terms):
                weights[d][t] = idfs[t] * tf_part(tf, dl, avgdl)
            for d in chunk:
                partial[d] = score(d)
                complete.append(d)
            theta = _kth(partial.values(), limit)
        top = heapq.nlargest(limit, ((d, partial[d]) for d in complete), key=_by_score)
        unseen = max((sum(bound.get((t, k), 0.0) * qw[t] for t in terms) for k in kinds), default=0.0)
        exact = unseen == 0.0 or (len(top) == limit and top[-1][1] >= unseen)
        enough = exact or len(top) == limit
        return top, weights, enough

    def _postings(self, ids: list[int], terms: list[str]) -> list[tuple[int, str, int, int]]:
        """The query terms' postings of these documents (the primary key's (doc_id, term) order)."""
        table = connection.ops.quote_name(_models().SearchPosting._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT doc_id, term, tf, length FROM {table} "  # noqa: S608
                f"WHERE doc_id IN ({', '.join(['%s'] * len(ids))}) AND term IN ({', '.join(['%s'] * len(terms))})",
                [*ids, *terms],
            )
            return cursor.fetchall()

    def _hits(self, top: list[tuple[int, float]], weights: dict[int, dict[str, float]]) -> list[Hit]:
        m = _models()
        rows = {
            r["id"]: r
            for r in m.SearchDocument.objects.filter(pk__in=[d for d, _s in top]).values(
                "id", "key", "kind", "title", "url", "snippet", "facts"
            )
        }
        hits = []
        for d, score in top:
            r = rows[d]
            doc = Doc(
                key=r["key"],
                kind=r["kind"],
                title=r["title"],
                url=r["url"],
                snippet=r["snippet"],
                facts=r["facts"],
            )
            words = [t for t, w in sorted(weights[d].items(), key=lambda p: -p[1]) if w > 0]
            hits.append(Hit(doc=doc, score=score, words=drop_parts(words)))
        return hits


def _kth(values: Iterable[float], k: int) -> float:
    best = heapq.nlargest(k, values)
    return best[-1] if len(best) == k else 0.0


def _by_score(item: tuple[int, float]) -> tuple[float, int]:
    return (item[1], -item[0])  # ties: the earlier document first (stable results)


def current_index() -> Index:
    """The index to query: built first if it never was, its policies taken again on a new day."""
    m = _models()
    today = timezone.localdate()
    stats = m.SearchStats.objects.filter(pk=1).first()
    if stats is None or not stats.built:
        rebuild(today=today, only_if_unbuilt=True)
        stats = m.SearchStats.objects.get(pk=1)
    elif stats.policies_on != today:
        policies_refresh(today=today)
        stats = m.SearchStats.objects.get(pk=1)
    return Index(documents=stats.documents, length=stats.length)

"""每月一题: the month's recurring themes — groups of similar demands, by how many there are.

The month's demands are compared by the repeat suggestion's words and weights (frontline/repeats.py:
community's tokens, synonyms to one form, idf over the month's demands). They are taken in the order received;
each joins the theme whose centre (the sum of its members' vectors) is closest to it, when that is near enough
— a cosine of at least 0.4 for a theme of its category, 0.6 for another — or starts a theme of its own. Near to
the whole theme, not to one member: a chain of neighbours does not grow into one theme of everything. A demand
linked as a repeat joins its original's theme. A theme of at least `min_size` demands is reported, named by the
words that weigh most across it, with its categories, the departments concerned and recent examples.

A demand looks for its theme only among those sharing one of its four strongest words (an inverted index), and
demands of the same words and category are taken once; a month of 8,000 demands takes about a second once
their words are segmented (the page keeps the result while the month's demands stay as they were).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Sum

from shouzhan.community.search.bm25 import drop_parts
from shouzhan.frontline.models import Demand, DispatchRule
from shouzhan.frontline.repeats import idf_table, terms, vector

LINK_TEXT = 0.4  # same category
LINK_TEXT_ANY = 0.6  # any category
DF_CAP = 300
SEEK_WORDS = 4  # a demand looks for its theme by its four strongest words
MONTH_MAX = 20_000  # the month's demands read at most
NAME_WORDS = 3
EXAMPLES = 3
CACHE_SECONDS = 60 * 60


@dataclass(frozen=True)
class ThemeExample:
    demand_id: int
    description: str
    received_on: dt.date
    enterprise: str
    place: str


@dataclass(frozen=True)
class Theme:
    name: str  # its top words, e.g. 施工、噪音、夜间
    words: tuple[str, ...]
    count: int
    categories: tuple[str, ...]  # the categories' labels, the most frequent first
    departments: tuple[
        str, ...
    ]  # the departments concerned (the one that accepted it, else the one it is with)
    examples: tuple[ThemeExample, ...]  # the most recent, of different descriptions
    demand_ids: tuple[int, ...]


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the month of `month`."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


class _Cluster:
    """A theme being formed: the sum of its members' vectors (its centre) and that sum's squared length."""

    def __init__(self, category: str) -> None:
        self.category = category
        self.centre: dict[str, float] = {}
        self.square = 0.0
        self.nodes: list[int] = []

    def add(self, n: int, v: Mapping[str, float], times: int) -> None:
        for t, w in v.items():
            old = self.centre.get(t, 0.0)
            new = old + times * w
            self.centre[t] = new
            self.square += new * new - old * old
        self.nodes.append(n)

    def closeness(self, v: Mapping[str, float]) -> float:
        return sum(w * self.centre.get(t, 0.0) for t, w in v.items()) / math.sqrt(self.square or 1.0)


def _clusters(
    keys: Sequence[tuple[str, tuple[str, ...]]], sizes: Sequence[int], vectors: Sequence[dict[str, float]]
) -> list[_Cluster]:
    """Each node, in order, joins the closest theme whose centre is near enough (LINK_TEXT in its category,
    LINK_TEXT_ANY in any), else starts its own: near to the whole theme, not to one member (no chaining)."""
    df: Counter[str] = Counter()
    for v, size in zip(vectors, sizes, strict=True):
        for t in v:
            df[t] += size
    clusters: list[_Cluster] = []
    postings: dict[str, set[int]] = defaultdict(set)
    for n, ((category, _w), v) in enumerate(zip(keys, vectors, strict=True)):
        strongest = sorted((t for t in v if df[t] <= DF_CAP), key=lambda t: (-v[t], t))[:SEEK_WORDS]
        near = {c for t in strongest for c in postings[t]}
        best, best_at = -1, 0.0
        for c in sorted(near):
            cluster = clusters[c]
            need = LINK_TEXT if cluster.category == category else LINK_TEXT_ANY
            at = cluster.closeness(v)
            if at >= need and at > best_at:
                best, best_at = c, at
        if best < 0:
            best = len(clusters)
            clusters.append(_Cluster(category))
        clusters[best].add(n, v, sizes[n])
        for t in v:
            postings[t].add(best)
    return clusters


def _groups(rows: Sequence[Mapping[str, Any]]) -> tuple[list[list[int]], list[dict[str, float]]]:
    """Indexes of rows grouped into themes, and each row's vector."""
    words = [tuple(terms(str(r["description"]))) for r in rows]
    weights = idf_table(words)
    # Demands of the same words and category are one node: compared once.
    nodes: dict[tuple[str, tuple[str, ...]], list[int]] = defaultdict(list)
    for i, (row, w) in enumerate(zip(rows, words, strict=True)):
        nodes[(str(row["category"]), w)].append(i)
    keys = list(nodes)
    vectors = [vector(k[1], weights) for k in keys]
    row_union = _Union(len(rows))
    for cluster in _clusters(keys, [len(nodes[k]) for k in keys], vectors):
        first = nodes[keys[cluster.nodes[0]]][0]
        for n in cluster.nodes:
            for i in nodes[keys[n]]:
                row_union.join(i, first)
    index = {int(str(r["pk"])): i for i, r in enumerate(rows)}
    for i, r in enumerate(rows):
        original = r["repeat_of_id"]
        if original is not None and int(str(original)) in index:
            row_union.join(i, index[int(str(original))])
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(rows)):
        groups[row_union.find(i)].append(i)
    node_of = {k: n for n, k in enumerate(keys)}
    row_vectors = [vectors[node_of[(str(r["category"]), w)]] for r, w in zip(rows, words, strict=True)]
    return list(groups.values()), row_vectors


def _labels(categories: set[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for category, label in (
        DispatchRule.objects.filter(category__in=categories)
        .order_by("version__valid_from", "version__number")
        .values_list("category", "label")
    ):
        labels[category] = label  # the latest version's label wins
    return labels


def _theme(
    members: list[int],
    rows: Sequence[Mapping[str, Any]],
    vectors: Sequence[dict[str, float]],
    labels: dict[str, str],
) -> Theme:
    weight: Counter[str] = Counter()
    for i in members:
        weight.update(vectors[i])
    top = [t for t, _w in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[: NAME_WORDS * 3]]
    words = tuple(drop_parts(top)[:NAME_WORDS])
    categories = Counter(str(rows[i]["category"]) for i in members)
    departments = Counter(
        str(rows[i]["accepted_by__name"] or rows[i]["department__name"] or "") for i in members
    )
    departments.pop("", None)
    recent = sorted(members, key=lambda i: (rows[i]["received_on"], rows[i]["pk"]), reverse=True)
    examples: list[ThemeExample] = []
    seen: set[str] = set()
    for i in recent:
        row = rows[i]
        text = str(row["description"])
        if text in seen:
            continue
        seen.add(text)
        received = row["received_on"]
        assert isinstance(received, dt.date)
        examples.append(
            ThemeExample(
                demand_id=int(str(row["pk"])),
                description=text,
                received_on=received,
                enterprise=str(row["enterprise__name"] or ""),
                place=str(row["place"]),
            )
        )
        if len(examples) == EXAMPLES:
            break
    return Theme(
        name="、".join(words),
        words=words,
        count=len(members),
        categories=tuple(
            labels.get(c, c) for c, _n in sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        departments=tuple(d for d, _n in sorted(departments.items(), key=lambda kv: (-kv[1], kv[0]))),
        examples=tuple(examples),
        demand_ids=tuple(sorted(int(str(rows[i]["pk"])) for i in members)),
    )


def themes_monthly(*, month: dt.date, min_size: int = 3) -> list[Theme]:
    """The recurring themes of the month of `month`: groups of at least `min_size` similar demands, the
    largest first."""
    first, last = month_bounds(month)
    rows = list(
        Demand.objects.filter(received_on__gte=first, received_on__lte=last)
        .order_by("received_on", "pk")
        .values(
            "pk",
            "description",
            "category",
            "enterprise__name",
            "place",
            "received_on",
            "department__name",
            "accepted_by__name",
            "repeat_of_id",
        )[:MONTH_MAX]
    )
    if not rows:
        return []
    groups, vectors = _groups(rows)
    big = [g for g in groups if len(g) >= max(2, min_size)]
    labels = _labels({str(rows[i]["category"]) for g in big for i in g})
    themes = [_theme(g, rows, vectors, labels) for g in big]
    themes.sort(key=lambda t: (-t.count, t.name))
    return themes


def themes_monthly_cached(*, month: dt.date, min_size: int = 3) -> list[Theme]:
    """themes_monthly, kept in the cache while the month's demands are as they were: the key counts them and
    takes their largest id and the sum of their versions (every move, link and exclusion bumps one)."""
    first, last = month_bounds(month)
    state = Demand.objects.filter(received_on__gte=first, received_on__lte=last).aggregate(
        n=Count("pk"), last=Max("pk"), versions=Sum("version"), linked=Count("repeat_of")
    )
    key = "frontline:themes:{}:{}:{n}:{last}:{versions}:{linked}".format(first.isoformat(), min_size, **state)
    found: list[Theme] | None = cache.get(key)
    if found is None:
        found = themes_monthly(month=month, min_size=min_size)
        cache.set(key, found, CACHE_SECONDS)
    return found

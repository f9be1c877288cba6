"""每月一题: the month's recurring themes — groups of similar demands, by how many there are.

The month's demands are compared by the repeat suggestion's text similarity (frontline/repeats.py: community's
tokens, idf over the month's demands, cosine). Two demands are joined when their texts are close (≥ 0.4) and
they share the category, or when the texts are very close (≥ 0.6) whatever the category; a demand linked as a
repeat of another is joined to it. A theme is a connected group (single link) of at least `min_size` demands.
Its name is the words that weigh most across the group.

Only pairs that share a word found in at most DF_CAP of the month's demands are compared (an inverted index of
the words), and demands of the same words are compared once: a month of 10,000 demands is a few seconds at most.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shouzhan.community.search.bm25 import drop_parts
from shouzhan.frontline.models import Demand, DispatchRule
from shouzhan.frontline.repeats import cosine, idf_table, terms, vector

LINK_TEXT = 0.4  # same category
LINK_TEXT_ANY = 0.6  # any category
DF_CAP = 300
MONTH_MAX = 20_000  # the month's demands read at most
NAME_WORDS = 3
EXAMPLES = 3


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


def _groups(rows: Sequence[Mapping[str, Any]]) -> tuple[list[list[int]], list[dict[str, float]]]:
    """Indexes of rows joined by similarity (single link), and each row's vector."""
    words = [tuple(terms(str(r["description"]))) for r in rows]
    weights = idf_table(words)
    # Demands of the same words and category are one node: compared once.
    nodes: dict[tuple[str, tuple[str, ...]], list[int]] = defaultdict(list)
    for i, (row, w) in enumerate(zip(rows, words, strict=True)):
        nodes[(str(row["category"]), w)].append(i)
    keys = list(nodes)
    vectors = [vector(k[1], weights) for k in keys]
    union = _Union(len(keys))
    postings: dict[str, list[int]] = defaultdict(list)
    for n, v in enumerate(vectors):
        for t in v:
            postings[t].append(n)
    compared: set[tuple[int, int]] = set()
    for members in postings.values():
        if len(members) > DF_CAP:
            continue
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                if (a, b) in compared or union.find(a) == union.find(b):
                    continue
                compared.add((a, b))
                text = cosine(vectors[a], vectors[b])
                if text >= LINK_TEXT_ANY or (text >= LINK_TEXT and keys[a][0] == keys[b][0]):
                    union.join(a, b)
    row_union = _Union(len(rows))
    for n, key in enumerate(keys):
        for i in nodes[key]:
            row_union.join(i, nodes[keys[union.find(n)]][0])
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

"""Where an enterprise sits on the industry chains, suggested from its own records with the evidence.

`suggest_nodes(facts, chains)` is a pure function over plain data (fast, testable without a database);
`enterprise_facts_load(ids)` gathers the records of many enterprises at once, one query per table: the
enterprise (sector, name, description), its projects, its works (micro-drama filings), its patents and its
listings on the technology market.

How a node is scored (points; the confidence is the points capped at 100):
- the register's sector is one of the node's sectors: 30;
- a project of one of the node's project kinds: 30 for the first, 10 for each further one (at most two);
- a sector or a project kind that several chains list (跨境出海, 出海项目, 培训课程) says less about each:
  its points are divided by the number of those chains, and it never places an enterprise alone;
- each of the node's keywords found (case and spaces ignored; a keyword inside a longer one found is not
  counted twice) gives the weight of the strongest place it was read — the name 20, a project 15, a patent
  15, the description 12, a work 12, a listing 10 — three quarters of it for a keyword of two characters
  (影视, 主播 say less than 素材库), and 5 more for each further place it was read (at most 10).
The best node of each chain is suggested when it has at least `THRESHOLD` (20) points, some of them the
chain's own: the register's sector, a project kind, the name, or two keywords of the description — one
stray word in a description never places an enterprise. Ties go to the node listed first in the chain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

THRESHOLD = 20
SECTOR_POINTS = 30
SHORT_FACTOR = 0.75  # a keyword of two characters (影视, 主播) says less than a longer one
AGAIN, AGAIN_MAX = 5, 2  # the same keyword read in further places of the records
KIND_FIRST, KIND_MORE, KIND_MORE_MAX = 30, 10, 2
WEIGHTS = {"name": 20, "project": 15, "patent": 15, "description": 12, "work": 12, "listing": 10}
FILING_TYPES = ("planning_filing", "finished_film_filing")
CHUNK = 500
_SPACE = re.compile(r"\s+")


# ----------------------------------------------------------------------------- plain data
@dataclass(frozen=True)
class NodeFacts:
    key: str
    title: str
    sectors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    project_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChainFacts:
    key: str
    title: str
    nodes: tuple[NodeFacts, ...]


@dataclass(frozen=True)
class ProjectFacts:
    kind: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class TextFacts:
    """A work (title, synopsis), a patent (title, field + abstract) or a listing (title, field + abstract)."""

    title: str
    text: str = ""


@dataclass(frozen=True)
class EnterpriseFacts:
    id: int
    name: str
    sector: str = ""
    description: str = ""
    projects: tuple[ProjectFacts, ...] = ()
    works: tuple[TextFacts, ...] = ()
    patents: tuple[TextFacts, ...] = ()
    listings: tuple[TextFacts, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    enterprise_id: int
    chain: str
    node: str
    confidence: int
    evidence: list[dict[str, str]] = field(default_factory=list)


# ----------------------------------------------------------------------------- scoring
def _norm(text: str) -> str:
    return _SPACE.sub("", text).lower()


@dataclass(frozen=True)
class _Place:
    """One text an enterprise's records hold, where it was read and how it is named to a caseworker."""

    where: str  # a WEIGHTS key
    kind: str  # the evidence kind
    label: str  # e.g. 项目“…”
    text: str  # normalised


def _places(facts: EnterpriseFacts) -> list[_Place]:
    places = [_Place("name", "keyword", _("企业名称"), _norm(facts.name))]
    if facts.description:
        places.append(_Place("description", "description", _("简介"), _norm(facts.description)))
    for p in facts.projects:
        places.append(
            _Place("project", "project", _("项目“%s”") % p.title, _norm(f"{p.title} {p.description}"))
        )
    for w in facts.works:
        places.append(_Place("work", "work", _("作品《%s》") % w.title, _norm(f"{w.title} {w.text}")))
    for t in facts.patents:
        places.append(_Place("patent", "patent", _("专利“%s”") % t.title, _norm(f"{t.title} {t.text}")))
    for t in facts.listings:
        places.append(_Place("listing", "keyword", _("技术成果“%s”") % t.title, _norm(f"{t.title} {t.text}")))
    return places


def _shares(chains: Sequence[ChainFacts]) -> dict[str, int]:
    """How many chains list each sector ("sector:…") and each project kind ("kind:…") on some node."""
    count: dict[str, int] = {}
    for chain in chains:
        names = {f"sector:{s}" for n in chain.nodes for s in n.sectors}
        names |= {f"kind:{k}" for n in chain.nodes for k in n.project_kinds}
        for name in names:
            count[name] = count.get(name, 0) + 1
    return count


def _score(
    facts: EnterpriseFacts,
    node: NodeFacts,
    places: list[_Place],
    shares: dict[str, int],
    labels: dict[str, str],
) -> tuple[int, bool, list[dict[str, str]]]:
    """The node's points, whether some of them are this chain's own (not a shared sector or kind), and the
    evidence in words."""
    points = 0
    own = False
    evidence: list[dict[str, str]] = []
    if facts.sector and facts.sector in node.sectors:
        shared = shares.get(f"sector:{facts.sector}", 1)
        points += SECTOR_POINTS // shared
        own = own or shared == 1
        sector_words = labels.get(f"sector:{facts.sector}", facts.sector)
        evidence.append({"kind": "sector", "text": _("行业为“%s”") % sector_words})
    kinds = [p for p in facts.projects if p.kind in node.project_kinds]
    if kinds:
        shared = max(shares.get(f"kind:{p.kind}", 1) for p in kinds)
        points += (KIND_FIRST + KIND_MORE * min(KIND_MORE_MAX, len(kinds) - 1)) // shared
        own = own or shared == 1
        for p in kinds[: 1 + KIND_MORE_MAX]:
            kind_words = labels.get(f"kind:{p.kind}", p.kind)
            evidence.append(
                {"kind": "project", "text": _("项目“%(t)s”属于%(k)s") % {"t": p.title, "k": kind_words}}
            )
    found: dict[str, _Place] = {}
    seen_in: dict[str, int] = {}
    for keyword in node.keywords:
        needle = _norm(keyword)
        hits = [pl for pl in places if needle and needle in pl.text]
        if hits:
            found[keyword] = max(hits, key=lambda pl: WEIGHTS[pl.where])
            seen_in[keyword] = len(hits)
    for keyword in list(found):  # 带货 inside 直播带货 found: one piece of evidence, not two
        if any(other != keyword and _norm(keyword) in _norm(other) for other in found):
            del found[keyword]
    for keyword, place in found.items():
        weight = WEIGHTS[place.where] * (SHORT_FACTOR if len(_norm(keyword)) <= 2 else 1)
        points += round(weight) + AGAIN * min(AGAIN_MAX, seen_in[keyword] - 1)
        own = True
        evidence.append(
            {"kind": place.kind, "text": _("%(where)s提到“%(k)s”") % {"where": place.label, "k": keyword}}
        )
    return points, own, evidence


def suggest_nodes(
    facts: EnterpriseFacts, chains: Sequence[ChainFacts], *, labels: dict[str, str] | None = None
) -> list[Suggestion]:
    """The best node of each chain with at least THRESHOLD points, chains in the order given.

    `labels` names sectors and project kinds in words ("sector:micro_drama" → "AI 微短剧"); the Django
    side passes the register's (`vocabulary_labels()`). Ties go to the node listed first in its chain."""
    labels = labels if labels is not None else {}
    places = _places(facts)
    shares = _shares(chains)
    out = []
    for chain in chains:
        best: tuple[int, NodeFacts, list[dict[str, str]]] | None = None
        for node in chain.nodes:
            points, own, evidence = _score(facts, node, places, shares, labels)
            if own and (best is None or points > best[0]):
                best = (points, node, evidence)
        if best is not None and best[0] >= THRESHOLD:
            out.append(Suggestion(facts.id, chain.key, best[1].key, min(100, best[0]), best[2]))
    return out


# ----------------------------------------------------------------------------- the Django side
def vocabulary_labels() -> dict[str, str]:
    from shouzhan.registry.choices import ProjectKind, Sector

    words = {f"sector:{k}": str(v) for k, v in Sector.choices}
    words.update({f"kind:{k}": str(v) for k, v in ProjectKind.choices})
    return words


def chains_facts(versions: Iterable[Any]) -> list[ChainFacts]:
    """Plain chains from ChainVersion rows with their nodes prefetched (`selectors.chains_current()`)."""
    return [
        ChainFacts(
            key=v.chain,
            title=v.title,
            nodes=tuple(
                NodeFacts(
                    key=n.key,
                    title=n.title,
                    sectors=tuple(n.sectors),
                    keywords=tuple(n.keywords),
                    project_kinds=tuple(n.project_kinds),
                )
                for n in v.nodes.all()
            ),
        )
        for v in versions
    ]


def enterprise_facts_load(enterprise_ids: Sequence[int]) -> list[EnterpriseFacts]:
    """The records of these enterprises (at most a few thousand at a time): one query per table."""
    from shouzhan.cases.models import Case
    from shouzhan.community.models import Listing
    from shouzhan.registry.models import Enterprise, Patent, Project

    ids = list(enterprise_ids)
    rows = (
        Enterprise.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "name", "sector", "description")
    )
    projects: dict[int, list[ProjectFacts]] = {}
    for eid, kind, title, desc in (
        Project.objects.filter(enterprise_id__in=ids)
        .order_by("pk")
        .values_list("enterprise_id", "kind", "title", "description")
    ):
        projects.setdefault(eid, []).append(ProjectFacts(kind, title, desc or ""))
    works: dict[int, list[TextFacts]] = {}
    filings = Case.objects.filter(enterprise_id__in=ids, case_type__in=FILING_TYPES).order_by("pk")
    seen: set[tuple[int, str]] = set()
    for eid, data in filings.values_list("enterprise_id", "data"):
        data = data if isinstance(data, dict) else {}
        title = str(data.get("work_title") or "").strip()
        if title and (eid, title) not in seen:  # a work's planning and finished-film filings are one work
            seen.add((eid, title))
            works.setdefault(eid, []).append(TextFacts(title, str(data.get("synopsis") or "")))
    patents: dict[int, list[TextFacts]] = {}
    for eid, title, fld, abstract in (
        Patent.objects.filter(holder_enterprise_id__in=ids)
        .order_by("pk")
        .values_list("holder_enterprise_id", "title", "field", "abstract")
    ):
        patents.setdefault(eid, []).append(TextFacts(title, f"{fld} {abstract or ''}"))
    listings: dict[int, list[TextFacts]] = {}
    for eid, title, fld, abstract in (
        Listing.objects.filter(owner_enterprise_id__in=ids)
        .order_by("pk")
        .values_list("owner_enterprise_id", "title", "field", "abstract")
    ):
        listings.setdefault(eid, []).append(TextFacts(title, f"{fld} {abstract or ''}"))
    return [
        EnterpriseFacts(
            id=pk,
            name=name,
            sector=sector or "",
            description=desc or "",
            projects=tuple(projects.get(pk, ())),
            works=tuple(works.get(pk, ())),
            patents=tuple(patents.get(pk, ())),
            listings=tuple(listings.get(pk, ())),
        )
        for pk, name, sector, desc in rows
    ]

"""强链补链: each node of each chain in force measured in a district, the gaps ranked, and a 招商 list per gap.

口径 (written on the pages too — DEFINITIONS):

- 本地企业 (local): enterprises of the district (`Enterprise.district`, 徐汇 unless chosen) inside the cluster
  (`in_cluster` true) with a CONFIRMED placement on the node. 本地实力 (strength): their count and the sum
  of their annual revenue in fen (unknown revenue adds nothing).
- 缺口 (gap) = max(target_count − local, 0).
- 本地缺位度 (absence) = gap ÷ target_count; 0 when the node has no target.
- 政策支持度 (policy support) = 1 + the number of the node's clauses (`ChainNode.clauses`) found in the
  published catalogue in force today (`policies.selectors.catalogue_in_force`) and in force today themselves
  (`Clause.in_force`).
- 空间可用度 (space available) = 1 + min(free, 10) ÷ 10, where free = active resources (`Resource.is_active`)
  of the node's space kinds at the district's sites (`Site.district`) not occupied today — occupied as the
  spaces module counts it (`spaces.selectors.occupancy_by_kind`): a tenancy covering today
  (start_on ≤ today < end_on) or a pending or confirmed booking touching today. So it is between 1 and 2.
- 排序分 (score) = absence × support × space, exact (Fraction); highest first, ties by chain (key order) and
  then by the node's order in its chain file.

The 招商 list of one gap (`gap_prospects`): nobody already counted as local (an enterprise of the district
inside the cluster) is listed. Three sections, each the top PER_KIND by evidence strength, then by name:

- 企业 (enterprises on the register outside the cluster or outside the district): a confirmed placement on
  the node weighs 4, a suggested one 2, a sector among the node's sectors 2, each of the node's keywords
  found in the name or description 1.
- 专利权人 (patent owners — an enterprise or a person holding a granted or pending patent): each keyword
  found in a patent's title, field or abstract weighs 1, summed over the owner's matching patents.
- 技术成果 (the patent market's active technology offers, `community.Listing`): each keyword found in the
  title, field or abstract weighs 1.

Keywords match case-insensitively as substrings. The reads are one query per table, not per node.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.community.models import Listing
from shouzhan.core.actors import Actor
from shouzhan.insight.models import ChainNode, ChainVersion, Placement, Stage
from shouzhan.insight.permissions import require_read
from shouzhan.insight.selectors import chains_current
from shouzhan.policies import selectors as policy_selectors
from shouzhan.registry.choices import DISTRICTS, Sector
from shouzhan.registry.models import Enterprise, Patent
from shouzhan.spaces.models import Resource
from shouzhan.spaces.selectors import free_resources

DEFAULT_DISTRICT = "徐汇"
SPACE_CAP = 10
PER_KIND = 20
EVIDENCE_LINES = 5
W_CONFIRMED, W_SUGGESTED, W_SECTOR, W_KEYWORD = 4, 2, 2, 1

DEFINITIONS = (
    (_l("本地企业"), _l("本区（默认徐汇）在产业集聚区内、链位已由营商专员确认在该环节的企业；本地实力为其家数与年营业收入之和。")),
    (_l("缺口"), _l("目标企业数 − 本地企业数，不足 0 记 0。")),
    (_l("本地缺位度"), _l("缺口 ÷ 目标企业数；没有目标的环节记 0。")),
    (_l("政策支持度"), _l("1 + 该环节支持条款中，今天在已发布政策目录里有效的条款数。")),
    (_l("空间可用度"), _l("1 + min(空闲空间数, 10) ÷ 10，在 1 与 2 之间；空闲空间为本区场地上该环节所需类型、开放中、今天没有在租也没有预约的空间。")),
    (_l("排序分"), _l("本地缺位度 × 政策支持度 × 空间可用度，按精确分数排序；同分按产业链、再按环节在链中的顺序。")),
)  # fmt: skip


def fraction_text(value: Fraction) -> str:
    """'3/5', or '2' for a whole number."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def fraction_decimal(value: Fraction, places: int = 3) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ClauseRef:
    id: str
    heading: str  # "<policy's short title> · <clause's title>"


@dataclass(frozen=True)
class FreeSpace:
    id: int
    name: str
    kind: str
    site: str

    @property
    def kind_label(self) -> str:
        return str(Resource.Kind(self.kind).label)


@dataclass(frozen=True)
class Gap:
    chain: str
    chain_title: str
    node: ChainNode
    local: int
    revenue_fen: int
    clauses: tuple[ClauseRef, ...]  # the node's clauses in force today
    free: tuple[FreeSpace, ...]  # free spaces of the node's kinds in the district
    rank: int = 0

    @property
    def target(self) -> int:
        return self.node.target_count

    @property
    def gap(self) -> int:
        return max(self.target - self.local, 0)

    @property
    def absence(self) -> Fraction:
        return Fraction(self.gap, self.target) if self.target else Fraction(0)

    @property
    def support(self) -> Fraction:
        return Fraction(1 + len(self.clauses))

    @property
    def space(self) -> Fraction:
        return 1 + Fraction(min(len(self.free), SPACE_CAP), SPACE_CAP)

    @property
    def score(self) -> Fraction:
        return self.absence * self.support * self.space

    @property
    def stage_label(self) -> str:
        return str(Stage(self.node.stage).label) if self.node.stage in Stage.values else self.node.stage

    @property
    def space_kind_labels(self) -> list[str]:
        return [str(Resource.Kind(k).label) for k in self.node.space_kinds if k in Resource.Kind.values]


@dataclass(frozen=True)
class GapReport:
    district: str
    on: dt.date
    as_of: dt.datetime
    rows: list[Gap]


def district_check(district: str) -> str:
    if district not in DISTRICTS:
        raise ValidationError({"district": [_("没有“%(d)s”这个区，请从列表中选择。") % {"d": district[:20]}]})
    return district


def _local(district: str, chains: list[str]) -> dict[tuple[str, str], tuple[int, int]]:
    """(count, revenue in fen) of the district's cluster enterprises confirmed on each node (one query)."""
    rows = (
        Placement.objects.filter(
            status=Placement.Status.CONFIRMED,
            chain__in=chains,
            enterprise__district=district,
            enterprise__in_cluster=True,
        )
        .values("chain", "node")
        .annotate(n=Count("id"), revenue=Sum("enterprise__annual_revenue_fen"))
        .values_list("chain", "node", "n", "revenue")
    )
    return {(c, n): (count, int(revenue or 0)) for c, n, count, revenue in rows}


def free_spaces(*, district: str, on: dt.date, kinds: set[str] | None = None) -> dict[str, list[FreeSpace]]:
    """Active resources at the district's sites not held on the day, by kind (spaces' own reading of it)."""
    out: dict[str, list[FreeSpace]] = defaultdict(list)
    rows = free_resources(on=on, kinds=kinds, district=district).order_by("site__name", "name", "id")
    for pk, name, kind, site in rows.values_list("id", "name", "kind", "site__name"):
        out[kind].append(FreeSpace(pk, name, kind, site))
    return out


def _clauses_in_force(on: dt.date) -> dict[str, ClauseRef]:
    catalogue = policy_selectors.catalogue_in_force(on=on)
    refs = {}
    for policy in catalogue.policies:
        for clause in policy.clauses:
            if clause.in_force(on):
                refs[clause.id] = ClauseRef(
                    clause.id, f"{policy.short_title or policy.title} · {clause.title}"
                )
    return refs


def _measure(chains: list[ChainVersion], *, district: str, on: dt.date) -> list[Gap]:
    local = _local(district, [c.chain for c in chains])
    clauses = _clauses_in_force(on)
    free = free_spaces(district=district, on=on)
    gaps = []
    for chain in chains:
        for node in chain.nodes.all():
            count, revenue = local.get((chain.chain, node.key), (0, 0))
            spaces = [s for kind in dict.fromkeys(node.space_kinds) for s in free.get(kind, [])]
            gaps.append(
                Gap(
                    chain=chain.chain,
                    chain_title=chain.title,
                    node=node,
                    local=count,
                    revenue_fen=revenue,
                    clauses=tuple(clauses[c] for c in node.clauses if c in clauses),
                    free=tuple(spaces),
                )
            )
    return gaps


def gap_report(*, actor: Actor, district: str = DEFAULT_DISTRICT, on: dt.date | None = None) -> GapReport:
    """Every node of every chain in force, ranked by score (see the module's definitions)."""
    require_read(actor)
    district_check(district)
    on = on or timezone.localdate()
    as_of = timezone.now()
    chains = chains_current()
    position = {c.chain: i for i, c in enumerate(chains)}
    gaps = _measure(chains, district=district, on=on)
    gaps.sort(key=lambda g: (-g.score, position[g.chain], g.node.order))
    ranked = [
        Gap(g.chain, g.chain_title, g.node, g.local, g.revenue_fen, g.clauses, g.free, rank=i + 1)
        for i, g in enumerate(gaps)
    ]
    return GapReport(district=district, on=on, as_of=as_of, rows=ranked)


def gap_get(
    *, actor: Actor, chain: str, node: str, district: str = DEFAULT_DISTRICT, on: dt.date | None = None
) -> Gap:
    """One node's figures with its rank among all the gaps; 404 for a chain or node not in force."""
    report = gap_report(actor=actor, district=district, on=on)
    for gap in report.rows:
        if gap.chain == chain and gap.node.key == node:
            return gap
    raise Http404(_("没有找到该产业链环节。"))


# ----------------------------------------------------------------------------- the 招商 list
ENTERPRISE, PATENT_OWNER, LISTING = "enterprise", "patent_owner", "listing"
KINDS = (ENTERPRISE, PATENT_OWNER, LISTING)


@dataclass(frozen=True)
class Prospect:
    kind: str  # enterprise | patent_owner | listing
    name: str
    strength: int
    evidence: tuple[str, ...]
    where: str  # the district and cluster of the enterprise, or who offers a listing
    enterprise_id: int | None = None
    person_id: int | None = None
    listing_id: int | None = None
    more: int = 0  # evidence lines left off

    @property
    def url(self) -> str:
        if self.listing_id is not None:
            return reverse("community:listing", args=[self.listing_id])
        if self.enterprise_id is not None:
            return reverse("registry:enterprise", args=[self.enterprise_id])
        if self.person_id is not None:
            return reverse("community:person", args=[self.person_id])
        return ""


@dataclass
class _Acc:
    strength: int = 0
    evidence: list[str] = field(default_factory=list)


def _found(keywords: list[str], *texts: str) -> list[str]:
    haystack = " ".join(texts).casefold()
    return [k for k in keywords if k.casefold() in haystack]


def _quoted(words: list[str]) -> str:
    return "、".join(f"“{w}”" for w in words)


def _text_match(keywords: list[str], *fields: str) -> Q:
    if not keywords:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{f}__icontains": k}) for k in keywords for f in fields))


def _where(district: str, in_cluster: bool | None, home: str) -> str:
    place = _("%(d)s区") % {"d": district} if district else _("所在区未登记")
    if district == home:
        return _("%(p)s · 未入集聚区") % {"p": place}
    return place + (_(" · 集聚区内") if in_cluster else "")


def _local_q(district: str, prefix: str = "") -> Q:
    return Q(**{f"{prefix}district": district, f"{prefix}in_cluster": True})


def _enterprises(node: ChainNode, chain: str, chain_title: str, district: str) -> list[Prospect]:
    placed = {
        e: (status, confidence)
        for e, status, confidence in Placement.objects.filter(
            chain=chain, node=node.key, status__in=[Placement.Status.CONFIRMED, Placement.Status.SUGGESTED]
        ).values_list("enterprise_id", "status", "confidence")
    }
    match = (
        Q(pk__in=list(placed))
        | Q(sector__in=node.sectors)
        | _text_match(node.keywords, "name", "description")
    )
    rows = (
        Enterprise.objects.filter(match)
        .exclude(_local_q(district))
        .values_list("id", "name", "district", "in_cluster", "sector", "description")
    )
    sectors = dict(Sector.choices)
    out = []
    for pk, name, home, in_cluster, sector, description in rows:
        acc = _Acc()
        status, confidence = placed.get(pk, ("", 0))
        if status == Placement.Status.CONFIRMED:
            acc.strength += W_CONFIRMED
            acc.evidence.append(_("链位已确认在“%(c)s · %(n)s”") % {"c": chain_title, "n": node.title})
        elif status == Placement.Status.SUGGESTED:
            acc.strength += W_SUGGESTED
            acc.evidence.append(
                _("系统建议链位“%(c)s · %(n)s”（置信度 %(p)s%%）")
                % {"c": chain_title, "n": node.title, "p": confidence}
            )
        if sector and sector in node.sectors:
            acc.strength += W_SECTOR
            acc.evidence.append(_("行业为“%(s)s”") % {"s": sectors.get(sector, sector)})
        in_name = _found(node.keywords, name)
        in_text = [k for k in _found(node.keywords, description) if k not in in_name]
        if in_name:
            acc.evidence.append(_("企业名称含关键词%(k)s") % {"k": _quoted(in_name)})
        if in_text:
            acc.evidence.append(_("企业简介含关键词%(k)s") % {"k": _quoted(in_text)})
        acc.strength += W_KEYWORD * (len(in_name) + len(in_text))
        if acc.strength:
            out.append(
                Prospect(ENTERPRISE, name, acc.strength, tuple(acc.evidence), _where(home, in_cluster, district),
                         enterprise_id=pk)
            )  # fmt: skip
    out.sort(key=lambda p: (-p.strength, p.name, p.enterprise_id or 0))
    return out[:PER_KIND]


def _patent_owners(node: ChainNode, district: str) -> list[Prospect]:
    rows = (
        Patent.objects.filter(_text_match(node.keywords, "title", "field", "abstract"))
        .exclude(status=Patent.Status.EXPIRED)
        .exclude(holder_enterprise__isnull=False, holder_enterprise__district=district,
                 holder_enterprise__in_cluster=True)
        .order_by("number")
        .values_list("number", "title", "field", "abstract", "holder_enterprise_id", "holder_enterprise__name",
                     "holder_enterprise__district", "holder_enterprise__in_cluster", "holder_person_id",
                     "holder_person__name")
    )  # fmt: skip
    owners: dict[tuple[str, int], tuple[str, str, _Acc]] = {}
    for number, title, fld, abstract, e_id, e_name, home, in_cluster, p_id, p_name in rows:
        found = _found(node.keywords, title, fld, abstract)
        if not found:
            continue
        if e_id is not None:
            key, name, where = ("e", e_id), e_name, _where(home, in_cluster, district)
        else:
            key, name, where = ("p", p_id), p_name, _("个人专利权人")
        acc = owners.setdefault(key, (name, where, _Acc()))[2]
        acc.strength += W_KEYWORD * len(found)
        acc.evidence.append(
            _("专利“%(t)s”（%(n)s）含关键词%(k)s") % {"t": title, "n": number, "k": _quoted(found)}
        )
    out = [
        Prospect(PATENT_OWNER, name, acc.strength, tuple(acc.evidence[:EVIDENCE_LINES]), where,
                 enterprise_id=key[1] if key[0] == "e" else None, person_id=key[1] if key[0] == "p" else None,
                 more=max(len(acc.evidence) - EVIDENCE_LINES, 0))
        for key, (name, where, acc) in owners.items()
    ]  # fmt: skip
    out.sort(key=lambda p: (-p.strength, p.name, p.enterprise_id or 0, p.person_id or 0))
    return out[:PER_KIND]


def _listings(node: ChainNode, district: str) -> list[Prospect]:
    rows = (
        Listing.objects.filter(_text_match(node.keywords, "title", "field", "abstract"))
        .filter(direction=Listing.Direction.OFFER, status=Listing.Status.ACTIVE)
        .exclude(owner_enterprise__isnull=False, owner_enterprise__district=district,
                 owner_enterprise__in_cluster=True)
        .values_list("id", "title", "field", "abstract", "owner_enterprise__name", "owner_person__name")
    )  # fmt: skip
    out = []
    for pk, title, fld, abstract, e_name, p_name in rows:
        found = _found(node.keywords, title, fld, abstract)
        if found:
            evidence = _("技术成果“%(t)s”含关键词%(k)s") % {"t": title, "k": _quoted(found)}
            owner = _("发布方：%(o)s") % {"o": e_name or p_name or "—"}
            out.append(Prospect(LISTING, title, W_KEYWORD * len(found), (evidence,), owner, listing_id=pk))
    out.sort(key=lambda p: (-p.strength, p.name, p.listing_id or 0))
    return out[:PER_KIND]


def gap_prospects(*, actor: Actor, chain: str, node: str, district: str = DEFAULT_DISTRICT) -> list[Prospect]:
    """The 招商 list of one node: enterprises, then patent owners, then listings, each section strongest
    first (at most PER_KIND each); 404 for a chain or node not in force."""
    require_read(actor)
    district_check(district)
    for version in chains_current():
        if version.chain != chain:
            continue
        for n in version.nodes.all():
            if n.key == node:
                return [
                    *_enterprises(n, version.chain, version.title, district),
                    *_patent_owners(n, district),
                    *_listings(n, district),
                ]
    raise Http404(_("没有找到该产业链环节。"))

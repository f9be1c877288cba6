"""Likely repeats of a new demand (重复诉求): the same problem raised again, by the same enterprise or elsewhere
in the district, while the first is still open or was received lately.

How a pair is scored (`pair_score`, pure — the labelled set in tests/frontline/data/repeat_pairs.yaml calls it
without a database):
- the text: each description is segmented by community's search tokenizer (jieba, search mode, the field's
  dictionary), a few everyday words of complaints are put to one form (晚上 → 夜间, 噪声 → 噪音 …) and filler
  words dropped; the two are compared by the cosine of their term vectors, each term weighted by
  (1 + log tf) × idf, the idf as BM25 counts it (community.search.bm25.idf) over the texts compared together
  (the candidate pool and the new demand);
- the signals: the same category, the same enterprise, the same place.
The score is 0.7 × text + 0.1 for each signal (at most 1). A pair is *likely* a repeat when the text is close
(≥ 0.5), or fairly close (≥ 0.35) with the same enterprise or place; it is a candidate worth showing from a
score of 0.3 on.

`repeat_candidates` reads the pool in one bounded query — the 500 most recent demands of the same category
or the same enterprise that are open or received within the last 60 days — and scores it in memory.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from shouzhan.community.search.bm25 import drop_parts, idf
from shouzhan.community.search.tokenizer import tokenize
from shouzhan.frontline.models import Demand
from shouzhan.frontline.tickets import FRONTLINE_TICKET

RECENT_DAYS = 60
POOL = 500
TEXT_WEIGHT = 0.7
SIGNAL_WEIGHT = 0.1
SHOW_FROM = 0.3  # a candidate worth showing
LIKELY_TEXT = 0.5  # a likely repeat on the text alone
LIKELY_TEXT_NEAR = 0.35  # … or on a fairly close text at the same enterprise or place
REASON_WORDS = 3
BACKGROUND = 100
FINAL_STATES = tuple(s.key for s in FRONTLINE_TICKET.states if s.final)

# Everyday words of complaints put to one form, so that a paraphrase meets the first telling.
SYNONYMS = {
    "噪声": "噪音",
    "声音": "噪音",
    "晚上": "夜间",
    "夜里": "夜间",
    "深夜": "夜间",
    "半夜": "夜间",
    "车位": "停车位",
    "停车": "停车位",
    "房租": "租金",
    "免租": "租金",
    "发臭": "异味",
    "臭味": "异味",
    "气味": "异味",
    "河面": "河道",
    "河水": "河道",
    "水面": "河道",
    "饭店": "餐馆",
    "餐厅": "餐馆",
    "隔壁": "旁边",
    "单车": "非机动车",
    "抢注": "抢先注册",
    "提交": "申报",
    "回复": "回音",
}
# Words that say nothing of which problem it is.
FILLER = frozenset(
    "一直 已经 还是 没有 很多 下来 以后 之后 无法 不能 现在 到现在 请问 咨询 什么 怎么 这个 "
    "我们 公司 企业 员工 问题 情况 反映 处理 协调 解决 帮助 帮忙 不知道 知道 时候 多少 非常 严重 "
    "影响 每次 每天 经常 总是 还没 太多 不到 找不到 不了 有关 部门 尽快 意见 多次 正常".split()
)


def terms(text: str) -> list[str]:
    """The words a description is compared by: community's tokens, synonyms to one form, filler dropped."""
    return [w for w in (SYNONYMS.get(t, t) for t in tokenize(text)) if w not in FILLER]


@lru_cache(maxsize=65536)
def _log_tf(text: str) -> tuple[tuple[str, float], ...]:
    """A description's terms with their 1 + log tf (kept: a pool's texts come back request after request)."""
    return tuple((t, 1 + math.log(n)) for t, n in Counter(terms(text)).items())


def idf_table(documents: Iterable[Sequence[str]], *, background: int = BACKGROUND) -> dict[str, float]:
    """BM25's idf of each term over the given term lists (the texts compared together), counted as if
    `background` more documents without any of their words were there: in a small pool a word in most of
    it (施工 in four noise complaints of six) still weighs."""
    df: Counter[str] = Counter()
    n = background
    for doc in documents:
        n += 1
        df.update(set(doc))
    table = {t: idf(n, c) for t, c in df.items()}
    table[""] = idf(n, 0)  # a term none of them has
    return table


def vector(words: Sequence[str], weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """(1 + log tf) × idf per term, normalised to length 1 (an empty text is the empty vector)."""
    default = (weights or {}).get("", 1.0)
    raw = {
        t: (1 + math.log(n)) * (weights.get(t, default) if weights is not None else 1.0)
        for t, n in Counter(words).items()
    }
    norm = math.sqrt(sum(w * w for w in raw.values()))
    return {t: w / norm for t, w in raw.items()} if norm else {}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


def similarity(a_text: str, b_text: str, *, weights: Mapping[str, float] | None = None) -> float:
    """The texts' similarity, 0–1: the cosine of their idf-weighted term vectors (plain tf without weights)."""
    return round(cosine(vector(terms(a_text), weights), vector(terms(b_text), weights)), 4)


@dataclass(frozen=True)
class DemandText:
    """What a pair is scored by; `enterprise` is any key (an id, a name), None for no enterprise."""

    description: str
    category: str
    enterprise: object = None
    place: str = ""


@dataclass(frozen=True)
class PairScore:
    score: float  # 0–1
    text: float  # the texts' similarity, 0–1
    likely: bool
    reasons: tuple[str, ...]  # in words: 同一企业, 同一类别, 描述相近：噪音、施工
    words: tuple[str, ...]  # the shared words that weigh most


def _place_key(place: str) -> str:
    return "".join(place.split()).lower()


def pair_score(
    a: DemandText,
    b: DemandText,
    *,
    weights: Mapping[str, float] | None = None,
    a_vector: Mapping[str, float] | None = None,
    b_vector: Mapping[str, float] | None = None,
) -> PairScore:
    """How likely b is the same problem as a (pure: no database)."""
    va = a_vector if a_vector is not None else vector(terms(a.description), weights)
    vb = b_vector if b_vector is not None else vector(terms(b.description), weights)
    shared = {t: w * vb[t] for t, w in va.items() if t in vb}
    return _judge(a, b, sum(shared.values()), shared)


def _judge(a: DemandText, b: DemandText, text: float, shared: Mapping[str, float]) -> PairScore:
    """The score, the verdict and the reasons, from the texts' similarity and the shared words' products."""
    same_enterprise = a.enterprise is not None and a.enterprise == b.enterprise
    same_category = bool(a.category) and a.category == b.category
    same_place = bool(_place_key(a.place)) and _place_key(a.place) == _place_key(b.place)
    signals = same_enterprise + same_category + same_place
    score = min(1.0, TEXT_WEIGHT * text + SIGNAL_WEIGHT * signals)
    likely = text >= LIKELY_TEXT or (text >= LIKELY_TEXT_NEAR and (same_enterprise or same_place))
    strongest = sorted(shared, key=lambda t: (-shared[t], t))
    words = tuple(drop_parts(strongest)[:REASON_WORDS])
    reasons = []
    if same_enterprise:
        reasons.append(_("同一企业"))
    if same_place:
        reasons.append(_("同一地点"))
    if same_category:
        reasons.append(_("同一类别"))
    if words:
        reasons.append(_("描述相近：%(words)s") % {"words": "、".join(words)})
    return PairScore(round(score, 4), round(text, 4), likely, tuple(reasons), words)


# ----------------------------------------------------------------------------- the candidates of a new demand
@dataclass(frozen=True)
class RepeatCandidate:
    demand_id: int
    title: str  # the ticket's title (类别：描述…)
    description: str
    received_on: dt.date
    state: str  # the ticket's state in words
    enterprise: str  # the enterprise's name, or ""
    place: str
    score: float
    likely: bool
    reasons: tuple[str, ...]


POOL_FIELDS = (
    "pk",
    "description",
    "category",
    "enterprise_id",
    "enterprise__name",
    "place",
    "received_on",
    "case__state",
    "case__title",
)


def candidate_pool(
    *, category: str, enterprise_id: int | None, on: dt.date, exclude_id: int | None = None
) -> list[dict[str, Any]]:
    """One query: the most recent demands of the category or the enterprise, open or received lately.

    On PostgreSQL it is two branches in one statement (UNION ALL), each read along its own index — (received_on,
    category) backwards, (enterprise) — and cut at POOL, rather than one scan of every recent demand for either."""
    since = on - dt.timedelta(days=RECENT_DAYS)
    rows = Demand.objects.filter(
        Q(received_on__gte=since) | ~Q(case__state__in=FINAL_STATES), received_on__lte=on
    )
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    ordered = rows.order_by("-received_on", "-pk").values(*POOL_FIELDS)
    if enterprise_id is None:
        return list(ordered.filter(category=category)[:POOL])
    if not connection.features.supports_slicing_ordering_in_compound:  # SQLite: one scan with OR
        return list(ordered.filter(Q(category=category) | Q(enterprise_id=enterprise_id))[:POOL])
    both = ordered.filter(category=category)[:POOL].union(
        ordered.filter(enterprise_id=enterprise_id)[:POOL], all=True
    )
    seen: set[int] = set()
    pool: list[dict[str, Any]] = []
    for row in both.order_by("-received_on", "-pk"):
        if row["pk"] not in seen:  # the enterprise's own demand of the category comes twice
            seen.add(row["pk"])
            pool.append(row)
            if len(pool) == POOL:
                break
    return pool


def repeat_candidates(
    *,
    description: str,
    category: str,
    enterprise_id: int | None,
    place: str,
    on: dt.date,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[RepeatCandidate]:
    """The open and recent demands that may be the same problem as this one, most likely first."""
    if not description.strip():
        return []
    pool = candidate_pool(category=category, enterprise_id=enterprise_id, on=on, exclude_id=exclude_id)
    if not pool:
        return []
    new_tf = _log_tf(description)
    pool_tf = [_log_tf(str(row["description"])) for row in pool]
    weights = idf_table([t for t, _l in tf] for tf in [new_tf, *pool_tf])
    new = DemandText(description, category, enterprise_id, place)
    new_vector = vector([t for t, _l in new_tf], weights)
    states = {s.key: str(s.staff_label) for s in FRONTLINE_TICKET.states}
    found: list[tuple[float, dt.date, int, RepeatCandidate]] = []
    for row, tf in zip(pool, pool_tf, strict=True):
        if not any(t in new_vector for t, _l in tf):
            continue  # no word in common: never shown
        norm = math.sqrt(sum((lt * weights[t]) ** 2 for t, lt in tf))
        shared = {t: new_vector[t] * lt * weights[t] / norm for t, lt in tf if t in new_vector}
        old = DemandText(
            str(row["description"]), str(row["category"]), row["enterprise_id"], str(row["place"])
        )
        pair = _judge(new, old, sum(shared.values()), shared)
        if pair.score < SHOW_FROM:
            continue
        received = row["received_on"]
        assert isinstance(received, dt.date)
        pk = int(str(row["pk"]))
        candidate = RepeatCandidate(
            demand_id=pk,
            title=str(row["case__title"]),
            description=str(row["description"]),
            received_on=received,
            state=states.get(str(row["case__state"]), ""),
            enterprise=str(row["enterprise__name"] or ""),
            place=str(row["place"]),
            score=pair.score,
            likely=pair.likely,
            reasons=pair.reasons,
        )
        found.append((pair.score, received, pk, candidate))
    found.sort(key=lambda f: (-f[0], -f[1].toordinal(), -f[2]))
    return [f[3] for f in found[: max(0, limit)]]

"""Search: 100,000 synthetic listings and enterprises, BM25 over an inverted index with precomputed postings.

Prints the index build time (jieba tokenisation included), query latency percentiles, and the ratio
to a baseline measured in the same run: a naive scan that scores every document's term counts per
query (what one would write without an index), timed on a subset and scaled to the full corpus.
Never a timed test: figures are printed, not asserted.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shouzhan.community.search.bm25 import K1, B, Doc, Index
from shouzhan.community.search.documents import doc_tokens
from shouzhan.community.search.tokenizer import tokenize

N_DOCS = 100_000
BASELINE_SUBSET = 5_000
SUBJECTS = [
    "节能型保温墙体材料",
    "可降解包装膜",
    "老年人防跌倒智能鞋垫",
    "家用净水器滤芯",
    "折叠式助行器",
    "高强度轻质陶瓷复合材料",
    "太阳能路灯控制电路",
    "锂电池储能柜热管理",
    "AI微短剧分镜生成",
    "企业客服智能体",
    "直播间数字人主播",
    "短剧版权监测",
    "算力调度平台",
    "垂类大模型训练语料",
    "跨境电商物流追踪",
    "光伏组件清洗机器人",
    "无人机巡检系统",
    "康复训练外骨骼",
    "石墨烯导热膜",
    "智能养老监护床垫",
]
QUALIFIERS = ["一种", "新型", "低成本", "高效", "便携式", "模块化", "智能", "环保", "轻量化", "多功能"]
USES = [
    "适用于建筑外墙节能改造",
    "用于食品和快递包装",
    "面向社区养老服务",
    "用于微短剧制作与发行",
    "支持跨境出海直播带货",
    "降低企业算力成本",
    "提升工厂生产效率",
    "适合一人公司快速部署",
    "可用于新能源汽车",
    "满足医院康复需求",
]
FIELDS = [
    "新材料",
    "智能硬件",
    "环保",
    "康复器械",
    "新能源",
    "微短剧",
    "智能体",
    "直播电商",
    "算力",
    "跨境出海",
]
QUERIES = [
    "保温材料",
    "可降解包装",
    "老人跌倒",
    "净水器滤芯",
    "助行器",
    "陶瓷复合材料",
    "太阳能路灯",
    "储能电池",
    "微短剧分镜",
    "智能体",
    "数字人直播",
    "短剧版权",
    "算力",
    "大模型 语料",
    "跨境物流",
    "光伏 机器人",
    "无人机巡检",
    "康复外骨骼",
    "石墨烯",
    "养老监护",
    "新材料 专利 许可",
    "一人公司 智能体",
    "出海 直播带货",
    "节能 建筑 外墙",
    "新能源汽车 电池",
]


def synthetic(n: int, seed: int = 7) -> list[tuple[Doc, list[str]]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if i % 5 == 4:  # every fifth document an enterprise
            field = rng.choice(FIELDS)
            title = f"上海{rng.choice(['晓', '绿', '智', '康', '光', '籽'])}{rng.choice(['科技', '文化', '材料', '传媒'])}{i}有限公司"
            body = f"主营{rng.choice(SUBJECTS)}，{rng.choice(USES)}，{rng.choice(USES)}。"
            kind = "enterprise"
        else:
            field = rng.choice(FIELDS)
            title = f"{rng.choice(QUALIFIERS)}{rng.choice(SUBJECTS)}（{i}）"
            body = f"本技术{rng.choice(USES)}，{rng.choice(USES)}；寻求{rng.choice(['专利许可', '专利转让', '合作开发', '投资'])}。"
            kind = "offer" if i % 5 else "need"
        doc = Doc(key=f"{kind}:{i}", kind=kind, title=title, url="", facts={"field": field})
        out.append((doc, doc_tokens(title, body, field)))
    return out


def naive_search(corpus: list[tuple[Doc, Counter[str]]], terms: list[str], limit: int = 10) -> list[Doc]:
    """Score every document from its own term counts: df, avgdl and BM25 computed per query."""
    n = len(corpus)
    avgdl = sum(sum(c.values()) for _d, c in corpus) / n
    df = {t: sum(1 for _d, c in corpus if t in c) for t in terms}
    scored = []
    for doc, counts in corpus:
        dl = sum(counts.values())
        s = 0.0
        for t in terms:
            tf = counts.get(t, 0)
            if tf:
                idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                s += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / avgdl))
        if s:
            scored.append((s, doc))
    scored.sort(key=lambda p: -p[0])
    return [d for _s, d in scored[:limit]]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p * len(ordered)) - 1)]


def main() -> None:
    tokenize("预热")  # load jieba and the domain dictionary outside the timings
    started = time.perf_counter()
    items = synthetic(N_DOCS)
    tokenised = time.perf_counter() - started
    started = time.perf_counter()
    index = Index.build(items)
    built = time.perf_counter() - started
    terms = sum(len(v) for v in index.doc_ids.values())
    print(
        f"search: {N_DOCS:,} synthetic documents (listings, needs, enterprises), {len(index.doc_ids):,} terms, {terms:,} postings"
    )
    print(f"  index build: tokenise {tokenised:.2f} s + postings {built:.2f} s = {tokenised + built:.2f} s")

    query_terms = [tokenize(q) for q in QUERIES]
    times = []
    for _round in range(8):
        for qt in query_terms:
            t0 = time.perf_counter()
            index.search(qt, limit=10)
            times.append((time.perf_counter() - t0) * 1000)
    filtered = []
    for qt in query_terms:
        t0 = time.perf_counter()
        index.search(qt, limit=10, accept=lambda d: d.kind == "need")
        filtered.append((time.perf_counter() - t0) * 1000)
    p50, p95, worst = statistics.median(times), percentile(times, 0.95), max(times)
    print(
        f"  queries: {len(times)} (25 Chinese queries × 8), p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {worst:.2f} ms"
        f"  [{'OK' if p95 < 50 else 'OVER'} target p95 < 50 ms]"
    )
    print(f"  with a kind filter (needs only): p95 {percentile(filtered, 0.95):.2f} ms")

    subset = [(d, Counter(t)) for d, t in items[:BASELINE_SUBSET]]
    base = []
    for qt in query_terms:
        t0 = time.perf_counter()
        naive_search(subset, list(dict.fromkeys(qt)))
        base.append((time.perf_counter() - t0) * 1000 * (N_DOCS / BASELINE_SUBSET))
    base_p95 = percentile(base, 0.95)
    print(
        f"  baseline naive scan: measured on {BASELINE_SUBSET:,} documents, scaled ×{N_DOCS // BASELINE_SUBSET}: "
        f"p50 {statistics.median(base):.0f} ms, p95 {base_p95:.0f} ms"
    )
    print(f"  ratio: the index answers {base_p95 / p95:.0f}× faster than the naive scan at p95")


if __name__ == "__main__":
    main()

"""Search: 100,000 synthetic listings and enterprises in the database index (community/search/index.py).

Prints, for SQLite and (when it answers) PostgreSQL: the full build time (jieba tokenisation and the
postings written), the time to re-index one changed document next to it (what a save costs now that
nothing rebuilds), query latency percentiles, and the ratio to a baseline measured in the same run: a
naive scan that scores every document's term counts per query (what one would write without an index),
timed on a subset and scaled to the full corpus. Never a timed test: figures are printed, not asserted.
"""

from __future__ import annotations

import math
import os
import pickle
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from shouzhan.community.search.bm25 import K1, B, Doc
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


UPDATES = 20
DB_PG = "shouzhan_bench_search"


def child(corpus_path: str, label: str, tokenised: float) -> None:
    """In a process of its own (its own Django settings): build, update one document, query."""
    from django.db import connection

    if label == "PostgreSQL":
        from _pg import fresh_database

        fresh_database(DB_PG)
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouzhan.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    from shouzhan.community.search import index

    with open(corpus_path, "rb") as f:
        items: list[tuple[Doc, list[str]]] = pickle.load(f)
    tokenize("预热")
    built = index.rebuild(items=items)
    postings = index._models().SearchPosting.objects.count()
    print(f"  [{label} {connection.vendor}] {len(items):,} documents, {postings:,} postings")
    print(f"    full build: tokenise {tokenised:.2f} s + write {built:.2f} s = {tokenised + built:.2f} s")

    rng = random.Random(11)
    updates = []
    for _ in range(UPDATES):  # a listing edited: its new text segmented and only it re-indexed
        doc, _tokens = items[rng.randrange(len(items))]
        _other, tokens = items[rng.randrange(len(items))]
        t0 = time.perf_counter()
        index.documents_put(
            [(Doc(key=doc.key, kind=doc.kind, title=doc.title, url="", facts=doc.facts), tokens)]
        )
        updates.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    index.documents_remove([items[0][0].key])
    removed = (time.perf_counter() - t0) * 1000
    print(
        f"    one-document update: median {statistics.median(updates):.1f} ms, max {max(updates):.1f} ms "
        f"({UPDATES} edits; a removal {removed:.1f} ms) vs full build {tokenised + built:.1f} s "
        f"— {(tokenised + built) * 1000 / statistics.median(updates):,.0f}× less"
    )

    query_terms = [tokenize(q) for q in QUERIES]
    kinds = {"offer", "need", "enterprise"}
    for qt in query_terms:  # warm the database's pages, as a running server has them
        index.current_index().search(qt, kinds=kinds, limit=10)
    times = []
    for _round in range(8):
        for qt in query_terms:
            t0 = time.perf_counter()
            index.current_index().search(qt, kinds=kinds, limit=10)
            times.append((time.perf_counter() - t0) * 1000)
    filtered = []
    for qt in query_terms:
        t0 = time.perf_counter()
        index.current_index().search(qt, kinds={"need"}, limit=10)
        filtered.append((time.perf_counter() - t0) * 1000)
    p50, p95, worst = statistics.median(times), percentile(times, 0.95), max(times)
    print(
        f"    queries: {len(times)} (25 Chinese queries × 8), p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {worst:.2f} ms"
        f"  [{'OK' if p95 < 50 else 'OVER'} target p95 < 50 ms]"
    )
    print(f"    with a kind filter (needs only): p95 {percentile(filtered, 0.95):.2f} ms")
    print(f"P95 {p95}", flush=True)


def main() -> None:
    if len(sys.argv) > 3 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        return
    tokenize("预热")  # load jieba and the domain dictionary outside the timings
    started = time.perf_counter()
    items = synthetic(N_DOCS)
    tokenised = time.perf_counter() - started
    print(
        f"search: {N_DOCS:,} synthetic documents (listings, needs, enterprises), tokenised in {tokenised:.2f} s"
    )
    p95s = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.pickle")
        with open(corpus, "wb") as f:
            pickle.dump(items, f)
        root = Path(__file__).resolve().parents[1]
        runs = [("SQLite", f"sqlite:///{tmp}/bench.sqlite3")]
        try:
            import psycopg

            from _pg import BASE_URL

            psycopg.connect(f"{BASE_URL}/postgres", connect_timeout=3).close()
            runs.append(("PostgreSQL", f"{BASE_URL}/{DB_PG}"))
        except Exception as exc:
            print(f"  PostgreSQL skipped: not reachable ({exc.__class__.__name__})")
        for label, url in runs:
            env = {**os.environ, "PYTHONPATH": str(root / "src"), "DATABASE_URL": url}
            out = subprocess.run(
                [sys.executable, __file__, "--child", corpus, label, str(tokenised)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            for line in out.splitlines():
                if line.startswith("P95 "):
                    p95s.append(float(line.split()[1]))
                else:
                    print(line, flush=True)

    query_terms = [tokenize(q) for q in QUERIES]
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
    for (label, _url), p95 in zip(runs, p95s, strict=False):
        print(f"  ratio ({label}): the index answers {base_p95 / p95:.0f}× faster than the naive scan at p95")


if __name__ == "__main__":
    main()

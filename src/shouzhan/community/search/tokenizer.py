"""Chinese tokens for indexing and querying: jieba's search mode with the field's own dictionary.

Search mode also yields the parts of a long word (新材料 → 材料, 新材料), so a query for 材料
finds 新材料 and a query for 新材料 ranks exact mentions higher. Single characters and function
words are dropped: they make matches that nobody could explain.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

import jieba

DICTIONARY = Path(__file__).with_name("dictionary.txt")

STOPWORDS = frozenset(
    "一种 一个 及其 其中 以及 以上 以下 用于 通过 进行 可以 能够 我们 我的 他们 这个 那个 一些 相关 本 "
    "的 了 和 与 或 及 等 在 是 为 对 将 把 被 从 向 中 上 下 有 无 不 也 都 而 并 其 该 之 于 "
    "方法 装置 系统 结构 制备 具有 包括 希望 需要 寻找 提供 一项 一套 如何 什么 哪些".split()
)
_WORD = re.compile(r"[\w]+", re.UNICODE)
_ASCII = re.compile(r"^[0-9a-z]+$")

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def _jieba() -> jieba.Tokenizer:
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(60)  # silence "Building prefix dict…" on stderr
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            tokenizer.load_userdict(str(DICTIONARY))
            _tokenizer = tokenizer
        return _tokenizer


def domain_words() -> list[str]:
    return [line.split()[0] for line in DICTIONARY.read_text(encoding="utf-8").splitlines() if line.strip()]


def _keep(token: str) -> bool:
    if token in STOPWORDS:
        return False
    if _ASCII.match(token):
        return len(token) >= 2
    return len(token) >= 2 and bool(_WORD.fullmatch(token))


@lru_cache(maxsize=65536)
def _tokens_cached(text: str) -> tuple[str, ...]:
    # HMM off: new words are guessed inconsistently between a query and a document.
    return tuple(t for t in (w.strip().lower() for w in _jieba().cut_for_search(text, HMM=False)) if _keep(t))


def tokenize(text: str) -> list[str]:
    """The index terms of a text, in order, with repeats (term frequency matters)."""
    if not text:
        return []
    return list(_tokens_cached(text))

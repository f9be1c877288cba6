"""The index each process keeps in memory, rebuilt when something searchable changed or every few minutes.

Services call `invalidate()` after a change: the generation number lives in the shared cache, so
every worker notices on its next query and rebuilds (other workers' caches: Redis in production).
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import cache
from django.db import transaction

from shouzhan.community.search import documents
from shouzhan.community.search.bm25 import Index

log = logging.getLogger(__name__)
GENERATION_KEY = "community:search:generation"
MAX_AGE_SECONDS = 600  # policies change through their own module: pick them up within ten minutes

_lock = threading.Lock()
_state: dict[str, object] = {"index": None, "generation": None, "built": 0.0, "seconds": 0.0}


def _generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return int(value)


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def invalidate() -> None:
    """Mark the index stale now and again after the transaction commits (other workers see the commit)."""
    _bump()
    transaction.on_commit(_bump)


def current_index() -> Index:
    generation = _generation()
    with _lock:
        index = _state["index"]
        fresh = (
            isinstance(index, Index)
            and _state["generation"] == generation
            and time.monotonic() - float(_state["built"]) < MAX_AGE_SECONDS  # type: ignore[arg-type]
        )
        if fresh:
            return index  # type: ignore[return-value]
        started = time.perf_counter()
        index = Index.build(documents.collect())
        _state.update(
            index=index, generation=generation, built=time.monotonic(), seconds=time.perf_counter() - started
        )
        log.info("search index rebuilt: %d documents in %.2fs", len(index), _state["seconds"])
        return index


def build_seconds() -> float:
    return float(_state["seconds"])  # type: ignore[arg-type]

"""Documents other modules add to the community search, without community importing them (#18).

The search index lives in community, a sibling of the modules whose records it should find (assets' published
works …): siblings may not import each other, so both meet here, below them. A module declares a source in
its AppConfig.ready()

    search_source_declare("work", collect=published_works, label=_l("作品"), public=True)

where `collect()` yields every `SearchItem` of that kind (read when the index is rebuilt), and tells the index
of each change with `search_items_changed(put=[…], remove=[…])` from its own save signals. Community hands its
writer to `search_writer_set` in its ready(); until then (a command without the index) changes are dropped,
and the next rebuild takes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SearchItem:
    key: str  # "<kind>:<id>", unique in the index
    kind: str
    title: str  # counts twice in the ranking
    url: str
    snippet: str = ""
    text: tuple[str, ...] = ()  # further words it is found by (the holder, its kind in words, a description)
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchSource:
    kind: str
    label: Any  # a lazy string: the kind's name on the search page
    collect: Callable[[], Iterable[SearchItem]]
    public: bool = True  # everyone may see it in results (else only who may see enterprises' profiles)


Writer = Callable[[list[SearchItem], list[str]], None]

_sources: dict[str, SearchSource] = {}
_writer: list[Writer] = []


def search_source_declare(
    kind: str, collect: Callable[[], Iterable[SearchItem]], *, label: Any, public: bool = True
) -> None:
    _sources[kind] = SearchSource(kind=kind, label=label, collect=collect, public=public)


def search_sources() -> list[SearchSource]:
    return list(_sources.values())


def search_writer_set(writer: Writer) -> None:
    """The index's writer (community's ready()): called with the items to put and the keys to remove."""
    _writer[:] = [writer]


def search_items_changed(*, put: Iterable[SearchItem] = (), remove: Iterable[str] = ()) -> None:
    """Tell the index what changed (inside the caller's transaction: committed or rolled back with it)."""
    if _writer:
        _writer[0](list(put), list(remove))

"""Okapi BM25 (k1=1.2, b=0.75) as the index scores it, and what a hit is.

A term's weight in a document is idf(term) × tf-part(tf, document length): search/index.py keeps the
counts in the database and applies these two functions at query time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

K1 = 1.2
B = 0.75


@dataclass
class Doc:
    key: str  # "listing:12", "clause:hu8-1" …
    kind: str
    title: str
    url: str
    snippet: str = ""
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class Hit:
    doc: Doc
    score: float
    words: list[str]  # the query words it contains, strongest first


def idf(documents: int, df: int) -> float:
    """Never negative (the +1): a word in most documents still counts a little."""
    return math.log(1 + (documents - df + 0.5) / (df + 0.5)) if documents else 0.0


def tf_part(tf: int, length: int, avgdl: float) -> float:
    """The term-frequency part of the weight, length-normalised; × idf gives the term's weight."""
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / (avgdl or 1.0)))


def drop_parts(words: list[str]) -> list[str]:
    """新材料 and 材料 both matched: show 新材料 only."""
    return [w for w in words if not any(w != o and w in o for o in words)]

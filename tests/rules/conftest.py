"""Shared fixtures for the rules engine tests (no Django, no database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from shouzhan.rules import Catalogue, load_catalogue
from shouzhan.rules.interpreter import ClauseResult, explain

REPO = Path(__file__).resolve().parents[2]
CATALOGUE_DIR = REPO / "catalogue"
ON = dt.date(2025, 9, 1)


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(CATALOGUE_DIR)


def results(catalogue: Catalogue, facts: dict[str, Any], on: dt.date = ON) -> dict[str, ClauseResult]:
    return {r.id: r for r in explain(catalogue, facts, on)}

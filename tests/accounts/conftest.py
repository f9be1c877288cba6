"""Accounts tests: the progressive login delay is recorded instead of slept, so tests stay fast."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def slept(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Every pause the throttle asks for, in order (nothing actually sleeps)."""
    pauses: list[float] = []
    monkeypatch.setattr("shouzhan.accounts.throttle._sleep", pauses.append, raising=False)
    yield pauses

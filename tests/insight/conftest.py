"""Fixtures of insight's tests: the shipped chains and targets published, and the centre's people."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shouzhan.core.actors import system_actor
from shouzhan.core.roles import Role
from shouzhan.insight.services.data import insight_data_load

SYSTEM = system_actor("insight-tests")


@pytest.fixture
def insight_data(db: Any) -> dict[str, int]:
    return insight_data_load(actor=SYSTEM)


@pytest.fixture
def leader(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.LEADER, name="李主任")


@pytest.fixture
def caseworker(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.CASEWORKER, name="张洁")


@pytest.fixture
def policy_officer(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.POLICY_OFFICER, name="王政策")

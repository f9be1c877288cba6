"""Fixtures of the cases tests: the catalogue in force, an enterprise in 徐汇 with a micro-drama project."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings

from shouzhan.accounts.models import User
from shouzhan.cases import workflow as wf
from shouzhan.core.roles import Role
from shouzhan.policies.services import catalogue_sync
from shouzhan.registry.models import Enterprise, Project


@pytest.fixture
def case_type_registry() -> Iterator[dict[str, wf.CaseType]]:
    """The workflow's registry of case types, restored after the test: a test may register a case type
    of its own without leaving it to the tests after it (pages, the API's type list, declared effects)."""
    saved = dict(wf._REGISTRY)
    try:
        yield wf._REGISTRY
    finally:
        wf._REGISTRY.clear()
        wf._REGISTRY.update(saved)


@pytest.fixture
def catalogue(db: Any) -> Any:
    return catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)


@pytest.fixture
def studio(make_enterprise: Callable[..., tuple[Enterprise, User]]) -> tuple[Enterprise, User]:
    return make_enterprise(name="光影工作室", district="徐汇", sector="micro_drama")


@pytest.fixture
def drama(studio: tuple[Enterprise, User]) -> Project:
    return Project.objects.create(
        enterprise=studio[0], kind="micro_drama", title="弄堂里的光", year=2026, excellent=True
    )


@pytest.fixture
def caseworker(make_user: Callable[..., User]) -> User:
    return make_user(role=Role.CASEWORKER, name="王专员")


@pytest.fixture
def caseworker2(make_user: Callable[..., User]) -> User:
    return make_user(role=Role.CASEWORKER, name="李专员")


FILING = {
    "work_title": "弄堂里的光",
    "episodes": 60,
    "episode_minutes": 2,
    "synopsis": "上海弄堂里一家人的故事。",
    "producer": "光影工作室",
    "ai_share": 40,
}

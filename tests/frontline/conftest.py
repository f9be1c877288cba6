"""Fixtures of frontline's tests: the departments and dispatch catalogue of frontline/data, a receiver (a
caseworker), a handler and a supervisor of 城管 (urban) and of 市场监管 (amr), an enterprise and its owner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from shouzhan.core.actors import system_actor
from shouzhan.core.roles import Role
from shouzhan.frontline import services
from shouzhan.frontline.models import Demand, Department, DepartmentMember

SYSTEM = system_actor("frontline")


@pytest.fixture
def catalogue(db: Any) -> Any:
    return services.frontline_data_load(actor=SYSTEM)


@pytest.fixture
def dept(catalogue: Any) -> Callable[[str], Department]:
    return lambda key: Department.objects.get(key=key)


@pytest.fixture
def receiver(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.CASEWORKER, name="张洁")


@pytest.fixture
def member(make_user: Callable[..., Any], dept: Callable[[str], Department]) -> Callable[..., Any]:
    def make(key: str, role: str = DepartmentMember.Role.HANDLER, name: str = "") -> Any:
        user = make_user(Role.OFFICER, name=name or f"{key}-{role}")
        DepartmentMember.objects.create(department=dept(key), user=user, role=role)
        return user

    return make


@pytest.fixture
def urban(member: Callable[..., Any]) -> Any:
    return member("urban", name="城管王")


@pytest.fixture
def amr(member: Callable[..., Any]) -> Any:
    return member("amr", name="市监李")


@pytest.fixture
def firm(make_enterprise: Callable[..., Any]) -> tuple[Any, Any]:
    return make_enterprise("光合剧场", in_cluster=True)


@pytest.fixture
def record(receiver: Any, firm: tuple[Any, Any], catalogue: Any) -> Callable[..., Demand]:
    def make(
        category: str = "environment",
        text: str = "园区门口夜间施工噪音扰民",
        *,
        on: dt.date | None = None,
        **kw: Any,
    ) -> Demand:
        kw.setdefault("enterprise", firm[0])
        return services.demand_record(
            actor=kw.pop("actor", receiver),
            source=kw.pop("source", "desk"),
            category=category,
            description=text,
            received_on=on,
            **kw,
        )

    return make

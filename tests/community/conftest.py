from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from shouzhan.community import services
from shouzhan.community.models import Event, MentorProfile
from shouzhan.core.roles import Role


@pytest.fixture
def caseworker(make_user: Callable[..., Any]) -> Any:
    return make_user(role=Role.CASEWORKER, name="张洁")


@pytest.fixture
def make_event(caseworker: Any) -> Callable[..., Event]:
    def make(capacity: int = 2, title: str = "第二场 OPC 创业能力沙龙", **data: Any) -> Event:
        start = timezone.now() + dt.timedelta(days=3)
        values = {
            "title": title,
            "capacity": capacity,
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=3),
        }
        values.update(data)
        return services.event_create(actor=caseworker, data=values)

    return make


@pytest.fixture
def make_mentor(make_user: Callable[..., Any]) -> Callable[..., MentorProfile]:
    def make(name: str = "陈导", expertise: str = "微短剧、智能体、融资") -> MentorProfile:
        user = make_user(role=Role.MENTOR, name=name)
        return services.mentor_profile_save(
            actor=user, user=user, data={"expertise": expertise, "headline": "创业导师"}
        )

    return make

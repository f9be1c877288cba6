"""A list endpoint returns at most PAGE_MAX rows a page; `offset` reaches the rest (#11 defect 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shouzhan.community.models import Event
from shouzhan.core.limits import PAGE_DEFAULT, PAGE_MAX

pytestmark = pytest.mark.django_db


def _seed_events(n: int) -> list[int]:
    start = timezone.now() + dt.timedelta(days=1)
    Event.objects.bulk_create(
        Event(
            title=f"沙龙 {i}",
            starts_at=start + dt.timedelta(hours=i),
            ends_at=start + dt.timedelta(hours=i, minutes=90),
            capacity=10,
        )
        for i in range(n)
    )
    return list(Event.objects.order_by("starts_at", "id").values_list("id", flat=True))


def test_events_come_a_page_at_a_time_and_never_more_than_page_max() -> None:
    ids = _seed_events(PAGE_MAX + 5)
    client = Client()

    def page(query: str) -> Any:
        response = client.get(f"/api/v1/community/events{query}")
        assert response.status_code == 200, response.content
        return [e["id"] for e in response.json()]

    assert page("") == ids[:PAGE_DEFAULT]
    assert page(f"?limit={PAGE_MAX}") == ids[:PAGE_MAX]
    assert page(f"?limit={PAGE_MAX}&offset={PAGE_MAX}") == ids[PAGE_MAX:]
    assert page(f"?limit=3&offset={PAGE_MAX + 3}") == ids[PAGE_MAX + 3 :]

    too_many = client.get(f"/api/v1/community/events?limit={PAGE_MAX + 1}")
    assert too_many.status_code in (400, 422)
    assert "limit" in too_many.content.decode()

"""Query counts pinned on the community pages people open most: events, mentors and the market (#12).
Each page is measured with several rows, so a query per row would break the bound."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shouzhan.community import services

pytestmark = pytest.mark.django_db

OFFER = {"abstract": "发泡陶瓷保温墙体材料，导热系数低。", "field": "新材料", "seeking": ["licence", "sale"]}


@pytest.fixture
def filled(make_enterprise: Any, make_event: Any, make_mentor: Any, make_user: Any) -> None:
    mentors = [make_mentor(name=f"导师{i}") for i in range(4)]
    for i in range(5):
        event = make_event(capacity=3, title=f"第 {i + 1} 场 OPC 沙龙", mentors=mentors[:2])
        for _j in range(2):
            services.registration_create(actor=make_user(), event=event)
    for i in range(6):
        enterprise, owner = make_enterprise()
        services.listing_create(
            actor=owner,
            direction="offer",
            data=OFFER | {"title": f"保温墙体材料 {i}"},
            owner_enterprise=enterprise,
        )
        services.listing_create(
            actor=owner,
            direction="need",
            data=OFFER | {"title": f"寻找降噪技术 {i}"},
            owner_enterprise=enterprise,
        )


@pytest.mark.parametrize(
    ("url", "most", "shows"),
    [
        ("/community/", 1, "第 5 场 OPC 沙龙"),
        ("/community/mentors/", 1, "导师3"),
        ("/community/market/", 2, "保温墙体材料 5"),
        # The search index is in the database (#13): its statistics, the words with their lists, the hits.
        ("/community/market/?q=保温", 2 + 3, "保温墙体材料 5"),
    ],
)
def test_main_pages_are_bounded(
    filled: None, django_assert_max_num_queries: Any, url: str, most: int, shows: str
) -> None:
    client = Client()
    client.get(url)  # warm: the search index is built once per process, not per page
    with django_assert_max_num_queries(most):
        page = client.get(url)
    assert page.status_code == 200 and shows in page.content.decode()

from __future__ import annotations

import pytest

from shouzhan.community.demo import load_demo
from shouzhan.community.models import Feedback, Listing


@pytest.mark.django_db
def test_demo_is_idempotent() -> None:
    from shouzhan.site.demo_data import load_demo as registry_demo

    registry_demo()
    first = load_demo()
    assert first.startswith("社区：OPC 创业能力沙龙 3 场")
    assert Listing.objects.filter(direction="offer").count() == 70
    assert Feedback.objects.count() == 1
    second = load_demo()
    assert "本次新增 0" in second
    assert Listing.objects.count() == 73

"""Issue #13 item 9, English pages: a booking's length was "0.5 小时" on the English page (the labels
were formatted once, at import, in the default language)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from shouzhan.spaces.forms import HOURS, hours_label

pytestmark = pytest.mark.django_db


def _lengths(html: str) -> list[str]:
    select = re.search(r'<select name="minutes".*?</select>', html, re.S)
    assert select is not None
    return re.findall(r"<option [^>]*>([^<]*)</option>", select.group(0))


def test_the_booking_form_says_hours_in_english(
    make_enterprise: Any, login_client: Any, live_room: Any
) -> None:
    _enterprise, owner = make_enterprise(name="甲直播")
    client = login_client(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/spaces/r/{live_room.pk}/")
    assert page.status_code == 200 and page["Content-Language"] == "en"
    lengths = _lengths(page.content.decode())
    assert lengths[:4] == ["0.5 hours", "1 hour", "1.5 hours", "2 hours"]
    assert lengths[-1] == "12 hours"
    assert not any("小时" in text for text in lengths)


def test_and_in_chinese_on_the_chinese_page(make_enterprise: Any, login_client: Any, live_room: Any) -> None:
    _enterprise, owner = make_enterprise(name="甲直播")
    lengths = _lengths(login_client(owner).get(f"/spaces/r/{live_room.pk}/").content.decode())
    assert lengths[:3] == ["0.5 小时", "1 小时", "1.5 小时"]
    assert len(lengths) == 24


def test_the_labels_follow_the_language_they_are_read_in() -> None:
    labels = dict(HOURS)
    with translation.override("en"):
        assert (str(labels["30"]), str(labels["60"]), str(labels["720"])) == (
            "0.5 hours",
            "1 hour",
            "12 hours",
        )
    with translation.override("zh-hans"):
        assert str(labels["30"]) == "0.5 小时"
        assert hours_label(90) == "1.5 小时"

"""Browser: an enterprise books a live room for two hours from the calendar; a second enterprise tries the
same slot and is offered another.

Why this test used to fail: the booking form's <input type="date"> was rendered with the zh-hans date
format (value="2026/11/30"), which a browser rejects for a date input and shows as empty; the field is
required, so the browser refused to submit and no success message ever appeared. The form now renders
ISO dates (forms.ISO_DATE); tests/spaces/test_pages.py checks the rendered value too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shouzhan.accounts.models import User
from shouzhan.core.workdays import is_workday
from shouzhan.registry.models import Enterprise
from shouzhan.spaces.models import Booking, Resource, Site
from tests.a11y import as_user, assert_accessible, check_pages, in_english, load_demo_district
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _safe_day() -> dt.date:
    """A Chinese working day at least a week ahead: 10:00–12:00 there is always in the future, inside
    the rooms' 08:00–22:00 opening hours and inside the 180-day booking window, whatever the clock says."""
    day = timezone.localdate() + dt.timedelta(days=7)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def _login(page: Any, mobile: str) -> None:
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("手机号或电子邮箱").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def test_book_from_calendar_and_clash_offers_another(page, make_enterprise, live_room, live_room_b):  # type: ignore[no-untyped-def]
    a, owner_a = make_enterprise(name="甲直播工作室")
    b, owner_b = make_enterprise(name="乙直播工作室")
    day = _safe_day()
    d = day.isoformat()
    url = f"{page.base_url}/spaces/r/{live_room.pk}/?week={d}"
    label = f"预约 {d} 10:00"

    # Enterprise A clicks the free 10:00 cell, picks two hours and books.
    _login(page, owner_a.mobile)
    page.goto(url)
    page.get_by_label(label, exact=True).click()
    expect(page.get_by_label("日期")).to_have_value(d)
    expect(page.get_by_label("开始时间")).to_have_value("10:00")
    page.get_by_label("时长").select_option("120")
    page.get_by_role("button", name="确认预约").click()
    expect(page.locator(".alert-success")).to_contain_text(f"预约成功：直播间 A · {d} 10:00")
    expect(page.locator(f'td.cell-mine[data-start^="{d}T10:00"]')).to_have_count(1)
    expect(page.locator(f'td.cell-mine[data-start^="{d}T11:30"]')).to_have_count(1)

    # Enterprise B sees the cell taken (no link, no name of A), tries the same slot anyway.
    _login(page, owner_b.mobile)
    page.goto(url)
    expect(page.get_by_label(label, exact=True)).to_have_count(0)
    expect(page.locator(f'td.cell-taken[data-start^="{d}T10:00"]')).to_contain_text("已占用")
    expect(page.locator("main")).not_to_contain_text("甲直播工作室")
    page.goto(url + f"&start={d}T10:00")
    page.get_by_label("时长").select_option("120")
    page.get_by_role("button", name="确认预约").click()
    expect(page.locator("#conflict")).to_contain_text(
        f"该时段已被占用：直播间 A {d} 10:00–12:00（含 15 分钟间隔，至 12:15）"
    )
    expect(page.locator("#conflict")).to_contain_text(f"直播间 A · {d} 12:30–14:30")
    # …and takes the offered one: the same time in the other live room.
    page.get_by_role("button", name=f"预约 直播间 B · {d} 10:00–12:00").click()
    expect(page.locator(".alert-success")).to_contain_text(f"预约成功：直播间 B · {d} 10:00")

    rows = Booking.objects.order_by("pk").values_list("resource__name", "enterprise_id", "status", "fee_fen")
    assert list(rows) == [("直播间 A", a.pk, "confirmed", 24000), ("直播间 B", b.pk, "confirmed", 20000)]
    assert Booking.objects.get(enterprise=b).start_at == dt.datetime.combine(
        day, dt.time(10), tzinfo=timezone.get_current_timezone()
    )


def test_spaces_pages_are_accessible(page: Any) -> None:
    """axe-core: no serious or critical violation on the spaces index, a room's week calendar, the booking
    form, a booking refused for a clash (with the alternatives offered), my spaces, a site's week, the
    monthly statement, and the staff's floors and insight pages."""
    load_demo_district()
    room = Resource.objects.get(name="江景直播间")
    base = Site.objects.get(name="中船科技园直播孵化基地")
    studio = Enterprise.objects.get(name="上海光合剧场文化科技有限公司")
    d = _safe_day().isoformat()
    today = timezone.localdate()

    as_user(page, User.objects.get(mobile="13800000001"))
    check_pages(
        page,
        [
            "/spaces/",
            f"/spaces/r/{room.pk}/?week={d}",
            f"/spaces/r/{room.pk}/?week={d}&start={d}T10:00",
            "/spaces/mine/",
            f"/spaces/site/{base.pk}/?week={d}",
            f"/spaces/statement/{studio.pk}/{today.year}/{today.month}/",
        ],
    )
    page.goto(page.base_url + f"/spaces/r/{room.pk}/?week={d}&start={d}T10:00")
    page.get_by_label("时长").select_option("120")
    page.get_by_role("button", name="确认预约").click()
    expect(page.locator(".alert-success")).to_contain_text("预约成功")
    assert_accessible(page)

    as_user(page, User.objects.get(mobile="13800000008"))  # the live studio wants the same slot
    page.goto(page.base_url + f"/spaces/r/{room.pk}/?week={d}&start={d}T10:00")
    page.get_by_label("时长").select_option("120")
    page.get_by_role("button", name="确认预约").click()
    expect(page.locator("#conflict")).to_contain_text("该时段已被占用")
    assert_accessible(page)

    as_user(page, User.objects.get(mobile="13800000002"))
    check_pages(page, ["/spaces/floors/", "/spaces/insight/"])


def test_room_calendar_and_insight_are_accessible_in_english(page: Any) -> None:
    load_demo_district()
    room = Resource.objects.get(name="江景直播间")
    as_user(page, User.objects.get(mobile="13800000001"))
    in_english(page)
    check_pages(page, ["/spaces/", f"/spaces/r/{room.pk}/?week={_safe_day().isoformat()}"])
    as_user(page, User.objects.get(mobile="13800000005"))  # the leader
    in_english(page)
    check_pages(page, ["/spaces/insight/"])

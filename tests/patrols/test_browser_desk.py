"""Browser (desktop): 河长办's supervisor finds a flagged patrol at the top of the patrol list, reads why it was
flagged, rejects it with a note, and the list shows 复核不通过. Every page passes axe; screenshots are saved
to /tmp/patrols-desk-*.png."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from shouzhan.patrols.models import Patrol
from tests.a11y import assert_accessible
from tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MISSED_ALL = "3 个打卡点漏了 3 个：漕溪北路桥、中段泵站、宜山路桥。"


def _page(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    pg = context.new_page()
    pg.base_url = live_server.url
    return pg


def test_a_supervisor_rejects_a_flagged_patrol_with_a_note(
    browser: Any, live_server: Any, record: Any, supervisor: Any
) -> None:
    honest = record()
    flagged = record(checkins=[])  # walked the section but checked in nowhere
    assert (honest.review, flagged.review) == ("clean", "flagged")

    desk = _page(browser, live_server)
    log_in(desk, supervisor.mobile)
    desk.goto(desk.base_url + "/patrols/")
    expect(desk.locator("h1")).to_have_text("巡查记录")
    expect(desk.locator('#review-tabs a[data-review="flagged"]')).to_contain_text("待复核 1")
    rows = desk.locator("#patrol-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-patrol", str(flagged.pk))  # waiting for review comes first
    expect(rows.first).to_contain_text("待复核")
    assert_accessible(desk)
    desk.screenshot(path="/tmp/patrols-desk-1-list.png", full_page=True)

    rows.first.get_by_role("link").click()
    expect(desk.locator("h1")).to_have_text("蒲汇塘（徐家汇段）的巡查")
    expect(desk.locator("#flags")).to_contain_text(MISSED_ALL)
    expect(desk.locator("#checkins")).to_contain_text("未打卡")
    expect(desk.locator("#verdict")).to_contain_text("巡查 40 分钟，不少于规定的 30 分钟。")
    assert_accessible(desk)
    desk.screenshot(path="/tmp/patrols-desk-2-patrol.png", full_page=True)

    desk.get_by_label("不通过：不计入履职").check()
    desk.locator("#review-form button[type=submit]").click()
    expect(desk.locator("#review-form")).to_contain_text("不通过时请写明理由，巡查人会看到。")
    desk.get_by_label("不通过：不计入履职").check()
    desk.fill("#id_note", "轨迹完整但三个打卡点都未打卡，请补巡并现场扫码")
    desk.locator("#review-form button[type=submit]").click()
    expect(desk.locator(".alert-success")).to_contain_text("已复核：不通过。")
    expect(desk.locator("#patrol-state")).to_contain_text("复核不通过")
    expect(desk.locator("#review-note")).to_have_text("轨迹完整但三个打卡点都未打卡，请补巡并现场扫码")
    expect(desk.locator("#review-form")).to_have_count(0)
    assert_accessible(desk)

    desk.get_by_role("link", name="巡查记录").first.click()
    row = desk.locator(f'#patrol-table tr[data-patrol="{flagged.pk}"]')
    expect(row).to_contain_text("复核不通过")
    expect(desk.locator('#review-tabs a[data-review="rejected"]')).to_contain_text("复核不通过 1")
    desk.screenshot(path="/tmp/patrols-desk-3-rejected.png", full_page=True)
    patrol = Patrol.objects.get(pk=flagged.pk)
    assert (patrol.review, patrol.reviewed_by_id) == ("rejected", supervisor.pk)

"""Browser (desktop): the caseworker records a hotline demand at the desk; 城管's member accepts it from the
department's queue and replies; the enterprise's member rates it 满意 on 我的诉求. Every page passes axe;
screenshots are saved to /tmp/frontline-desk-*.png."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from shouzhan.frontline.models import Demand, FollowUp
from tests.a11y import assert_accessible
from tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    pg = context.new_page()
    pg.base_url = live_server.url
    return pg


def test_a_hotline_demand_from_the_desk_to_the_rating(
    browser: Any, live_server: Any, receiver: Any, urban: Any, firm: Any
) -> None:
    enterprise, owner = firm
    # The caseworker takes a call.
    desk = _page(browser, live_server)
    log_in(desk, receiver.mobile)
    desk.goto(desk.base_url + "/frontline/")
    expect(desk.locator("#board-empty")).to_contain_text("还没有诉求")
    desk.get_by_role("link", name="登记诉求").first.click()
    expect(desk.locator("h1")).to_have_text("登记诉求")
    expect(desk.locator("#dispatch-rules")).to_contain_text("区城管执法局")
    assert_accessible(desk)
    desk.get_by_label("热线").check()
    desk.select_option("#id_category", "environment")
    desk.fill("#id_description", "园区门口夜间施工噪音扰民，晚上十点后仍在施工")
    desk.fill("#id_enterprise", enterprise.name)
    desk.fill("#id_requester_name", "王经理")
    desk.fill("#id_place", "漕溪北路园区南门")
    desk.get_by_role("button", name="登记并派单").click()
    expect(desk.locator(".alert-success")).to_contain_text("已登记并派给区城管执法局")
    expect(desk.locator("#demand-state")).to_contain_text("待签收")
    expect(desk.locator("#history")).to_contain_text("派单 · 区城管执法局")
    desk.screenshot(path="/tmp/frontline-desk-1-recorded.png", full_page=True)
    demand = Demand.objects.get()
    assert (demand.source, demand.enterprise_id, demand.requester_name) == (
        "hotline",
        enterprise.pk,
        "王经理",
    )

    # 城管's member accepts from the queue, then replies on the demand's page.
    dept = _page(browser, live_server)
    log_in(dept, urban.mobile)
    dept.goto(dept.base_url + "/frontline/queue/")
    expect(dept.locator("#queue-to-accept")).to_have_text("1")
    assert_accessible(dept)
    dept.locator(f"#accept-{demand.pk}").click()
    expect(dept.locator(".alert-success")).to_have_text("已签收，请在办结期限前答复。")
    expect(dept.locator("#queue-to-accept")).to_have_text("0")
    dept.get_by_role("link", name="答复办结").click()
    expect(dept.locator("#demand-state")).to_contain_text("办理中")
    assert_accessible(dept)
    dept.fill("#reply-answer", "已约谈施工单位，夜间22点后停止施工，并安排巡查。")
    dept.locator("#reply-form button[type=submit]").click()
    expect(dept.locator(".alert-success")).to_have_text("已答复，等待企业回访评价。")
    expect(dept.locator("#demand-state")).to_contain_text("待回访")
    expect(dept.locator("#history")).to_contain_text("答复办结 · 区城管执法局")

    # The enterprise's member rates it on 我的诉求.
    firm_page = _page(browser, live_server)
    log_in(firm_page, owner.mobile)
    firm_page.goto(firm_page.base_url + "/frontline/mine/")
    item = firm_page.locator(f"[data-demand='{demand.pk}']")
    expect(item).to_contain_text("待回访")
    expect(item).to_contain_text("已约谈施工单位，夜间22点后停止施工，并安排巡查。")
    expect(firm_page.locator("#mine-to-rate")).to_have_text("1")
    assert_accessible(firm_page)
    item.get_by_label("已解决").check()
    item.get_by_label("满意", exact=True).check()
    item.get_by_role("button", name="提交评价").click()
    expect(firm_page.locator(".alert-success")).to_have_text("感谢您的评价。")
    item = firm_page.locator(f"[data-demand='{demand.pk}']")
    expect(item).to_contain_text("已办结")
    expect(item.locator("[data-rated]")).to_have_text("您的评价：已解决 · 满意")
    firm_page.screenshot(path="/tmp/frontline-desk-2-rated.png", full_page=True)
    follow_up = FollowUp.objects.get(demand=demand)
    assert (follow_up.resolved, follow_up.satisfaction, follow_up.channel) == (True, "satisfied", "site")

"""Browser, on a phone (390×844, touch): the caseworker opens the visit form, loses the network, records a
visit with two demands and a photo (and one the server will refuse); the page says what waits to be sent;
back online the outbox is sent, once: the demands are dispatched to their departments, the refused record
stays with the server's words. 城管 accepts and answers one, the enterprise rates it, and the three rates
change — each of them on a phone, through the pages. The phone form's screenshot is saved to /tmp/frontline_phone.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from shouzhan.frontline.models import Demand, Visit, VisitPhoto
from tests.a11y import assert_accessible
from tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT = Path("/tmp/frontline_phone.png")


def _phone(browser: Any, live_server: Any) -> tuple[Any, Any]:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base_url = live_server.url
    return context, page


def _controlled(page: Any) -> None:
    """Wait until the service worker controls the page (polled: the CSP forbids wait_for_function's eval)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for _ in range(100):
        if page.evaluate("navigator.serviceWorker.controller !== null"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the service worker never took control of the visit form")


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "门口.jpg"
    Image.new("RGB", (2400, 1800), (30, 120, 200)).save(path, format="JPEG")
    return path


def _rates(actor: Any) -> Any:
    from shouzhan.frontline.rates import rates_total

    today = timezone.localdate()
    return rates_total(actor=actor, start=today.replace(day=1), end=today)


def _row(text: str, label: str) -> list[str]:
    """The cells after `label` in the dashboard's table row of that name (as the page shows them)."""
    rows = [line.split("\t") for line in text.splitlines() if line.startswith(label + "\t")]
    assert len(rows) == 1, text
    return [cell.strip() for cell in rows[0][1:]]


def _rates_page(page: Any) -> str:
    page.goto(page.base_url + "/frontline/rates/")
    return str(page.locator("main").inner_text())


def test_a_visit_recorded_offline_on_a_phone_is_sent_once_and_rated(
    browser: Any, live_server: Any, receiver: Any, urban: Any, firm: Any, catalogue: Any, tmp_path: Path
) -> None:
    context, page = _phone(browser, live_server)
    log_in(page, receiver.mobile)
    page.goto(page.base_url + "/frontline/visits/new/")
    _controlled(page)
    expect(page.locator("#outbox-count")).to_have_text("没有待发送的记录")
    page.screenshot(path=str(SHOT), full_page=True)
    assert SHOT.stat().st_size > 10_000
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    assert_accessible(page)

    context.set_offline(True)
    page.reload()  # the service worker serves the form without a network
    expect(page.get_by_role("heading", name="登记走访")).to_be_visible()
    page.fill("#id_enterprise", "光合剧场")
    page.fill("#id_met", "陈经理")
    page.fill("#id_notes", "园区门口施工，夜里噪音大；招工难。")
    page.set_input_files("#id_photos", str(_photo(tmp_path)))
    page.select_option("#id_demands-0-category", "environment")
    page.fill("#id_demands-0-description", "门口夜间施工噪音扰民")
    page.locator("#demand-add").tap()
    page.select_option("#id_demands-1-category", "talent")
    page.select_option("#id_demands-1-urgency", "urgent")
    page.fill("#id_demands-1-description", "招不到直播运营，想对接招聘会")
    page.locator("#visit-save").tap()
    expect(page.locator("#outbox-count")).to_have_text("1 条记录待发送（含 2 条诉求）")
    expect(page.locator("#outbox-note")).to_have_text("当前没有网络，联网后自动发送。")
    expect(page.locator("#id_met")).to_have_value("")  # the form is ready for the next visit
    # one the server will refuse: an enterprise that is not in the register
    page.fill("#id_enterprise", "不存在的公司")
    page.locator("#visit-save").tap()
    expect(page.locator("#outbox-count")).to_have_text("2 条记录待发送（含 2 条诉求）")
    page.screenshot(path="/tmp/frontline_phone_offline.png")
    assert Visit.objects.count() == 0 and Demand.objects.count() == 0

    context.set_offline(False)  # `online` fires: the outbox is sent
    expect(page.locator("#outbox-count")).to_have_text("没有待发送的记录")
    refused = page.locator("#outbox-refused li")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("发送失败：企业库中没有找到“不存在的公司”，请检查名称。")
    expect(page.locator("#outbox-last")).to_contain_text("已发送")
    expect(page.locator("#outbox-last")).to_contain_text("区城管执法局")
    visit = Visit.objects.get()
    assert visit.enterprise == firm[0] and visit.client_key
    demands = {d.category: d for d in Demand.objects.select_related("department")}
    assert {c: (d.department.key if d.department else None) for c, d in demands.items()} == {
        "environment": "urban",
        "talent": "hrss",
    }
    assert demands["talent"].urgency == "urgent" and demands["environment"].client_key
    with Image.open(VisitPhoto.objects.get().file) as stored:
        assert stored.size == (1600, 1200)  # downscaled on the phone

    page.reload()  # sent once: the reload sends nothing again, the refusal is still there in words
    expect(page.locator("#outbox-refused li")).to_have_count(1)
    assert_accessible(page)
    page.goto(page.base_url + f"/frontline/visits/{visit.pk}/")
    expect(page.locator("main")).to_contain_text("门口夜间施工噪音扰民")
    expect(page.locator("main")).to_contain_text("已派单·待签收")
    assert_accessible(page)
    page.goto(page.base_url + "/frontline/visits/")
    assert_accessible(page)
    assert Visit.objects.count() == 1 and Demand.objects.count() == 2

    # 城管's member, on a phone too, accepts from the queue and answers; the enterprise rates it on 我的诉求
    before = _rates(receiver)
    demand = demands["environment"]
    dept_context, dept = _phone(browser, live_server)
    log_in(dept, urban.mobile)
    dept.goto(dept.base_url + "/frontline/queue/")
    dept.locator(f"#accept-{demand.pk}").click()
    expect(dept.locator(".alert-success")).to_have_text("已签收，请在办结期限前答复。")
    dept.goto(dept.base_url + f"/frontline/demands/{demand.pk}/")
    dept.fill("#reply-answer", "已约谈施工方，夜间停工。")
    dept.locator("#reply-form button[type=submit]").click()
    expect(dept.locator(".alert-success")).to_have_text("已答复，等待企业回访评价。")
    assert_accessible(dept)
    dept_context.close()
    shown_before = _rates_page(page)
    firm_context, firm_page = _phone(browser, live_server)
    log_in(firm_page, firm[1].mobile)
    firm_page.goto(firm_page.base_url + "/frontline/mine/")
    item = firm_page.locator(f"[data-demand='{demand.pk}']")
    item.get_by_label("已解决").check()
    item.get_by_label("满意", exact=True).check()
    item.get_by_role("button", name="提交评价").click()
    rated = firm_page.locator(f"[data-demand='{demand.pk}'] [data-rated]")
    expect(rated).to_have_text("您的评价：已解决 · 满意")
    firm_context.close()
    after = _rates(receiver)
    assert (before.resolution_rate, before.satisfaction_rate) == (None, None)
    assert (after.resolution_rate, after.satisfaction_rate) == (100, 100)
    shown_after = _rates_page(page)
    assert (
        "满意率" in shown_after
    )  # the dashboard shows the change: 城管's row gains its resolution and rating
    assert _row(shown_before, "区城管执法局") == ["1", "1 / 1", "100.0%", "0 / 0", "—", "0 / 0 / 0", "—"]
    assert _row(shown_after, "区城管执法局") == [
        "1",
        "1 / 1",
        "100.0%",
        "1 / 1",
        "100.0%",
        "1 / 0 / 0",
        "100.0%",
    ]
    context.close()

"""Browser, on a phone (390×844, touch, a fake camera, a mocked position moved along the section): the
village chief starts a patrol, checks in at the three checkpoints by their QR codes, reports a hazard with a
photo and stops; the verdict shows in words, and the hazard is a ticket in 区水务局's queue with its due
date. Offline: the patrol goes on after a reload without a network, waits in the outbox when stopped, and is
sent once when the network is back. The page's clock is set by the test (page.clock), so the walk's
minutes and metres — and so the verdict — are exact."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from shouzhan.core.workdays import add_working_days
from shouzhan.frontline.models import Demand
from shouzhan.patrols.models import Patrol, PatrolPhoto, Target
from tests.a11y import assert_accessible
from tests.browser_login import log_in
from tests.patrols.conftest import LENGTH_M, LON0, north

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TARGET = "蒲汇塘（徐家汇段）"
STEP_M = 200  # the chief's position moves 200 m north every 200 s: 3.6 km/h, a walk
SHOT = Path("/tmp/patrols_phone.png")


def _camera_video(codes: list[str], path: Path, width: int = 640, height: int = 480) -> None:
    """Raw video (YUV 4:2:0) showing each checkpoint's printed QR code for a second in turn: Chromium's
    fake camera plays it in a loop, so each scan reads a code (the page ignores the ones checked in)."""
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        chroma = b"\x80" * (width // 2 * height // 2)
        for code in codes:
            png = io.BytesIO()
            segno.make(code, micro=False).save(png, kind="png", scale=8, border=4)
            qr = Image.open(io.BytesIO(png.getvalue())).convert("L")
            frame = Image.new("L", (width, height), 255)
            frame.paste(qr, ((width - qr.width) // 2, (height - qr.height) // 2))
            for _ in range(10):
                out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)


@pytest.fixture
def camera_browser(browser: Any, section: Target, tmp_path: Path) -> Iterator[Any]:
    video = tmp_path / "checkpoints.y4m"
    _camera_video([p.code for p in section.checkpoints.order_by("order")], video)
    launched = browser.browser_type.launch(
        executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    yield launched
    launched.close()


def _phone(browser: Any, live_server: Any, t0: dt.datetime) -> tuple[Any, Any]:
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        permissions=["geolocation", "camera"],
        geolocation={"latitude": north(0), "longitude": LON0, "accuracy": 8},
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    page.clock.set_fixed_time(t0)
    page.base_url = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # "确定结束这次巡查吗？"
    return context, page


def _controlled(page: Any) -> None:
    """Wait until the service worker controls the page (polled: the CSP forbids wait_for_function's eval)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for _ in range(100):
        if page.evaluate("navigator.serviceWorker.controller !== null"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the service worker never took control of the record page")


def _walk_to(context: Any, page: Any, t0: dt.datetime, metres: int, points: int) -> None:
    """The chief is `metres` north of the start, `metres` seconds after it (the page's clock first)."""
    page.clock.set_fixed_time(t0 + dt.timedelta(seconds=metres))
    context.set_geolocation({"latitude": north(metres), "longitude": LON0, "accuracy": 8})
    expect(page.locator("#stat-points")).to_have_text(str(points))


def _scan(page: Any, checked: int) -> None:
    page.get_by_role("button", name="扫码打卡").tap()
    expect(page.locator("#stat-checkins")).to_have_text(f"{checked} / 3")
    expect(page.locator("#checkin-status")).to_contain_text("（扫码）")
    expect(page.locator("video")).to_be_hidden()  # one checkpoint a scan


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "桥下.jpg"
    Image.new("RGB", (2400, 1800), (90, 110, 60)).save(path, format="JPEG")
    return path


def test_a_chief_walks_the_section_checks_in_by_qr_reports_a_hazard_and_sees_the_verdict(
    camera_browser: Any, live_server: Any, chief: Any, supervisor: Any, section: Target, tmp_path: Path
) -> None:
    t0 = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    context, page = _phone(camera_browser, live_server, t0)
    log_in(page, chief.mobile)
    page.goto(page.base_url + "/patrols/record/")
    _controlled(page)
    expect(page.locator("#outbox-count")).to_have_text("没有待发送的巡查")
    expect(page.locator("#checkpoint-list li")).to_have_text(
        ["漕溪北路桥未打卡", "中段泵站未打卡", "宜山路桥未打卡"]
    )
    assert_accessible(page)

    page.get_by_role("button", name="开始巡查").tap()
    expect(page.locator("#walking-title")).to_have_text(f"正在巡查：{TARGET}")
    expect(page.locator("#stat-points")).to_have_text("1")
    _scan(page, 1)
    for n, metres in enumerate(range(STEP_M, LENGTH_M + 1, STEP_M), start=2):
        _walk_to(context, page, t0, metres, n)
        if metres == 1200:
            expect(page.locator("#stat-distance")).to_have_text("1.20 公里")
            expect(page.locator("#stat-time")).to_have_text("20 分 0 秒")
            _scan(page, 2)
            page.select_option("#id_obs_colour", "turbid")
            page.select_option("#id_obs_debris", "much")
            page.fill("#id_hazard_description", "中段泵站旁有大量漂浮垃圾")
            page.set_input_files("#id_hazard_photos", str(_photo(tmp_path)))
            page.get_by_role("button", name="记录这个隐患").tap()
            expect(page.locator("#hazard-status")).to_have_text("已记录隐患：中段泵站旁有大量漂浮垃圾")
            expect(page.locator("#hazard-list li")).to_have_text(["中段泵站旁有大量漂浮垃圾 · 1 张照片"])
    _scan(page, 3)
    expect(page.locator("#stat-distance")).to_have_text("2.40 公里")
    expect(page.locator("#stat-time")).to_have_text("40 分 0 秒")
    page.screenshot(path=str(SHOT), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    assert_accessible(page)

    page.get_by_role("button", name="结束巡查并上报").tap()
    expect(page.locator("#outbox-count")).to_have_text("没有待发送的巡查")
    expect(page.locator("#result-title")).to_have_text(f"{TARGET} 的巡查已上报")
    expect(page.locator("#result-verdict li")).to_have_text(
        [
            "适用第 1 版规则（村居级 · 无预警 · 非汛期）：每周至少 1 次，每次不少于 30 分钟、2 公里。",
            "巡查 40 分钟，不少于规定的 30 分钟。",
            "巡查 2.4 公里，不少于规定的 2 公里。",
        ]
    )
    expect(page.locator("#result-flags-box")).to_be_hidden()  # an honest walk: nothing flagged
    patrol = Patrol.objects.get()
    demand = Demand.objects.select_related("case", "department").get()
    due = add_working_days(timezone.localdate(), 1).date.isoformat()
    resolve = add_working_days(timezone.localdate(), 5).date.isoformat()
    expect(page.locator("#result-hazards li")).to_have_text(
        [f"河道与水环境：中段泵站旁有大量漂浮垃圾 → 区水务局（签收期限 {due}，办结期限 {resolve}）"]
    )
    expect(page.locator("#result-link")).to_have_attribute("href", f"/patrols/{patrol.pk}/")
    assert_accessible(page)

    assert (patrol.duration_s, patrol.distance_m, patrol.points, patrol.meets_rules) == (2400, 2400, 13, True)
    assert patrol.flags == [] and patrol.observations == {"colour": "turbid", "debris": "much"}
    assert sorted(c.checkpoint.name for c in patrol.checkins.select_related("checkpoint")) == [
        "中段泵站", "宜山路桥", "漕溪北路桥",
    ]  # fmt: skip
    assert set(patrol.checkins.values_list("method", flat=True)) == {"qr"}
    hazard = patrol.hazards.get()
    assert (demand.department.key, demand.source, hazard.demand_id) == ("water", "patrol", demand.pk)
    assert (str(hazard.latitude), str(hazard.longitude)) == (f"{north(1200):.6f}", f"{LON0:.6f}")
    with Image.open(PatrolPhoto.objects.get(hazard=hazard).file) as stored:
        assert stored.size == (1600, 1200)  # downscaled on the phone
    context.close()

    # 区水务局's supervisor finds the ticket in the department's queue, with its due date.
    desk = camera_browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    queue = desk.new_page()
    queue.base_url = live_server.url
    log_in(queue, supervisor.mobile)
    queue.goto(live_server.url + "/frontline/queue/")
    row = queue.locator(f"tr[data-demand='{demand.pk}']")
    expect(row).to_contain_text("河道与水环境：中段泵站旁有大量漂浮垃圾")
    expect(row).to_contain_text(due)
    desk.close()


def test_a_patrol_stopped_offline_waits_in_the_outbox_and_is_sent_once(
    camera_browser: Any, live_server: Any, chief: Any, section: Target
) -> None:
    t0 = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    context, page = _phone(camera_browser, live_server, t0)
    log_in(page, chief.mobile)
    page.goto(page.base_url + "/patrols/record/")
    _controlled(page)
    page.get_by_role("button", name="开始巡查").tap()
    expect(page.locator("#stat-points")).to_have_text("1")
    _walk_to(context, page, t0, 200, 2)

    context.set_offline(True)
    page.reload()  # the service worker serves the page; the patrol goes on from IndexedDB
    expect(page.locator("#walking-title")).to_have_text(f"正在巡查：{TARGET}")
    expect(page.locator("#stat-points")).to_have_text(
        "2"
    )  # the two kept (the same fix again is not a new point)
    expect(page.locator("#stat-distance")).to_have_text("200 米")
    page.get_by_role("button", name="定位打卡").tap()
    expect(page.locator("#checkin-status")).to_have_text(
        "离最近的打卡点“漕溪北路桥”还有 200 米，需在 50 米以内才能定位打卡。"
    )
    _walk_to(context, page, t0, 400, 3)
    page.get_by_role("button", name="结束巡查并上报").tap()
    expect(page.locator("#outbox-count")).to_have_text("1 次巡查待发送")
    expect(page.locator("#outbox-note")).to_have_text("当前没有网络，联网后自动发送。")
    expect(page.get_by_role("button", name="开始巡查")).to_be_visible()
    assert Patrol.objects.count() == 0

    context.set_offline(False)  # `online` fires: the outbox is sent
    expect(page.locator("#outbox-count")).to_have_text("没有待发送的巡查")
    expect(page.locator("#outbox-last")).to_have_text("已发送：巡查已上报：未达到巡查要求。")
    expect(page.locator("#result-verdict li")).to_have_text(
        [
            "适用第 1 版规则（村居级 · 无预警 · 非汛期）：每周至少 1 次，每次不少于 30 分钟、2 公里。",
            "巡查 6 分钟，少于规定的 30 分钟。",
            "巡查 0.4 公里，少于规定的 2 公里。",
        ]
    )
    expect(page.locator("#result-flags li")).to_have_text(
        [
            "巡查 6 分钟、0.4 公里，不足规定的 30 分钟、2 公里。",
            "3 个打卡点漏了 3 个：漕溪北路桥、中段泵站、宜山路桥。",
        ]
    )
    page.reload()  # sent once: nothing waits, nothing is sent again
    expect(page.locator("#outbox-count")).to_have_text("没有待发送的巡查")
    patrol = Patrol.objects.get()
    assert (patrol.points, patrol.distance_m, patrol.review) == (3, 400, "flagged")
    context.close()

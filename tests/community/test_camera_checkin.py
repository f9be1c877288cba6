"""In a browser with a (fake) camera: the door page reads an attendee's QR ticket from the video and
checks them in, through the same form a scanner gun types into."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from shouzhan.community import services
from shouzhan.community.models import Registration
from shouzhan.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _y4m_showing(png: bytes, path: Path, width: int = 640, height: int = 480) -> None:
    """The picture (the ticket as the attendee's screen shows it) in the middle of a few frames of raw
    video (YUV 4:2:0): Chromium's fake camera plays such a file in a loop."""
    frame = Image.new("L", (width, height), 255)
    ticket = Image.open(io.BytesIO(png)).convert("L")
    ticket = ticket.resize((ticket.width * 2, ticket.height * 2), Image.Resampling.NEAREST)
    frame.paste(ticket, ((width - ticket.width) // 2, (height - ticket.height) // 2))
    chroma = b"\x80" * (width // 2 * height // 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(5):
            out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)


def _login(context: Any, user: Any, base_url: str) -> None:
    client = Client()
    client.force_login(user, backend="shouzhan.accounts.backends.MobileOrEmailBackend")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])


def test_door_page_checks_in_a_ticket_read_by_the_camera(
    browser: Any, live_server: Any, tmp_path: Path, make_user: Any
) -> None:
    staff = make_user(role=Role.CASEWORKER, name="张洁")
    guest = make_user(name="林晓")
    start = timezone.now() + dt.timedelta(hours=1)
    event = services.event_create(
        actor=staff,
        data={
            "title": "OPC 创业能力沙龙",
            "capacity": 10,
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=2),
        },
    )
    reg = services.registration_create(actor=guest, event=event)

    # The attendee opens the event page: the ticket's QR code, as their phone shows it.
    attendee = browser.new_context(locale="zh-CN")
    _login(attendee, guest, live_server.url)
    ticket_page = attendee.new_page()
    ticket_page.goto(f"{live_server.url}/community/events/{event.pk}/")
    ticket = ticket_page.locator(".ticket svg").screenshot()
    attendee.close()
    video = tmp_path / "camera.y4m"
    _y4m_showing(ticket, video)

    camera = browser.browser_type.launch(
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
    try:
        context = camera.new_context(locale="zh-CN", permissions=["camera"])
        context.set_default_timeout(15000)
        _login(context, staff, live_server.url)
        page = context.new_page()
        page.goto(f"{live_server.url}/community/events/{event.pk}/checkin/")
        page.get_by_role("button", name="用摄像头扫码").click()
        expect(page.locator("#door-result")).to_contain_text("签到成功：林晓")
        expect(page.locator("#checked-count")).to_contain_text("已签到 1 人")
        # The ticket stays in front of the camera: it is not sent again and again.
        page.wait_for_timeout(4000)
        expect(page.locator("#door-result")).to_contain_text("签到成功：林晓")
        page.get_by_role("button", name="关闭摄像头").click()
        expect(page.locator("video")).to_be_hidden()
    finally:
        camera.close()
    reg.refresh_from_db()
    assert reg.checked_in_at is not None and reg.checked_in_by == staff
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 1

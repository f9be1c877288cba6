"""In a browser: the inventor imports 70 patents, an enterprise's need shows one as a match, the enterprise
asks for an introduction, and the caseworker sees the request."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from shouzhan.accounts.models import User
from shouzhan.community import services
from shouzhan.community.models import Event, Listing, MentorProfile
from shouzhan.core.roles import Role
from shouzhan.registry import patent_number
from shouzhan.registry.models import Person
from tests.a11y import as_user, assert_accessible, check_pages, in_english, load_demo_district
from tests.community.test_listings import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TOPICS = [
    "一种节能型保温墙体材料",
    "一种可降解包装膜",
    "一种老年人防跌倒智能鞋垫",
    "一种家用净水器滤芯结构",
    "一种折叠式助行器",
]


def _as(page: Any, user: Any) -> None:
    client = Client()
    client.force_login(user, backend="shouzhan.accounts.backends.MobileOrEmailBackend")
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.base_url}]
    )


def test_inventor_to_introduction(page: Any, make_user: Any, make_enterprise: Any, tmp_path: Any) -> None:
    inventor = make_user(name="周老先生")
    Person.objects.create(name="周老先生", user=inventor, title="发明人")
    rows: list[list[Any]] = [["专利号", "名称", "摘要", "技术领域", "合作方式"]]
    for i in range(70):
        topic = TOPICS[i % len(TOPICS)]
        rows.append(
            [
                patent_number.make(f"2005{1 + i % 2}{2_000_000 + i:07d}"),
                f"{topic}（{i + 1}）",
                f"{topic}，可许可或转让",
                "新材料" if i % 5 in (0, 1) else "智能硬件",
                "许可、转让",
            ]
        )
    sheet = tmp_path / "周老先生的专利.xlsx"
    sheet.write_bytes(xlsx(rows))

    _as(page, inventor)
    page.goto(page.base_url + "/community/listings/import/")
    page.set_input_files("input[type=file]", str(sheet))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.locator("#created")).to_have_text("70")
    expect(page.locator("#bad-rows")).to_have_text("0")

    enterprise, owner = make_enterprise(name="上海绿筑建材科技有限公司", sector="new_materials")
    need = services.listing_create(
        actor=owner,
        direction="need",
        owner_enterprise=enterprise,
        data={
            "title": "寻找外墙保温新材料技术",
            "abstract": "我们生产外墙保温板，需要节能保温墙体材料专利许可。",
            "field": "新材料",
            "seeking": ["licence"],
        },
    )
    _as(page, owner)
    page.goto(page.base_url + f"/community/listings/{need.pk}/")
    first = page.locator("#related-offer .match").first
    expect(first).to_contain_text("一种节能型保温墙体材料")
    expect(first.locator(".word").first).to_be_visible()
    first.locator("a").click()
    page.select_option("#from_listing", str(need.pk))
    page.fill("#id_message", "希望获得该专利许可，用于外墙保温板产品。")
    page.click("#contact-btn")
    expect(page.locator(".alert-success")).to_contain_text("对接申请已提交")

    _as(page, make_user(role=Role.CASEWORKER, name="张洁"))
    page.goto(page.base_url + "/community/contacts/")
    row = page.locator("#contact-rows tbody tr").first
    expect(row).to_contain_text("上海绿筑建材科技有限公司")
    expect(row).to_contain_text("一种节能型保温墙体材料")
    expect(row).to_contain_text("#")


def test_community_pages_are_accessible(page: Any) -> None:
    """axe-core: no serious or critical violation on the events, the calendar, an event page before and after
    registering (with the QR ticket), the technology market, a need with its matches, the listing and import
    forms, mentors, search, and the staff's and mentor's pages (door page, attendance, contacts, panel)."""
    load_demo_district()
    event = Event.objects.filter(starts_at__gte=timezone.now()).order_by("starts_at").first()
    assert event is not None
    need = Listing.objects.get(title="寻找外墙保温新材料技术")
    mentor = MentorProfile.objects.order_by("pk").first()
    assert mentor is not None
    check_pages(
        page, ["/community/", "/community/calendar/", f"/community/events/{event.pk}/", "/community/market/"]
    )

    as_user(page, User.objects.get(mobile="13800000001"))
    check_pages(
        page,
        [
            "/community/market/?field=新材料",
            f"/community/listings/{need.pk}/",
            "/community/listings/new/",
            "/community/listings/import/",
            "/community/mentors/",
            f"/community/mentors/{mentor.pk}/",
            "/community/search/?q=智能体",
            "/community/mine/",
            f"/community/events/{event.pk}/",
        ],
    )
    page.locator("#register-btn").click()
    expect(page.locator("#ticket-code")).to_be_visible()
    assert_accessible(page)
    check_pages(page, ["/community/my/"])

    as_user(page, User.objects.get(mobile="13800000002"))
    check_pages(
        page,
        [
            "/community/contacts/",
            "/community/events/new/",
            f"/community/events/{event.pk}/attendance/",
            f"/community/events/{event.pk}/checkin/",
        ],
    )
    as_user(page, User.objects.get(mobile="13800000004"))  # the mentor
    check_pages(page, ["/community/panel/"])


def test_market_and_event_are_accessible_in_english(page: Any) -> None:
    load_demo_district()
    event = Event.objects.order_by("starts_at").first()
    assert event is not None
    as_user(page, User.objects.get(mobile="13800000001"))
    in_english(page)
    check_pages(
        page,
        ["/community/", "/community/market/", f"/community/events/{event.pk}/", "/community/search/?q=剧"],
    )

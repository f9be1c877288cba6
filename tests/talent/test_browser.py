"""Browser: a person fills their talent record, sees the support they qualify for, applies for the rental
subsidy; the caseworker takes the case to its grant; the record shows what was granted. Pages pass axe.
Screenshots: /tmp/talent_record.png, /tmp/talent_support.png, /tmp/talent_case.png, /tmp/talent_done.png."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from shouzhan.cases.models import Case
from shouzhan.core.roles import Role
from shouzhan.registry.models import Person, TalentSupport
from shouzhan.registry.services.people import person_for_user
from tests.a11y import assert_accessible
from tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_record(page: Any) -> None:
    page.goto(page.base_url + "/talent/me/")
    expect(page.locator("h1")).to_contain_text("人才档案")
    page.locator("#profile summary").click()
    form = page.locator("#record-form")
    form.locator("[name=field]").select_option("micro_drama")
    form.locator("[name=education]").select_option("bachelor")
    form.locator("[name=years_experience]").fill("6")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    # A title in the art series, first with a certificate number of the wrong shape: refused in place.
    page.locator("#titles summary").click()
    titles = page.locator("#title-form")
    titles.locator("[name=series]").select_option("art")
    titles.locator("[name=level]").select_option("2")
    titles.locator("[name=specialty]").fill("数字媒体艺术")
    titles.locator("[name=granted_on]").fill("2024-06-01")
    titles.locator("[name=certificate_no]").fill("证书 01")
    titles.locator("button[type=submit]").click()
    expect(page.locator("#title-form")).to_contain_text("证书编号“证书 01”格式不对")
    page.locator("#title-form [name=certificate_no]").fill("SH-ART-2024-0612")
    page.locator("#title-form button[type=submit]").click()
    expect(page.locator("#title-list")).to_contain_text("SH-ART-2024-0612")
    page.locator("#certificates summary").click()
    certificates = page.locator("#certificate-form")
    certificates.locator("[name=kind]").select_option("ai_av")
    certificates.locator("[name=name]").fill("AI视听内容创作")
    certificates.locator("[name=number]").fill("Y310000202600012345678")
    certificates.locator("[name=issued_on]").fill("2026-03-15")
    certificates.locator("button[type=submit]").click()
    expect(page.locator("#certificate-list")).to_contain_text("Y310000202600012345678")
    expect(page.locator("#category")).to_contain_text("复合型人才（AI视听）")


def test_a_person_applies_for_the_rental_subsidy_and_the_record_shows_the_grant(
    browser: Any, live_server: Any, catalogue: Any, make_enterprise: Any, make_user: Any
) -> None:
    _enterprise, owner = make_enterprise(
        name="光合剧场", district="徐汇", sector="micro_drama", in_cluster=True
    )
    person = person_for_user(actor=owner)
    Person.objects.filter(pk=person.pk).update(birth_year=1994, name="林晓")
    caseworker = make_user(Role.CASEWORKER, name="张洁")

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30000)
    page = context.new_page()
    page.base_url = live_server.url
    log_in(page, owner.mobile)
    _fill_record(page)
    assert_accessible(page)
    page.screenshot(path="/tmp/talent_record.png", full_page=True)

    # The support she qualifies for: the 徐汇 rental support is open to a composite talent.
    page.goto(live_server.url + "/talent/support/")
    housing = page.locator("article", has_text="人才租房补贴 / 人才公寓").first
    expect(page.locator("main")).to_contain_text("可申报")
    expect(housing).to_contain_text("10 个工作日")
    assert_accessible(page)
    page.screenshot(path="/tmp/talent_support.png", full_page=True)
    housing.get_by_role("link", name="申请").click()
    form = page.locator("#apply-form")
    form.locator("[name=kind]").select_option("rental_subsidy")
    form.locator("[name=address]").fill("徐汇区漕溪北路 88 弄")
    form.locator("[name=monthly_rent]").fill("5200")
    form.locator("[name=need]").fill("入职徐汇，申请人才租房补贴。")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    case = Case.objects.get(case_type="talent.housing")
    assert f"/cases/{case.pk}/" in page.url and case.enterprise_id is None
    context.close()

    # The caseworker takes it from the queue to the grant, which asks what was granted.
    staff = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    staff.set_default_timeout(30000)
    desk = staff.new_page()
    desk.base_url = live_server.url
    log_in(desk, caseworker.mobile)
    desk.goto(live_server.url + "/cases/queue/")
    desk.get_by_role("link", name=case.title).first.click()
    for action in ("accept", "start"):
        desk.locator(f"#action-{action} button[type=submit]").click()
        desk.wait_for_load_state()
    grant = desk.locator("#action-complete")
    grant.locator("button[type=submit]").click()  # nothing said of what was granted: refused in place
    expect(desk.locator("#action-complete")).to_contain_text("请填写“核准内容”。")
    desk.locator("#action-complete [name=complete-granted]").fill("租房补贴每月2,000元，共12个月")
    desk.locator("#action-complete button[type=submit]").click()
    desk.wait_for_load_state()
    expect(desk.locator("main")).to_contain_text("已核准")
    assert_accessible(desk)
    desk.screenshot(path="/tmp/talent_case.png", full_page=True)
    staff.close()
    assert TalentSupport.objects.get().summary == "租房补贴每月2,000元，共12个月"

    # Her record shows it.
    again = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    again.set_default_timeout(30000)
    mine = again.new_page()
    mine.base_url = live_server.url
    log_in(mine, owner.mobile)
    mine.goto(live_server.url + "/talent/me/")
    supports = mine.locator("#supports")
    expect(supports).to_contain_text("人才租房补贴 / 人才公寓")
    expect(supports).to_contain_text("租房补贴每月2,000元，共12个月")
    mine.screenshot(path="/tmp/talent_done.png", full_page=True)
    again.close()

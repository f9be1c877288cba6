"""The main path in a browser: apply, more information, upload and resubmit, approve (over the cap, then within), PDF."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from shouzhan.accounts.models import User
from shouzhan.cases.models import Case
from shouzhan.core.roles import Role
from shouzhan.policies.services import catalogue_sync
from shouzhan.registry.models import Enterprise, Project
from tests.a11y import as_user, assert_accessible, check_pages, in_english, load_demo_district
from tests.cases import samples
from tests.conftest import PASSWORD


def _login(page: Any, mobile: str) -> None:
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=login]", mobile)
    page.fill("input[type=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_apply_more_info_resubmit_approve_and_download(
    page: Any, make_enterprise: Any, make_user: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)
    enterprise, owner = make_enterprise(name="光影工作室", district="徐汇", sector="micro_drama")
    drama = Project.objects.create(
        enterprise=enterprise, kind="micro_drama", title="弄堂里的光", year=2026, excellent=True
    )
    worker = make_user(role=Role.CASEWORKER, name="王专员")

    _login(page, owner.mobile)
    page.goto(f"{page.base_url}/cases/apply/xuhui.excellent_work/?project={drama.pk}")
    expect(page.get_by_text("1,000,000.00 元").first).to_be_visible()
    page.get_by_label("申请金额（元）").fill("1000000")
    page.click("#submit-application")
    expect(page.locator("#case-state")).to_have_text("已提交，等待受理")
    case = Case.objects.get()

    _login(page, worker.mobile)
    page.goto(f"{page.base_url}/cases/queue/")
    page.get_by_role("link", name=case.title).click()
    page.locator("#action-accept button").click()
    page.locator("#action-start_review button").click()
    page.locator("#action-request_info textarea").fill("请上传获奖证明。")
    page.locator("#action-request_info button").click()
    expect(page.locator("#case-state")).to_have_text("待补正（停表）")

    _login(page, owner.mobile)
    page.goto(f"{page.base_url}/cases/mine/")
    expect(page.get_by_text("请上传获奖证明。").first).to_be_visible()
    page.get_by_role("link", name="修改内容、补充材料并重新提交").click()
    proof = tmp_path / "获奖证明.pdf"
    proof.write_bytes(samples.pdf("award"))
    # One form: change the application's text, attach the proof, resubmit.
    page.locator("#action-resubmit textarea[name=resubmit-summary]").fill("作品获2026年度优秀微短剧奖")
    page.locator("#action-resubmit input[type=file]").set_input_files(str(proof))
    page.locator("#action-resubmit textarea[name=resubmit-note]").fill("已上传获奖证明")
    page.locator("#action-resubmit button").click()
    expect(page.locator("#case-state")).to_have_text("审核中")
    expect(page.get_by_role("link", name="获奖证明.pdf")).to_be_visible()

    _login(page, worker.mobile)
    page.goto(f"{page.base_url}/cases/{case.pk}/")
    expect(page.locator("#changes")).to_contain_text("作品获2026年度优秀微短剧奖")
    expect(page.locator("#changes")).to_contain_text("获奖证明.pdf")
    page.locator("#action-approve input[name=approve-amount_yuan]").fill("1200000")
    page.locator("#action-approve textarea").fill("作品获奖")
    page.locator("#action-approve button").click()
    expect(
        page.get_by_text("超过条款“优质短剧作品、获奖作品奖励”的上限 1,000,000.00 元").first
    ).to_be_visible()
    page.locator("#action-approve input[name=approve-amount_yuan]").fill("800000")
    page.locator("#action-approve textarea").fill("作品获奖，核定80万元")
    page.locator("#action-approve button").click()
    expect(page.locator("#amount-approved")).to_have_text("800,000.00 元")

    _login(page, owner.mobile)
    page.goto(f"{page.base_url}/cases/{case.pk}/")
    with page.expect_download() as info:
        page.locator("#notice-decision").click()
    download = info.value
    assert download.suggested_filename.endswith("-decision.pdf")
    assert open(download.path(), "rb").read(5) == b"%PDF-"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_case_pages_are_accessible(page: Any) -> None:
    """axe-core: no serious or critical violation on the enterprise's cases, the application form (also with
    an error on it), a service request form, a case page for the applicant (with the resubmit form) and for
    the caseworker (with the action forms), the queue, the ticket form and the response-time chart."""
    load_demo_district()
    studio = Enterprise.objects.get(name="上海光合剧场文化科技有限公司")
    drama = Project.objects.get(enterprise=studio, kind="micro_drama")
    in_review = Case.objects.get(title="《弄堂里的光》规划备案")
    more_info = Case.objects.get(title="周边商品跨境出海咨询")
    assert more_info.state == "more_info"

    as_user(page, User.objects.get(mobile="13800000001"))
    check_pages(
        page,
        [
            "/cases/mine/",
            f"/cases/apply/xuhui.excellent_work/?project={drama.pk}",
            "/cases/new/service.financing/",
            f"/cases/{in_review.pk}/",
        ],
    )
    page.goto(page.base_url + "/cases/new/planning_filing/")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".field.has-error").first).to_be_visible()
    assert_accessible(page)

    as_user(page, User.objects.get(mobile="13800000008"))  # the live studio, asked for more information
    check_pages(page, [f"/cases/{more_info.pk}/"])
    expect(page.locator("#action-resubmit")).to_be_visible()

    as_user(page, User.objects.get(mobile="13800000002"))
    check_pages(page, [f"/cases/{in_review.pk}/"])
    expect(page.locator("[id^=action-]").first).to_be_attached()  # the caseworker's action forms
    check_pages(page, ["/cases/queue/", "/cases/tickets/new/", "/cases/response-times/"])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_case_queue_and_case_page_are_accessible_in_english(page: Any) -> None:
    load_demo_district()
    case = Case.objects.get(title="《弄堂里的光》规划备案")
    as_user(page, User.objects.get(mobile="13800000002"))
    in_english(page)
    check_pages(page, ["/cases/queue/", f"/cases/{case.pk}/"])

"""Browser: a caseworker uploads a large enterprise list; it is queued for the background worker, the
page shows its progress and, once the worker has run it, the report — without a reload."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from shouzhan.accounts.models import User
from shouzhan.registry import services
from shouzhan.registry.models import Enterprise, ImportJob
from shouzhan.registry.services import import_jobs
from tests.a11y import as_user, assert_accessible, check_pages, in_english, load_demo_district
from tests.conftest import PASSWORD
from tests.registry.test_import_jobs import _file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_large_import_shows_progress_then_the_report(
    page: Any, caseworker: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.IMPORT_INLINE_ROWS = 10
    monkeypatch.setattr(import_jobs, "IMPORT_CHUNK", 5)
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=login]", caseworker.mobile)
    page.fill("input[type=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(page.base_url + "/enterprises/import/")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "徐汇名录.csv", "mimeType": "text/csv", "buffer": _file(24, bad_row=9)}],
    )
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url("**/enterprises/import/*/")
    expect(page.locator("#import-job")).to_have_attribute("data-status", "queued")
    expect(page.locator("#import-progress")).to_have_text("已处理 0 / 24 行（0%）")

    job = ImportJob.objects.get()
    services.import_job_run(job_id=job.pk)  # what the worker does

    # The page asks again every second: the report replaces the bar, and then it stops asking.
    expect(page.locator("#import-job")).to_have_attribute("data-status", "done")
    expect(page.locator("#created")).to_have_text("23")
    expect(page.locator("#bad-rows")).to_have_text("1")
    expect(page.locator("#import-errors")).to_contain_text("员工人数")
    assert Enterprise.objects.count() == 23


def test_registry_pages_are_accessible(page: Any, settings: Any) -> None:
    """axe-core: no serious or critical violation on the enterprise list, a profile and its tabs, the profile
    form (also with an error on it), the import page and a background import's progress and report."""
    load_demo_district()
    studio = Enterprise.objects.get(name="上海光合剧场文化科技有限公司")
    e = f"/e/{studio.pk}"

    as_user(page, User.objects.get(mobile="13800000001"))  # the founder, on her own enterprise
    check_pages(page, [f"{e}/", f"{e}/edit/", f"{e}/projects/", f"{e}/projects/new/", f"{e}/people/"])
    page.goto(page.base_url + f"{e}/edit/")
    page.get_by_label("员工人数").fill("-3")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".field.has-error .field-error").first).to_be_visible()
    assert_accessible(page)

    as_user(page, User.objects.get(mobile="13800000002"))  # the caseworker
    check_pages(
        page,
        [
            "/enterprises/",
            "/enterprises/?sector=micro_drama&district=徐汇",
            f"{e}/",
            f"{e}/history/",
            "/enterprises/import/",
        ],
    )
    settings.IMPORT_INLINE_ROWS = 10
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "名录.csv", "mimeType": "text/csv", "buffer": _file(24, bad_row=9)}],
    )
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url("**/enterprises/import/*/")
    expect(page.locator("#import-job")).to_have_attribute("data-status", "queued")
    assert_accessible(page)
    services.import_job_run(job_id=ImportJob.objects.get().pk)
    expect(page.locator("#import-job")).to_have_attribute("data-status", "done")
    assert_accessible(page)


def test_enterprise_list_and_profile_are_accessible_in_english(page: Any) -> None:
    load_demo_district()
    studio = Enterprise.objects.get(name="上海光合剧场文化科技有限公司")
    as_user(page, User.objects.get(mobile="13800000002"))
    in_english(page)
    check_pages(page, ["/enterprises/", f"/e/{studio.pk}/", f"/e/{studio.pk}/projects/"])

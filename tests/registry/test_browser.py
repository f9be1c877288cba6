"""Browser: a caseworker uploads a large enterprise list; it is queued for the background worker, the
page shows its progress and, once the worker has run it, the report — without a reload."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from shouzhan.registry import services
from shouzhan.registry.models import Enterprise, ImportJob
from tests.conftest import PASSWORD
from tests.registry.test_import_jobs import _file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_large_import_shows_progress_then_the_report(
    page: Any, caseworker: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.IMPORT_INLINE_ROWS = 10
    monkeypatch.setattr(services, "IMPORT_CHUNK", 5)
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

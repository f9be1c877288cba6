"""The enterprise chooser in a browser: typing narrows the suggestions from the server (htmx), and a
case is filed for the enterprise chosen. The page tests (test_enterprise_chooser.py) cover the rest."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from shouzhan.cases.models import Case
from shouzhan.core.roles import Role
from tests.a11y import as_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_type_a_name_and_file_the_case(page: Any, make_enterprise: Any, make_user: Any) -> None:
    studio, _ = make_enterprise(name="光影工作室")
    make_enterprise(name="光影实验室")
    make_enterprise(name="云帆科技")
    as_user(page, make_user(role=Role.CASEWORKER))
    page.goto(page.base_url + "/cases/new/service.financing/")
    options = page.locator("#enterprise-names option")
    expect(options).to_have_count(3)
    field = page.locator("input[name=enterprise]")
    field.fill("云帆")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("value", "云帆科技")
    field.fill("光影工")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("value", "光影工作室")
    field.fill("光影工作室")
    page.fill("textarea[name=need]", "需要一笔流动资金贷款。")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/cases/*/")
    assert Case.objects.get().enterprise_id == studio.pk

"""Browser: an entrepreneur registers, fills the profile with one invalid field, sees the inline
Chinese error, fixes it and saves."""

from __future__ import annotations

from typing import Any

import pytest

from shouzhan.registry.models import Enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_then_fix_an_invalid_profile_field(page: Any) -> None:
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="注册企业，开始第一站").click()
    page.get_by_label("您的姓名").fill("林晓")
    page.get_by_label("手机号").fill("13812345678")
    page.locator("#id_password1").fill("Guanghe-2026!")
    page.get_by_label("确认密码").fill("Guanghe-2026!")
    page.get_by_label("企业或团队名称").fill("上海光合剧场文化科技有限公司")
    page.get_by_label("所在区").select_option("徐汇")
    page.get_by_label("行业").select_option("micro_drama")
    page.get_by_label("我已阅读并同意平台服务条款和个人信息保护说明").check()
    page.get_by_role("button", name="注册").click()

    # Straight to the profile form, with a welcome message.
    page.wait_for_url("**/edit/")
    assert "注册成功" in page.content()
    employees = page.get_by_label("员工人数")
    employees.fill("-3")
    page.get_by_label("年营业收入（元）").fill("860000")
    page.get_by_role("button", name="保存").click()

    # The invalid field is marked inline, in Chinese; what was typed elsewhere is kept.
    error = page.locator(".field.has-error .field-error").first
    error.wait_for()
    assert error.inner_text().strip() != ""
    assert page.get_by_label("年营业收入（元）").input_value() == "860000"
    enterprise = Enterprise.objects.get(name="上海光合剧场文化科技有限公司")
    assert enterprise.employees is None

    page.get_by_label("员工人数").fill("3")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/e/{enterprise.pk}/")
    enterprise.refresh_from_db()
    assert enterprise.employees == 3
    assert enterprise.annual_revenue_fen == 86_000_000
    assert page.locator(".alert-success").count() == 1

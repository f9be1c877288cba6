"""Browser: the shell's pages (landing, login, registration, home for an enterprise and for staff, the audit
trail, the working-day calendar) have no serious or critical accessibility violation (axe-core), in Chinese
and in English; and the axe check itself reports a violation readably."""

from __future__ import annotations

from typing import Any

import pytest

from shouzhan.accounts.models import User
from tests.a11y import as_user, assert_accessible, check_pages, in_english, load_demo_district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_axe_check_reports_a_violation_with_rule_help_and_selector(page: Any) -> None:
    page.goto(page.base_url + "/accounts/login/")
    assert_accessible(page)
    # Grey on grey text and an image button with no name: what the check exists to catch.
    page.evaluate(
        """() => {
          const p = document.createElement('p'); p.id = 'faint'; p.textContent = '浅灰色的说明文字';
          p.style.color = '#c8c8c8'; p.style.background = '#ffffff';
          const b = document.createElement('button'); b.id = 'nameless'; b.innerHTML = '<svg width="10" height="10"></svg>';
          document.querySelector('main').append(p, b);
        }"""
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    message = str(failure.value)
    assert message.startswith(
        "2 serious/critical accessibility violation(s) on /accounts/login/ (lang=zh-CN):"
    )
    assert "- color-contrast (serious): Elements must meet minimum color contrast ratio thresholds" in message
    assert "    #faint  — Fix any of the following:" in message
    assert "- button-name (critical): Buttons must have discernible text" in message
    assert "    #nameless  — " in message


def test_shell_pages_are_accessible(page: Any) -> None:
    load_demo_district()
    check_pages(page, ["/", "/accounts/login/", "/accounts/register/"])

    as_user(page, User.objects.get(mobile="13800000001"))  # the founder's home is her enterprise
    check_pages(page, ["/home/"])
    assert "/e/" in page.url

    as_user(page, User.objects.get(mobile="13800000002"))  # caseworker: the staff workspace
    check_pages(page, ["/staff/", "/calendar/"])
    as_user(page, User.objects.get(mobile="13800000005"))  # leader
    check_pages(page, ["/staff/"])
    as_user(page, User.objects.get(mobile="13800000006"))  # auditor
    check_pages(page, ["/audit/"])
    as_user(page, User.objects.get(mobile="13800000000"))  # administrator: the calendar's override form
    check_pages(page, ["/calendar/?month=2026-10"])


def test_shell_pages_are_accessible_in_english(page: Any) -> None:
    load_demo_district()
    in_english(page)
    check_pages(page, ["/", "/accounts/login/", "/accounts/register/"])
    as_user(page, User.objects.get(mobile="13800000002"))
    in_english(page)
    check_pages(page, ["/staff/", "/calendar/"])
    assert page.evaluate("() => document.documentElement.lang") == "en"

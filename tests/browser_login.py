"""Logging in through the login page in a browser test (one way for every module's browser tests)."""

from __future__ import annotations

from typing import Any

from tests.conftest import PASSWORD


def log_in(page: Any, mobile: str) -> None:
    """Log in as the user with this mobile on `page` (its `base_url` is the live server's)."""
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=login]", mobile)
    page.fill("input[type=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url

"""Accessibility checks for the browser tests: axe-core (vendored in tests/assets/axe-core) run on a page.

`assert_accessible(page)` fails on every serious or critical violation with a readable list: the rule, what
it asks for, and the elements (CSS selectors) that break it. The site's Content-Security-Policy
(`script-src 'self'`) stays as it is: axe is evaluated through the DevTools protocol (`page.evaluate`), which
the page's CSP does not govern, instead of an inline <script> tag (refused by the CSP) or a context with
`bypass_csp=True` (which would switch the policy off for the page under test too).
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.management import call_command
from django.test import Client

AXE_DIR = Path(__file__).parent / "assets" / "axe-core"
FAILING_IMPACTS = ("serious", "critical")
SHOWN_NODES = 6  # per rule; the rest are counted

_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.map(String).join(" "), summary: n.failureSummary || ""})),
  }));
}"""


@functools.cache
def _axe_source() -> str:
    # `;undefined` makes the script's value a plain one (axe itself is left on window.axe).
    return (AXE_DIR / "axe.min.js").read_text(encoding="utf-8") + "\n;undefined"


def axe_violations(page: Any, impacts: tuple[str, ...] = FAILING_IMPACTS) -> list[dict[str, Any]]:
    """Violations of the given impacts on the page as it is now (after htmx has settled)."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations: list[dict[str, Any]] = page.evaluate(_RUN)
    return [v for v in violations if v["impact"] in impacts]


def format_violations(where: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} serious/critical accessibility violation(s) on {where}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  <{v['helpUrl']}>")
        for node in v["nodes"][:SHOWN_NODES]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}  — {summary[:220]}")
        if len(v["nodes"]) > SHOWN_NODES:
            lines.append(f"    … and {len(v['nodes']) - SHOWN_NODES} more element(s)")
    return "\n".join(lines)


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    violations = axe_violations(page)
    if violations:
        parts = urlsplit(page.url)
        where = parts.path + (f"?{parts.query}" if parts.query else "")
        lang = page.evaluate("() => document.documentElement.lang")
        raise AssertionError(format_violations(f"{where} (lang={lang})", violations))


def check_pages(page: Any, paths: list[str]) -> None:
    """Open each path and check it; every page's violations are reported together, not only the first's."""
    failures = []
    for path in paths:
        response = page.goto(page.base_url + path)
        assert response is not None and response.status == 200, f"{path}: HTTP {response and response.status}"
        if not path.startswith("/accounts/login/"):
            assert "/accounts/login/" not in page.url, f"{path}: sent to the login page (log in first)"
        try:
            assert_accessible(page)
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n\n".join(failures)


def load_demo_district() -> None:
    """The catalogue and the whole demo district (`shouzhan demo`): pages full of believable records."""
    call_command("demo", stdout=io.StringIO())


def as_user(page: Any, user: Any) -> None:
    """Log the browser in as `user` without the login form (its own tests cover the form)."""
    client = Client()
    client.force_login(user, backend="shouzhan.accounts.backends.MobileOrEmailBackend")
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.base_url}]
    )


def in_english(page: Any) -> None:
    """Switch the interface to English with the language button in the top bar, as a visitor would."""
    page.goto(page.base_url + "/")
    page.locator(".langswitch button[value=en]").click()
    page.wait_for_function("() => document.documentElement.lang === 'en'")

"""Browser: each role logs in through the login form on the demo district and lands on a page with content —
the page's heading and one piece of its real content asserted, the top bar's bell with the unread count,
and a screenshot of the landing page saved in the test's output directory."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from shouzhan.accounts.models import User
from shouzhan.community.models import Event
from shouzhan.core.audit import audit_action_label
from shouzhan.core.models import AuditEntry, Notification
from shouzhan.ledger.models import Claim, Programme
from shouzhan.registry.models import Enterprise
from tests.a11y import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _enterprise() -> tuple[str, str, str]:
    studio = Enterprise.objects.get(name="上海光合剧场文化科技有限公司")
    return rf"/e/{studio.pk}/$", studio.name, "弄堂里的光（AI 微短剧，60 集）"


def _provider() -> tuple[str, str, str]:
    claim = Claim.objects.filter(provider__name="上海徐汇智算科技有限公司").order_by("-pk").first()
    assert claim is not None
    return r"/ledger/provider/$", "核销申请", claim.invoice_no


def _caseworker() -> tuple[str, str, str]:
    return r"/staff/$", "工作台", f"登记企业 {Enterprise.objects.count()}"  # the stat's label and figure


def _leader() -> tuple[str, str, str]:
    programme = Programme.objects.order_by("item").first()
    assert programme is not None
    return r"/insight/$", "产业驾驶舱", "服务券使用率"


def _auditor() -> tuple[str, str, str]:
    latest = AuditEntry.objects.order_by("-at", "-pk").first()
    assert latest is not None
    return r"/audit/$", "审计记录", audit_action_label(latest.action)


def _mentor() -> tuple[str, str, str]:
    event = Event.objects.filter(mentors__user__mobile="13800000004").order_by("-starts_at").first()
    assert event is not None
    return r"/community/panel/$", "导师面板", event.title


PLACEHOLDER_FITS = """() => {
  const box = document.querySelector('.topsearch input'); const style = getComputedStyle(box);
  const pen = document.createElement('canvas').getContext('2d'); pen.font = style.font;
  const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [pen.measureText(box.placeholder).width, room];
}"""

ROLES = {
    "enterprise": ("13800000001", _enterprise),
    "provider": ("13800000011", _provider),
    "caseworker": ("13800000002", _caseworker),
    "leader": ("13800000005", _leader),
    "auditor": ("13800000006", _auditor),
    "mentor": ("13800000004", _mentor),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_logs_in_and_lands_on_a_page_with_content(page: Any, role: str, tmp_path: Path) -> None:
    call_command("demo", "--no-history", stdout=io.StringIO())
    mobile, expected = ROLES[role]
    where, heading, content = expected()
    user = User.objects.get(mobile=mobile)
    user.set_password("demo-pass-2026")
    user.save()

    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("手机号或电子邮箱").fill(mobile)
    page.get_by_label("密码").fill("demo-pass-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(where))

    assert page.locator("main h1").first.inner_text().strip() == heading
    # In the page's own text (the audit filter's <option>s name actions too, unseen).
    shown = page.locator("main :is(td, h2, h3, a, dd, .stat):visible")
    assert (
        content in [" ".join(t.split()) for t in shown.all_inner_texts()]
        or shown.filter(has_text=content).count() >= 1
    )
    # The bell, with the count fetched after the page.
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    bell = page.locator(f'.topbar a.bell[data-unread="{unread}"]')
    bell.wait_for()
    if unread:
        assert bell.locator(".bell-count").inner_text().startswith(str(unread))
    # The search box shows its whole placeholder (it used to be cut off).
    text_width, room = page.evaluate(PLACEHOLDER_FITS)
    assert 0 < text_width <= room
    assert_accessible(page)
    shot = tmp_path / f"home-{role}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

"""Browser: the policy officer publishes a changed 徐汇 clause; the push run it starts shows its progress on
its page without a reload; the demo entrepreneur logs in, finds the new offer with its reasons and confirms
it in one click; the caseworker finds the fast-track case in the queue with its deadline. Every page passes
axe; screenshots are saved to /tmp/offers-*.png."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from shouzhan.accounts.models import User
from shouzhan.cases.models import Case
from shouzhan.core.workdays import add_working_days
from shouzhan.offers.models import Offer, PushRun
from shouzhan.offers.register import people_read
from shouzhan.offers.services import push_run_execute
from shouzhan.offers.services import runs as run_services
from shouzhan.registry.models import Enterprise
from tests.a11y import assert_accessible, check_pages
from tests.browser_login import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp")
OLD = 'condition: project.kind == "micro_drama" and project.benchmark_work'
# 文商旅体展融合标杆作品: a work that promotes the city's image now qualifies too.
NEW = 'condition: project.kind == "micro_drama" and (project.benchmark_work or project.promotes_city_image)'
CLAUSE = "徐汇八条 · 文商旅体展融合标杆作品奖励"


def _changed_xuhui() -> bytes:
    text = (Path(django_settings.CATALOGUE_DIR) / "xuhui.yaml").read_text(encoding="utf-8")
    assert OLD in text
    return text.replace(OLD, NEW).encode("utf-8")


def _new_page(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    pg = context.new_page()
    pg.base_url = live_server.url
    return pg


def _shot(page: Any, name: str) -> None:
    path = SHOTS / f"offers-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


def _watch_progress(page: Any, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """After each chunk the run commits its progress: wait until the page (which only polls) shows it."""
    seen: list[tuple[int, int]] = []
    total = {"n": 0}
    original = run_services._Progress.__call__

    def watched(self: Any, **fields: Any) -> None:
        original(self, **fields)
        total["n"] = fields.get("subjects_total", total["n"])
        if "subjects_done" in fields and fields["subjects_done"] < total["n"]:
            done = fields["subjects_done"]
            expect(page.locator("#run-progress")).to_contain_text(f"已评估 {done} / {total['n']} 个主体")
            expect(page.locator("#run-status")).to_have_text("运行中")
            seen.append((done, total["n"]))
            if len(seen) == 1:
                _shot(page, "run-progress")

    monkeypatch.setattr(run_services._Progress, "__call__", watched)
    return seen


def test_a_published_change_reaches_the_entrepreneur_who_confirms_it_in_one_click(
    page: Any, browser: Any, live_server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_command("demo", "--no-history", stdout=io.StringIO())
    for mobile in ("13800000001", "13800000002", "13800000003"):
        user = User.objects.get(mobile=mobile)
        user.set_password(PASSWORD)
        user.save()
    studio = Enterprise.objects.get(name="上海光合剧场文化科技有限公司")
    drama = studio.projects.get(title="弄堂里的光（AI 微短剧，60 集）")
    key = f"{studio.pk}:{drama.pk}:xuhui.benchmark_work:"
    assert Offer.objects.get(key=key, current=True).state == "prompt"  # before: it would need an answer
    today = timezone.localdate()

    # The policy officer uploads the changed rule file and publishes it from today.
    log_in(page, "13800000003")
    page.goto(page.base_url + "/policies/upload/")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "xuhui.yaml", "mimeType": "text/yaml", "buffer": _changed_xuhui()}],
    )
    page.get_by_label("修订说明").fill("标杆作品奖励扩大到提升城市形象的作品")
    page.get_by_role("button", name="检查并保存为草稿").click()
    page.wait_for_url("**/policies/v/*/")
    page.get_by_label("生效日期").fill(today.isoformat())
    page.get_by_role("button", name="发布此版本").click()
    page.wait_for_url("**/policies/d/xuhui/")

    # Publishing queued a run; the officer opens it from the runs list.
    page.locator(".navgroup", has_text="政策").hover()
    page.get_by_role("link", name="推送批次").click()
    page.wait_for_url("**/offers/runs/")
    run = PushRun.objects.filter(trigger=PushRun.Trigger.PUBLISH).latest("pk")  # (the demo published two)
    row = page.locator(f'tr[data-run="{run.pk}"]')
    expect(row).to_contain_text("政策发布")
    expect(row).to_contain_text("排队中")
    assert_accessible(page)
    row.get_by_role("link").click()
    page.wait_for_url(f"**/offers/runs/{run.pk}/")
    expect(page.locator("#push-run")).to_have_attribute("data-status", "queued")
    assert_accessible(page)

    # "The worker" runs it, a few enterprises at a time; the page follows without a reload.
    # Enterprises, projects, and the talent records of the people who work for them (the demo's talents).
    people = people_read(list(Enterprise.objects.values_list("pk", flat=True)), on=run.on)
    subjects = Enterprise.objects.count() + drama.__class__.objects.count() + people.height
    settings.PUSH_CHUNK = max(1, Enterprise.objects.count() // 3)
    seen = _watch_progress(page, monkeypatch)
    page.evaluate("window.__sameDocument = true")
    done = push_run_execute(run_id=run.pk)
    assert done.status == "done", done.error
    assert len(seen) >= 2 and seen[0][0] < seen[-1][0] and seen[0][1] == subjects
    expect(page.locator("#push-run")).to_have_attribute("data-status", "done")
    expect(page.locator("#run-status")).to_have_text("已完成")
    expect(page.locator("#run-new")).to_have_text(str(done.offers_new))
    expect(page.locator("#run-progress")).to_contain_text(f"已评估 {subjects} / {subjects} 个主体（100%）")
    assert page.evaluate("window.__sameDocument") is True  # the same page all along: no reload
    expect(page.locator("#run-clauses")).to_contain_text(CLAUSE)
    assert_accessible(page)
    _shot(page, "run")
    check_pages(page, ["/offers/figures/", "/offers/exclusions/", f"/offers/?enterprise={studio.pk}"])
    _shot(page, "exclusions")
    page.goto(page.base_url + "/offers/figures/")
    _shot(page, "figures")

    # The entrepreneur logs in: the card on their home names the new offer; the list gives the reasons.
    owner = _new_page(browser, live_server)
    log_in(owner, "13800000001")
    owner.wait_for_url(re.compile(rf"/e/{studio.pk}/$"))
    new = Offer.objects.get(key=key, current=True)
    assert (new.state, new.max_amount_fen) == ("offered", 200_000_000)
    expect(owner.locator("#offers-panel")).to_contain_text("项政策待您确认")
    assert_accessible(owner)
    _shot(owner, "home")
    owner.locator(".navgroup", has_text="我的企业").hover()
    owner.get_by_role("link", name="政策直达").click()
    owner.wait_for_url("**/offers/")
    card = owner.locator(f"#offer-{new.pk}")
    expect(card).to_contain_text(CLAUSE)
    expect(card).to_contain_text("2,000,000.00 元")
    expect(card).to_contain_text("对文商旅体展融合标杆作品最高奖励200万元")
    expect(card).to_contain_text("以下条件满足其一即可，符合")
    expect(card).to_contain_text("「是否提升城市形象、促进文商旅体展联动」为“是”：资料为“是”，符合。")
    assert_accessible(owner)
    _shot(owner, "list")

    # One click: the declaration ticked, the contact as prefilled.
    card.get_by_role("link", name="查看并确认").click()
    owner.wait_for_url(f"**/offers/{new.pk}/")
    expect(owner.get_by_label("联系人和联系电话")).to_have_value("林晓（一人公司创始人） 13800000001")
    expect(owner.locator("#declaration-text")).to_contain_text(
        "本企业承诺：所登记的企业和项目信息真实、准确、完整"
    )
    box = owner.locator("#confirm-card form").bounding_box()  # the whole form shows (no style clips it)
    assert box is not None and box["height"] > 250
    assert_accessible(owner)
    _shot(owner, "detail")
    owner.get_by_label("我已阅读并同意上述申报承诺").check()
    owner.get_by_role("button", name="确认申领").click()
    owner.wait_for_url(f"**/offers/{new.pk}/")
    case = Case.objects.get(case_type="policy_fast_track")
    due = add_working_days(today, 5).date
    assert (case.enterprise_id, case.clause_id, case.due_on) == (studio.pk, "xuhui.benchmark_work", due)
    expect(owner.locator(".messages")).to_contain_text(f"服务中心将在 {due.isoformat()} 前办结")
    expect(owner.locator("#case-link")).to_have_text(case.reference)
    expect(owner.locator("#case-due")).to_have_text(due.isoformat())
    assert_accessible(owner)
    _shot(owner, "confirmed")
    # A prompt's questions (是/否 as radio buttons) pass the same checks.
    prompt = Offer.objects.filter(enterprise=studio, current=True, state="prompt").order_by("pk").first()
    assert prompt is not None
    check_pages(owner, [f"/offers/{prompt.pk}/"])
    expect(owner.locator("#prompt-card legend").first).to_be_visible()
    _shot(owner, "prompt")

    # The caseworker finds the fast-track case in the queue with its deadline.
    worker = _new_page(browser, live_server)
    log_in(worker, "13800000002")
    worker.goto(worker.base_url + "/cases/queue/?case_type=policy_fast_track")
    row = worker.locator("#queue-table tbody tr", has_text=case.reference)
    expect(row).to_contain_text("政策直达：文商旅体展融合标杆作品奖励")
    expect(row).to_contain_text(due.isoformat())
    expect(row).to_contain_text("政策直达（免申即享）")
    expect(row).to_contain_text("上海光合剧场文化科技有限公司")
    assert_accessible(worker)
    _shot(worker, "queue")

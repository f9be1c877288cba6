"""Browser: a studio registers an episode and downloads its certificate; a clip cut from it, uploaded as an
infringement report, is matched with its time range and opens a rights-protection case whose evidence pack
downloads; the caseworker finds the case in the queue and follows it to the report. Pages pass axe.
Screenshots: /tmp/assets_work.png, /tmp/assets_report.png, /tmp/assets_case.png."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shouzhan.assets.models import AssetVersion, EvidencePack, InfringementReport
from shouzhan.core.roles import Role
from tests.a11y import assert_accessible
from tests.assets.media_fixtures import make_clip, make_episode
from tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _episode_and_clip(tmp_path: Path) -> tuple[Path, Path]:
    """An episode of the recall set's kind (three synthetic scenes, a tune) and a clip cut from inside it
    (10 s to 22 s), made smaller, framed in a border and re-encoded, as a re-upload would be."""
    episode, clip = tmp_path / "第1集.mp4", tmp_path / "搬运片段.mp4"
    make_episode(episode, 3)
    make_clip(episode, clip, start_ms=10_000, seconds=12, transform="resize+border", seed=7)
    return episode, clip


def test_a_studio_registers_an_episode_and_protects_it_against_a_cut_clip(
    browser: Any, live_server: Any, make_enterprise: Any, make_user: Any, tmp_path: Path
) -> None:
    _enterprise, owner = make_enterprise(name="光合剧场")
    caseworker = make_user(Role.CASEWORKER, name="张洁")
    episode, clip = _episode_and_clip(tmp_path)

    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(30000)
    page = context.new_page()
    page.base_url = live_server.url
    log_in(page, owner.mobile)

    # Register the work, then its first version.
    page.goto(live_server.url + "/assets/new/")
    page.select_option("select[name=kind]", "episode")
    page.fill("input[name=title]", "梧桐来信 第1集")
    page.locator("#work-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("梧桐来信 第1集")
    page.set_input_files("#version-file", str(episode))
    page.fill("#version-form [name=note]", "首播版")
    page.locator("#version-form button[type=submit]").click()
    page.wait_for_load_state()
    version = AssetVersion.objects.get(work__title="梧桐来信 第1集")
    assert (version.stamp_state, version.prints_state) == ("stamped", "done")
    expect(page.locator("#versions")).to_contain_text("已存证")
    expect(page.locator("#versions")).to_contain_text(version.code)
    assert_accessible(page)
    page.screenshot(path="/tmp/assets_work.png", full_page=True)

    # The certificate (shown in the browser, not downloaded) names the content's hash and its code.
    href = page.locator("#versions a", has_text="存证证书").first.get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    assert hashlib.sha256(episode.read_bytes()).hexdigest() in text.replace("\n", "")
    assert version.code in text

    # A clip seen on 抖音: reported, matched with its time range.
    page.goto(live_server.url + "/assets/reports/new/")
    page.set_input_files("#report-form input[type=file]", str(clip))
    page.select_option("select[name=platform]", "douyin")
    page.fill("input[name=account]", "@搬运号")
    page.fill("input[name=first_seen_on]", timezone.localdate().isoformat())
    page.locator("#report-form button[type=submit]").click()
    matches = page.locator("#matches")
    expect(matches).to_contain_text("梧桐来信 第1集")
    report = InfringementReport.objects.get()
    (match,) = report.matches.all()
    assert abs(match.ref_start_ms - 10_000) <= 2000 and abs(match.ref_end_ms - 22_000) <= 2000

    def mmss(ms: int) -> str:
        return f"{ms // 60_000:02d}:{ms // 1000 % 60:02d}"

    expect(matches).to_contain_text(f"{mmss(match.ref_start_ms)}–{mmss(match.ref_end_ms)}")
    assert_accessible(page)

    # The rights-protection case on the takedown path, with its evidence pack.
    page.locator("#case-form input[name=path][value=takedown]").check()
    page.fill("#case-form [name=need]", "删除链接")
    page.locator("#case-form button[type=submit]").click()
    expect(page.locator("#rights-case")).to_contain_text("查看维权办件")
    page.screenshot(path="/tmp/assets_report.png", full_page=True)
    with page.expect_download() as download:
        page.locator("#packs-table a", has_text="PDF").first.click()
    pack_pdf = tmp_path / "pack.pdf"
    download.value.save_as(pack_pdf)
    pack_text = subprocess.run(
        ["pdftotext", str(pack_pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert version.blob.sha256 in pack_text.replace("\n", "")
    assert EvidencePack.objects.filter(report=report).count() == 1
    report.refresh_from_db()
    context.close()

    # The caseworker sees the case in the queue and reaches the report from it.
    staff = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    staff.set_default_timeout(30000)
    page = staff.new_page()
    page.base_url = live_server.url
    log_in(page, caseworker.mobile)
    page.goto(live_server.url + "/cases/queue/")
    row = page.locator("table tr", has_text="光合剧场").filter(has_text="版权维权")
    expect(row.first).to_be_visible()
    page.goto(live_server.url + f"/cases/{report.case_id}/")
    expect(page.locator("#related-links")).to_contain_text("侵权线索与比对结果")
    expect(page.locator("main")).to_contain_text("平台通知删除")
    assert_accessible(page)
    page.screenshot(path="/tmp/assets_case.png", full_page=True)
    page.locator("#related-links a", has_text="侵权线索与比对结果").click()
    expect(page.locator("#matches")).to_contain_text("梧桐来信 第1集")
    staff.close()

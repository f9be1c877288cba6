"""Infringement reports (#18): a clip cut from inside a registered episode is found with its time range,
the rights-protection case opens on the chosen path with its working-day limit and its evidence pack, the
caseworker's outcome comes back onto the report, another enterprise sees nothing, bad input is refused in
words with nothing stored."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shouzhan.assets import audit_actions as aa
from shouzhan.assets.models import Blob, EvidencePack, InfringementReport, ReportMatch
from shouzhan.assets.services.reports import report_case_open, report_create
from shouzhan.assets.services.versions import version_register
from shouzhan.assets.services.works import work_create
from shouzhan.cases.services.transition import case_transition
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.core.workdays import add_working_days

FFMPEG = "/usr/bin/ffmpeg"
_MEDIA: dict[str, bytes] = {}


def _ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-v", "error", "-y", *args], check=True, timeout=120)


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A 40 s episode and a 12 s clip cut from it at 10 s, shrunk to 160x120 (made once: test_packs shares them)."""
    if _MEDIA:
        return _MEDIA
    root = tmp_path_factory.mktemp("report-media")
    episode, clip = root / "episode.mp4", root / "clip.mp4"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=320x240:r=10:d=40", "-f", "lavfi", "-i", "sine=f=440:d=40",
        "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(episode),
    )  # fmt: skip
    _ffmpeg(
        "-ss", "10", "-i", str(episode), "-t", "12", "-vf", "scale=160:120",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(clip),
    )  # fmt: skip
    _MEDIA.update(episode=episode.read_bytes(), clip=clip.read_bytes())
    return _MEDIA


@pytest.fixture(autouse=True)
def _storage(settings: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SHOUZHAN_TSA_DIR = tmp_path_factory.getbasetemp() / "reports-tsa"
    settings.SHOUZHAN_TSA_URL = ""
    from shouzhan.assets.matching import index_forget

    index_forget()


@pytest.fixture
def studio(make_enterprise: Callable[..., Any]) -> tuple[Any, Any]:
    return make_enterprise("光合影业")


@pytest.fixture
def episode(studio: tuple[Any, Any], media: dict[str, bytes], django_capture_on_commit_callbacks: Any) -> Any:
    enterprise, owner = studio
    work = work_create(
        actor=owner, enterprise=enterprise, data={"kind": "episode", "title": "霸总归来", "episode_no": 3}
    )
    with django_capture_on_commit_callbacks(execute=True):
        version = version_register(
            actor=owner, work=work, filename="霸总归来-03.mp4", content=media["episode"]
        )
    version.refresh_from_db()
    assert (version.stamp_state, version.prints_state) == ("stamped", "done")
    return version


def _report(owner: Any, enterprise: Any, media: dict[str, bytes], **kw: Any) -> InfringementReport:
    return report_create(
        actor=owner,
        enterprise=enterprise,
        filename=kw.pop("filename", "盗版片段.mp4"),
        content=kw.pop("content", media["clip"]),
        platform=kw.pop("platform", "douyin"),
        account=kw.pop("account", "搬运号123"),
        first_seen_on=kw.pop("first_seen_on", timezone.localdate()),
        **kw,
    )


def test_a_clip_cut_from_the_episode_is_found_with_its_time_range(
    studio: tuple[Any, Any], episode: Any, media: dict[str, bytes]
) -> None:
    enterprise, owner = studio
    report = _report(owner, enterprise, media, link="https://v.douyin.com/abc")

    matches = list(report.matches.all())
    assert [(m.version_id, m.kind, m.selected, m.mirrored) for m in matches] == [
        (episode.pk, "video", True, False)
    ]
    m = matches[0]
    assert abs(m.ref_start_ms - 10_000) <= 2000 and abs(m.ref_end_ms - 22_000) <= 2000
    assert m.query_start_ms <= 2000 and abs(m.query_end_ms - 12_000) <= 2000
    assert m.score >= 0.5
    assert report.suspect is not None and report.suspect.media == "video"
    entry = AuditEntry.objects.get(action=aa.REPORT_CREATE)
    assert (entry.after["matches"], entry.after["platform"]) == (1, "douyin")


def test_the_takedown_case_is_due_in_five_working_days_with_its_pack_and_the_removal_comes_back(
    studio: tuple[Any, Any], episode: Any, media: dict[str, bytes], make_user: Callable[..., Any]
) -> None:
    enterprise, owner = studio
    report = _report(owner, enterprise, media)
    match = report.matches.get()

    report = report_case_open(
        actor=owner, report=report, path="takedown", need="删除链接", match_ids=[match.pk]
    )

    case = report.case
    today = timezone.localdate()
    assert (case.case_type, case.state, case.enterprise_id) == ("asset_rights", "submitted", enterprise.pk)
    assert case.due_on == add_working_days(today, 5).date
    assert case.data["path"] == "takedown"
    assert case.data["work"] == "《霸总归来》第3集"
    assert case.data["matches"] == "《霸总归来》第3集 v1 00:10–00:22 ↔ 疑似文件 00:00–00:12，相似度 1.00"
    assert case.related == report
    assert list(EvidencePack.objects.filter(report=report).values_list("number", flat=True)) == [1]
    assert AuditEntry.objects.filter(action=aa.REPORT_CASE_OPEN).count() == 1

    worker = make_user(Role.CASEWORKER, name="张洁")
    for action, note in (("accept", ""), ("act", "已向平台发出通知"), ("remove", "平台已删除链接")):
        case = case_transition(
            actor=worker, case=case, action=action, expected_version=case.version, note=note
        )
    report.refresh_from_db()
    assert (report.outcome, report.outcome_note, report.outcome_on) == ("removed", "平台已删除链接", today)
    assert AuditEntry.objects.get(action=aa.REPORT_OUTCOME).after["outcome"] == "removed"


def test_only_own_works_matches_may_be_chosen_and_a_case_opens_once(
    studio: tuple[Any, Any],
    episode: Any,
    media: dict[str, bytes],
    make_enterprise: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from shouzhan.assets.services.works import work_publish

    enterprise, owner = studio
    work_publish(actor=owner, work=episode.work, published=True)
    other, other_owner = make_enterprise("另一家")
    report = _report(other_owner, other, media)
    match = report.matches.get()  # the published work is named to the other enterprise…
    assert (match.version_id, match.selected) == (episode.pk, False)

    with pytest.raises(ValidationError) as err:  # …but cannot be its case
        report_case_open(actor=other_owner, report=report, path="takedown", need="", match_ids=[match.pk])
    assert err.value.message_dict == {"match_ids": ["只能选择本企业作品的比对结果。"]}

    own = _report(owner, enterprise, media, platform="kuaishou")
    report_case_open(actor=owner, report=own, path="court", need="", match_ids=[own.matches.get().pk])
    with pytest.raises(ValidationError) as again:
        report_case_open(actor=owner, report=own, path="court", need="", match_ids=[])
    assert again.value.messages == ["这条线索已经发起了版权维权，请在办件中跟进。"]


def test_an_unpublished_work_of_another_enterprise_is_never_named(
    episode: Any, media: dict[str, bytes], make_enterprise: Callable[..., Any]
) -> None:
    other, other_owner = make_enterprise("另一家")
    report = _report(other_owner, other, media)
    assert report.matches.count() == 0


def test_a_link_only_report_has_no_matches_and_may_still_open_a_case(
    studio: tuple[Any, Any], login_client: Callable[[Any], Any]
) -> None:
    enterprise, owner = studio
    report = report_create(
        actor=owner,
        enterprise=enterprise,
        link="https://www.bilibili.com/video/BV1xx",
        platform="bilibili",
        first_seen_on=timezone.localdate() - dt.timedelta(days=2),
    )
    assert (report.suspect, report.matches.count()) == (None, 0)
    page = login_client(owner).get(f"/assets/reports/{report.pk}/")
    assert page.status_code == 200
    assert "仅提交了链接，未做指纹比对" in page.content.decode()

    report = report_case_open(actor=owner, report=report, path="mediation", need="调解赔偿", match_ids=[])
    assert report.case.due_on == add_working_days(report.case.submitted_on, 20).date
    assert report.case.data["matches"] == "仅提交了链接，未上传文件，未做指纹比对。"
    assert report.packs.count() == 1


def test_the_pages_show_the_match_open_the_case_and_keep_other_enterprises_out(
    studio: tuple[Any, Any],
    episode: Any,
    media: dict[str, bytes],
    login_client: Callable[[Any], Any],
    make_enterprise: Callable[..., Any],
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    enterprise, owner = studio
    client = login_client(owner)
    today = timezone.localdate().isoformat()
    response = client.post(
        "/assets/reports/new/",
        {
            "enterprise": enterprise.pk,
            "file": SimpleUploadedFile("盗版片段.mp4", media["clip"], content_type="video/mp4"),
            "link": "",
            "platform": "douyin",
            "account": "搬运号",
            "first_seen_on": today,
        },
    )
    report = InfringementReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assets/reports/{report.pk}/"
    match = report.matches.get()

    page = client.get(f"/assets/reports/{report.pk}/").content.decode()
    assert "《霸总归来》第3集" in page and "相似度" in page and "平台通知删除（5 个工作日）" in page
    assert "否" in page  # not mirrored, in words
    frame = client.get(f"/assets/reports/{report.pk}/matches/{match.pk}/registered/")
    assert (frame.status_code, frame["Content-Type"], frame.content[:2]) == (200, "image/jpeg", b"\xff\xd8")

    listing = client.get("/assets/reports/").content.decode()
    assert "盗版片段.mp4" in listing and "未发起维权" in listing

    opened = client.post(
        f"/assets/reports/{report.pk}/case/", {"path": "takedown", "need": "删除", "match_ids": [match.pk]}
    )
    assert opened.status_code == 302
    report.refresh_from_db()
    page = client.get(f"/assets/reports/{report.pk}/").content.decode()
    assert f"/cases/{report.case.pk}/" in page
    assert (
        f"/assets/reports/{report.pk}/packs/1/pdf/" in page
        and f"/assets/reports/{report.pk}/packs/1/zip/" in page
    )
    case_page = client.get(f"/cases/{report.case.pk}/").content.decode()
    assert "平台通知删除" in case_page and "《霸总归来》第3集" in case_page

    _other, stranger = make_enterprise("路人公司")
    outsider = login_client(stranger)
    for url in (
        f"/assets/reports/{report.pk}/",
        f"/assets/reports/{report.pk}/packs/1/pdf/",
        f"/assets/reports/{report.pk}/packs/1/zip/",
        f"/assets/reports/{report.pk}/matches/{match.pk}/suspect/",
    ):
        assert outsider.get(url).status_code == 404, url
    assert "盗版片段.mp4" not in outsider.get("/assets/reports/").content.decode()
    assert not AuditEntry.objects.filter(action=aa.PACK_DOWNLOAD).exists()


@pytest.mark.parametrize(
    ("upload", "link", "first_seen", "message"),
    [
        (None, "", 0, "请上传疑似侵权的文件，或填写侵权链接（至少一项）。"),
        ("clip", "", 1, "首次发现日期不能晚于今天。"),
        ("text", "", 0, "文件“盗版.mp4”的内容不是允许的格式"),
        ("empty", "", 0, "文件“盗版.mp4”是空的，请重新选择。"),
        (None, "ftp://example.com/x", 0, "请填写以 http:// 或 https:// 开头的完整链接。"),
    ],
)
def test_bad_input_is_refused_in_words_and_nothing_is_stored(
    studio: tuple[Any, Any],
    media: dict[str, bytes],
    login_client: Callable[[Any], Any],
    upload: str | None,
    link: str,
    first_seen: int,
    message: str,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    enterprise, owner = studio
    content = {"clip": media["clip"], "text": "这不是视频\n".encode(), "empty": b""}
    data: dict[str, Any] = {
        "enterprise": enterprise.pk,
        "link": link,
        "platform": "douyin",
        "first_seen_on": (timezone.localdate() + dt.timedelta(days=first_seen)).isoformat(),
    }
    if upload is not None:
        data["file"] = SimpleUploadedFile("盗版.mp4", content[upload], content_type="video/mp4")
    response = login_client(owner).post("/assets/reports/new/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (InfringementReport.objects.count(), ReportMatch.objects.count(), Blob.objects.count()) == (
        0,
        0,
        0,
    )

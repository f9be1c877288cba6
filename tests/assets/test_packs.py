"""Evidence packs (#18): the PDF says the hashes, the time-stamp and the matched ranges; the zip's manifest
is right, its .tsr verifies with `openssl ts -verify` against the certificate in the same zip; packs are
numbered per report, downloads audited and refused to another enterprise."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from shouzhan.assets import audit_actions as aa
from shouzhan.assets.models import AssetVersion, InfringementReport
from shouzhan.assets.services.blobs import blob_read
from shouzhan.assets.services.packs import pack_build
from shouzhan.assets.services.reports import report_case_open, report_create
from shouzhan.assets.services.versions import version_register
from shouzhan.assets.services.works import work_create
from shouzhan.core.models import AuditEntry

from .test_reports import _storage, media  # noqa: F401 — the same generated media and storage

pytestmark = pytest.mark.usefixtures("_storage")


@pytest.fixture
def opened(
    make_enterprise: Callable[..., Any],
    media: dict[str, bytes],  # noqa: F811 — the fixture imported above
    django_capture_on_commit_callbacks: Any,
) -> tuple[InfringementReport, AssetVersion, Any]:
    enterprise, owner = make_enterprise("光合影业")
    work = work_create(
        actor=owner,
        enterprise=enterprise,
        data={"kind": "episode", "title": "霸总归来", "episode_no": 3, "dci": "DCI0A12B34C56D"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        version = version_register(
            actor=owner, work=work, filename="霸总归来-03.mp4", content=media["episode"]
        )
    version = AssetVersion.objects.select_related("blob", "timestamp").get(pk=version.pk)
    report = report_create(
        actor=owner,
        enterprise=enterprise,
        filename="盗版片段.mp4",
        content=media["clip"],
        link="https://v.douyin.com/abc",
        platform="douyin",
        account="搬运号123",
        first_seen_on=timezone.localdate(),
    )
    report = report_case_open(
        actor=owner, report=report, path="takedown", need="删除", match_ids=[report.matches.get().pk]
    )
    return report, version, owner


def test_the_pdf_lists_the_hashes_the_time_stamp_and_the_ranges(
    opened: tuple[InfringementReport, AssetVersion, Any], tmp_path: Path
) -> None:
    report, version, _owner = opened
    pack = report.packs.get()
    assert pack.number == 1
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(blob_read(pack.pdf))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())
    assert version.blob.sha256 in flat
    assert report.suspect is not None and report.suspect.sha256 in flat
    assert version.timestamp.serial in text and "首站 Shouzhan TSA" in text
    assert "DCI0A12B34C56D" in text
    assert "验证通过：文件内容与登记时一致，时间戳签名和证书有效" in flat
    assert "00:10–00:22" in text and "00:00–00:12" in text
    assert "光合影业" in text and "搬运号123" in text
    assert "该作品没有已授权的许可。" in flat


def test_the_zip_manifest_is_right_and_the_token_verifies_with_openssl(
    opened: tuple[InfringementReport, AssetVersion, Any], tmp_path: Path
) -> None:
    report, version, _owner = opened
    pack = report.packs.get()
    archive = zipfile.ZipFile(io.BytesIO(blob_read(pack.archive)))
    names = set(archive.namelist())
    token = f"timestamps/{version.code}.tsr"
    assert names == {
        "manifest.json",
        "README.txt",
        "matches.csv",
        "licences.csv",
        "evidence.pdf",
        "tsa/shouzhan-tsa.pem",
        token,
        "frames/match-1-registered.jpg",
        "frames/match-1-suspect.jpg",
    }
    manifest = json.loads(archive.read("manifest.json"))
    listed = {f["name"]: f["sha256"] for f in manifest["files"]}
    assert set(listed) == names - {"manifest.json"}
    for name, digest in listed.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    assert archive.read("evidence.pdf") == blob_read(pack.pdf)
    assert archive.read(token) == bytes(version.timestamp.response_der)
    assert archive.read("frames/match-1-suspect.jpg")[:2] == b"\xff\xd8"
    rows = archive.read("matches.csv").decode("utf-8-sig").splitlines()
    assert rows[1] == f"1,《霸总归来》第3集,1,{version.blob.sha256},video,1.0000,00:10–00:22,00:00–00:12,no"
    assert "openssl ts -verify" in archive.read("README.txt").decode()

    archive.extractall(tmp_path)
    result = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-in",
            token,
            "-digest",
            version.blob.sha256,
            "-CAfile",
            "tsa/shouzhan-tsa.pem",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stdout) == (0, "Verification: OK\n")


def test_packs_are_numbered_downloads_audited_and_other_enterprises_kept_out(
    opened: tuple[InfringementReport, AssetVersion, Any],
    login_client: Callable[[Any], Any],
    make_enterprise: Callable[..., Any],
) -> None:
    report, _version, owner = opened
    second = pack_build(actor=owner, report=report)
    assert (second.number, report.packs.count()) == (2, 2)
    assert AuditEntry.objects.filter(action=aa.PACK_GENERATE).count() == 2

    client = login_client(owner)
    rebuilt = client.post(f"/assets/reports/{report.pk}/packs/")
    assert rebuilt.status_code == 302 and report.packs.count() == 3
    response = client.get(f"/assets/reports/{report.pk}/packs/2/zip/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/zip")
    assert response.content == blob_read(second.archive)
    pdf = client.get(f"/assets/reports/{report.pk}/packs/1/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    entries = AuditEntry.objects.filter(action=aa.PACK_DOWNLOAD).order_by("id")
    assert [(e.after["number"], e.after["kind"]) for e in entries] == [(2, "zip"), (1, "pdf")]
    assert client.get(f"/assets/reports/{report.pk}/packs/1/exe/").status_code == 404

    _other, stranger = make_enterprise("路人公司")
    outsider = login_client(stranger)
    assert outsider.get(f"/assets/reports/{report.pk}/packs/1/pdf/").status_code == 404
    assert outsider.post(f"/assets/reports/{report.pk}/packs/").status_code == 404
    assert AuditEntry.objects.filter(action=aa.PACK_DOWNLOAD).count() == 2

"""A version's certificate of existence: the PDF names the work, the file's SHA-256 in full, the code, the
time-stamp (Shanghai and UTC), the authority and the command to check it; only the holder and the staff
download it, and each download is audited."""

from __future__ import annotations

import base64
import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shouzhan.assets import audit_actions as aa
from shouzhan.assets.certificates import qr_png_data_uri, stamp_times
from shouzhan.assets.models import AssetVersion, Timestamp, Work
from shouzhan.assets.services.versions import version_register
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role

from .test_pages_works import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def stamped(
    make_enterprise: Any, make_user: Any, login_client: Any, django_capture_on_commit_callbacks: Any
) -> dict[str, Any]:
    enterprise, owner = make_enterprise(name="光启短剧")
    _other, stranger = make_enterprise(name="浦江影视")
    work = Work.objects.create(
        enterprise=enterprise, kind="episode", title="霓虹弄堂 第1集", dci="DCI0000123456"
    )
    client = login_client(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/assets/{work.pk}/versions/", {"file": SimpleUploadedFile("第1集 海报.png", png(9))}
        )
    assert response.status_code == 302
    version = AssetVersion.objects.select_related("blob", "timestamp").get(work=work)
    return {
        "work": work,
        "version": version,
        "owner": owner,
        "client": client,
        "stranger": login_client(stranger),
        "staff": login_client(make_user(role=Role.CASEWORKER)),
    }


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode()


def test_the_certificate_names_the_hash_the_code_the_time_and_the_authority(
    stamped: dict[str, Any], tmp_path: Path
) -> None:
    version: AssetVersion = stamped["version"]
    response = stamped["client"].get(f"/assets/v/{version.code}/certificate.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    stamp = version.timestamp
    times = stamp_times(stamp.gen_time)
    flat = "".join(text.split())
    for expected in (
        version.blob.sha256,
        version.code,
        "首站ShouzhanTSA",
        "霓虹弄堂第1集",
        "光启短剧",
        "DCI0000123456",
        "第1集海报.png",
        f"{times.shanghai}（北京时间）".replace(" ", ""),
        f"{times.utc}UTC".replace(" ", ""),
        stamp.serial,
        f"http://testserver/assets/verify/{version.code}/",
        "opensslts-verify-intimestamp.tsr-data'第1集海报.png'-CAfileshouzhan-tsa.pem",
        f"opensslts-verify-intimestamp.tsr-digest{version.blob.sha256}-CAfileshouzhan-tsa.pem",
    ):
        assert expected in flat, expected
    # The full hash on one line: read and typed from the paper.
    assert version.blob.sha256 in text
    entries = AuditEntry.objects.filter(action=aa.CERTIFICATE_DOWNLOAD, target_id=str(version.pk))
    assert entries.count() == 1
    assert entries.get().after == {"code": version.code, "sha256": version.blob.sha256}


def test_the_time_is_shown_in_shanghai_and_utc() -> None:
    when = dt.datetime(2026, 3, 1, 16, 30, 5, tzinfo=dt.UTC)
    times = stamp_times(when)
    assert (times.shanghai, times.utc) == ("2026-03-02 00:30:05", "2026-03-01 16:30:05")


def test_the_qr_code_is_an_inline_png() -> None:
    uri = qr_png_data_uri("https://shouzhan.example/assets/verify/SZ-AAAA-BBBB-CC/")
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")


def test_only_the_holder_and_the_staff_download_it(stamped: dict[str, Any]) -> None:
    version: AssetVersion = stamped["version"]
    url = f"/assets/v/{version.code}/certificate.pdf"
    assert stamped["stranger"].get(url).status_code == 404  # unpublished: not even known
    Work.objects.filter(pk=stamped["work"].pk).update(published=True)
    refused = stamped["stranger"].get(url)
    assert refused.status_code == 403
    assert "作品文件只有权利人和中心工作人员可以查看。" in refused.content.decode()
    assert Client().get(url).status_code == 302
    assert stamped["staff"].get(url).status_code == 200
    assert stamped["client"].get("/assets/v/SZ-AAAA-BBBB-CC/certificate.pdf").status_code == 404
    assert stamped["client"].get("/assets/v/no-such/certificate.pdf").status_code == 404
    assert AuditEntry.objects.filter(action=aa.CERTIFICATE_DOWNLOAD).count() == 1  # the staff's only


def test_a_version_not_yet_stamped_says_so(stamped: dict[str, Any], tmp_path: Path) -> None:
    version = version_register(
        actor=stamped["owner"], work=stamped["work"], filename="v2.png", content=png(10), finish=False
    )
    assert not Timestamp.objects.filter(version=version).exists()
    response = stamped["client"].get(f"/assets/v/{version.code}/certificate.pdf")
    assert response.status_code == 200
    flat = "".join(pdf_text(response.content, tmp_path).split())
    assert "该版本尚未取得可信时间戳（正在申请或等待重试）。取得后请重新下载本证书。" in flat

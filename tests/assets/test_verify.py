"""The public verification pages, no login: a registered file is found with its time-stamp checked, a file
changed by one byte is not, a code opens its registration (an unpublished work not named), the token and
the authority's certificate download and verify with the command the page shows."""

from __future__ import annotations

import hashlib
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shouzhan.assets import tsa
from shouzhan.assets.models import AssetVersion, Work
from shouzhan.assets.services.blobs import blob_local_path
from shouzhan.assets.services.versions import version_register

from .test_pages_works import png

pytestmark = pytest.mark.django_db

VERIFIED = "验证通过：文件内容与登记时一致，时间戳签名和证书有效"
CHANGED = "文件内容与时间戳记录的哈希不一致：文件在登记后被修改过"
UNNAMED = "某企业登记的作品（未公开）"


@pytest.fixture
def registered(
    make_enterprise: Any, login_client: Any, django_capture_on_commit_callbacks: Any
) -> dict[str, Any]:
    enterprise, owner = make_enterprise(name="光启短剧")
    work = Work.objects.create(enterprise=enterprise, kind="character", title="阿弄 角色设定")
    content = png(11)
    with django_capture_on_commit_callbacks(execute=True):
        version_register(actor=owner, work=work, filename="阿弄.png", content=content)
    version = AssetVersion.objects.select_related("blob", "timestamp").get(work=work)
    return {"work": work, "version": version, "content": content, "owner": login_client(owner)}


def check(client: Client, name: str, content: bytes) -> Any:
    return client.post("/assets/verify/", {"file": SimpleUploadedFile(name, content)})


def test_the_page_opens_without_login() -> None:
    response = Client().get("/assets/verify/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "上传文件核验" in body and "按存证编号查询" in body and "/assets/verify/shouzhan-tsa.pem" in body


def test_a_registered_file_is_found_and_its_token_verified(registered: dict[str, Any]) -> None:
    version: AssetVersion = registered["version"]
    response = check(Client(), "任意名字.png", registered["content"])
    assert response.status_code == 200
    body = response.content.decode()
    checked = response.context["checked"]
    assert checked["sha256"] == hashlib.sha256(registered["content"]).hexdigest()
    assert [r["version"].code for r in checked["registrations"]] == [version.code]
    found = checked["registrations"][0]
    assert (found["verification"].ok, found["verification"].message) == (True, VERIFIED)
    assert "已登记" in body and version.code in body and VERIFIED in body and "首站 Shouzhan TSA" in body
    # Unpublished: the proof is shown, the work and its holder are not named.
    assert UNNAMED in body and "阿弄 角色设定" not in body and "光启短剧" not in body
    # The holder, signed in, sees the work named.
    assert "阿弄 角色设定" in check(registered["owner"], "a.png", registered["content"]).content.decode()

    Work.objects.filter(pk=registered["work"].pk).update(published=True)
    public = check(Client(), "a.png", registered["content"]).content.decode()
    assert "阿弄 角色设定" in public and "光启短剧" in public and UNNAMED not in public


def test_a_file_changed_by_one_byte_is_not_found(registered: dict[str, Any]) -> None:
    changed = bytearray(registered["content"])
    changed[-13] ^= 0x01
    response = check(Client(), "阿弄.png", bytes(changed))
    assert response.status_code == 200
    body = response.content.decode()
    assert "未找到登记记录" in body and "首站没有这份内容的登记记录。" in body
    assert "文件哪怕只改动一个字节" in body
    assert response.context["checked"]["registrations"] == []


def test_bad_uploads_are_refused_in_words(registered: dict[str, Any], settings: Any) -> None:
    empty = check(Client(), "空.png", b"")
    assert empty.status_code == 400 and "文件“空.png”是空的，请重新选择。" in empty.content.decode()
    nothing = Client().post("/assets/verify/", {})
    assert nothing.status_code == 400 and "请选择要核验的文件。" in nothing.content.decode()
    settings.ASSETS_MAX_BYTES = 1024 * 1024
    big = check(Client(), "大.bin", b"\1" * (1024 * 1024 + 1))
    assert big.status_code == 400 and "文件“大.bin”过大（上限 1 MB）。" in big.content.decode()


def test_a_code_opens_its_registration_with_the_token_checked(registered: dict[str, Any]) -> None:
    version: AssetVersion = registered["version"]
    response = Client().get(f"/assets/verify/{version.code}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert version.blob.sha256 in body and VERIFIED in body and UNNAMED in body
    assert "阿弄.png" not in body  # the filename of an unpublished work is not shown either
    assert f"/assets/verify/{version.code}/timestamp.tsr" in body
    assert (
        shlex.join(
            [
                "openssl",
                "ts",
                "-verify",
                "-in",
                "timestamp.tsr",
                "-digest",
                version.blob.sha256,
                "-CAfile",
                "shouzhan-tsa.pem",
            ]
        )
        in body
    )
    typed = Client().get(f"/assets/verify/{version.code.lower()}/")
    assert (typed.status_code, typed["Location"]) == (302, f"/assets/verify/{version.code}/")
    assert Client().get("/assets/verify/SZ-AAAA-BBBB-CC/").status_code == 404
    assert Client().get("/assets/verify/no-such/").status_code == 404
    assert Client().get("/assets/verify/SZ-AAAA-BBBB-CC/timestamp.tsr").status_code == 404
    by_code = Client().get("/assets/verify/", {"code": version.code.lower()})
    assert (by_code.status_code, by_code["Location"]) == (302, f"/assets/verify/{version.code}/")
    junk = Client().get("/assets/verify/", {"code": "12345"})
    assert junk.status_code == 400 and "存证编号的格式应为 SZ-XXXX-XXXX-XX。" in junk.content.decode()


def test_a_stored_file_changed_on_disk_fails_verification_in_words(registered: dict[str, Any]) -> None:
    version: AssetVersion = registered["version"]
    path = Path(blob_local_path(version.blob))
    path.write_bytes(path.read_bytes() + b"\0")
    body = Client().get(f"/assets/verify/{version.code}/").content.decode()
    assert CHANGED in body and VERIFIED not in body


def test_the_downloads_verify_with_the_command_the_page_shows(
    registered: dict[str, Any], tmp_path: Path
) -> None:
    version: AssetVersion = registered["version"]
    client = Client()
    token = client.get(f"/assets/verify/{version.code}/timestamp.tsr")
    assert token.status_code == 200 and token["Content-Type"] == "application/timestamp-reply"
    assert token.content == bytes(version.timestamp.response_der)
    assert 'filename="timestamp.tsr"' in token["Content-Disposition"]
    pem = client.get("/assets/verify/shouzhan-tsa.pem")
    assert pem.status_code == 200 and pem.content == tsa.tsa_certificate_pem()
    (tmp_path / "timestamp.tsr").write_bytes(token.content)
    (tmp_path / "shouzhan-tsa.pem").write_bytes(pem.content)
    (tmp_path / "阿弄.png").write_bytes(registered["content"])
    command = tsa.verify_command_text(data_file="阿弄.png")
    done = subprocess.run(shlex.split(command), cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0 and "Verification: OK" in done.stdout
    (tmp_path / "阿弄.png").write_bytes(registered["content"] + b"\0")
    changed = subprocess.run(shlex.split(command), cwd=tmp_path, capture_output=True, text=True)
    assert changed.returncode != 0

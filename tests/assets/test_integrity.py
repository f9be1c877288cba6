"""The registry's self-check (run by a restore): a stored file changed or missing on disk is reported."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage

from shouzhan.assets import integrity
from shouzhan.assets.services.versions import version_register
from shouzhan.assets.services.works import work_create
from shouzhan.core.integrity import integrity_checks

pytestmark = pytest.mark.django_db


def test_a_changed_or_missing_file_is_reported(make_enterprise: Any) -> None:
    enterprise, owner = make_enterprise(name="光启短剧")
    work = work_create(actor=owner, enterprise=enterprise, data={"kind": "script", "title": "霓虹弄堂 剧本"})
    first = version_register(actor=owner, work=work, filename="a.zip", content=_zip("第一稿"), finish=False)
    second = version_register(actor=owner, work=work, filename="b.zip", content=_zip("第二稿"), finish=False)
    assert integrity.check() == []
    assert any(label == "数字资产存证自检" for label, _problems in integrity_checks())
    with default_storage.open(first.blob.file.name, "wb") as handle:
        handle.write(b"changed")
    default_storage.delete(second.blob.file.name)
    assert integrity.check() == [
        f"缺少文件 1 个（哈希 {second.blob.sha256[:12]}）。",
        f"文件内容与登记的哈希不一致 1 个（哈希 {first.blob.sha256[:12]}）。",
    ]


def _zip(text: str) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("script.txt", text)
    return buffer.getvalue()

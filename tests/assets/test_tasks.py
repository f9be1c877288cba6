"""A stamp the authority did not give is kept as failed, the version and its file kept; the daily pass stamps it
once the authority answers. A long video is fingerprinted by the worker, not in the request."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from shouzhan.assets.models import AssetVersion, Timestamp
from shouzhan.assets.services import versions
from shouzhan.assets.services.versions import version_register
from shouzhan.assets.services.works import work_create
from shouzhan.assets.tasks import assets_pass
from shouzhan.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _zip(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("a.txt", text)
    return buffer.getvalue()


def test_a_failed_stamp_is_kept_and_made_by_the_daily_pass(
    make_enterprise: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    enterprise, owner = make_enterprise(name="光合剧场")
    work = work_create(
        actor=owner, enterprise=enterprise, data={"kind": "script", "title": "梧桐来信（剧本）"}
    )
    settings.SHOUZHAN_TSA_URL = "http://127.0.0.1:9/tsa"  # nobody answers there
    with django_capture_on_commit_callbacks(execute=True):
        version = version_register(actor=owner, work=work, filename="v1.zip", content=_zip("第一稿"))
    version.refresh_from_db()
    assert (version.stamp_state, version.prints_state) == ("failed", "none")
    failure = AuditEntry.objects.get(action="assets.version_stamp")
    assert failure.after["state"] == "failed" and failure.after["error"]
    # Within ten minutes the request's own attempt is not repeated; after, the pass stamps it.
    assert assets_pass() == {"tried": 0, "stamped": 0, "fingerprinted": 0}
    AssetVersion.objects.filter(pk=version.pk).update(created_at=timezone.now() - dt.timedelta(minutes=11))
    settings.SHOUZHAN_TSA_URL = ""
    assert assets_pass() == {"tried": 1, "stamped": 1, "fingerprinted": 1}
    version.refresh_from_db()
    assert version.stamp_state == "stamped" and Timestamp.objects.filter(version=version).exists()
    assert assets_pass()["tried"] == 0
    out = io.StringIO()
    call_command("assets_daily", "--now", stdout=out)
    assert out.getvalue().strip() == "没有待补加时间戳或待提取指纹的版本。"


def test_a_long_video_is_fingerprinted_by_the_worker(
    make_enterprise: Any, make_video: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    enterprise, owner = make_enterprise(name="光合剧场")
    work = work_create(
        actor=owner, enterprise=enterprise, data={"kind": "episode", "title": "梧桐来信 第1集"}
    )
    monkeypatch.setattr(versions, "INLINE_SECONDS", 3)  # a 6-second video counts as long here
    with django_capture_on_commit_callbacks(execute=True):
        version = version_register(
            actor=owner, work=work, filename="ep.mp4", content=make_video(seed=3, seconds=6)
        )
    version.refresh_from_db()
    assert (version.stamp_state, version.prints_state) == ("stamped", "pending")
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.get(task_path="shouzhan.assets.tasks.version_finish")
    assert queued.args_kwargs["kwargs"] == {"version_id": version.pk}

"""Uploads at the same moment (PostgreSQL): versions of one work are numbered 1…n without a gap or a repeat,
the same bytes uploaded to two works at once are stored as one blob, and the same bytes twice on one work
are one version — the other upload is refused in words."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shouzhan.assets.models import AssetVersion, Blob
from shouzhan.assets.services.versions import version_register
from shouzhan.assets.services.works import work_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _zip(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("corpus.txt", text)
    return buffer.getvalue()


def _at_once(calls: list[Callable[[], Any]]) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            call()
            result = "stored"
        except ValidationError as exc:
            result = " ".join(exc.messages)
        except Exception as exc:  # pragma: no cover - reported in the assertion
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_parallel_versions_of_one_work_are_numbered_without_gaps(make_enterprise: Any) -> None:
    enterprise, owner = make_enterprise(name="光合剧场")
    work = work_create(actor=owner, enterprise=enterprise, data={"kind": "corpus", "title": "沪语语料"})
    calls = [
        (
            lambda i=i: version_register(
                actor=owner, work=work, filename=f"{i}.zip", content=_zip(f"第{i}批"), finish=False
            )
        )
        for i in range(6)
    ]
    assert _at_once(calls) == ["stored"] * 6
    assert sorted(AssetVersion.objects.filter(work=work).values_list("number", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]


def test_the_same_bytes_at_once_are_one_blob_and_on_one_work_one_version(make_enterprise: Any) -> None:
    enterprise, owner = make_enterprise(name="光合剧场")
    first = work_create(actor=owner, enterprise=enterprise, data={"kind": "corpus", "title": "语料甲"})
    second = work_create(actor=owner, enterprise=enterprise, data={"kind": "corpus", "title": "语料乙"})
    same = _zip("同一份语料")
    calls = [
        lambda: version_register(actor=owner, work=first, filename="a.zip", content=same, finish=False),
        lambda: version_register(actor=owner, work=second, filename="b.zip", content=same, finish=False),
        lambda: version_register(actor=owner, work=first, filename="c.zip", content=same, finish=False),
    ]
    outcomes = _at_once(calls)
    assert outcomes == ["stored", "stored", "该文件与本作品第 1 版的内容完全相同，无需重复登记。"]
    assert Blob.objects.count() == 1
    assert AssetVersion.objects.filter(work=first).count() == 1
    assert AssetVersion.objects.filter(work=second).count() == 1

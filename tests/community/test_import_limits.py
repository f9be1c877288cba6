"""The patent import goes through the one spreadsheet reader: issue #11's 1.7 KB sparse sheet (a
dimension claiming A1:XFD1048576, data in rows 1 and 1,048,576) is refused at once, with a 4xx and a
clear message, on the API and on the page — it used to pin a worker for about 17 minutes."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest

from shouzhan.community.models import Listing
from shouzhan.registry.models import Person
from tests.sheet_files import sparse_xlsx

pytestmark = pytest.mark.django_db

REFUSAL = "表格行数过多：读到第 1,048,576 行，而表头以下最多 5,000 行（空行也计算在内）。"


@pytest.fixture
def inventor(make_user: Any) -> Any:
    user = make_user(name="周老先生")
    Person.objects.create(name="周老先生", user=user, title="发明人")
    return user


def _upload() -> io.BytesIO:
    upload = io.BytesIO(sparse_xlsx(["专利号", "名称", "摘要"]))
    upload.name = "专利.xlsx"
    return upload


def test_the_api_refuses_the_sparse_sheet_at_once(inventor: Any, login_client: Any) -> None:
    client = login_client(inventor)
    client.get("/api/v1/community/listings")  # a warm process: time the file, not the first import of the API
    started = time.monotonic()
    response = client.post("/api/v1/community/listings/import", {"file": _upload()})
    elapsed = time.monotonic() - started
    assert response.status_code == 422 and elapsed < 1.0
    assert response.json()["detail"][0].startswith(REFUSAL)
    assert not Listing.objects.exists()


def test_the_page_refuses_the_sparse_sheet_at_once(inventor: Any, login_client: Any) -> None:
    client = login_client(inventor)
    client.get("/community/listings/import/")
    started = time.monotonic()
    response = client.post("/community/listings/import/", {"file": _upload()})
    elapsed = time.monotonic() - started
    assert response.status_code == 422 and elapsed < 1.0
    assert REFUSAL in response.content.decode()

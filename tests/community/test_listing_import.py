"""The patent import never loses a row (#13): a patent number repeated inside one file used to be counted
as 更新 and overwrite the earlier row's title, and the report listed 2 of the 3 bad rows. Now the repeat
is an error row naming the first row, nothing of it is saved, and every bad row is listed — by the service,
the API and the page (in words)."""

from __future__ import annotations

import html
import io
from typing import Any

import openpyxl
import pytest

from shouzhan.community import services
from shouzhan.community.models import Listing
from shouzhan.core.models import AuditEntry
from shouzhan.registry import patent_number
from shouzhan.registry.models import Person

pytestmark = pytest.mark.django_db

FIRST = patent_number.make("202310123456")
OTHER = patent_number.make("202320654321")
THIRD = patent_number.make("202110000001")


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    for row in [
        ["专利号", "名称", "摘要", "法律状态", "技术领域", "合作方式"],
        [FIRST, "一种节能保温墙体材料", "发泡陶瓷", "已授权", "新材料", "许可"],  # row 2
        [OTHER, "短剧自动配音装置", "语音合成", "申请中", "人工智能", "转让"],  # row 3
        [FIRST, "覆盖了标题的保温材料", "", "已授权", "新材料", "许可"],  # row 4: repeats row 2
        [THIRD, "状态不明的专利", "", "有点失效", "新材料", "许可"],  # row 5: a status nobody knows
        # row 6: row 2's number again, spelt as bare digits (one patent, however it is written)
        [FIRST[2:].replace(".", ""), "又一个保温材料", "", "", "", ""],
    ]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXPECTED_ERRORS = [
    (4, "专利号", f"专利号 {FIRST} 与第 2 行重复，本行未导入"),
    (5, "法律状态", "无法识别的法律状态：有点失效"),
    (6, "专利号", f"专利号 {FIRST} 与第 2 行重复，本行未导入"),
]


@pytest.fixture
def inventor(make_user: Any) -> tuple[Any, Person]:
    user = make_user(name="周老先生")
    return user, Person.objects.create(name="周老先生", user=user, title="发明人")


def _upload() -> io.BytesIO:
    upload = io.BytesIO(_xlsx())
    upload.name = "周老先生专利.xlsx"
    return upload


def test_a_repeated_patent_number_is_an_error_row_and_the_first_title_stays(inventor: Any) -> None:
    user, person = inventor
    report = services.listing_import(actor=user, data=_xlsx(), filename="专利.xlsx", owner_person=person)
    assert (report.total_rows, report.created, report.updated) == (5, 2, 0)
    assert [(e.row, e.column, e.reason) for e in report.errors] == EXPECTED_ERRORS
    assert report.bad_rows == [4, 5, 6]
    assert [e.line for e in report.errors[:1]] == [f"第 4 行：专利号 {FIRST} 与第 2 行重复，本行未导入"]
    assert dict(Listing.objects.values_list("patent_number", "title")) == {
        FIRST: "一种节能保温墙体材料",
        OTHER: "短剧自动配音装置",
    }
    # The audit trail has the two applied rows and the import itself; nothing for rows 4 to 6.
    created = {e.target_id for e in AuditEntry.objects.filter(action="community.listing_import_create")}
    assert created == {str(pk) for pk in Listing.objects.values_list("pk", flat=True)}
    assert not AuditEntry.objects.filter(action="community.listing_import_update").exists()
    summary = AuditEntry.objects.get(action="community.listing_import").after or {}
    assert (summary["created"], summary["updated"], summary["errors"]) == (2, 0, 3)


def test_reimporting_updates_each_patent_once(inventor: Any) -> None:
    user, person = inventor
    services.listing_import(actor=user, data=_xlsx(), filename="专利.xlsx", owner_person=person)
    again = services.listing_import(actor=user, data=_xlsx(), filename="专利.xlsx", owner_person=person)
    assert (again.created, again.updated, again.bad_rows) == (0, 2, [4, 5, 6])
    assert Listing.objects.get(patent_number=FIRST).title == "一种节能保温墙体材料"
    assert AuditEntry.objects.filter(action="community.listing_import_update").count() == 2


def test_the_api_lists_every_bad_row(inventor: Any, login_client: Any) -> None:
    user, _person = inventor
    response = login_client(user).post("/api/v1/community/listings/import", {"file": _upload()})
    assert response.status_code == 200
    body = response.json()
    assert (body["total_rows"], body["created"], body["updated"]) == (5, 2, 0)
    assert [(e["row"], e["column"], e["reason"]) for e in body["errors"]] == EXPECTED_ERRORS
    assert Listing.objects.get(patent_number=FIRST).title == "一种节能保温墙体材料"


def test_the_page_lists_every_bad_row_in_words(inventor: Any, login_client: Any) -> None:
    user, person = inventor
    response = login_client(user).post(
        "/community/listings/import/", {"owner": f"person:{person.pk}", "file": _upload()}
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    start = page.index('id="import-errors"')
    table = page[start : page.index("</table>", start)]
    rows = [[cell.split(">", 1)[1] for cell in row.split("</td>")[:-1]] for row in table.split("<tr>")[2:]]
    assert rows == [[str(r), c, reason] for r, c, reason in EXPECTED_ERRORS]
    assert 'id="updated">0<' in page and 'id="bad-rows">3<' in page
    assert "patent_number" not in table and "legal_status" not in table

"""The enterprise import never loses a row (#13): a credit code named twice in one file is the second row's
error naming the first, nothing of it is saved, and every bad row is listed — while the user waits, in a
background job across chunks, and on the pages (in words)."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shouzhan.core.models import AuditEntry
from shouzhan.registry import services
from shouzhan.registry.credit_code import make
from shouzhan.registry.models import Enterprise, ImportJob
from shouzhan.registry.services import import_jobs
from tests.registry.conftest import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["统一社会信用代码", "企业名称", "所在区", "员工人数"]
STAR, FAR, NEW = make("91310104MA0000101"), make("91310104MA0000102"), make("91310104MA0000103")


def _sheet() -> list[list[Any]]:
    return [
        HEADER,
        [STAR, "星河短剧", "徐汇", 5],  # row 2: updates the known enterprise
        [FAR, "远航出海", "杨浦", 12],  # row 3: new
        [STAR, "被覆盖的星河", "闵行", 99],  # row 4: repeats row 2
        [NEW, "坏数据", "纽约", 3],  # row 5: a district nobody knows
        [STAR.lower(), "又一个星河", "", ""],  # row 6: row 2's code again, in lower case
    ]


EXPECTED_ERRORS = [
    (4, "统一社会信用代码", f"统一社会信用代码 {STAR} 与第 2 行重复，本行未导入"),
    (5, "所在区", "“纽约”不是已知的区（如 徐汇、杨浦、闵行、浦东新区、黄浦 …）"),
    (6, "统一社会信用代码", f"统一社会信用代码 {STAR} 与第 2 行重复，本行未导入"),
]


def test_a_repeated_code_is_an_error_row_and_the_first_rows_values_stay(
    caseworker: Any, make_enterprise: Any
) -> None:
    star, _owner = make_enterprise(name="星河短剧", credit_code=STAR, district="徐汇", employees=3)
    report = services.enterprise_import(actor=caseworker, data=xlsx_bytes(_sheet()), filename="名录.xlsx")
    assert (report.total_rows, report.created, report.updated, report.unchanged) == (5, 1, 1, 0)
    assert [(e.row, e.column, e.reason) for e in report.errors] == EXPECTED_ERRORS
    assert report.bad_rows == [4, 5, 6]
    star.refresh_from_db()
    assert (star.name, star.district, star.employees) == ("星河短剧", "徐汇", 5)  # row 2's, not row 4's
    assert not Enterprise.objects.filter(credit_code=NEW).exists()
    # The audit trail has the applied rows only: row 2's update, row 3's creation, and the import itself.
    assert [
        (e.action, e.target_id)
        for e in AuditEntry.objects.filter(action__startswith="registry.enterprise_import").order_by("id")
    ] == [
        ("registry.enterprise_import_update", str(star.pk)),
        ("registry.enterprise_import_create", str(Enterprise.objects.get(credit_code=FAR).pk)),
        ("registry.enterprise_import", ""),
    ]
    summary = AuditEntry.objects.get(action="registry.enterprise_import").after or {}
    assert (summary["created"], summary["updated"], summary["errors"]) == (1, 1, 3)


def test_the_import_page_lists_every_bad_row_in_words(
    caseworker: Any, make_enterprise: Any, login_client: Any
) -> None:
    make_enterprise(name="星河短剧", credit_code=STAR, employees=3)
    upload = SimpleUploadedFile("名录.xlsx", xlsx_bytes(_sheet()))
    response = login_client(caseworker).post("/enterprises/import/", {"file": upload})
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    table = page[page.index('id="import-errors"') : page.index("</table>", page.index('id="import-errors"'))]
    rows = [
        [cell.split(">", 1)[1] for cell in row.split("</td>")[:-1]]
        for row in table.split("<tr>")[2:]  # after the header row
    ]
    assert rows == [[str(r), c, reason] for r, c, reason in EXPECTED_ERRORS]
    assert 'id="bad-rows">3<' in page
    assert "credit_code" not in table and "enterprise." not in table


@pytest.fixture
def small_inline(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three rows are imported at once; more are queued and run two rows per chunk."""
    settings.IMPORT_INLINE_ROWS = 3
    monkeypatch.setattr(import_jobs, "IMPORT_CHUNK", 2)


def test_a_background_import_finds_a_repeat_in_a_later_chunk(caseworker: Any, small_inline: None) -> None:
    codes = [make(f"91310104MA{200 + i:07d}") for i in range(4)]
    rows: list[list[Any]] = [
        HEADER,
        [codes[0], "企业甲", "徐汇", 3],  # row 2, chunk 1
        [codes[1], "企业乙", "徐汇", 3],  # row 3, chunk 1
        [codes[2], "企业丙", "火星", 3],  # row 4, chunk 2: bad district
        [codes[3], "企业丁", "徐汇", 3],  # row 5, chunk 2
        [codes[0], "改名的企业甲", "黄浦", 7],  # row 6, chunk 3: repeats row 2
    ]
    job = services.enterprise_import_submit(actor=caseworker, data=csv_bytes(rows), filename="大.csv")
    assert isinstance(job, ImportJob)
    job = services.import_job_run(job_id=job.pk)
    report = services.ImportReport.from_dict(job.report or {})
    assert (report.created, report.updated, report.bad_rows) == (3, 0, [4, 6])
    assert [(e.row, e.reason) for e in report.errors] == [
        (4, "“火星”不是已知的区（如 徐汇、杨浦、闵行、浦东新区、黄浦 …）"),
        (6, f"统一社会信用代码 {codes[0]} 与第 2 行重复，本行未导入"),
    ]
    first = Enterprise.objects.get(credit_code=codes[0])
    assert (first.name, first.district, first.employees) == ("企业甲", "徐汇", 3)
    assert AuditEntry.objects.filter(action="registry.enterprise_import_create").count() == 3
    assert not AuditEntry.objects.filter(action="registry.enterprise_import_update").exists()

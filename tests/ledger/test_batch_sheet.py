"""Batch grant from an uploaded .xlsx: a row-by-row report (row number and reason), then all or nothing."""

from __future__ import annotations

import io
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from shouzhan.core.models import AuditEntry
from shouzhan.ledger import batch_sheet, selectors, services
from shouzhan.ledger.models import Account, Journal
from tests.conftest import valid_credit_code
from tests.ledger.conftest import CAP

pytestmark = pytest.mark.django_db


def _xlsx(rows, header=("统一社会信用代码", "金额（元）", "备注")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def firms(make_enterprise):
    return [make_enterprise()[0] for _ in range(3)]


def test_good_sheet_previews_and_grants_all(programme, officer, firms):
    data = _xlsx(
        [
            (firms[0].credit_code, 200000, "首批"),
            (firms[1].credit_code.lower(), "150,000.50", None),
            (firms[2].credit_code, Decimal("1.5"), "尾款"),
        ]
    )
    rows = batch_sheet.sheet_read(data=data, filename="名单.xlsx")
    assert [(r.row, r.amount_fen, r.error) for r in rows] == [
        (2, 20_000_000, ""),
        (3, 15_000_050, ""),
        (4, 150, ""),
    ]
    report = services.voucher_batch_sheet_preview(actor=officer, programme=programme, rows=rows)
    assert all(r.ok for r in report)
    journals = services.voucher_batch_sheet_grant(
        actor=officer, programme=programme, rows=rows, source="名单.xlsx"
    )
    assert len(journals) == 3
    assert Account.objects.get(kind="wallet", enterprise=firms[1]).balance_fen == 15_000_050
    assert Journal.objects.filter(kind="grant", memo="首批").count() == 1
    batch = AuditEntry.objects.get(action="ledger.voucher_batch_grant")
    assert (
        batch.after["rows"] == 3
        and batch.after["total_fen"] == 35_000_200
        and batch.after["source"] == "名单.xlsx"
    )
    assert AuditEntry.objects.filter(action="ledger.voucher_grant").count() == 3
    assert selectors.books_check().ok


def test_bad_rows_are_reported_with_row_number_and_reason(programme, officer, firms):
    data = _xlsx(
        [
            (firms[0].credit_code, 100, ""),  # row 2: fine
            ("", 100, ""),  # row 3: no code
            ("91310104MA0000001Y", 100, ""),  # row 4: check character wrong
            (valid_credit_code(9_999_999), 100, ""),  # row 5: valid but unknown
            (firms[1].credit_code, "12.345", ""),  # row 6: fractions of a fen
            (firms[1].credit_code, -5, ""),  # row 7: negative
            (firms[0].credit_code, 100, ""),  # row 8: the same enterprise twice
            (firms[2].credit_code, CAP // 100 + 1, ""),  # row 9: over the yearly cap
            (None, None, None),  # blank: skipped
            (firms[1].credit_code, None, "x"),  # row 11: no amount
        ]
    )
    rows = batch_sheet.sheet_read(data=data)
    report = services.voucher_batch_sheet_preview(actor=officer, programme=programme, rows=rows)
    verdicts = {r.row: r.message for r in report}
    assert [r.row for r in report] == [2, 3, 4, 5, 6, 7, 8, 9, 11]
    assert verdicts[2] == ""
    assert "不能为空" in verdicts[3]
    assert verdicts[4]  # the registry's check-character message
    assert "没有找到统一社会信用代码为" in verdicts[5]
    assert verdicts[6].startswith("金额有误") and "两位小数" in verdicts[6]
    # Rows 7, 8 and 11 name a code an earlier row named: each names that row, then its own problem.
    repeat_of_6 = f"统一社会信用代码 {firms[1].credit_code} 与第 6 行重复，本行不发放"
    assert verdicts[7].startswith(repeat_of_6 + "；金额有误") and "负数" in verdicts[7]
    assert verdicts[8] == f"统一社会信用代码 {firms[0].credit_code} 与第 2 行重复，本行不发放"
    assert verdicts[9].startswith("超过每年每项上限")
    assert verdicts[11] == repeat_of_6 + "；金额不能为空。"
    # Confirming anyway writes nothing, and says which rows and why.
    with pytest.raises(ValidationError) as exc:
        services.voucher_batch_sheet_grant(actor=officer, programme=programme, rows=rows)
    assert exc.value.messages[0].startswith("第 3 行")
    assert any(m.startswith("第 9 行") and "超过每年每项上限" in m for m in exc.value.messages)
    assert not Journal.objects.filter(kind="grant").exists()


def test_all_or_nothing_when_the_budget_runs_out_midway(programme, officer, make_enterprise):
    # The programme's budget is 5 caps: six full-cap rows cannot all be granted.
    firms = [make_enterprise()[0] for _ in range(6)]
    rows = batch_sheet.sheet_read(data=_xlsx([(f.credit_code, CAP // 100, "") for f in firms]))
    report = services.voucher_batch_sheet_preview(actor=officer, programme=programme, rows=rows)
    assert [r.ok for r in report] == [True] * 5 + [False]
    assert report[-1].message.startswith("预算不足")
    with pytest.raises(ValidationError, match="第 7 行"):
        services.voucher_batch_sheet_grant(actor=officer, programme=programme, rows=rows)
    assert not Account.objects.filter(kind="wallet", balance_fen__gt=0).exists()
    assert Account.objects.get(pk=programme.budget_account_id).balance_fen == 5 * CAP


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        (b"PK\x03\x04not really a workbook", "无法读取"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", ".xls"),
        (_xlsx([("x", 1, "")], header=("企业", "钱", "备注")), "缺少列"),
        (_xlsx([]), "没有数据行"),
    ],
)
def test_unreadable_files_get_a_clear_message(db, data, message):
    with pytest.raises(ValidationError) as exc:
        batch_sheet.sheet_read(data=data, filename="x.xlsx")
    assert message in exc.value.messages[0]


def test_only_grant_roles(programme, caseworker, firms):
    rows = batch_sheet.sheet_read(data=_xlsx([(firms[0].credit_code, 1, "")]))
    with pytest.raises(PermissionDenied):
        services.voucher_batch_sheet_preview(actor=caseworker, programme=programme, rows=rows)


def _upload(client, programme, data, name="名单.xlsx"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(
        "/ledger/staff/grant/xlsx/", {"programme": programme.pk, "file": upload, "preview": "1"}
    )


def test_page_preview_then_confirm(programme, officer, firms, login_client):
    client = login_client(officer)
    assert client.get("/ledger/staff/grant/xlsx/").status_code == 200
    template = client.get("/ledger/staff/grant/template.xlsx")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    r = _upload(
        client, programme, _xlsx([(firms[0].credit_code, 1000, "首批"), (firms[1].credit_code, 2000, "")])
    )
    assert r.status_code == 200
    page = r.content.decode()
    assert "可发放" in page and "确认向 2 家企业发放" in page
    payload = r.context["payload"]
    r = client.post("/ledger/staff/grant/xlsx/", {"payload": payload, "confirm": "1"})
    assert r.status_code == 302
    assert Account.objects.get(kind="wallet", enterprise=firms[1]).balance_fen == 200_000
    # The same preview confirmed twice (a double click) grants once; a tampered payload is refused.
    r = client.post("/ledger/staff/grant/xlsx/", {"payload": payload, "confirm": "1"})
    assert r.status_code == 422 and "已经确认发放过" in r.content.decode()
    assert Journal.objects.filter(kind="grant").count() == 2
    r = client.post("/ledger/staff/grant/xlsx/", {"payload": payload + "x", "confirm": "1"})
    assert r.status_code == 422 and "预览已过期" in r.content.decode()


def test_page_shows_bad_rows_and_no_confirm(programme, officer, firms, login_client):
    client = login_client(officer)
    r = _upload(client, programme, _xlsx([(firms[0].credit_code, 1000, ""), ("9131", 5, "")]))
    assert r.status_code == 422
    page = r.content.decode()
    assert "1 行不通过" in page and "确认向" not in page
    assert not r.context["payload"]
    r = _upload(client, programme, b"hello, world", name="list.xlsx")
    assert r.status_code == 422 and "不是有效的 Excel 文件" in r.content.decode()
    assert not Journal.objects.filter(kind="grant").exists()


def test_the_sparse_sheet_is_refused_at_once(programme, officer, login_client):
    """Issue #11: the batch-grant sheet uses the same reader as every import, so the 1.7 KB sparse
    .xlsx (dimension A1:XFD1048576, data in rows 1 and 1,048,576) is refused in well under a second."""
    from tests.sheet_files import sparse_xlsx

    client = login_client(officer)
    client.get("/ledger/staff/grant/xlsx/")  # a warm process: time the file, not the first request
    started = time.monotonic()
    r = _upload(client, programme, sparse_xlsx(["统一社会信用代码", "金额（元）", "备注"]))
    elapsed = time.monotonic() - started
    assert r.status_code == 422 and elapsed < 1.0
    assert (
        "表格行数过多：读到第 1,048,576 行，而表头以下最多 5,000 行（空行也计算在内）。" in r.content.decode()
    )
    assert not Journal.objects.filter(kind="grant").exists()

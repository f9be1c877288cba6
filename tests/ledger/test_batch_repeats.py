"""The batch grant sheet never loses a row (#13): an enterprise (credit code) named twice in one sheet — the
programme is chosen once for the whole sheet — is the second row's refusal naming the first; every bad row
is listed in the preview, on the page (in words) and in the refusal to grant, and nothing is granted."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from shouzhan.core.models import AuditEntry
from shouzhan.ledger import batch_sheet, services
from shouzhan.ledger.models import Account, Journal

pytestmark = pytest.mark.django_db

BAD_AMOUNT = "金额有误：“abc”不是有效金额：请只填阿拉伯数字，可用逗号按三位分隔，最多两位小数，如 1,234.56"


def _xlsx(rows: list[tuple[Any, ...]]) -> bytes:
    book = Workbook()
    book.active.append(["统一社会信用代码", "金额（元）", "备注"])
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def firms(make_enterprise: Any) -> list[Any]:
    return [make_enterprise()[0] for _ in range(3)]


def _sheet(firms: list[Any]) -> bytes:
    return _xlsx(
        [
            (firms[0].credit_code, 1000, "首批"),  # row 2
            (firms[1].credit_code, 2000, ""),  # row 3
            (firms[0].credit_code.lower(), 5000, "又一次"),  # row 4: repeats row 2
            (firms[2].credit_code, "abc", ""),  # row 5: no amount one can read
        ]
    )


def _expected(firms: list[Any]) -> dict[int, str]:
    return {
        2: "",
        3: "",
        4: f"统一社会信用代码 {firms[0].credit_code} 与第 2 行重复，本行不发放",
        5: BAD_AMOUNT,
    }


def test_a_repeated_enterprise_is_refused_naming_the_first_row(
    programme: Any, officer: Any, firms: Any
) -> None:
    rows = batch_sheet.sheet_read(data=_sheet(firms), filename="名单.xlsx")
    report = services.voucher_batch_sheet_preview(actor=officer, programme=programme, rows=rows)
    assert {r.row: r.message for r in report} == _expected(firms)
    assert [r.row for r in report if not r.ok] == [4, 5]
    with pytest.raises(ValidationError) as exc:
        services.voucher_batch_sheet_grant(actor=officer, programme=programme, rows=rows, source="名单.xlsx")
    assert exc.value.messages == [
        f"第 4 行（{firms[0].credit_code}）：统一社会信用代码 {firms[0].credit_code} 与第 2 行重复，本行不发放",
        f"第 5 行（{firms[2].credit_code}）：{BAD_AMOUNT}",
    ]
    assert not Journal.objects.filter(kind="grant").exists()
    assert not AuditEntry.objects.filter(
        action__in=["ledger.voucher_grant", "ledger.voucher_batch_grant"]
    ).exists()

    # The sheet put right (the repeat removed, the amount fixed) grants the first row's amount, once.
    fixed = _xlsx(
        [
            (firms[0].credit_code, 1000, "首批"),
            (firms[1].credit_code, 2000, ""),
            (firms[2].credit_code, 300, ""),
        ]
    )
    rows = batch_sheet.sheet_read(data=fixed, filename="名单.xlsx")
    journals = services.voucher_batch_sheet_grant(actor=officer, programme=programme, rows=rows)
    assert len(journals) == 3
    assert Account.objects.get(kind="wallet", enterprise=firms[0]).balance_fen == 100_000
    assert AuditEntry.objects.filter(action="ledger.voucher_grant").count() == 3
    assert AuditEntry.objects.filter(action="ledger.voucher_batch_grant").count() == 1


def test_the_confirmed_list_is_checked_for_repeats_again(programme: Any, officer: Any, firms: Any) -> None:
    rows = batch_sheet.rows_from_payload(
        [[2, firms[0].credit_code, 100_000, ""], [3, firms[0].credit_code, 500_000, ""]]
    )
    assert [(r.row, r.error) for r in rows] == [
        (2, ""),
        (3, f"统一社会信用代码 {firms[0].credit_code} 与第 2 行重复，本行不发放"),
    ]
    with pytest.raises(ValidationError, match="第 3 行"):
        services.voucher_batch_sheet_grant(actor=officer, programme=programme, rows=rows)
    assert not Journal.objects.filter(kind="grant").exists()


def test_the_page_lists_every_bad_row_in_words(
    programme: Any, officer: Any, firms: Any, login_client: Any
) -> None:
    upload = io.BytesIO(_sheet(firms))
    upload.name = "名单.xlsx"
    response = login_client(officer).post(
        "/ledger/staff/grant/xlsx/", {"programme": programme.pk, "file": upload, "preview": "1"}
    )
    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    bad = re.findall(
        r'<tr class="row-bad"><td class="num">(\d+)</td>.*?<span class="badge badge-bad">(.*?)</span>',
        page,
        re.S,
    )
    expected = _expected(firms)
    assert bad == [("4", expected[4]), ("5", expected[5])]
    assert "2 行不通过" in page and "确认向" not in page
    assert "credit_code" not in page
    assert not Journal.objects.filter(kind="grant").exists()

"""Reading a batch grant from an uploaded spreadsheet: 统一社会信用代码, 金额（元）, 备注 — one row per enterprise.

Reading never writes. Every row comes back with its spreadsheet row number and, when it cannot be
used, the reason — a credit code named by an earlier row is refused here, naming that row (the programme is
chosen once for the whole sheet, so the code alone is the key); the ledger's own checks (yearly cap,
budget) are added by `services.voucher_batch_sheet_preview`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shouzhan.core.importing import FirstRows
from shouzhan.core.money import parse_yuan_fen
from shouzhan.core.spreadsheets import SpreadsheetError, is_blank, read_rows
from shouzhan.registry.models import Enterprise
from shouzhan.registry.spreadsheet import CellError, parse_credit_code, parse_money

CODE, AMOUNT, NOTE = "统一社会信用代码", "金额（元）", "备注"
COLUMNS = (CODE, AMOUNT, NOTE)
MAX_ROWS = 5000


def _norm(header: Any) -> str:
    text = "" if header is None else str(header)
    return text.strip().replace("（", "(").replace("）", ")").replace(" ", "").replace("\ufeff", "")


_HEADERS = {
    _norm(CODE): CODE,
    _norm("信用代码"): CODE,
    _norm(AMOUNT): AMOUNT,
    _norm("金额"): AMOUNT,
    _norm("金额(元)"): AMOUNT,
    _norm(NOTE): NOTE,
    _norm("说明"): NOTE,
}


@dataclass
class SheetRow:
    row: int  # the spreadsheet's row number (the header is row 1)
    credit_code: str
    amount_fen: int | None
    note: str
    enterprise: Enterprise | None = None
    error: str = ""

    def as_payload(self) -> list[Any]:
        return [self.row, self.credit_code, self.amount_fen, self.note]


def sheet_read(*, data: bytes, filename: str = "") -> list[SheetRow]:
    """Every data row with its number, the enterprise it names and, if unusable, why.

    Raises ValidationError when the file as a whole cannot be read (wrong type, no header) or is
    beyond the limits of the one reader (bytes, rows — at most MAX_ROWS here —, cells, seconds).
    """
    rows: list[SheetRow] = []
    columns: dict[str, int] | None = None
    first_rows = _first_rows()
    try:
        for number, cells in read_rows(data, filename, max_rows=MAX_ROWS):
            if all(is_blank(c) for c in cells):
                continue
            if columns is None:
                columns = {}
                for index, header in enumerate(cells):
                    name = _HEADERS.get(_norm(header))
                    if name is not None and name not in columns:
                        columns[name] = index
                missing = [c for c in (CODE, AMOUNT) if c not in columns]
                if missing:
                    raise ValidationError(
                        _("第 %(row)s 行应为表头，缺少列：%(cols)s（需要：%(need)s）。")
                        % {"row": number, "cols": "、".join(missing), "need": "、".join(COLUMNS)}
                    )
                continue
            rows.append(_row(number, cells, columns, first_rows))
    except SpreadsheetError as exc:
        raise ValidationError(str(exc)) from exc
    if columns is None:
        raise ValidationError(_("文件中没有表头（需要：%(need)s）。") % {"need": "、".join(COLUMNS)})
    if not rows:
        raise ValidationError(_("表中没有数据行。"))
    _attach_enterprises(rows)
    return rows


def _first_rows() -> FirstRows[str]:
    return FirstRows(column=CODE, outcome=_("本行不发放"))


def _repeat_check(row: SheetRow, first_rows: FirstRows[str]) -> None:
    """A code an earlier row named: this row is refused, naming that row, with its own problem after."""
    repeat = first_rows.claim(row.row, row.credit_code)
    if repeat is not None:
        row.error = "；".join(e for e in (repeat.reason, row.error) if e)


def _cell(cells: list[Any], index: int | None) -> Any:
    return cells[index] if index is not None and index < len(cells) else None


def _row(number: int, cells: list[Any], columns: dict[str, int], first_rows: FirstRows[str]) -> SheetRow:
    raw_code, raw_amount = _cell(cells, columns[CODE]), _cell(cells, columns[AMOUNT])
    raw_note = _cell(cells, columns.get(NOTE))
    note = "" if is_blank(raw_note) else str(raw_note).strip()[:255]
    row = SheetRow(row=number, credit_code=str(raw_code or "").strip().upper(), amount_fen=None, note=note)
    try:
        row.credit_code = parse_credit_code(raw_code)
    except CellError as exc:
        row.error = str(exc)
        return row
    row.error = _amount_error(row, raw_amount)
    _repeat_check(row, first_rows)
    return row


def _amount_error(row: SheetRow, raw_amount: Any) -> str:
    """Reads the amount into the row; the reason it cannot be used, or ""."""
    try:
        amount = parse_money(raw_amount)
    except CellError as exc:
        return _("金额有误：%(e)s") % {"e": exc}
    if amount is None:
        return _("金额不能为空。")
    row.amount_fen = parse_yuan_fen(amount)
    return _("金额必须大于零。") if row.amount_fen <= 0 else ""


def _attach_enterprises(rows: list[SheetRow]) -> None:
    codes = {r.credit_code for r in rows if not r.error}
    found = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
    for r in rows:
        if r.error:
            continue
        r.enterprise = found.get(r.credit_code)
        if r.enterprise is None:
            r.error = _("没有找到统一社会信用代码为 %(code)s 的企业。") % {"code": r.credit_code}


def rows_from_payload(payload: list[list[Any]]) -> list[SheetRow]:
    """The rows a preview carried to the confirm step (signed, so unchanged), with their enterprises again."""
    rows = [
        SheetRow(row=int(r[0]), credit_code=str(r[1]), amount_fen=int(r[2]), note=str(r[3])[:255])
        for r in payload
    ]
    first_rows = _first_rows()
    for row in rows:
        _repeat_check(row, first_rows)
    _attach_enterprises(rows)
    return rows

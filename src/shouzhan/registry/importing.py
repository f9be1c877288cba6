"""Reading and writing the enterprise register as a spreadsheet (.xlsx or .csv): Chinese headers, one
enterprise per row, keyed by credit code — the same shape as community's patent importer.

The columns and cell parsers are `registry.spreadsheet`'s; the file is read through the one reader and
the header steps every importer shares (`core.importing`). Saving, permissions and the audit trail are
`services.imports`'.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from shouzhan.core.importing import FirstRows, Table, table_read
from shouzhan.core.money import yuan_decimal
from shouzhan.registry import spreadsheet as sheet
from shouzhan.registry.choices import Sector, Stage
from shouzhan.registry.models import Enterprise

COLUMNS = sheet.COLUMNS
HEADER = [column.label for column in COLUMNS]
_REQUIRED = [column for column in COLUMNS if column.key in sheet.REQUIRED_KEYS]


def column_label(key: str) -> str:
    return next((c.label for c in COLUMNS if c.key == key), "")


def read(data: bytes, filename: str) -> Table[sheet.Column]:
    """Header columns, ignored header names, and the non-blank data rows; SpreadsheetError when the file
    cannot be imported at all (type, limits, empty, header)."""
    return table_read(
        data,
        filename,
        column_for=sheet.column_for_header,
        label=lambda column: column.label,
        required=_REQUIRED,
        blank_header=_("第 1 行应为表头（如 统一社会信用代码、企业名称 …），但它是空的"),
        refuse_repeated=True,
    )


def parse_row(
    columns: list[sheet.Column | None], values: list[Any]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Cells → the service's data (keys as `enterprise_update` takes them), and the problems found
    (column label, reason)."""
    parsed: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    padded = list(values) + [None] * (len(columns) - len(values))
    for column, value in zip(columns, padded, strict=False):
        if column is None:
            continue
        try:
            parsed[column.key] = column.parse(value)
        except sheet.CellError as exc:
            problems.append((column.label, str(exc)))
    return parsed, problems


def credit_code_index(columns: list[sheet.Column | None]) -> int | None:
    return next((i for i, c in enumerate(columns) if c is not None and c.key == "credit_code"), None)


def first_rows() -> FirstRows[str]:
    """The file's key: an enterprise is matched by its credit code alone (the column is required and a
    row without a valid code is refused), so a code named twice is the second row's error."""
    return FirstRows(column=column_label("credit_code"))


def row_key(columns: list[sheet.Column | None], values: list[Any]) -> str | None:
    """The row's credit code as `parse_row` reads it, or None when it cannot be read."""
    index = credit_code_index(columns)
    if index is None:
        return None
    try:
        return sheet.parse_credit_code(values[index] if index < len(values) else None)
    except sheet.CellError:
        return None


def export_rows(enterprises: Iterable[Enterprise]) -> list[list[Any]]:
    """The enterprises as the import reads them back (labels for choices, yuan for money)."""
    sectors = {k: str(v) for k, v in Sector.choices}
    stages = {k: str(v) for k, v in Stage.choices}
    return [
        [
            e.credit_code or None,
            e.name,
            e.district or None,
            e.registered_on,
            e.employees,
            None if e.annual_revenue_fen is None else yuan_decimal(e.annual_revenue_fen),
            sheet.bool_text(e.is_one_person_company),
            sectors.get(e.sector) if e.sector else None,
            sheet.bool_text(e.in_cluster),
            sheet.bool_text(e.is_startup),
            stages.get(e.stage, e.stage),
            e.legal_representative or None,
            e.address or None,
            e.phone or None,
        ]
        for e in enterprises
    ]

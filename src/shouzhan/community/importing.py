"""Reading a spreadsheet of patents (.xlsx or .csv): Chinese headers, one listing per row, keyed by the
patent number (normalised, so ZL202310123456.7 and 2023101234567 are one patent)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from shouzhan.community.models import Listing, Seeking
from shouzhan.core.importing import FirstRows, table_read
from shouzhan.core.spreadsheets import is_blank
from shouzhan.registry import patent_number

MAX_ROWS = 5000  # rows below the header in one file (the one reader counts blank rows too)

# key → (label, accepted headers)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "patent_number": ("专利号", ("专利号", "申请号", "专利申请号", "patent_number", "patent number")),
    "title": ("名称", ("名称", "专利名称", "发明名称", "标题", "title")),
    "abstract": ("摘要", ("摘要", "简介", "技术简介", "说明", "abstract")),
    "legal_status": ("法律状态", ("法律状态", "状态", "legal_status")),
    "field": ("技术领域", ("技术领域", "领域", "field")),
    "seeking": ("合作方式", ("合作方式", "交易方式", "寻求", "seeking")),
}
REQUIRED = ("patent_number", "title")
STATUS_WORDS = {
    "已授权": Listing.LegalStatus.GRANTED,
    "授权": Listing.LegalStatus.GRANTED,
    "有效": Listing.LegalStatus.GRANTED,
    "granted": Listing.LegalStatus.GRANTED,
    "申请中": Listing.LegalStatus.PENDING,
    "审查中": Listing.LegalStatus.PENDING,
    "pending": Listing.LegalStatus.PENDING,
    "已失效": Listing.LegalStatus.EXPIRED,
    "失效": Listing.LegalStatus.EXPIRED,
    "expired": Listing.LegalStatus.EXPIRED,
}
SEEKING_WORDS = (
    {str(s.label): s.value for s in Seeking}
    | {s.value: s.value for s in Seeking}
    | {
        "专利许可": Seeking.LICENCE,
        "专利转让": Seeking.SALE,
        "出售": Seeking.SALE,
        "合作": Seeking.PARTNER,
        "融资": Seeking.INVESTMENT,
    }
)


def column_label(key: str) -> str:
    return COLUMNS[key][0] if key in COLUMNS else ""


def first_rows() -> FirstRows[str]:
    """The file's key: a listing is matched by its patent number, so a number named twice is the second
    row's error (the import only makes offers; needs are not imported)."""
    return FirstRows(column=column_label("patent_number"))


def _norm(text: Any) -> str:
    return re.sub(r"[\s*（）()]", "", str(text or "")).lower()


def read(data: bytes, filename: str) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """Rows as {key: cell} with their spreadsheet row numbers, and the header names we ignored.

    Raises SpreadsheetError when the file cannot be read or is beyond the reader's limits."""
    lookup = {_norm(h): key for key, (_label, headers) in COLUMNS.items() for h in headers}
    table = table_read(
        data,
        filename,
        column_for=lambda header: lookup.get(_norm(header)),
        label=column_label,
        required=REQUIRED,
        blank_header=_("第 1 行应为表头（专利号、名称、摘要 …），但它是空的"),
        max_rows=MAX_ROWS,
    )
    rows = [
        (number, {k: v for k, v in zip(table.columns, values, strict=False) if k is not None})
        for number, values in table.rows
    ]
    return rows, table.ignored


def parse_row(cells: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Cells → listing data, and the problems found (column label, reason)."""
    problems: list[tuple[str, str]] = []
    text = {k: "" if is_blank(v) else str(v).strip() for k, v in cells.items()}
    parsed: dict[str, Any] = {
        "patent_number": text.get("patent_number", ""),
        "title": text.get("title", ""),
        "abstract": text.get("abstract", "") or text.get("title", ""),
        "field": text.get("field", "") or _("未分类"),
    }
    if not parsed["patent_number"]:
        problems.append((COLUMNS["patent_number"][0], _("专利号不能为空")))
    else:
        try:  # normalised here: the key a repeat is found by and the listing an update is matched to
            parsed["patent_number"] = patent_number.validate(parsed["patent_number"])
        except patent_number.PatentNumberError as exc:
            problems.append((COLUMNS["patent_number"][0], str(exc)))
            parsed["patent_number"] = ""
    status_text = text.get("legal_status", "")
    if status_text:
        status = STATUS_WORDS.get(status_text.lower())
        if status is None:
            problems.append((COLUMNS["legal_status"][0], _("无法识别的法律状态：%(v)s") % {"v": status_text}))
        else:
            parsed["legal_status"] = status
    else:
        parsed["legal_status"] = Listing.LegalStatus.GRANTED
    seeking: list[str] = []
    for part in re.split(r"[、,，;；/\s]+", text.get("seeking", "")):
        if not part:
            continue
        value = SEEKING_WORDS.get(part) or SEEKING_WORDS.get(part.lower())
        if value is None:
            problems.append((COLUMNS["seeking"][0], _("无法识别的合作方式：%(v)s") % {"v": part}))
        else:
            seeking.append(str(value))
    parsed["seeking"] = seeking or [Seeking.LICENCE.value, Seeking.SALE.value]
    return parsed, problems

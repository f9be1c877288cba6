"""The enterprise register as a spreadsheet: its columns and cell parsers.

Pure functions without database access; `services.enterprise_import` and
`services.enterprise_export` do the saving, the permissions and the audit trail.
Files are read and written by core.spreadsheets (the one reader, with its limits, and the one
writer, which stores text as text). Every parser raises `CellError` with a reason in Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shouzhan.core.money import MoneyError, parse_yuan
from shouzhan.core.spreadsheets import SpreadsheetError
from shouzhan.core.spreadsheets import is_blank as is_blank
from shouzhan.registry import credit_code as cc
from shouzhan.registry.choices import DISTRICTS, Sector, Stage


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason shown to the person importing."""


FileError = SpreadsheetError  # the whole file cannot be read (type, size, limits, header …)


_TRUE = {"是", "true", "1", "y", "yes", "t", "对", "√"}
_FALSE = {"否", "false", "0", "n", "no", "f", "不是", "×"}


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_bool(value: Any) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(
        f"“{_text(value)}”不是有效的是/否值（可填 是、否、true、false、1、0、Y、N，留空表示未知）"
    )


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def parse_date(value: Any, *, today: dt.date | None = None) -> dt.date | None:
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = _text(value).split(" ")[0].split("T")[0]
        for pattern in _DATE_PATTERNS:
            m = pattern.match(text)
            if m:
                try:
                    day = dt.date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError as exc:
                    raise CellError(f"“{text}”不是存在的日期") from exc
                break
        else:
            raise CellError(f"“{_text(value)}”不是有效日期（可填 2024-03-01、2024/3/1 或 2024年3月1日）")
    if day.year < 1900:
        raise CellError("日期不能早于 1900 年")
    if day > (today or dt.date.today()):
        raise CellError("成立日期不能晚于今天")
    return day


def parse_int(value: Any, *, maximum: int = 1_000_000) -> int | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"“{value}”不是整数")
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(f"“{value}”不是整数")
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = _text(value).replace(",", "").replace("，", "")
        if not re.fullmatch(r"[+-]?\d+", text):
            raise CellError(f"“{_text(value)}”不是整数")
        number = int(text)
    if number < 0:
        raise CellError("不能为负数")
    if number > maximum:
        raise CellError(f"不能大于 {maximum:,}")
    return number


def parse_money(value: Any) -> Decimal | None:
    """Yuan as typed ('1,234.56' or '1200': core.money's one format, so '¥1200' is refused) or as an Excel
    number cell (its shortest decimal text)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"“{value}”不是有效金额")
    if isinstance(value, float):
        # An Excel number cell: read the decimal digits Excel shows, never binary float arithmetic.
        value = repr(value)
    try:
        return parse_yuan(value)
    except MoneyError as exc:
        raise CellError(str(exc)) from exc


def parse_credit_code(value: Any) -> str:
    if is_blank(value):
        raise CellError("统一社会信用代码不能为空")
    try:
        return cc.validate(_text(value))
    except cc.CreditCodeError as exc:
        raise CellError(str(exc)) from exc


def parse_district(value: Any) -> str:
    if is_blank(value):
        return ""
    text = _text(value)
    if text in DISTRICTS:
        return text
    short = text.removesuffix("区")
    if short in DISTRICTS:
        return short
    raise CellError(f"“{text}”不是已知的区（如 {'、'.join(DISTRICTS[:5])} …）")


def _choice_parser(choices: list[tuple[str, Any]], what: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if is_blank(value):
            return ""
        text = _text(value)
        for code, label in choices:
            if (
                text.lower() == code
                or text == str(label)
                or text.replace(" ", "") == str(label).replace(" ", "")
            ):
                return code
        examples = "、".join(str(label) for _code, label in choices[:4])
        raise CellError(f"“{text}”不是有效的{what}（可填代码或名称，如 {examples} …）")

    return parse


def _string_parser(max_length: int, *, required: str = "") -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = "" if is_blank(value) else _text(value)
        if required and not text:
            raise CellError(f"{required}不能为空")
        if len(text) > max_length:
            raise CellError(f"不能超过 {max_length} 个字符（当前 {len(text)} 个）")
        return text

    return parse


@dataclass(frozen=True)
class Column:
    key: str  # the service's field name (annual_revenue_yuan for money)
    label: str  # the Chinese header written on export
    aliases: tuple[str, ...]
    parse: Callable[[Any], Any]


COLUMNS: tuple[Column, ...] = (
    Column(
        "credit_code",
        "统一社会信用代码",
        ("enterprise.credit_code", "credit_code", "信用代码"),
        parse_credit_code,
    ),
    Column("name", "企业名称", ("enterprise.name", "name", "名称"), _string_parser(200, required="企业名称")),
    Column("district", "所在区", ("enterprise.district", "district", "区"), parse_district),
    Column(
        "registered_on", "成立日期", ("enterprise.registered_on", "registered_on", "注册日期"), parse_date
    ),
    Column("employees", "员工人数", ("enterprise.employees", "employees", "从业人数"), parse_int),
    Column(
        "annual_revenue_yuan",
        "年营业收入（元）",
        ("enterprise.annual_revenue_yuan", "annual_revenue_yuan", "年营业收入"),
        parse_money,
    ),
    Column(
        "is_one_person_company",
        "一人公司",
        ("enterprise.is_one_person_company", "is_one_person_company", "是否一人公司"),
        parse_bool,
    ),
    Column(
        "sector", "行业", ("enterprise.sector", "sector", "所属行业"), _choice_parser(Sector.choices, "行业")
    ),
    Column(
        "in_cluster", "在集聚区", ("enterprise.in_cluster", "in_cluster", "是否入驻产业集聚区"), parse_bool
    ),
    Column("is_startup", "初创企业", ("enterprise.is_startup", "is_startup", "是否初创企业"), parse_bool),
    Column("stage", "孵化阶段", ("enterprise.stage", "stage"), _choice_parser(Stage.choices, "孵化阶段")),
    Column(
        "legal_representative",
        "法定代表人",
        ("enterprise.legal_representative", "legal_representative"),
        _string_parser(60),
    ),
    Column("address", "地址", ("enterprise.address", "address"), _string_parser(255)),
    Column("phone", "联系电话", ("enterprise.phone", "phone", "电话"), _string_parser(30)),
)
REQUIRED_KEYS = ("credit_code", "name")


def _norm_header(text: Any) -> str:
    s = "" if text is None else str(text)
    s = s.strip().replace("（", "(").replace("）", ")").replace(" ", "").replace("\ufeff", "").lower()
    return s


_HEADER_INDEX: dict[str, Column] = {}
for _col in COLUMNS:
    for _name in (_col.label, *_col.aliases):
        _HEADER_INDEX[_norm_header(_name)] = _col


def column_for_header(header: Any) -> Column | None:
    return _HEADER_INDEX.get(_norm_header(header))


def bool_text(value: bool | None) -> str | None:
    return None if value is None else ("是" if value else "否")

"""The one reader and the one writer for every spreadsheet the platform takes in or hands out.

Reading (.xlsx and .csv): `read_rows` yields (row number, cell values) and counts what it reads —
the file's bytes, the uncompressed bytes of every .xlsx part it opens, the rows (blank ones and the
gaps between row numbers too), the cells, and the seconds spent — and refuses the file with a
`SpreadsheetError` (a reason in Chinese) the moment one budget is spent. Nothing the file says
about itself is trusted: the `<dimension>` element is ignored, the sheet XML is parsed as a stream
(expat, no DTD, so no entity expansion), and a zip member can yield no more than the size its
header declares (zipfile enforces it), so a zip bomb costs at most the uncompressed budget.

Writing (.xlsx): `write_xlsx` stores text as text (an inline string, never a formula, even when it
starts with = + - @), numbers as numbers, Decimal with its exact digits, dates as dates.

Limits come from settings: IMPORT_MAX_BYTES, IMPORT_MAX_UNZIPPED_BYTES, IMPORT_MAX_ROWS,
IMPORT_MAX_CELLS, IMPORT_MAX_SECONDS.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import posixpath
import re
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.parsers import expat

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
MAX_COLUMN = 16384  # XFD, the last column Excel has
_CHUNK = 64 * 1024


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read; str() is the reason shown to the person importing."""


class SpreadsheetLimitError(SpreadsheetError):
    """A budget on what is read (bytes, rows, cells, seconds) was spent: the file is refused."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ------------------------------------------------------------------------------------------ limits
@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int  # the file as uploaded
    max_unzipped_bytes: int  # every .xlsx part opened, uncompressed, together
    max_rows: int  # rows below the header, blank ones and gaps between row numbers included
    max_cells: int  # cells read, blank ones inside a row included
    max_seconds: float  # time spent reading

    @classmethod
    def from_settings(cls, *, max_rows: int | None = None) -> ReadLimits:
        """The configured limits; an importer with a smaller row limit of its own passes `max_rows`."""
        rows = int(settings.IMPORT_MAX_ROWS)
        return cls(
            max_bytes=int(settings.IMPORT_MAX_BYTES),
            max_unzipped_bytes=int(settings.IMPORT_MAX_UNZIPPED_BYTES),
            max_rows=min(rows, max_rows) if max_rows else rows,
            max_cells=int(settings.IMPORT_MAX_CELLS),
            max_seconds=float(settings.IMPORT_MAX_SECONDS),
        )


def size_check(size: int, *, max_bytes: int | None = None) -> None:
    """Refuse a file larger than the upload limit (before reading a byte of it)."""
    limit = int(settings.IMPORT_MAX_BYTES) if max_bytes is None else max_bytes
    if size > limit:
        raise SpreadsheetLimitError(
            _("文件过大（%(size).1f MB），上限为 %(max).1f MB")
            % {"size": size / 1024 / 1024, "max": limit / 1024 / 1024}
        )


@dataclass
class _Budget:
    """What has been read so far, checked against the limits as it grows."""

    limits: ReadLimits
    rows: int = 0  # the highest row reached (row elements or row numbers, whichever is larger)
    cells: int = 0
    unzipped: int = 0
    spent: float = 0.0
    since: float = field(default_factory=time.monotonic)

    def row(self, number: int) -> None:
        self.rows = max(self.rows + 1, number)
        if self.rows > self.limits.max_rows + 1:  # + 1: the header row
            raise SpreadsheetLimitError(
                _(
                    "表格行数过多：读到第 %(row)s 行，而表头以下最多 %(max)s 行（空行也计算在内）。"
                    "请删除多余的行，或拆分成多个文件后导入"
                )
                % {"row": f"{number:,}", "max": f"{self.limits.max_rows:,}"}
            )

    def add_cells(self, n: int) -> None:
        self.cells += n
        if self.cells > self.limits.max_cells:
            raise SpreadsheetLimitError(
                _(
                    "表格单元格过多：最多读取 %(max)s 个单元格（行内的空单元格也计算在内）。"
                    "请删除多余的列和行，或拆分成多个文件后导入"
                )
                % {"max": f"{self.limits.max_cells:,}"}
            )

    def add_unzipped(self, n: int) -> None:
        self.unzipped += n
        if self.unzipped > self.limits.max_unzipped_bytes:
            raise SpreadsheetLimitError(
                _(
                    "Excel 文件解压后过大（上限 %(max).1f MB）。"
                    "请只保留需要导入的数据，另存为新的 .xlsx 文件后导入"
                )
                % {"max": self.limits.max_unzipped_bytes / 1024 / 1024}
            )

    def tick(self) -> None:
        if self.spent + (time.monotonic() - self.since) > self.limits.max_seconds:
            raise SpreadsheetLimitError(
                _("读取表格超时（上限 %(s)s 秒）。请删除多余的内容，或拆分成多个文件后导入")
                % {"s": f"{self.limits.max_seconds:g}"}
            )

    # The seconds count the reader's own work, not what the caller does between rows.
    def pause(self) -> None:
        self.spent += time.monotonic() - self.since

    def resume(self) -> None:
        self.since = time.monotonic()


# ------------------------------------------------------------------------------------------ reading
def sniff_kind(data: bytes, filename: str) -> str:
    """'xlsx' or 'csv', judged by the content (the file name is only a hint)."""
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        raise SpreadsheetError(_("不支持旧版 Excel (.xls) 文件，请在 Excel 中另存为 .xlsx 后再导入"))
    head = data[:4096]
    if b"\x00" in head or decode_text(head, partial=True) is None:
        raise SpreadsheetError(_("文件内容不是 .xlsx 或 .csv 表格，请上传 Excel (.xlsx) 或 CSV 文件"))
    if filename.lower().endswith(".xlsx"):
        raise SpreadsheetError(_("文件扩展名是 .xlsx，但内容不是有效的 Excel 文件"))
    return "csv"


def decode_text(data: bytes, *, partial: bool = False) -> str | None:
    """UTF-8 (with or without BOM), falling back to GBK (GB18030); None when it is neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            # A sample cut in the middle of a multi-byte character is still text.
            if partial and encoding == "utf-8-sig" and exc.start >= len(data) - 3:
                return data[: exc.start].decode(encoding)
    return None


def read_rows(
    data: bytes, filename: str, *, max_rows: int | None = None, limits: ReadLimits | None = None
) -> Iterator[tuple[int, list[Any]]]:
    """Yield (spreadsheet row number, cell values) for every row from row 1 — a blank row as [] —
    from an .xlsx (its first sheet) or a .csv. A row's values run to its last non-empty cell.

    Raises SpreadsheetError when the file cannot be read, SpreadsheetLimitError when it is larger
    than the limits (settings, or `max_rows` for an importer with a smaller limit of its own).
    """
    limits = limits or ReadLimits.from_settings(max_rows=max_rows)
    if not data:
        raise SpreadsheetError(_("文件是空的"))
    size_check(len(data), max_bytes=limits.max_bytes)
    budget = _Budget(limits)
    rows = _read_xlsx(data, budget) if sniff_kind(data, filename) == "xlsx" else _read_csv(data, budget)
    for row in rows:
        budget.pause()
        yield row
        budget.resume()


def _read_csv(data: bytes, budget: _Budget) -> Iterator[tuple[int, list[Any]]]:
    text = decode_text(data)
    if text is None:
        raise SpreadsheetError(_("无法识别 CSV 文件的编码，请另存为 UTF-8 编码的 CSV"))
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", "\t", ";"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    count = 0
    try:
        for row in reader:
            count += 1
            budget.row(count)
            budget.add_cells(len(row))
            budget.tick()
            yield reader.line_num, list(row)
    except csv.Error as exc:
        raise SpreadsheetError(
            _("CSV 文件格式有误（第 %(n)s 行）：%(e)s") % {"n": reader.line_num, "e": exc}
        ) from exc


# .xlsx ------------------------------------------------------------------------------------------
_UNREADABLE = gettext_noop("无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式")
_REL_OFFICE_DOCUMENT = "/officeDocument"
# Excel's built-in date formats, with the CJK ones (27–36, 50–58) a Chinese Excel writes.
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d*)$")


def _unreadable(where: str = "") -> SpreadsheetError:
    message = _(_UNREADABLE)
    return SpreadsheetError(f"{message}（{where}）" if where else message)


def _local(name: str) -> str:
    """'{namespace} row' (expat with a namespace separator) or 'x:row' → 'row'."""
    return name.rpartition(" ")[2].rpartition(":")[2]


def _refuse_dtd(*_args: Any) -> None:
    raise _unreadable(_("文件含有不允许的 DTD 声明"))


def _parse_part(
    archive: zipfile.ZipFile,
    name: str,
    budget: _Budget,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    text: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Stream one part of the package through expat, yielding after each 64 KB so the caller can
    hand out the rows finished so far; every byte counts against the uncompressed budget."""
    try:
        info = archive.getinfo(name)
    except KeyError as exc:
        raise _unreadable() from exc
    # The declared size is what zipfile will let the member inflate to: check it before inflating.
    if budget.unzipped + info.file_size > budget.limits.max_unzipped_bytes:
        budget.add_unzipped(info.file_size)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = lambda tag, attrs: start(_local(tag), attrs)
    parser.EndElementHandler = lambda tag: end(_local(tag))
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                budget.add_unzipped(len(chunk))
                parser.Parse(chunk, False)
                budget.tick()
                yield
            parser.Parse(b"", True)
    except SpreadsheetError:
        raise
    except (expat.ExpatError, zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise _unreadable() from exc
    yield


def _drain(parts: Iterator[None]) -> None:
    for _step in parts:
        pass


def _attr(attrs: dict[str, str], local: str) -> str | None:
    for key, value in attrs.items():
        if _local(key) == local:
            return value
    return None


def _relationships(archive: zipfile.ZipFile, name: str, budget: _Budget) -> dict[str, tuple[str, str]]:
    """Id → (type, target path inside the package) of a .rels part; {} when there is none."""
    if name not in archive.NameToInfo:
        return {}
    base = posixpath.dirname(posixpath.dirname(name))  # xl/_rels/workbook.xml.rels → xl
    found: dict[str, tuple[str, str]] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(path))

    _drain(_parse_part(archive, name, budget, start, lambda tag: None))
    return found


@dataclass
class _Workbook:
    sheet: str | None = None
    shared_strings: str | None = None
    styles: str | None = None
    date1904: bool = False


def _find_parts(archive: zipfile.ZipFile, budget: _Budget) -> _Workbook:
    package = _relationships(archive, "_rels/.rels", budget)
    workbook_part = next(
        (target for kind, target in package.values() if kind.endswith(_REL_OFFICE_DOCUMENT)),
        "xl/workbook.xml",
    )
    if workbook_part not in archive.NameToInfo:
        raise _unreadable()
    found = _Workbook()
    first_sheet: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "workbookPr":
            found.date1904 = attrs.get("date1904", "").lower() in ("1", "true")
        elif tag == "sheet" and not first_sheet:
            first_sheet.append(_attr(attrs, "id") or "")

    _drain(_parse_part(archive, workbook_part, budget, start, lambda tag: None))
    directory, file = posixpath.split(workbook_part)
    rels = _relationships(archive, posixpath.join(directory, "_rels", file + ".rels"), budget)
    for kind, target in rels.values():
        if kind.endswith("/sharedStrings"):
            found.shared_strings = target
        elif kind.endswith("/styles"):
            found.styles = target
    if first_sheet and first_sheet[0] in rels:
        found.sheet = rels[first_sheet[0]][1]
    if found.sheet is None or found.sheet not in archive.NameToInfo:
        raise SpreadsheetError(_("Excel 文件中没有工作表"))
    for attribute in ("shared_strings", "styles"):
        if getattr(found, attribute) not in archive.NameToInfo:
            setattr(found, attribute, None)
    return found


def _shared_strings(archive: zipfile.ZipFile, name: str | None, budget: _Budget) -> list[str]:
    """The shared string table; each string counts as a cell (a sheet cannot use more strings than
    it may have cells), so a table of millions of tiny strings is refused, not held in memory."""
    strings: list[str] = []
    if name is None:
        return strings
    state = {"si": False, "t": False, "rph": 0}
    parts: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "si":
            state["si"] = True
            parts.clear()
        elif tag == "rPh":  # phonetic guide text is not part of the value
            state["rph"] += 1
        elif tag == "t" and state["si"] and not state["rph"]:
            state["t"] = True

    def end(tag: str) -> None:
        if tag == "si":
            state["si"] = False
            strings.append("".join(parts))
            if len(strings) > budget.limits.max_cells:
                budget.add_cells(len(strings))
        elif tag == "rPh":
            state["rph"] -= 1
        elif tag == "t":
            state["t"] = False

    def text(data: str) -> None:
        if state["t"]:
            parts.append(data)

    _drain(_parse_part(archive, name, budget, start, end, text))
    return strings


def _date_styles(archive: zipfile.ZipFile, name: str | None, budget: _Budget) -> dict[int, str]:
    """Style index → 'date' or 'timedelta' for the cell styles that show a number as a date/time."""
    if name is None:
        return {}
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    custom: dict[int, str] = {}
    xf_formats: list[int] = []
    depth = {"cellXfs": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "numFmt":
            try:
                custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
            except ValueError:
                pass
        elif tag == "cellXfs":
            depth["cellXfs"] += 1
        elif tag == "xf" and depth["cellXfs"]:
            try:
                xf_formats.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                xf_formats.append(0)

    def end(tag: str) -> None:
        if tag == "cellXfs":
            depth["cellXfs"] -= 1

    _drain(_parse_part(archive, name, budget, start, end))
    kinds: dict[int, str] = {}
    for index, format_id in enumerate(xf_formats):
        code = custom.get(format_id, BUILTIN_FORMATS.get(format_id))
        if code is not None and is_timedelta_format(code):
            kinds[index] = "timedelta"
        elif (code is not None and is_date_format(code)) or (
            format_id in _DATE_FORMAT_IDS and format_id not in custom
        ):
            kinds[index] = "date"
    return kinds


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _number(text: str) -> int | float | str:
    text = text.strip()
    try:
        if any(ch in text for ch in ".eE") or text.lower() in ("nan", "inf", "-inf"):
            return float(text)
        return int(text)
    except ValueError:
        return text


class _SheetReader:
    """The first sheet's cells as a stream of finished rows; only cells with a value are kept."""

    def __init__(
        self, budget: _Budget, strings: list[str], date_styles: dict[int, str], date1904: bool
    ) -> None:
        self.budget = budget
        self.strings = strings
        self.date_styles = date_styles
        self.date1904 = date1904
        self.finished: list[tuple[int, list[Any]]] = []
        self.in_data = False
        self.row_number = 0
        self.cells: dict[int, Any] = {}
        self.column = 0
        self.cell: dict[str, Any] | None = None
        self.collect: list[str] | None = None
        self.inline: list[str] = []
        self.value_text: list[str] = []
        self.rph = 0
        self.in_row = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "sheetData":
            self.in_data = True
        elif not self.in_data:
            return
        elif tag == "row":
            self._row_start(attrs)
        elif tag == "c":
            self._cell_start(attrs)
        elif self.cell is None:
            return
        elif tag == "v":
            self.value_text = []
            self.collect = self.value_text
        elif tag == "is":
            self.cell["inline"] = True
        elif tag == "rPh":
            self.rph += 1
        elif tag == "t" and self.cell.get("inline") and not self.rph:
            self.collect = self.inline

    def end(self, tag: str) -> None:
        if not self.in_data:
            return
        if tag == "sheetData":
            self.in_data = False
        elif tag == "row":
            self._row_end()
        elif tag == "c":
            self._cell_end()
        elif tag in ("v", "t"):
            if tag == "v" and self.cell is not None:
                self.cell["v"] = "".join(self.value_text)
            self.collect = None
        elif tag == "rPh":
            self.rph -= 1

    def text(self, data: str) -> None:
        if self.collect is not None:
            self.collect.append(data)

    def _row_start(self, attrs: dict[str, str]) -> None:
        if self.in_row:
            raise _unreadable()
        raw = attrs.get("r")
        try:
            number = int(raw) if raw else self.row_number + 1
        except ValueError as exc:
            raise _unreadable() from exc
        if number < 1 or number <= self.row_number:
            raise _unreadable(_("第 %(n)s 行的行号顺序错误") % {"n": number})
        # Rows skipped between two row numbers are blank rows: they count (and are handed out).
        self.budget.row(number)
        for blank in range(self.row_number + 1, number):
            self.finished.append((blank, []))
        self.row_number = number
        self.cells = {}
        self.column = 0
        self.in_row = True
        self.budget.tick()

    def _cell_start(self, attrs: dict[str, str]) -> None:
        if not self.in_row:
            raise _unreadable()  # a cell outside a row element
        self.budget.add_cells(1)
        ref = attrs.get("r")
        if ref:
            match = _CELL_REF.match(ref)
            if match is None:
                raise _unreadable(_("单元格引用 %(ref)s 无效") % {"ref": ref[:20]})
            column = _column_number(match[1])
        else:
            column = self.column + 1
        if not 1 <= column <= MAX_COLUMN:
            raise _unreadable(_("单元格引用 %(ref)s 无效") % {"ref": (ref or "")[:20]})
        self.column = column
        try:
            style = int(attrs.get("s", "0") or 0)
        except ValueError:
            style = 0
        self.cell = {"t": attrs.get("t", "n"), "s": style, "v": None, "inline": False}
        self.inline = []

    def _cell_end(self) -> None:
        cell, self.cell = self.cell, None
        if cell is None:
            return
        value = self._value(cell)
        if value is not None:
            self.cells[self.column] = value
        self.rph = 0

    def _value(self, cell: dict[str, Any]) -> Any:
        kind, raw = cell["t"], cell["v"]
        if kind == "inlineStr":
            return "".join(self.inline) if cell["inline"] else raw
        if raw is None or raw == "":
            return None  # e.g. a formula never calculated: no cached value
        if kind == "s":
            try:
                return self.strings[int(raw)]
            except (ValueError, IndexError) as exc:
                raise _unreadable(_("共享字符串编号 %(n)s 不存在") % {"n": raw[:20]}) from exc
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(raw.strip())
            except ValueError:
                return raw
        number = _number(raw)
        style = self.date_styles.get(cell["s"])
        if style and isinstance(number, int | float) and math.isfinite(number):
            from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

            epoch = CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900
            try:
                return from_excel(number, epoch, timedelta=style == "timedelta")
            except (OverflowError, ValueError):
                return number
        return number

    def _row_end(self) -> None:
        if self.cell is not None:
            self._cell_end()
        width = max(self.cells, default=0)
        values: list[Any] = [None] * width
        for column, value in self.cells.items():
            values[column - 1] = value
        # The blanks before the last value are handed out too: they count as cells read.
        self.budget.add_cells(width - len(self.cells))
        self.finished.append((self.row_number, values))
        self.in_row = False
        self.cells = {}


def _read_xlsx(data: bytes, budget: _Budget) -> Iterator[tuple[int, list[Any]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise _unreadable() from exc
    with archive:
        parts = _find_parts(archive, budget)
        strings = _shared_strings(archive, parts.shared_strings, budget)
        styles = _date_styles(archive, parts.styles, budget)
        sheet = _SheetReader(budget, strings, styles, parts.date1904)
        assert parts.sheet is not None
        for _step in _parse_part(archive, parts.sheet, budget, sheet.start, sheet.end, sheet.text):
            if sheet.finished:
                finished, sheet.finished = sheet.finished, []
                yield from finished


# ------------------------------------------------------------------------------------------ writing
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EXCEL_TEXT_MAX = 32767  # characters in one cell
# Excel keeps 15 significant digits; a longer integer is written as its text, so no digit is lost.
_EXACT_INT_MAX = 10**15


@dataclass
class Sheet:
    """One worksheet to write: an optional heading line, a bold header row, then the rows."""

    title: str
    rows: Iterable[Sequence[Any]]
    header: Sequence[Any] | None = None
    heading: str | None = None
    widths: Sequence[float] = ()


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel's rules: at most 31 characters, none of : \ / ? * [ ], unique in the workbook.
    clean = re.sub(r"[:\\/?*\[\]]", " ", str(title)).strip("' ")[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _text_cell(sheet: Any, value: str, font: Any = None) -> Any:
    from openpyxl.cell import WriteOnlyCell

    text = _ILLEGAL_XML.sub("", value)[:_EXCEL_TEXT_MAX]
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # always a string: '=HYPERLINK(…)' is written as the words, not a formula
    if font is not None:
        cell.font = font
    return cell


def _cell(sheet: Any, value: Any, font: Any = None) -> Any:
    """One value as a cell of the right kind; anything that is not a number or a date is text."""
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    if isinstance(value, str):
        return _text_cell(sheet, value, font)
    cell: Any
    if isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
    elif isinstance(value, int):
        if abs(value) >= _EXACT_INT_MAX:
            return _text_cell(sheet, str(value), font)
        cell = WriteOnlyCell(sheet, value=value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return _text_cell(sheet, str(value), font)
        cell = WriteOnlyCell(sheet, value=value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            return _text_cell(sheet, str(value), font)
        cell = WriteOnlyCell(sheet, value=value)
        # openpyxl would print a Decimal through a float ('%.16g'); give it the exact digits instead.
        cell._value = format(value, "f")
        exponent = value.as_tuple().exponent
        cell.number_format = "#,##0.00" if isinstance(exponent, int) and exponent >= -2 else "General"
    elif isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)  # Excel has no time zones: local time
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
    else:  # lazy translations, enums, UUIDs …: their text
        return _text_cell(sheet, str(value), font)
    if font is not None:
        cell.font = font
    return cell


def write_xlsx(*sheets: Sheet) -> bytes:
    """A workbook of the given sheets. Every .xlsx the platform hands out is written here."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook(write_only=True)
    used: set[str] = set()
    bold, heading_font = Font(bold=True), Font(bold=True, size=13)
    for spec in sheets or (Sheet("Sheet", []),):
        sheet = workbook.create_sheet(_sheet_title(spec.title, used))
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        if spec.heading is not None:
            sheet.append([_cell(sheet, spec.heading, heading_font)])
        if spec.header is not None:
            sheet.append([_cell(sheet, label, bold) for label in spec.header])
        for values in spec.rows:
            sheet.append([_cell(sheet, value) for value in values])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

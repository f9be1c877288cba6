"""Spreadsheet files written by hand (zipfile + XML), so a test controls every byte: the sparse sheet
of issue #11 (a <dimension> claiming A1:XFD1048576, data in rows 1 and 1,048,576 only), bombs, and
parts openpyxl would never write."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def package(
    sheet_xml: str,
    *,
    shared_strings: str | None = None,
    styles: str | None = None,
    workbook_pr: str = "",
    extra: dict[str, bytes | str] | None = None,
) -> bytes:
    """A minimal .xlsx package around one sheet's XML (and optional shared strings and styles)."""
    overrides = '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    rels = f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    parts: dict[str, bytes | str] = {}
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
        rels += f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    if styles is not None:
        parts["xl/styles.xml"] = styles
        rels += f'<Relationship Id="rId3" Type="{DOC_RELS}/styles" Target="styles.xml"/>'
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
        f'{workbook_pr}<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">{rels}</Relationships>',
        "xl/worksheets/sheet1.xml": sheet_xml,
        **parts,
        **(extra or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def sheet(rows: str, *, dimension: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}">{dim}<sheetData>{rows}</sheetData></worksheet>'


def sparse_xlsx(header: Sequence[str]) -> bytes:
    """Issue #11's 1.7 KB file: the dimension claims A1:XFD1048576, row 1 holds the header, and the
    only other row is row 1,048,576 with one cell in the last column, XFD."""
    letters = "ABCDEFGHIJ"
    first = "".join(inline(f"{letters[i]}1", text) for i, text in enumerate(header))
    return package(
        sheet(
            f'<row r="1">{first}</row><row r="1048576">{inline("XFD1048576", "x")}</row>',
            dimension="A1:XFD1048576",
        )
    )

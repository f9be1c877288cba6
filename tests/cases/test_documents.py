"""Files are judged by their content: wrong type behind a right extension, too big, empty."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from shouzhan.cases import workflow as wf
from shouzhan.cases.services import document_check


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, "x")
    return buf.getvalue()


def test_formats_detected_from_content() -> None:
    docx = _zip(["[Content_Types].xml", "word/document.xml"])
    assert document_check(case_type="planning_filing", filename="剧本.docx", content=docx) == "docx"
    assert document_check(case_type="planning_filing", filename="a.pdf", content=b"%PDF-1.7\n") == "pdf"
    assert (
        document_check(case_type="planning_filing", filename="a.JPEG", content=b"\xff\xd8\xff\xe0rest")
        == "jpg"
    )


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        (
            "剧本.pdf",
            b"MZ\x90\x00",
            "文件“剧本.pdf”的内容不是允许的格式（允许：Word (.docx)、JPEG、PDF、PNG、ZIP）。",
        ),
        ("剧本.pdf", b"\x89PNG\r\n\x1a\n....", "文件“剧本.pdf”的扩展名与内容不符：内容是 PNG。"),
        ("空.pdf", b"", "文件“空.pdf”是空的，请重新选择。"),
        (
            "表.xlsx",
            _zip(["[Content_Types].xml", "xl/workbook.xml"]),
            "文件“表.xlsx”的内容不是允许的格式（允许：Word (.docx)、JPEG、PDF、PNG、ZIP）。",
        ),
    ],
)
def test_bad_files_refused(filename: str, content: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        document_check(case_type="planning_filing", filename=filename, content=content)
    assert exc.value.message_dict["file"] == [message]


def test_too_big_refused() -> None:
    wf.register_case_type(
        wf.service_type(
            "test.small_files",
            "小文件",
            3,
            documents=wf.DocumentRule(frozenset({"pdf"}), max_bytes=1024 * 1024),
        )
    )
    with pytest.raises(ValidationError) as exc:
        document_check(
            case_type="test.small_files", filename="大.pdf", content=b"%PDF-" + b"0" * (1024 * 1024)
        )
    assert exc.value.message_dict["file"] == ["文件“大.pdf”过大（上限 1 MB）。"]

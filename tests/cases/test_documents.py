"""Files are judged by their content: wrong type behind a right extension, too big, empty."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from shouzhan.cases import workflow as wf
from shouzhan.cases.services import document_check
from tests.cases import samples


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, "x")
    return buf.getvalue()


def test_formats_detected_from_content() -> None:
    docx = _zip(["[Content_Types].xml", "word/document.xml"])
    assert document_check(case_type="planning_filing", filename="剧本.docx", content=docx) == "docx"
    assert document_check(case_type="planning_filing", filename="a.pdf", content=samples.pdf()) == "pdf"
    jpeg = samples.image("JPEG")
    assert document_check(case_type="planning_filing", filename="a.JPEG", content=jpeg) == "jpg"
    assert (
        document_check(case_type="planning_filing", filename="a.png", content=samples.image("PNG")) == "png"
    )
    mp4 = samples.mp4()
    assert document_check(case_type="finished_film_filing", filename="片.mp4", content=mp4) == "mp4"


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


def test_too_big_refused(case_type_registry: Any) -> None:
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


# Issue #11, defect 9: `%PDF-` followed by an executable passed, because only the first bytes were
# read. The structure is checked now, and a program's header in the first kilobyte is refused.
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(100)
PE = (
    b"MZ\x90\x00" + bytes(0x3C - 4) + struct.pack("<I", 0x80) + bytes(0x80 - 0x40) + b"PE\x00\x00" + bytes(64)
)


def _refusal(filename: str, content: bytes, case_type: str = "planning_filing") -> str:
    with pytest.raises(ValidationError) as exc:
        document_check(case_type=case_type, filename=filename, content=content)
    [message] = exc.value.message_dict["file"]
    return message


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n" + ELF,
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + PE,
        samples.pdf().replace(b"%PDF-1.4\n", b"%PDF-1.4\n" + ELF + b"\n", 1),  # a whole PDF around it
        samples.image("PNG")[:33] + ELF,
    ],
    ids=["pdf-elf", "pdf-pe", "whole-pdf-with-elf", "png-elf"],
)
def test_an_executable_behind_a_harmless_header_is_refused(content: bytes) -> None:
    name = "x.png" if content.startswith(b"\x89PNG") else "x.pdf"
    assert _refusal(name, content) == f"文件“{name}”含有可执行程序，不能上传。"


def _damaged(name: str, label: str) -> str:
    return f"文件“{name}”不是完整有效的 {label} 文件（已损坏或被截断），请重新导出后上传。"


def _startxref_to(pdf: bytes, offset: int) -> bytes:
    head, _sep, _tail = pdf.rpartition(b"startxref\n")
    return head + b"startxref\n%d\n%%%%EOF\n" % offset


@pytest.mark.parametrize(
    ("filename", "content", "label"),
    [
        ("a.pdf", b"%PDF-1.7\n", "PDF"),
        ("a.pdf", b"%PDF-1.4\n%%EOF\n", "PDF"),  # no cross-reference at all
        ("a.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\nstartxref\n9\n%%EOF\n", "PDF"),
        ("a.pdf", _startxref_to(samples.pdf(), 10), "PDF"),  # points into the middle of an object
        ("a.pdf", _startxref_to(samples.pdf(), 10**9), "PDF"),  # points past the end
        ("a.pdf", samples.pdf()[:-20], "PDF"),  # truncated
        ("a.pdf", samples.pdf() + bytes(2000), "PDF"),  # %%EOF not within the last kilobyte
        ("a.pdf", b"%PDF-" + b"garbage", "PDF"),
        ("a.png", samples.image("PNG")[:-12], "PNG"),  # no IEND
        ("a.png", samples.image("PNG") + b"#!/bin/sh\nrm -rf ~\n", "PNG"),  # something after IEND
        ("a.png", samples.image("PNG")[:29] + b"\x00" + samples.image("PNG")[30:], "PNG"),  # bad CRC
        ("a.png", b"\x89PNG\r\n\x1a\n....", "PNG"),
        ("a.jpg", b"\xff\xd8\xff\xe0rest", "JPEG"),
        ("a.jpg", samples.image("JPEG")[:-2], "JPEG"),  # no end marker
        ("a.jpg", b"\xff\xd8" + b"\xff\xfe\x00\x10comment here" + b"\xff\xd9", "JPEG"),  # no image
    ],
    ids=[
        *("pdf-header-only pdf-no-xref pdf-junk pdf-xref-mid-object pdf-xref-past-end").split(),
        *("pdf-truncated pdf-eof-too-early pdf-garbage").split(),
        *("png-no-iend png-after-iend png-bad-crc png-header-only jpeg-header-only jpeg-no-eoi").split(),
        "jpeg-no-image",
    ],
)
def test_a_file_with_a_right_header_and_a_wrong_body_is_refused(
    filename: str, content: bytes, label: str
) -> None:
    assert _refusal(filename, content) == _damaged(filename, label)


def test_an_mp4_must_be_boxes_with_a_movie() -> None:
    ftyp_only = samples.mp4()[:24]
    assert _refusal("片.mp4", ftyp_only + b"MZ junk", "finished_film_filing") == _damaged("片.mp4", "MP4")
    assert _refusal("片.mp4", ftyp_only, "finished_film_filing") == _damaged("片.mp4", "MP4")


def test_real_pdfs_pass() -> None:
    """A PDF as weasyprint writes it (a cross-reference stream, PDF 1.7), and one with bytes after
    its %%EOF (within the last kilobyte), pass."""
    from weasyprint import HTML

    written = HTML(string="<h1>受理通知书</h1><p>材料齐全，予以受理。</p>").write_pdf()
    assert written is not None and written.startswith(b"%PDF-1.7")
    assert document_check(case_type="planning_filing", filename="通知书.pdf", content=written) == "pdf"
    assert (
        document_check(case_type="planning_filing", filename="b.pdf", content=samples.pdf() + b"\r\n")
        == "pdf"
    )

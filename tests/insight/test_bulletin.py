"""The monthly bulletin: composed from the month's snapshots, rendered as a PDF (Chinese text, charts drawn as
vectors) and a workbook with the exact figures, stored once per month, downloads audited."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from shouzhan.core.models import AuditEntry
from shouzhan.insight import audit_actions as aa
from shouzhan.insight.bulletin import Line, bulletin_compose, service_sentence
from shouzhan.insight.models import Bulletin, Snapshot
from shouzhan.insight.services.bulletins import (
    bulletin_download,
    bulletin_generate,
    bulletin_html,
    bulletin_xlsx,
)
from shouzhan.insight.services.figures import city_figure_enter
from tests.insight.conftest import SYSTEM

pytestmark = pytest.mark.django_db
D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
SEPT, OCT = D(2026, 9, 1), D(2026, 10, 1)


def _at(day: dt.date, hour: int = 9) -> Any:
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI), tick=False
    )


@pytest.fixture
def cluster(insight_data: Any, make_enterprise: Callable[..., Any]) -> Iterator[None]:
    """16 quality enterprises on the platform by September's end, 2 more in October (each 1,000 万元 of
    revenue in the cluster's sectors); the city's industry revenue 9 亿元 (so 18 of them are 20.00 %)."""
    with _at(D(2026, 11, 2)):
        for n in range(18):
            created = dt.datetime(2026, 9 if n < 16 else 10, 10 + n % 5, 10, tzinfo=SHANGHAI)
            make_enterprise(
                name=f"集聚区企业{n:02d}",
                district="徐汇",
                in_cluster=True,
                sector="micro_drama",
                annual_revenue_fen=1_000_000_000,
                created_at=created,
                stage="registered",
            )
        city_figure_enter(
            actor=SYSTEM,
            year=2026,
            value_yuan=Decimal("900000000"),
            source="上海市统计局 2026 年统计公报",
            published_on=D(2026, 1, 15),
        )
        yield


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _painted(svg: str) -> set[tuple[str, str]]:
    """(fill|stroke, #rrggbb) of every path pdftocairo drew, its colours rounded back to bytes."""
    out = set()
    for paint, r, g, b in re.findall(r"(fill|stroke):rgb\(([\d.]+)%,([\d.]+)%,([\d.]+)%\)", svg):
        out.add((paint, "#" + "".join(f"{round(float(c) * 255 / 100):02x}" for c in (r, g, b))))
    return out


def _pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_the_content_of_a_month_from_its_snapshots_and_the_previous_months(cluster: None) -> None:
    with _at(D(2026, 11, 2)):
        bulletin_generate(actor=SYSTEM, month=SEPT)
        bulletin_generate(actor=SYSTEM, month=OCT)
        content = bulletin_compose(OCT)
    lines = {t.key: t for t in content.targets}
    assert list(lines) == ["quality_enterprises", "incubated_teams", "original_dramas", "city_share"]
    quality = lines["quality_enterprises"]
    assert (quality.value, quality.goal, quality.progress, quality.previous, quality.change) == (
        Decimal(18),
        Decimal("40.00"),
        Decimal("45.00"),
        Decimal(16),
        Decimal(2),
    )
    share = lines["city_share"]
    assert (share.value, share.progress, share.previous, share.change) == (
        Decimal("20.00"),
        Decimal("100.00"),
        Decimal("17.78"),
        Decimal("2.22"),
    )
    assert content.elapsed == Decimal("47.26")  # 518 of the period's 1,096 days by 2026-10-31
    assert content.summary[:4] == [
        "集聚优质企业：本月新增 2 家，累计 18 家，完成目标 40 家的 45.00%，落后于时间进度（47.26%）。",
        "孵化创业团队：本月无新增，累计 0 个，完成目标 200 个的 0.00%，落后于时间进度（47.26%）。",
        "原创 AI 微短剧：本月无新增，累计 0 部，完成目标 1,000 部的 0.00%，落后于时间进度（47.26%）。",
        "产业规模占全市比重：本月为 20.00%，较上月上升 2.22 个百分点，完成目标 20.00%的 100.00%，"
        "快于时间进度（47.26%）。",
    ]


def test_the_first_bulletin_says_there_is_no_previous_month(cluster: None) -> None:
    with _at(D(2026, 11, 2)):
        bulletin_generate(actor=SYSTEM, month=SEPT)
        content = bulletin_compose(SEPT)
    assert content.summary[0] == (
        "集聚优质企业：上月无快照，不计变化，累计 16 家，完成目标 40 家的 40.00%，落后于时间进度（44.43%）。"
    )


def test_the_pdf_carries_the_figures_in_chinese_and_its_charts_as_vectors(
    cluster: None, tmp_path: Path
) -> None:
    with _at(D(2026, 11, 2)):
        bulletin_generate(actor=SYSTEM, month=SEPT)
        bulletin = bulletin_generate(actor=SYSTEM, month=OCT)
    pdf = bytes(bulletin.pdf)
    assert pdf.startswith(b"%PDF-")
    text = _flat(_pdftotext(pdf, tmp_path))
    for expected in (
        "2026年10月产业发展月度通报",
        "数据截至2026年10月31日",
        "集聚优质企业：本月新增2家，累计18家，完成目标40家的45.00%",
        "产业规模占全市比重：本月为20.00%，较上月上升2.22个百分点",
        "18家40家45.00%16+2",  # the table's row: this month, goal, progress, last month, change
        "20.00%20.00%100.00%17.78%+2.22个百分点",
        "目标100%",
        "时间进度47.26%",
        "2026-092026-10",  # the trend's months
    ):
        assert expected in text, expected
    for line in bulletin_compose(OCT).services:  # the service figures (#17 part 4), each with its value
        assert _flat(f"{line.title}{line.value_text}") in text, line.title
    # The charts became vector drawing: the bars' and the trend's colours are painted as paths.
    (tmp_path / "bulletin.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftocairo", "-svg", str(tmp_path / "bulletin.pdf"), str(tmp_path / "b.svg")], check=True
    )
    svg = (tmp_path / "b.svg").read_text()
    assert ("fill", "#0b57a4") in _painted(svg)  # the first target's bar (and the trend's dots)
    assert ("stroke", "#0b57a4") in _painted(svg)  # the first target's trend line
    assert ("stroke", "#d84315") in _painted(svg)  # the time-elapsed marker


def test_the_html_draws_both_charts_as_inline_svg(cluster: None) -> None:
    with _at(D(2026, 11, 2)):
        bulletin_generate(actor=SYSTEM, month=SEPT)
        bulletin_generate(actor=SYSTEM, month=OCT)
        html = bulletin_html(bulletin_compose(OCT), generated_at=dt.datetime(2026, 11, 2, 9, tzinfo=SHANGHAI))
    assert html.count("<svg") == 2
    assert 'id="chart-progress"' in html and 'id="chart-trend"' in html
    # The first bar: 45.00 % of the 380-pixel frame; the trend line through September and October.
    assert 'width="171.0" height="18" fill="#0b57a4"' in html
    assert re.search(r'<polyline points="50\.0,[\d.]+ 470\.0,[\d.]+" fill="none" stroke="#0b57a4"', html)


def test_the_workbook_has_the_exact_figures(cluster: None) -> None:
    with _at(D(2026, 11, 2)):
        bulletin_generate(actor=SYSTEM, month=SEPT)
        bulletin = bulletin_generate(actor=SYSTEM, month=OCT)
    book = openpyxl.load_workbook(io.BytesIO(bytes(bulletin.xlsx)))
    assert book.sheetnames == ["目标进度", "服务指标", "月度趋势", "通报要点"]
    rows = list(book["目标进度"].iter_rows(values_only=True))
    assert rows[0] == ("2026年10月 月度通报（截至 2026-10-31）",) + (None,) * 9
    assert rows[1][:7] == ("指标", "本月值", "目标值", "完成比例（%）", "上月值", "较上月变化", "单位")
    assert [r[:7] for r in rows[2:]] == [
        ("集聚优质企业", 18, 40, 45, 16, 2, "个数"),
        ("孵化创业团队", 0, 200, 0, 0, 0, "个数"),
        ("原创 AI 微短剧", 0, 1000, 0, 0, 0, "个数"),
        ("产业规模占全市比重", 20, 20, 100, 17.78, 2.22, "百分比（%）"),
    ]
    assert rows[2][9] == dt.datetime(2026, 10, 31)
    trend = list(book["月度趋势"].iter_rows(values_only=True))
    assert trend[1] == ("指标", "2026-09", "2026-10")
    assert trend[2] == ("集聚优质企业", 16, 18)


def test_a_month_is_generated_once_and_audited(cluster: None) -> None:
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    with _at(D(2026, 11, 2)):
        first = bulletin_generate(actor=SYSTEM, month=D(2026, 10, 15))
        again = bulletin_generate(actor=SYSTEM, month=OCT)
    assert first.pk == again.pk and first.month == OCT
    assert Bulletin.objects.count() == 1
    assert list(AuditEntry.objects.filter(id__gt=before).order_by("id").values_list("action", flat=True)) == [
        aa.SNAPSHOT_TAKE,
        aa.BULLETIN_GENERATE,
    ]
    taken = set(Snapshot.objects.filter(month=OCT).values_list("key", flat=True))
    assert {"quality_enterprises", "incubated_teams", "original_dramas", "city_share"} <= taken


def test_a_month_not_over_is_refused(cluster: None) -> None:
    with _at(D(2026, 10, 30)), pytest.raises(ValidationError, match="尚未结束"):
        bulletin_generate(actor=SYSTEM, month=OCT)
    assert not Bulletin.objects.exists()


def test_only_managers_generate_and_only_staff_download(
    cluster: None, make_user: Any, leader: Any, caseworker: Any
) -> None:
    with _at(D(2026, 11, 2)):
        with pytest.raises(PermissionDenied):
            bulletin_generate(actor=caseworker, month=OCT)
        bulletin = bulletin_generate(actor=leader, month=OCT)
        assert bulletin.generated_by == leader
        with pytest.raises(PermissionDenied):
            bulletin_download(actor=make_user(), bulletin=bulletin, kind="pdf")
        assert bulletin_download(actor=caseworker, bulletin=bulletin, kind="xlsx") == bytes(bulletin.xlsx)
        with pytest.raises(ValidationError):
            bulletin_download(actor=caseworker, bulletin=bulletin, kind="docx")
    entry = AuditEntry.objects.get(action=aa.BULLETIN_DOWNLOAD)
    assert (entry.actor, entry.target_id, entry.after) == (
        caseworker,
        str(bulletin.pk),
        {"month": "2026-10-01", "kind": "xlsx"},
    )


def test_the_xlsx_writer_takes_a_composed_month(cluster: None) -> None:
    with _at(D(2026, 11, 2)):
        bulletin_generate(actor=SYSTEM, month=SEPT)
        data = bulletin_xlsx(bulletin_compose(SEPT))
    assert data.startswith(b"PK")


@pytest.mark.parametrize(
    ("previous", "value", "sentence"),
    [
        (None, "80.00", "沙龙到场率 80.00%。"),
        ("80.00", "80.00", "沙龙到场率 80.00%（与上月持平）。"),
        ("87.81", "82.81", "沙龙到场率 82.81%（较上月下降 5.00 个百分点）。"),
        ("75.50", "82.81", "沙龙到场率 82.81%（较上月上升 7.31 个百分点）。"),
    ],
)
def test_a_service_figure_in_words(previous: str | None, value: str, sentence: str) -> None:
    v = Decimal(value)
    p = None if previous is None else Decimal(previous)
    line = Line(
        key="salons", title="沙龙到场率", unit="percent", value=v, goal=None, progress=None, previous=p,
        change=None if p is None else v - p, definition="", source="", as_of=dt.date(2026, 11, 30),
    )  # fmt: skip
    assert service_sentence(line) == sentence

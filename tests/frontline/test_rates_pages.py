"""The 三率 dashboard and its .xlsx export: exact figures, who may see them, bad input in words.

The world is test_rates.py's (returns, reopenings, exclusions, merges, unrated tickets). The pages count as of
today (after 2026-11-30), so G — still within its accept limit on 11-30 — is now due and not responded.
"""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from shouzhan.core.audit import AuditEntry
from shouzhan.frontline.audit_actions import RATES_EXPORT
from tests.frontline.test_rates import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2026-09", "end": "2026-11"}


def _row(html: str, key: str) -> list[str]:
    """The words of a table row (by its data-key), one string per cell, tags stripped."""
    match = re.search(rf'<tr data-key="{re.escape(key)}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row {key}"
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match[1], re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip() for c in cells]


def _get(client: Any, **params: str) -> Any:
    return client.get(reverse("frontline:rates"), {**PERIOD, **params})


URBAN = ["区城管执法局", "4", "2 / 4", "50.0%", "2 / 2", "100.0%", "1 / 1 / 0", "100.0%"]
AMR = ["区市场监管局", "4", "3 / 4", "75.0%", "2 / 3", "66.7%", "1 / 0 / 1", "50.0%"]
WAITING = ["待改派", "1", "0 / 1", "0.0%", "0 / 0", "—", "0 / 0 / 0", "—"]
TOTAL = ["合计", "9", "5 / 9", "55.6%", "4 / 5", "80.0%", "2 / 1 / 1", "75.0%"]


def test_the_dashboard_by_department(
    world: Any,  # noqa: F811
    receiver: Any,
    login_client: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = login_client(receiver)
    with django_assert_max_num_queries(16):
        response = _get(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert _row(html, "urban") == URBAN
    assert _row(html, "amr") == AMR
    assert _row(html, "unassigned") == WAITING
    assert _row(html, "total") == TOTAL
    assert "统计期：2026-09-01 至 2026-11-30（按受理日期）· 数据截至" in html
    assert "统计口径" in html and "未评价的诉求既不计入分子，也不计入分母" in html
    assert "各部门三率（%）" in html and "逐月三率（%）" in html and "<svg" in html
    assert "区城管执法局 · 响应率：50.0%" in html  # the bar's tooltip
    assert 'aria-current="page">按部门' in html
    assert "export.xlsx?start=2026-09&amp;end=2026-11&amp;by=department" in html


def test_the_dashboard_by_category_and_by_month(world: Any, receiver: Any, login_client: Any) -> None:  # noqa: F811
    client = login_client(receiver)
    html = _get(client, by="category").content.decode()
    assert _row(html, "environment") == [
        "市容环境与秩序", "6", "3 / 6", "50.0%", "3 / 3", "100.0%", "1 / 1 / 0", "100.0%"
    ]  # fmt: skip
    assert _row(html, "licence") == [
        "证照与审批",
        "2",
        "1 / 2",
        "50.0%",
        "0 / 1",
        "0.0%",
        "0 / 0 / 1",
        "0.0%",
    ]
    assert _row(html, "ip") == [
        "知识产权与维权",
        "1",
        "1 / 1",
        "100.0%",
        "1 / 1",
        "100.0%",
        "1 / 0 / 0",
        "100.0%",
    ]
    assert _row(html, "total") == TOTAL
    html = _get(client, by="month").content.decode()
    assert _row(html, "2026-09") == [
        "2026年9月",
        "2",
        "1 / 2",
        "50.0%",
        "1 / 1",
        "100.0%",
        "1 / 0 / 0",
        "100.0%",
    ]
    assert _row(html, "2026-10") == [
        "2026年10月",
        "1",
        "1 / 1",
        "100.0%",
        "0 / 1",
        "0.0%",
        "0 / 0 / 1",
        "0.0%",
    ]
    assert _row(html, "2026-11") == [
        "2026年11月", "6", "3 / 6", "50.0%", "3 / 3", "100.0%", "1 / 1 / 0", "100.0%"
    ]  # fmt: skip


def test_a_department_member_sees_their_own_department(
    world: Any,  # noqa: F811
    urban: Any,
    login_client: Any,
) -> None:
    html = _get(login_client(urban)).content.decode()
    assert _row(html, "urban") == URBAN
    assert 'data-key="amr"' not in html and 'data-key="unassigned"' not in html
    assert _row(html, "total") == ["合计", *URBAN[1:]]
    assert 'name="department"' not in html  # one department: nothing to choose
    response = _get(login_client(urban), department="amr")  # not theirs: not offered, so refused in words
    assert response.status_code == 400


def test_a_staff_member_filters_one_department(world: Any, receiver: Any, login_client: Any) -> None:  # noqa: F811
    html = _get(login_client(receiver), department="amr").content.decode()
    assert _row(html, "amr") == AMR and _row(html, "total") == ["合计", *AMR[1:]]
    assert 'data-key="urban"' not in html


def test_who_may_see_the_rates(world: Any, firm: Any, login_client: Any, client: Any) -> None:  # noqa: F811
    response = _get(login_client(firm[1]))
    assert response.status_code == 403
    assert login_client(firm[1]).get(reverse("frontline:rates_export")).status_code == 403
    response = client.get(reverse("frontline:rates"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_bad_input_is_a_clear_400(receiver: Any, login_client: Any, catalogue: Any) -> None:
    client = login_client(receiver)
    response = client.get(reverse("frontline:rates"), {"start": "2026-13"})
    assert response.status_code == 400
    assert "请按“2026-01”的格式填写月份" in response.content.decode()
    response = client.get(reverse("frontline:rates"), {"start": "2026-11", "end": "2026-09"})
    assert response.status_code == 400 and "截止月份不能早于起始月份" in response.content.decode()
    response = client.get(reverse("frontline:rates"), {"start": "x" * 5000})
    assert response.status_code == 400
    response = client.get(reverse("frontline:rates_export"), {"by": "week"})
    assert response.status_code == 400


def test_the_default_period_is_this_year(receiver: Any, login_client: Any, catalogue: Any) -> None:
    from django.utils import timezone

    year = timezone.localdate().year
    html = login_client(receiver).get(reverse("frontline:rates")).content.decode()
    assert f"统计期：{year}-01-01 至 {year}-12-31" in html
    assert "统计期内没有计入三率的诉求。" in html


def test_the_xlsx_export(world: Any, receiver: Any, login_client: Any) -> None:  # noqa: F811
    response = login_client(receiver).get(reverse("frontline:rates_export"), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="sanlv-202609-202611.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按部门", "按类别", "按月份", "口径"]
    rows = [list(r) for r in book["按部门"].iter_rows(values_only=True)]
    assert str(rows[0][0]).startswith("统计期：2026-09-01 至 2026-11-30（按受理日期），数据截至 ")
    assert rows[1] == [
        "承办部门", "计入诉求", "应响应", "按时签收", "响应率（%）", "有回访", "已解决", "解决率（%）",
        "有评价", "满意", "基本满意", "不满意", "满意率（%）",
    ]  # fmt: skip
    assert rows[2:] == [
        ["区城管执法局", 4, 4, 2, 50, 2, 2, 100, 2, 1, 1, 0, 100],
        ["区市场监管局", 4, 4, 3, 75, 3, 2, 66.7, 2, 1, 0, 1, 50],
        ["待改派", 1, 1, 0, 0, 0, 0, "—", 0, 0, 0, 0, "—"],
        ["合计", 9, 9, 5, 55.6, 5, 4, 80, 4, 2, 1, 1, 75],
    ]
    months = [list(r) for r in book["按月份"].iter_rows(values_only=True)][2:]
    assert [m[:5] for m in months] == [
        ["2026年9月", 2, 2, 1, 50],
        ["2026年10月", 1, 1, 1, 100],
        ["2026年11月", 6, 6, 3, 50],
        ["合计", 9, 9, 5, 55.6],
    ]
    definitions = [list(r) for r in book["口径"].iter_rows(values_only=True)]
    assert [d[0] for d in definitions] == ["指标", "计入三率的诉求", "响应率", "解决率", "满意率", "分组"]
    entry = AuditEntry.objects.filter(action=RATES_EXPORT).get()
    assert entry.after == {"start": "2026-09-01", "end": "2026-11-30", "department": "", "counted": 9}

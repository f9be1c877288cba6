"""The leader's compliance page (巡查履职) and its .xlsx export: who may see them, the exact figures shown and
written, each row's due explained, the empty state, bad input in words, and a query count that does not grow
with the chiefs. The world is test_compliance.py's June (the flood season from the 16th)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shouzhan.core.audit import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.patrols.audit_actions import COMPLIANCE_EXPORT
from shouzhan.patrols.models import Chief, Target
from tests.patrols import test_compliance as world

pytestmark = pytest.mark.django_db
june, patrolled = world.june, world.patrolled  # the fixtures
URL = reverse("patrols:compliance")
EXPORT = reverse("patrols:compliance_export")
JUNE = {"month": "2026-06"}


def _words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def _row(html: str, key: object) -> list[str]:
    """The words of a table row (by its data-key), one string per cell; the due's explanation left out."""
    match = re.search(rf'<tr data-key="{re.escape(str(key))}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row {key}"
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", re.sub(r"<ul.*?</ul>", "", match[1], flags=re.S), re.S)
    return [_words(c) for c in cells]


@pytest.fixture
def leader(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.LEADER, name="区领导赵明")


def test_who_may_see_the_page(
    rules: Any, leader: Any, supervisor: Any, make_enterprise: Any, login_client: Any
) -> None:
    assert login_client(leader).get(URL).status_code == 200
    assert login_client(supervisor).get(URL).status_code == 200  # the river office's member
    _firm, owner = make_enterprise()
    assert login_client(owner).get(URL).status_code == 403
    assert login_client(owner).get(EXPORT).status_code == 403
    for url in (URL, EXPORT):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_figures_of_june(patrolled: dict[str, Any], leader: Any, login_client: Any) -> None:
    response = login_client(leader).get(URL, JUNE)
    assert response.status_code == 200
    html = response.content.decode()
    assert _row(html, patrolled["village"].pk) == [
        "村居河长陈平 居委主任 · 村居级", "蒲汇塘（徐家汇段） 徐家汇街道", "6", "6", "4", "2", "1", "1", "2", "逾期",
    ]  # fmt: skip
    assert _row(html, patrolled["street"].pk) == [
        "街镇河长王芳 街道办事处主任 · 街镇级", "蒲汇塘（徐家汇段） 徐家汇街道", "2", "2", "0", "0", "0", "0", "2",
        "逾期",
    ]  # fmt: skip
    assert _row(html, patrolled["late"].pk) == [
        "村居河长李强 村委会主任 · 村居级", "龙华港（龙华段） 龙华街道", "5", "5", "0", "0", "0", "0", "5", "逾期",
    ]  # fmt: skip
    # Why 6 are due: the two stretches, on hover (title) and when opened.
    why = "6/1—6/15 非汛期 · 无预警：每周至少 1 次，每次不少于 30 分钟、2 公里，折合 2.14 次"
    flood = "6/16—6/30 汛期 · 无预警：每周至少 2 次，每次不少于 30 分钟、2 公里，折合 4.29 次"
    assert f'title="{why}；{flood}"' in html
    assert f"<li>{why}</li>" in html and f"<li>{flood}</li>" in html
    assert _row(html, "by-street:徐家汇街道") == ["徐家汇街道", "2", "4 / 8", "50%", "2", "2"]
    assert _row(html, "by-street:龙华街道") == ["龙华街道", "1", "0 / 5", "0%", "1", "0"]
    assert _row(html, "by-level:village") == ["村居级", "2", "4 / 11", "36%", "2", "2"]
    assert _row(html, "by-level:street") == ["街镇级", "1", "0 / 2", "0%", "1", "0"]
    assert html.count('<svg viewBox="0 0 580 ') == 2  # the two charts (the icons are svg too)
    assert "徐家汇街道 · 应巡查：8 次" in html and "村居级 · 已完成：4 次" in html  # the bars' tooltips
    assert f"统计月份：2026-06 · 截至 {timezone.localdate():%Y-%m-%d}" in html
    assert f'href="{EXPORT}?month=2026-06"' in html


def test_the_filters_and_a_month_still_running(
    patrolled: dict[str, Any],
    leader: Any,
    login_client: Any,
) -> None:
    client = login_client(leader)
    html = client.get(URL, {**JUNE, "street": "龙华街道"}).content.decode()
    assert (
        f'data-key="{patrolled["late"].pk}"' in html and f'data-key="{patrolled["village"].pk}"' not in html
    )
    assert f'href="{EXPORT}?month=2026-06&amp;street=%E9%BE%99%E5%8D%8E%E8%A1%97%E9%81%93"' in html
    html = client.get(URL, {**JUNE, "level": "street"}).content.decode()
    assert f'data-key="{patrolled["street"].pk}"' in html and f'data-key="{patrolled["late"].pk}"' not in html
    html = client.get(URL, {**JUNE, "street": "龙华街道", "level": "street"}).content.decode()
    assert "这个月没有符合条件的河长或巡查员。" in html
    html = client.get(URL).content.decode()  # this month by default
    assert f'value="{timezone.localdate():%Y-%m}"' in html


def test_the_empty_state(rules: Any, leader: Any, login_client: Any) -> None:
    html = login_client(leader).get(URL).content.decode()
    assert 'id="compliance-empty"' in html and "这个月还没有在任的河长或巡查员。" in html
    assert 'id="compliance-export"' not in html


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"month": "2026-13"}, "请按“2026-06”的格式填写月份"),
        ({"month": "1999-12"}, "请按“2026-06”的格式填写月份"),
        ({"month": "六月"}, "请按“2026-06”的格式填写月份"),
        ({**JUNE, "level": "province"}, "选择一个有效的选项"),
        ({**JUNE, "street": "不存在街道"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_in_words(
    june: Any,
    leader: Any,
    login_client: Any,
    params: dict[str, str],
    words: str,
) -> None:
    client = login_client(leader)
    response = client.get(URL, params)
    assert response.status_code == 400 and words in response.content.decode()
    response = client.get(EXPORT, params)
    assert response.status_code == 400 and words in response.content.decode()


def test_a_month_before_any_rules(
    rules: Any, section: Target, leader: Any, login_client: Any, make_user: Any
) -> None:
    Chief.objects.create(
        target=section, user=make_user(Role.OFFICER), level="village", from_on=dt.date(2025, 1, 1)
    )
    response = login_client(leader).get(URL, {"month": "2025-06"})
    assert response.status_code == 400
    assert "2025-06-01 没有生效的巡查频次规则。" in response.content.decode()
    assert login_client(leader).get(EXPORT, {"month": "2025-06"}).status_code == 400


def test_the_query_count_does_not_grow_with_the_chiefs(
    patrolled: dict[str, Any],
    leader: Any,
    login_client: Any,
    make_user: Any,
    django_assert_num_queries: Any,
) -> None:
    client = login_client(leader)
    client.get(URL, JUNE)  # warm: the session, the calendar
    with django_assert_num_queries(QUERIES):
        assert client.get(URL, JUNE).status_code == 200
    for n in range(5):
        target = Target.objects.create(code=f"t{n}", name=f"河段{n}", street=f"街道{n}", path=[])
        Chief.objects.create(
            target=target, user=make_user(Role.OFFICER), level="village", from_on=dt.date(2026, 1, 1)
        )
    with django_assert_num_queries(QUERIES):
        html = client.get(URL, JUNE).content.decode()
    assert html.count('<tr data-key="') == 8 + 7 + 2  # the chiefs, the streets, the levels


QUERIES = 10  # session, user; the streets, the chiefs, the rules (2), the warnings, the patrols; the menu's 2


def test_the_xlsx_export(patrolled: dict[str, Any], leader: Any, login_client: Any) -> None:
    response = login_client(leader).get(EXPORT, {**JUNE, "level": "village"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('巡查履职-202606.xlsx')}"
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["履职明细", "按街镇", "按层级"]
    rows = [list(r) for r in book["履职明细"].iter_rows(values_only=True)]
    assert rows[0][0] == f"统计月份：2026-06 · 截至 {timezone.localdate():%Y-%m-%d} · 村居级"
    assert rows[1] == [
        "河长", "职务", "河长层级", "巡查对象", "所属街镇", "本月应巡查", "截至今日应巡查", "已完成", "待复核",
        "复核不通过", "未达标", "逾期", "状态", "应巡查次数的计算",
    ]  # fmt: skip
    assert rows[2] == [
        "村居河长陈平", "居委主任", "村居级", "蒲汇塘（徐家汇段）", "徐家汇街道", 6, 6, 4, 2, 1, 1, 2, "逾期",
        "6/1—6/15 非汛期 · 无预警：每周至少 1 次，每次不少于 30 分钟、2 公里，折合 2.14 次；"
        "6/16—6/30 汛期 · 无预警：每周至少 2 次，每次不少于 30 分钟、2 公里，折合 4.29 次",
    ]  # fmt: skip
    assert rows[3][:13] == [
        "村居河长李强", "村委会主任", "村居级", "龙华港（龙华段）", "龙华街道", 5, 5, 0, 0, 0, 0, 5, "逾期",
    ]  # fmt: skip
    assert len(rows) == 4
    assert [list(r) for r in book["按街镇"].iter_rows(values_only=True)] == [
        ["所属街镇", "河长人数", "应巡查", "已完成", "完成率（%）", "逾期河长", "待复核"],
        ["徐家汇街道", 1, 6, 4, 67, 1, 2],
        ["龙华街道", 1, 5, 0, 0, 1, 0],
    ]
    assert [list(r) for r in book["按层级"].iter_rows(values_only=True)] == [
        ["河长层级", "河长人数", "应巡查", "已完成", "完成率（%）", "逾期河长", "待复核"],
        ["村居级", 2, 11, 4, 36, 2, 2],
    ]
    entry = AuditEntry.objects.filter(action=COMPLIANCE_EXPORT).get()
    assert (entry.actor_id, entry.target_type) == (leader.pk, "patrols.Chief")
    assert entry.after == {"month": "2026-06", "street": "", "level": "village", "rows": 2}

"""The bulletins' pages: the archive, downloads (audited with the user), generating a past month by hand, and
the refusals — 403 for who may not, 404 for a month with no bulletin, a form error for a month not over."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from shouzhan.core.models import AuditEntry
from shouzhan.insight import audit_actions as aa
from shouzhan.insight.models import Bulletin
from shouzhan.insight.services.bulletins import bulletin_generate
from tests.insight.conftest import SYSTEM

pytestmark = pytest.mark.django_db
D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.datetime(2026, 11, 3, 10, tzinfo=SHANGHAI)


@pytest.fixture
def september(insight_data: Any, make_enterprise: Callable[..., Any]) -> Any:
    make_enterprise(
        name="徐汇智剧科技",
        district="徐汇",
        in_cluster=True,
        sector="micro_drama",
        annual_revenue_fen=1_500_000_000,
        created_at=dt.datetime(2026, 8, 3, 10, tzinfo=SHANGHAI),
    )
    with time_machine.travel(TODAY, tick=False):
        return bulletin_generate(actor=SYSTEM, month=D(2026, 9, 1))


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(TODAY, tick=False):
        yield


def test_the_archive_lists_each_month_with_its_downloads(
    september: Bulletin, leader: Any, caseworker: Any, login_client: Any
) -> None:
    client = login_client(caseworker)
    assert client.get("/insight/bulletins/2026-09/pdf/").status_code == 200
    assert client.get("/insight/bulletins/2026-09/xlsx/").status_code == 200
    page = login_client(leader).get("/insight/bulletins/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>月度通报</h1>" in html
    row = html[html.index('id="bulletin-2026-09"') :].split("</tr>")[0]
    assert "2026年9月" in row and "系统自动生成" in row
    assert '<td class="num">2</td>' in row
    assert (
        'href="/insight/bulletins/2026-09/pdf/"' in row and 'href="/insight/bulletins/2026-09/xlsx/"' in row
    )
    assert "集聚优质企业：上月无快照，不计变化，累计 1 家" in html  # the latest bulletin's key points
    assert 'id="bulletin-generate-form"' in html  # a leader may generate by hand


def test_a_caseworker_reads_but_does_not_generate(
    september: Bulletin, caseworker: Any, login_client: Any
) -> None:
    html = login_client(caseworker).get("/insight/bulletins/").content.decode()
    assert 'id="bulletins-table"' in html and 'id="bulletin-generate-form"' not in html
    response = login_client(caseworker).post("/insight/bulletins/generate/", {"month": "2026-10"})
    assert response.status_code == 403
    assert not Bulletin.objects.filter(month=D(2026, 10, 1)).exists()


def test_an_empty_archive_says_so(insight_data: Any, leader: Any, login_client: Any) -> None:
    html = login_client(leader).get("/insight/bulletins/").content.decode()
    assert 'id="bulletins-empty"' in html and "还没有生成过月度通报" in html


def test_a_download_is_the_stored_file_named_and_audited_with_the_user(
    september: Bulletin, leader: Any, login_client: Any
) -> None:
    response = login_client(leader).get("/insight/bulletins/2026-09/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"bulletin-2026-09.pdf\"; filename*=UTF-8''"
        "%E6%9C%88%E5%BA%A6%E9%80%9A%E6%8A%A5-2026-09.pdf"
    )
    assert response.content == bytes(september.pdf)
    xlsx = login_client(leader).get("/insight/bulletins/2026-09/xlsx/")
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.content == bytes(september.xlsx)
    entries = AuditEntry.objects.filter(action=aa.BULLETIN_DOWNLOAD).order_by("id")
    assert [(e.actor, e.actor_label, e.target_id, e.after["kind"]) for e in entries] == [
        (leader, "李主任", str(september.pk), "pdf"),
        (leader, "李主任", str(september.pk), "xlsx"),
    ]


def test_an_entrepreneur_is_refused_and_nothing_is_audited(
    september: Bulletin, make_user: Any, login_client: Any
) -> None:
    client = login_client(make_user())
    assert client.get("/insight/bulletins/").status_code == 403
    assert client.get("/insight/bulletins/2026-09/pdf/").status_code == 403
    assert client.post("/insight/bulletins/generate/", {"month": "2026-10"}).status_code == 403
    assert not AuditEntry.objects.filter(action=aa.BULLETIN_DOWNLOAD).exists()


def test_an_anonymous_visitor_is_sent_to_log_in(september: Bulletin, client: Any) -> None:
    response = client.get("/insight/bulletins/2026-09/pdf/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_month_without_a_bulletin_or_a_bad_address_is_404(
    september: Bulletin, leader: Any, login_client: Any
) -> None:
    client = login_client(leader)
    for url in (
        "/insight/bulletins/2026-08/pdf/",
        "/insight/bulletins/2026-13/pdf/",
        "/insight/bulletins/september/pdf/",
        "/insight/bulletins/2026-09/docx/",
    ):
        assert client.get(url).status_code == 404, url
    assert not AuditEntry.objects.filter(action=aa.BULLETIN_DOWNLOAD).exists()


def test_a_leader_generates_a_past_month_by_hand(september: Bulletin, leader: Any, login_client: Any) -> None:
    client = login_client(leader)
    response = client.post("/insight/bulletins/generate/", {"month": "2026-10"})
    assert response.status_code == 302 and response["Location"] == "/insight/bulletins/"
    bulletin = Bulletin.objects.get(month=D(2026, 10, 1))
    assert bulletin.generated_by == leader
    html = client.get("/insight/bulletins/").content.decode()
    assert "已生成 2026-10 的月度通报。" in html
    assert html.index('id="bulletin-2026-10"') < html.index('id="bulletin-2026-09"')  # newest first
    again = client.post("/insight/bulletins/generate/", {"month": "2026-09"}, follow=True)
    assert "2026-09 的月度通报已经生成过，未重新生成。" in again.content.decode()
    assert Bulletin.objects.count() == 2


@pytest.mark.parametrize(
    ("month", "error"),
    [
        ("2026-11", "只能生成已经结束的月份的通报。"),  # this month is not over
        ("2027-01", "只能生成已经结束的月份的通报。"),
        ("2026-13", "请按“2026-09”的格式填写月份（2000 至 2099 年）。"),
        ("9999-99", "请按“2026-09”的格式填写月份（2000 至 2099 年）。"),
        ("", "这个字段是必填项。"),
    ],
)
def test_a_bad_month_is_a_form_error(
    insight_data: Any, leader: Any, login_client: Any, month: str, error: str
) -> None:
    response = login_client(leader).post("/insight/bulletins/generate/", {"month": month})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Bulletin.objects.exists()

"""Pages: calendar, booking with a clash, my bookings, .ics, statements (xlsx/pdf), floors, charts, isolation."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from shouzhan.core.roles import Role
from shouzhan.spaces import services
from shouzhan.spaces.demo import load_demo
from shouzhan.spaces.models import Booking, Site
from tests.spaces.conftest import at

pytestmark = pytest.mark.django_db


def test_calendar_book_and_clash_with_alternatives(
    make_enterprise, login_client, live_room, live_room_b, day
):  # type: ignore[no-untyped-def]
    a, owner_a = make_enterprise(name="甲直播")
    b, owner_b = make_enterprise(name="乙直播")
    ca, cb = login_client(owner_a), login_client(owner_b)
    page = ca.get(f"/spaces/r/{live_room.pk}/?week={day.isoformat()}&start={day.isoformat()}T10:00")
    html = page.content.decode()
    assert page.status_code == 200 and 'name="start" value="10:00"' in html
    # ISO, not the zh-hans "2026/11/30" a browser's date input would show as empty (and refuse to submit).
    assert f'type="date" name="date" value="{day.isoformat()}"' in html
    form = {"enterprise": a.pk, "date": day.isoformat(), "start": "10:00", "minutes": "120", "people": "2"}
    assert ca.post(f"/spaces/r/{live_room.pk}/book/", form).status_code == 302
    clash = cb.post(f"/spaces/r/{live_room.pk}/book/", {**form, "enterprise": b.pk})
    text = clash.content.decode()
    assert clash.status_code == 409
    assert f"该时段已被占用：直播间 A {day.isoformat()} 10:00–12:00（含 15 分钟间隔，至 12:15）" in text
    assert f"直播间 B · {day.isoformat()} 10:00–12:00" in text
    assert "甲直播" not in text  # another enterprise's name is never shown
    bad = ca.post(f"/spaces/r/{live_room.pk}/book/", {**form, "start": "21:00"})
    assert bad.status_code == 422 and "超出开放时间：直播间 A 每天 08:00–22:00 开放" in bad.content.decode()


def test_mine_cancel_ics_and_isolation(make_enterprise, login_client, live_room, day):  # type: ignore[no-untyped-def]
    a, owner_a = make_enterprise()
    _b, owner_b = make_enterprise()
    booking = services.booking_create(
        actor=owner_a, resource=live_room, enterprise=a, start_at=at(day, 10), end_at=at(day, 12)
    )
    ca, cb = login_client(owner_a), login_client(owner_b)
    assert "直播间 A" in ca.get("/spaces/mine/").content.decode()
    ics = ca.get(f"/spaces/b/{booking.pk}.ics")
    body = ics.content.decode()
    assert ics["Content-Type"].startswith("text/calendar")
    start_utc = at(day, 10).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"\r\nDTSTART:{start_utc}\r\n" in body and body.endswith("END:VCALENDAR\r\n")
    assert "SUMMARY:直播间预约：直播间 A\r\n" in body
    assert cb.get(f"/spaces/b/{booking.pk}.ics").status_code == 404
    assert cb.post(f"/spaces/b/{booking.pk}/cancel/").status_code == 404
    assert ca.post(f"/spaces/b/{booking.pk}/cancel/").status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_statement_files(make_enterprise, make_user, login_client, catalogue, desk):  # type: ignore[no-untyped-def]
    ent, owner = make_enterprise(district="徐汇", is_startup=True, in_cluster=True)
    worker = make_user(role=Role.CASEWORKER)
    from django.utils import timezone

    first = timezone.localdate().replace(day=1)
    services.tenancy_start(actor=worker, enterprise=ent, resource=desk, start_on=first, months=12)
    c = login_client(owner)
    page = c.get(f"/spaces/statement/{ent.pk}/{first.year}/{first.month}/").content.decode()
    assert "初创企业工位费减免" in page and "800.00 元" in page
    xlsx = c.get(f"/spaces/statement/{ent.pk}/{first.year}/{first.month}.xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert next(iter(ws.iter_rows(min_row=3, max_row=3, values_only=True)))[3:6] == (800, 800, 0)
    pdf = c.get(f"/spaces/statement/{ent.pk}/{first.year}/{first.month}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    _other, stranger = make_enterprise()
    assert (
        login_client(stranger).get(f"/spaces/statement/{ent.pk}/{first.year}/{first.month}/").status_code
        == 404
    )


def test_staff_pages_and_demo(make_user, login_client, db):  # type: ignore[no-untyped-def]
    summary = load_demo()
    assert summary.startswith("空间：徐汇创业首站 12 个工位")
    assert load_demo() == summary.replace(summary.split("新建租用与预约 ")[1], "0 条")
    leader = login_client(make_user(role=Role.LEADER))
    # The live-streaming base's floors page shows its 15th floor (the row for the floor, not a room's name).
    base = Site.objects.get(name="中船科技园直播孵化基地")
    assert "<strong>15F</strong>" in leader.get(f"/spaces/floors/?site={base.pk}").content.decode()
    assert leader.get("/spaces/floors/").status_code == 200
    assert "月收入" in leader.get("/spaces/insight/").content.decode()
    assert leader.get("/spaces/").status_code == 200
    entrepreneur = login_client(make_user())
    assert entrepreneur.get("/spaces/floors/").status_code == 403
    assert entrepreneur.get("/spaces/insight/").status_code == 403  # a staff page: 403 (the refusal rule)
    assert entrepreneur.get("/spaces/r/999999/").status_code == 404
    assert entrepreneur.get("/spaces/statement/1/2026/13/").status_code == 404


def test_my_spaces_card_and_enterprise_link(make_enterprise, make_user, login_client, live_room, desk, day):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from shouzhan.spaces.models import Tenancy

    a, owner_a = make_enterprise(name="甲直播")
    b, owner_b = make_enterprise(name="乙直播")
    services.booking_create(
        actor=owner_a, resource=live_room, enterprise=a, start_at=at(day, 10), end_at=at(day, 12)
    )
    today = timezone.localdate()
    Tenancy.objects.create(
        enterprise=a,
        resource=desk,
        start_on=today,
        end_on=today + dt.timedelta(days=30),
        months=1,
        monthly_fee_fen=80000,
    )
    index = login_client(owner_a).get("/spaces/").content.decode()
    card = index[index.index('class="card my-spaces-card"') :].split("</ul>")[0]
    assert f'data-enterprise="{a.pk}"' in card and "甲直播" in card
    assert f'href="/spaces/mine/?enterprise={a.pk}"' in card
    assert "<strong>1</strong>处在租" in card and "<strong>1</strong>个待使用的预约" in card
    assert f"工位 · 工位 D-01（徐汇创业首站）租至 {(today + dt.timedelta(days=30)).isoformat()}" in card
    assert f"直播间 A · {day.isoformat()} 10:00–12:00" in card
    # B's card knows nothing of A; a staff member has no card of their own.
    other = login_client(owner_b).get("/spaces/").content.decode()
    assert "<strong>0</strong>个待使用的预约" in other and "直播间 A ·" not in other
    assert (
        "my-spaces-card" not in login_client(make_user(role=Role.CASEWORKER)).get("/spaces/").content.decode()
    )
    # The link from the enterprise page: members and staff see that enterprise's spaces, others 404.
    mine = login_client(owner_a).get(f"/spaces/mine/?enterprise={a.pk}")
    assert mine.status_code == 200 and "我的空间" in mine.content.decode()
    staff = login_client(make_user(role=Role.CASEWORKER)).get(f"/spaces/mine/?enterprise={a.pk}")
    assert staff.status_code == 200 and "直播间 A" in staff.content.decode()
    assert login_client(owner_b).get(f"/spaces/mine/?enterprise={a.pk}").status_code == 404
    assert login_client(owner_b).get("/spaces/mine/?enterprise=x").status_code == 404
    assert b.pk != a.pk

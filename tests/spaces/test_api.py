"""The spaces API: catalogue filters, a week's availability, booking with 409 and alternatives, cancel, my
bookings, .ics, the waitlist, tenancies (staff only), statements — exact values, bilingual errors, 404 for
another enterprise's records and 401 for anonymous writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.spaces import services
from shouzhan.spaces.models import Booking, Tenancy, WaitlistEntry
from tests.spaces.conftest import at

pytestmark = pytest.mark.django_db

API = "/api/v1/spaces"


def iso(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat()


def post(client, url, body=None):  # type: ignore[no-untyped-def]
    return client.post(url, body or {}, content_type="application/json")


def test_catalogue_with_filters_is_public(live_room, live_room_b, desk, office, filming_site):  # type: ignore[no-untyped-def]
    anon = Client()
    sites = anon.get(f"{API}/sites").json()
    assert [(s["name"], s["kind"], s["resource_count"]) for s in sites] == [
        ("中船科技园直播孵化基地", "base", 2),
        ("徐汇创业首站", "first_stop", 2),
        ("徐汇滨江取景地", "outdoor", 1),
    ]
    assert sites[0]["floors"] == [{"number": 3, "use": "电商直播", "area_sqm": None}]
    assert [s["name"] for s in anon.get(f"{API}/sites?district=徐汇").json()] == [
        "徐汇创业首站",
        "徐汇滨江取景地",
    ]
    rooms = anon.get(f"{API}/resources?kind=live_room").json()
    assert [(r["name"], r["price_hour_yuan"], r["floor"], r["opens_at"]) for r in rooms] == [
        ("直播间 A", "120.00", 3, "08:00"),
        ("直播间 B", "100.00", 3, "08:00"),
    ]
    monthly = anon.get(f"{API}/resources?bookable=false").json()
    assert [(r["name"], r["price_month_yuan"]) for r in monthly] == [
        ("工位 D-01", "800.00"),
        ("办公室 201", "6000.00"),
    ]
    assert [r["name"] for r in anon.get(f"{API}/resources?min_capacity=5").json()] == [
        "办公室 201",
        "龙腾大道江景段",
    ]
    one = anon.get(f"{API}/resources/{filming_site.pk}").json()
    assert (
        one["price_day_yuan"],
        one["needs_approval"],
        one["approval_days"],
        one["required_documents"],
    ) == (
        "2000.00",
        True,
        3,
        ["拍摄许可申请表", "剧组人员名单", "公众责任保险单"],
    )
    bad = anon.get(f"{API}/resources?kind=spaceship")
    assert bad.status_code == 422 and bad.json() == {
        "error": "invalid input / 输入有误",
        "detail": {"kind": ["未知的空间类型：spaceship"]},
    }
    assert anon.get(f"{API}/resources/999999").json() == {"error": "not found / 未找到：没有找到该空间。"}


def test_availability_spans_for_a_week(make_enterprise, login_client, live_room, day):  # type: ignore[no-untyped-def]
    a, owner_a = make_enterprise(name="甲直播")
    _b, owner_b = make_enterprise(name="乙直播")
    booking = services.booking_create(
        actor=owner_a, resource=live_room, enterprise=a, start_at=at(day, 10), end_at=at(day, 12)
    )
    monday = day - dt.timedelta(days=day.weekday())
    url = f"{API}/resources/{live_room.pk}/availability?week={day.isoformat()}"
    theirs = login_client(owner_b).get(url).json()
    assert theirs["week"] == monday.isoformat() and len(theirs["days"]) == 7
    the_day = next(d for d in theirs["days"] if d["date"] == day.isoformat())
    assert [(s["start"], s["end"], s["state"], s["label"], s["booking_id"]) for s in the_day["spans"]] == [
        (iso(at(day, 8)), iso(at(day, 10)), "free", "", None),
        (iso(at(day, 10)), iso(at(day, 12)), "taken", "已占用", None),
        (iso(at(day, 12)), iso(at(day, 12, 30)), "buffer", "间隔", None),
        (iso(at(day, 12, 30)), iso(at(day, 22)), "free", "", None),
    ]
    assert "甲直播" not in str(theirs)
    mine = login_client(owner_a).get(url).json()
    spans = next(d for d in mine["days"] if d["date"] == day.isoformat())["spans"]
    assert (spans[1]["state"], spans[1]["label"], spans[1]["booking_id"]) == ("mine", "我的预约", booking.pk)
    assert Client().get(url).status_code == 401


def test_book_clash_409_with_alternatives_cancel_and_isolation(
    make_enterprise, login_client, live_room, live_room_b, day
):  # type: ignore[no-untyped-def]
    a, owner_a = make_enterprise(name="甲直播")
    b, owner_b = make_enterprise(name="乙直播")
    ca, cb = login_client(owner_a), login_client(owner_b)
    body = {
        "resource_id": live_room.pk,
        "start_at": iso(at(day, 10)),
        "end_at": iso(at(day, 12)),
        "people": 2,
    }

    anon = post(Client(), f"{API}/bookings", body)
    assert anon.status_code == 401 and anon.json() == {"error": "authentication required / 请先登录"}

    created = post(ca, f"{API}/bookings", {**body, "purpose": "新品直播"})
    assert created.status_code == 201, created.content
    booking = Booking.objects.get()
    assert created.json() == {
        "id": booking.pk,
        "resource_id": live_room.pk,
        "resource_name": "直播间 A",
        "enterprise_id": a.pk,
        "start_at": iso(at(day, 10)),
        "end_at": iso(at(day, 12)),
        "blocked_until": iso(at(day, 12, 15)),
        "people": 2,
        "purpose": "新品直播",
        "status": "confirmed",
        "status_label": "已确认",
        "fee_yuan": "240.00",
        "cancellation_fee_yuan": "0.00",
        "cancel_reason": "",
        "ics_url": f"/api/v1/spaces/bookings/{booking.pk}/ics",
    }
    assert created.json()["start_at"].endswith("T10:00:00+08:00")

    clash = post(cb, f"{API}/bookings", {**body, "enterprise_id": b.pk})
    assert clash.status_code == 409
    d = day.isoformat()
    assert clash.json() == {
        "error": f"slot taken / 该时段已被占用：直播间 A {d} 10:00–12:00（含 15 分钟间隔，至 12:15）",
        "detail": {
            "conflict": {
                "resource_id": live_room.pk,
                "start_at": iso(at(day, 10)),
                "end_at": iso(at(day, 12)),
                "blocked_until": iso(at(day, 12, 15)),
            },
            "alternatives": [
                {
                    "resource_id": r.pk,
                    "resource_name": r.name,
                    "start_at": iso(at(day, h, m)),
                    "end_at": iso(at(day, h + 2, m)),
                    "label": f"{r.name} · {d} {h:02d}:{m:02d}–{h + 2:02d}:{m:02d}",
                }
                for r, h, m in [
                    (live_room, 12, 30),
                    (live_room, 15, 0),
                    (live_room, 17, 30),
                    (live_room_b, 10, 0),
                ]
            ],
        },
    }
    assert "甲直播" not in clash.content.decode()
    assert Booking.objects.count() == 1

    # Another enterprise's booking does not exist for B: read, cancel, .ics and booking in A's name are 404.
    for response in (
        cb.get(f"{API}/bookings/{booking.pk}"),
        post(cb, f"{API}/bookings/{booking.pk}/cancel"),
        cb.get(f"{API}/bookings/{booking.pk}/ics"),
        post(cb, f"{API}/bookings", {**body, "enterprise_id": a.pk, "resource_id": live_room_b.pk}),
    ):
        assert response.status_code == 404
    assert cb.get(f"{API}/bookings/{booking.pk}").json() == {"error": "not found / 未找到：没有找到该预约。"}
    assert cb.get(f"{API}/bookings").json() == []
    assert [x["id"] for x in ca.get(f"{API}/bookings").json()] == [booking.pk]
    assert post(Client(), f"{API}/bookings/{booking.pk}/cancel").status_code == 401

    ics = ca.get(f"{API}/bookings/{booking.pk}/ics")
    assert ics["Content-Type"] == "text/calendar; charset=utf-8"
    assert "SUMMARY:直播间预约：直播间 A\r\n" in ics.content.decode()

    cancelled = post(ca, f"{API}/bookings/{booking.pk}/cancel", {"reason": "档期调整"})
    assert cancelled.status_code == 200
    assert {
        k: cancelled.json()[k] for k in ("status", "status_label", "cancellation_fee_yuan", "cancel_reason")
    } == {
        "status": "cancelled",
        "status_label": "已取消",
        "cancellation_fee_yuan": "0.00",
        "cancel_reason": "档期调整",
    }
    again = post(ca, f"{API}/bookings/{booking.pk}/cancel")
    assert again.status_code == 422 and again.json()["detail"] == ["该预约已是“已取消”状态，无需取消"]
    assert AuditEntry.objects.filter(action="spaces.booking_cancel", target_id=str(booking.pk)).count() == 1
    # The slot is free again: B books it.
    assert post(cb, f"{API}/bookings", body).status_code == 201


@pytest.mark.parametrize(
    ("change", "status", "detail"),
    [
        ({"end_at": "START"}, 422, {"end_at": ["结束时间必须晚于开始时间"]}),
        ({"start_at": None}, 422, {"start_at": ["请填写开始时间（start_at）和结束时间（end_at）"]}),
        ({"people": 5}, 422, {"people": ["人数超过容纳上限：直播间 A 最多容纳 4 人"]}),
        ({"people": 0}, 422, [{"field": "people", "message": "Input should be greater than or equal to 1"}]),
        ({"start_at": "not a time"}, 422, None),
    ],
)
def test_bad_booking_input_is_a_clear_422(
    make_enterprise, login_client, live_room, day, change, status, detail
):  # type: ignore[no-untyped-def]
    _a, owner = make_enterprise()
    body = {"resource_id": live_room.pk, "start_at": iso(at(day, 10)), "end_at": iso(at(day, 12))}
    body.update({k: (body["start_at"] if v == "START" else v) for k, v in change.items()})
    r = post(login_client(owner), f"{API}/bookings", body)
    assert r.status_code == status
    assert r.json()["error"] == "invalid input / 输入有误"
    if detail is not None:
        assert r.json()["detail"] == detail
    assert not Booking.objects.exists()


def test_naive_times_are_read_in_shanghai_and_past_is_refused(make_enterprise, login_client, live_room, day):  # type: ignore[no-untyped-def]
    _a, owner = make_enterprise()
    c = login_client(owner)
    r = post(
        c,
        f"{API}/bookings",
        {"resource_id": live_room.pk, "start_at": f"{day}T14:00", "end_at": f"{day}T15:30"},
    )
    assert r.status_code == 201 and (r.json()["start_at"], r.json()["fee_yuan"]) == (
        iso(at(day, 14)),
        "180.00",
    )
    past = timezone.localdate() - dt.timedelta(days=1)
    r = post(
        c,
        f"{API}/bookings",
        {"resource_id": live_room.pk, "start_at": f"{past}T10:00", "end_at": f"{past}T11:00"},
    )
    assert r.status_code == 422 and r.json()["detail"] == {"start_at": ["不能预约已经过去的时间"]}


def test_member_of_no_enterprise_and_of_two(make_user, make_enterprise, login_client, live_room, day):  # type: ignore[no-untyped-def]
    body = {"resource_id": live_room.pk, "start_at": iso(at(day, 10)), "end_at": iso(at(day, 12))}
    r = post(login_client(make_user()), f"{API}/bookings", body)
    assert r.status_code == 422 and r.json()["detail"] == {"enterprise_id": ["只有入驻企业的成员可以预约。"]}
    a, owner = make_enterprise()
    make_enterprise(owner=owner)
    r = post(login_client(owner), f"{API}/bookings", body)
    assert r.status_code == 422 and r.json()["detail"] == {"enterprise_id": ["请指定预约企业"]}
    assert post(login_client(owner), f"{API}/bookings", {**body, "enterprise_id": a.pk}).status_code == 201


def test_filming_site_by_the_day_is_pending(make_enterprise, login_client, filming_site, day):  # type: ignore[no-untyped-def]
    _ent, owner = make_enterprise()
    c = login_client(owner)
    r = post(
        c,
        f"{API}/bookings",
        {"resource_id": filming_site.pk, "date": day.isoformat(), "days": 2, "people": 12},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["status_label"], body["fee_yuan"]) == ("pending", "待审批", "4000.00")
    assert (body["start_at"], body["end_at"]) == (iso(at(day, 7)), iso(at(day + dt.timedelta(days=1), 19)))
    r = post(c, f"{API}/bookings", {"resource_id": filming_site.pk, "start_at": iso(at(day, 9))})
    assert r.status_code == 422
    assert r.json()["detail"] == {"date": ["该空间按天预约：请填写日期（date）和天数（days）"]}


def test_waitlist_through_the_api(make_enterprise, login_client, live_room, day):  # type: ignore[no-untyped-def]
    a, owner_a = make_enterprise()
    _b, owner_b = make_enterprise()
    ca, cb = login_client(owner_a), login_client(owner_b)
    slot = {"resource_id": live_room.pk, "start_at": iso(at(day, 10)), "end_at": iso(at(day, 12))}
    first = post(ca, f"{API}/bookings", slot).json()
    joined = post(cb, f"{API}/waitlist", slot)
    assert joined.status_code == 201 and joined.json()["status"] == "waiting"
    entry_id = joined.json()["id"]
    assert post(ca, f"{API}/waitlist/{entry_id}/accept").status_code == 404
    not_yet = post(cb, f"{API}/waitlist/{entry_id}/accept")
    assert not_yet.status_code == 422 and not_yet.json()["detail"] == ["该候补没有可接受的空档"]
    post(ca, f"{API}/bookings/{first['id']}/cancel")
    assert [(w["id"], w["status"]) for w in cb.get(f"{API}/waitlist").json()] == [(entry_id, "offered")]
    taken = post(cb, f"{API}/waitlist/{entry_id}/accept")
    assert taken.status_code == 201 and (taken.json()["status"], taken.json()["fee_yuan"]) == (
        "confirmed",
        "240.00",
    )
    assert WaitlistEntry.objects.get(pk=entry_id).status == "booked"
    assert cb.get(f"{API}/waitlist").json() == []
    assert ca.get(f"{API}/waitlist").json() == []
    assert a.pk != taken.json()["enterprise_id"]


def test_tenancies_staff_start_move_end_members_read_their_own(
    make_enterprise, make_user, login_client, catalogue, desk, office
):  # type: ignore[no-untyped-def]
    ent, owner = make_enterprise(district="徐汇", is_startup=True, in_cluster=True)
    _other, stranger = make_enterprise()
    staff = login_client(make_user(role=Role.CASEWORKER))
    start = timezone.localdate().replace(day=1)
    body = {"enterprise_id": ent.pk, "resource_id": desk.pk, "start_on": start.isoformat(), "months": 12}

    refused = post(login_client(owner), f"{API}/tenancies", body)
    assert refused.status_code == 403
    assert refused.json() == {"error": "forbidden / 无权操作：只有营商专员可以办理入驻、换租和退租"}
    assert post(Client(), f"{API}/tenancies", body).status_code == 401

    r = post(staff, f"{API}/tenancies", body)
    assert r.status_code == 201, r.content
    t = r.json()
    end_on = start.replace(year=start.year + 1)
    assert {k: t[k] for k in t if k not in ("id", "relief_reason")} == {
        "enterprise_id": ent.pk,
        "resource_id": desk.pk,
        "resource_name": "工位 D-01",
        "resource_kind": "desk",
        "start_on": start.isoformat(),
        "end_on": end_on.isoformat(),
        "months": 12,
        "status": "active",
        "status_label": "在租",
        "monthly_fee_yuan": "800.00",
        "relief_percent": 100,
        "relief_months": 12,
        "relief_clause": "xuhui.desk_fee_relief",
        "previous_id": None,
    }
    assert "入驻初创企业可享受工位费减免福利" in t["relief_reason"]
    clash = post(staff, f"{API}/tenancies", {**body, "months": 1})
    assert clash.status_code == 422 and "已有租用" in clash.json()["detail"][0]

    assert login_client(stranger).get(f"{API}/tenancies/{t['id']}").status_code == 404
    assert login_client(stranger).get(f"{API}/tenancies").json() == []
    assert [x["id"] for x in login_client(owner).get(f"{API}/tenancies").json()] == [t["id"]]
    move_on = start.replace(month=start.month % 12 + 1, year=start.year + (start.month == 12))
    move = {"resource_id": office.pk, "on": move_on.isoformat(), "months": 6}
    assert post(login_client(owner), f"{API}/tenancies/{t['id']}/move", move).status_code == 403
    assert post(login_client(stranger), f"{API}/tenancies/{t['id']}/move", move).status_code == 404

    moved = post(staff, f"{API}/tenancies/{t['id']}/move", move)
    assert moved.status_code == 201
    o = moved.json()
    assert (o["resource_name"], o["previous_id"], o["relief_percent"], o["monthly_fee_yuan"]) == (
        "办公室 201",
        t["id"],
        0,
        "6000.00",
    )
    assert Tenancy.objects.get(pk=t["id"]).status == "moved"
    history = login_client(owner).get(f"{API}/tenancies?enterprise_id={ent.pk}").json()
    assert [(h["resource_name"], h["status"]) for h in history] == [
        ("工位 D-01", "moved"),
        ("办公室 201", "active"),
    ]

    end_on = move_on + dt.timedelta(days=45)
    ended = post(staff, f"{API}/tenancies/{o['id']}/end", {"on": end_on.isoformat()})
    assert ended.status_code == 200 and (ended.json()["status"], ended.json()["end_on"]) == (
        "ended",
        end_on.isoformat(),
    )
    again = post(staff, f"{API}/tenancies/{o['id']}/end", {"on": end_on.isoformat()})
    assert again.status_code == 422 and again.json()["detail"] == ["该租用已结束"]

    st = login_client(owner).get(f"{API}/statements/{ent.pk}/{start.year}/{start.month}").json()
    assert (st["gross_yuan"], st["relief_yuan"], st["net_yuan"]) == ("800.00", "800.00", "0.00")
    assert st["lines"][0]["resource"] == "工位 D-01" and "工位费减免" in st["lines"][0]["reason"]
    assert (
        login_client(stranger).get(f"{API}/statements/{ent.pk}/{start.year}/{start.month}").status_code == 404
    )
    assert login_client(owner).get(f"{API}/statements/{ent.pk}/{start.year}/13").status_code == 404


def test_openapi_lists_the_spaces_paths(db):  # type: ignore[no-untyped-def]
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/spaces/sites",
        "/api/v1/spaces/resources/{resource_id}/availability",
        "/api/v1/spaces/bookings",
        "/api/v1/spaces/bookings/{booking_id}/ics",
        "/api/v1/spaces/tenancies/{tenancy_id}/move",
    ):
        assert path in paths

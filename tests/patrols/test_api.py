"""The patrols API: the targets a chief patrols, a patrol sent as the phone syncs it (one patrol per
client_key), the patrols each caller may read, one patrol's verdict and flags in words, a supervisor's
review (409 when reviewed meanwhile); exact answers and the 401 / 403 / 404 rules."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from shouzhan.core.audit import STALE_MESSAGE
from shouzhan.core.roles import Role
from shouzhan.core.workdays import add_working_days
from shouzhan.frontline.models import Demand
from shouzhan.patrols.models import Chief, Patrol, Target
from tests.patrols.conftest import LAT0, LENGTH_M, LON0, north, walk

API = "/api/v1/patrols"
SECTION = "蒲汇塘（徐家汇段）"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
CHIEFS_ONLY = "仅供河长、巡查员和工作人员使用。"


@pytest.fixture(autouse=True)
def wednesday(settings: Any, tmp_path: Any) -> Iterator[None]:
    """Wednesday 4 November 2026, 15:00 in Shanghai (outside the flood season); photos under the test's own
    directory."""
    settings.MEDIA_ROOT = str(tmp_path)
    with time_machine.travel(dt.datetime(2026, 11, 4, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


@pytest.fixture
def other_route(office: Any) -> Target:
    target = Target.objects.create(code="lhg-lh", name="龙华港（龙华段）", street="龙华街道", level="village")
    target.checkpoints.create(
        order=1, name="龙华港桥", latitude=31.16, longitude=121.45, code="XC-OTHERROUTE"
    )
    return target


def got(answer: Any) -> tuple[int, Any]:
    return answer.status_code, answer.json()


def post(client: Client, url: str, body: Any, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"{API}{url}", body, content_type="application/json", headers=headers)


def body(section: Target, seconds: float = 2400, **changes: Any) -> dict[str, Any]:
    """A patrol as the phone sends it: the honest walk, checked in at every checkpoint by QR."""
    start, end, track = walk(timezone.now() - dt.timedelta(hours=2), seconds=seconds)
    at = (start + dt.timedelta(minutes=5)).isoformat()
    data = {
        "target_id": section.pk,
        "started_at": start.isoformat(),
        "ended_at": end.isoformat(),
        "track": track,
        "checkins": [{"code": c.code, "at": at, "method": "qr"} for c in section.checkpoints.all()],
        "observations": {"colour": "turbid", "debris": "much", "note": "桥下堆积"},
        "notes": "沿河步行",
        "hazards": [{"category": "water", "description": "宜山路桥下有大量漂浮垃圾", "photos": [0]}],
        "photos": [{"name": "桥下.png", "content_base64": base64.b64encode(PNG).decode()}],
    }
    data.update(changes)
    return data


def forbidden(words: str) -> tuple[int, Any]:
    return 403, {"error": f"forbidden / 无权操作：{words}"}


NOT_FOUND = (404, {"error": "not found / 未找到：没有找到这次巡查。"})


def invalid(detail: Any) -> tuple[int, Any]:
    return 422, {"error": "invalid input / 输入有误", "detail": detail}


def test_anonymous_is_401_everywhere(client: Client, db: Any) -> None:
    unauthenticated = (401, {"error": "authentication required / 请先登录"})
    assert got(client.get(f"{API}/targets")) == unauthenticated
    assert got(client.get(f"{API}/patrols")) == unauthenticated
    assert got(client.get(f"{API}/patrols/1")) == unauthenticated
    assert got(post(client, "/patrols", {})) == unauthenticated
    assert got(post(client, "/patrols/1/review", {"accept": True, "expected_version": 1})) == unauthenticated


def test_targets_a_chief_patrols_or_all_for_the_staff(
    login_client: Any, chief: Any, section: Target, other_route: Target, make_user: Any
) -> None:
    status, answer = got(login_client(chief).get(f"{API}/targets"))
    assert status == 200 and answer["count"] == 1
    assert answer["items"] == [
        {
            "id": section.pk, "code": "phtang-xjh", "kind": "river_section", "kind_label": "河段", "name": SECTION,
            "river": "蒲汇塘", "level": "street", "level_label": "街镇级", "street": "徐家汇街道",
            "start_label": "漕溪北路", "end_label": "宜山路", "length_m": LENGTH_M, "checkin_radius_m": 50,
            "path": [[LAT0, LON0], [north(1200), LON0], [north(LENGTH_M), LON0]],
            "checkpoints": [
                {"order": 1, "name": "漕溪北路桥", "latitude": f"{LAT0:.6f}", "longitude": f"{LON0:.6f}"},
                {"order": 2, "name": "中段泵站", "latitude": f"{north(1200):.6f}", "longitude": f"{LON0:.6f}"},
                {"order": 3, "name": "宜山路桥", "latitude": f"{north(LENGTH_M):.6f}", "longitude": f"{LON0:.6f}"},
            ],
            "my_level": "village",
        }
    ]  # fmt: skip
    leader = login_client(make_user(Role.LEADER)).get(f"{API}/targets", {"limit": 1, "offset": 1}).json()
    assert (leader["count"], [(t["name"], t["my_level"]) for t in leader["items"]]) == (
        2,
        [("龙华港（龙华段）", None)],
    )
    assert got(login_client(make_user(Role.ENTREPRENEUR)).get(f"{API}/targets")) == forbidden(CHIEFS_ONLY)
    # a post that has ended is no longer listed (and a former chief reads nothing)
    Chief.objects.filter(user=chief).update(to_on=timezone.localdate() - dt.timedelta(days=1))
    assert got(login_client(chief).get(f"{API}/targets")) == forbidden(CHIEFS_ONLY)


def test_a_patrol_sent_as_the_phone_syncs_it(login_client: Any, chief: Any, section: Target) -> None:
    client = login_client(chief)
    sent = body(section, client_key="phone-7")
    status, answer = got(post(client, "/patrols", sent))
    assert status == 201
    patrol = Patrol.objects.get()
    demand = Demand.objects.get()
    assert (timezone.localdate(), add_working_days(timezone.localdate(), 5).date) == (
        dt.date(2026, 11, 4), dt.date(2026, 11, 11),
    )  # fmt: skip
    assert answer == {
        "id": patrol.pk, "target_id": section.pk, "target": SECTION, "patroller": "村居河长陈平",
        "level": "village", "level_label": "村居级", "on": "2026-11-04",
        "started_at": answer["started_at"], "ended_at": answer["ended_at"], "minutes": 40,
        "distance_m": patrol.distance_m, "points": 200, "meets_rules": True, "review": "clean",
        "review_label": "无异常", "flags": 0, "counts": True, "version": 1, "rule_version": 1,
        "warning": "none", "warning_label": "无预警", "season": "normal", "season_label": "非汛期",
        "verdict": [
            {"ok": True, "words": "适用第 1 版规则（村居级 · 无预警 · 非汛期）：每周至少 1 次，每次不少于 30 分钟、2 公里。"},
            {"ok": True, "words": "巡查 40 分钟，不少于规定的 30 分钟。"},
            {"ok": True, "words": "巡查 2.4 公里，不少于规定的 2 公里。"},
        ],
        "flag_list": [], "checkpoints": 3,
        "checkins": [{"checkpoint": n, "method": "qr", "method_label": "扫码", "at": answer["checkins"][i]["at"]}
                     for i, n in enumerate(["漕溪北路桥", "中段泵站", "宜山路桥"])],
        "observations": [{"item": "水体颜色", "answer": "浑浊"}, {"item": "漂浮物", "answer": "大量"},
                         {"item": "其他情况", "answer": "桥下堆积"}],
        "notes": "沿河步行",
        "hazards": [{
            "id": patrol.hazards.get().pk, "category": "water", "description": "宜山路桥下有大量漂浮垃圾",
            "urgent": False, "observed_at": answer["hazards"][0]["observed_at"], "demand_id": demand.pk,
            "reference": demand.case.reference, "department": "区水务局",
            "accept_due_on": "2026-11-05", "resolve_due_on": "2026-11-11",
        }],
        "photos": [{"content_type": "image/png", "size": 40, "sha256": patrol.photos.get().sha256,
                    "hazard_id": patrol.hazards.get().pk}],
        "review_note": "", "reviewed_by": None, "reviewed_at": None,
    }  # fmt: skip
    assert 2399 <= patrol.distance_m <= 2401
    assert (
        answer["started_at"]
        == patrol.started_at.astimezone(dt.UTC).isoformat(timespec="milliseconds")[:-6] + "Z"
    )
    # sent again (a lost answer): the same patrol, no second ticket — with or without the header
    again = got(post(client, "/patrols", sent))
    assert again == (201, answer)
    assert got(post(client, "/patrols", sent, key="sync-1")) == (201, answer)
    assert got(post(client, "/patrols", sent, key="sync-1")) == (201, answer)
    assert (Patrol.objects.count(), Demand.objects.count()) == (1, 1)


def test_bad_patrols_are_422_or_403_and_save_nothing(
    login_client: Any, chief: Any, section: Target, other_route: Target, make_user: Any
) -> None:
    client = login_client(chief)
    assert got(post(client, "/patrols", body(section, track=[]))) == invalid(
        {"track": ["轨迹没有定位点：请打开手机定位后再巡查，本次记录已保留在手机上。"]}
    )
    bad = body(section)
    bad["track"][1][0] = 95.0
    assert got(post(client, "/patrols", bad)) == invalid(
        {"track": ["第 2 个定位点的坐标超出范围（纬度 -90 至 90，经度 -180 至 180）。"]}
    )
    other = body(section, checkins=[{"code": "XC-OTHERROUTE"}])
    assert got(post(client, "/patrols", other)) == invalid(
        {"checkins": [f"打卡码属于“龙华港（龙华段）”的线路，不是本次巡查的“{SECTION}”。"]}
    )
    sent = body(section)
    backwards = body(section, started_at=sent["ended_at"], ended_at=sent["started_at"])
    assert got(post(client, "/patrols", backwards)) == invalid({"ended_at": ["结束时间早于开始时间。"]})
    assert got(post(client, "/patrols", body(section, target_id=999_999))) == invalid(
        {"target_id": ["没有找到该巡查对象。"]}
    )
    text = body(section, photos=[{"name": "桥下.jpg", "content_base64": base64.b64encode(b"hello").decode()}])
    assert got(post(client, "/patrols", text)) == invalid(
        {"photos": ["“桥下.jpg”不是照片（只接受 JPEG、PNG）。"]}
    )
    assert got(post(client, "/patrols", body(section, photos=[{"content_base64": "@@@"}]))) == invalid(
        {"photos": ["第 1 张照片的内容不是 base64 编码。"]}
    )
    assert got(post(client, "/patrols", body(section, observations={"smell": "bad"}))) == invalid(
        {"observations": ["没有“smell”这一巡查项目。"]}
    )
    status, answer = got(post(client, "/patrols", body(section, track=[[31.17, 121.44, 1, 2, 3]])))
    assert (status, answer["detail"]) == (
        422,
        [{"field": "track.0", "message": "at most 4 items / 最多 4 项"}],
    )
    day = timezone.localdate(timezone.now() - dt.timedelta(hours=2)).isoformat()
    stranger = login_client(make_user(Role.OFFICER))
    assert got(post(stranger, "/patrols", body(section))) == forbidden(
        f"您在 {day} 不是“{SECTION}”的河长或巡查员，不能登记这次巡查。"
    )
    assert (Patrol.objects.count(), Demand.objects.count()) == (0, 0)
    # another chief's key is never handed back
    post(client, "/patrols", body(section, client_key="phone-7", hazards=[], photos=[]))
    second = make_user(Role.OFFICER, name="街镇河长王")
    Chief.objects.create(target=section, user=second, level="street", from_on=dt.date(2026, 1, 1))
    assert got(
        post(login_client(second), "/patrols", body(section, client_key="phone-7", hazards=[], photos=[]))
    ) == (invalid({"client_key": ["这个记录标识已被其他记录使用，请重新生成后再发送。"]}))
    assert Patrol.objects.count() == 1


def test_patrols_each_caller_may_read(
    login_client: Any, chief: Any, section: Target, supervisor: Any, make_user: Any, record: Any
) -> None:
    first = record()
    short_start, short_end, short_track = walk(timezone.now() - dt.timedelta(hours=4), seconds=600)
    second = record(start=short_start, started_at=short_start, ended_at=short_end, track=short_track)
    listing = login_client(chief).get(f"{API}/patrols").json()
    assert listing["count"] == 2
    assert [(p["id"], p["review"], p["flags"], p["counts"]) for p in listing["items"]] == [
        (first.pk, "clean", 0, True),
        (second.pk, "flagged", 1, False),
    ]
    flagged = login_client(supervisor).get(f"{API}/patrols", {"review": "flagged"}).json()
    assert (flagged["count"], [p["id"] for p in flagged["items"]]) == (1, [second.pk])
    page = login_client(make_user(Role.LEADER)).get(f"{API}/patrols", {"limit": 1, "offset": 1}).json()
    assert (page["count"], [p["id"] for p in page["items"]]) == (2, [second.pk])
    assert login_client(chief).get(f"{API}/patrols", {"target_id": section.pk + 1}).json() == {
        "count": 0,
        "items": [],
    }
    # another chief of the section reads only their own: none of these, and each is 404 to them
    other = make_user(Role.OFFICER)
    Chief.objects.create(target=section, user=other, level="street", from_on=dt.date(2026, 1, 1))
    assert login_client(other).get(f"{API}/patrols").json() == {"count": 0, "items": []}
    assert got(login_client(other).get(f"{API}/patrols/{first.pk}")) == NOT_FOUND
    assert got(login_client(chief).get(f"{API}/patrols/999999")) == NOT_FOUND
    assert got(login_client(make_user(Role.ENTREPRENEUR)).get(f"{API}/patrols")) == forbidden(CHIEFS_ONLY)
    assert got(login_client(make_user(Role.ENTREPRENEUR)).get(f"{API}/patrols/{first.pk}")) == NOT_FOUND
    detail = login_client(supervisor).get(f"{API}/patrols/{second.pk}").json()
    assert detail["flag_list"] == [
        {"check": "short", "words": "巡查 10 分钟、2.4 公里，不足规定的 30 分钟、2 公里。"}
    ]
    assert detail["verdict"][1] == {"ok": False, "words": "巡查 10 分钟，少于规定的 30 分钟。"}


def test_a_supervisor_reviews_a_flagged_patrol_once(
    login_client: Any, chief: Any, section: Target, supervisor: Any, record: Any
) -> None:
    start, end, track = walk(timezone.now() - dt.timedelta(hours=4), seconds=600)
    patrol = record(start=start, started_at=start, ended_at=end, track=track)
    url = f"/patrols/{patrol.pk}/review"
    # the chief reads their patrol but may not review it
    assert got(post(login_client(chief), url, {"accept": True, "expected_version": 1})) == forbidden(
        "只有主管部门负责人或领导可以复核巡查。"
    )
    boss = login_client(supervisor)
    assert got(post(boss, url, {"accept": False, "note": " ", "expected_version": 1})) == invalid(
        {"note": ["不通过时请写明理由，巡查人会看到。"]}
    )
    assert got(post(boss, url, {"accept": True, "expected_version": 7})) == (
        409,
        {"error": f"conflict / {STALE_MESSAGE}", "detail": {"current_version": 1}},
    )
    status, answer = got(post(boss, url, {"accept": True, "note": "河道施工绕行", "expected_version": 1}))
    assert status == 200
    assert (answer["review"], answer["review_label"], answer["counts"], answer["version"]) == (
        "accepted",
        "复核通过",
        False,
        2,
    )  # fmt: skip  (accepted, but 10 minutes is below the rule: it does not count)
    assert (answer["review_note"], answer["reviewed_by"]) == ("河道施工绕行", "河长办周主任")
    assert got(post(boss, url, {"accept": False, "note": "重复", "expected_version": 2})) == (
        409,
        {
            "error": "already_reviewed / 这次巡查已复核（复核通过），请刷新页面。",
            "detail": {"current_version": 2},
        },
    )
    assert got(post(boss, "/patrols/999999/review", {"accept": True, "expected_version": 1})) == NOT_FOUND

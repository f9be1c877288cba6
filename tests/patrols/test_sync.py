"""The phone's sync endpoint (/patrols/sync/), the record page and its service worker, through HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from shouzhan.core.roles import Role
from shouzhan.core.workdays import add_working_days
from shouzhan.frontline.models import Demand
from shouzhan.patrols.models import Hazard, Patrol, PatrolPhoto, Target
from tests.patrols.conftest import LAT0, LON0, walk

URL = "/patrols/sync/"
TARGET = "蒲汇塘（徐家汇段）"


def _png(colour: tuple[int, int, int] = (20, 90, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return out.getvalue()


def _payload(section: Target, **over: Any) -> dict[str, Any]:
    start, end, track = walk()
    codes = [p.code for p in section.checkpoints.order_by("order")]
    payload: dict[str, Any] = {
        "client_key": "3f1c2a9e-0000-4000-8000-000000000001",
        "target_id": section.pk,
        "started_at": start.isoformat(),
        "ended_at": end.isoformat(),
        "track": track,
        "checkins": [
            {"code": c, "at": (start + dt.timedelta(minutes=5 + 15 * i)).isoformat(), "method": "qr"}
            for i, c in enumerate(codes)
        ],
        "observations": {"colour": "turbid", "debris": "much", "quality": "IV"},
        "notes": "宜山路桥下漂浮垃圾较多",
        "hazards": [
            {
                "client_key": "3f1c2a9e-0000-4000-8000-0000000000h1",
                "category": "water",
                "description": "宜山路桥下有大量漂浮垃圾",
                "urgent": False,
                "latitude": str(LAT0),
                "longitude": str(LON0),
                "observed_at": (start + dt.timedelta(minutes=30)).isoformat(),
                "photos": [0],
            }
        ],
        "photos": [{"name": "桥下.png", "data_base64": base64.b64encode(_png()).decode()}],
    }
    payload.update(over)
    return payload


def _post(client: Client, payload: Any, **headers: Any) -> Any:
    return client.post(URL, data=json.dumps(payload), content_type="application/json", **headers)


@pytest.fixture
def phone(chief: Any, login_client: Callable[[Any], Client]) -> Client:
    return login_client(chief)


def test_a_good_patrol_is_recorded_with_its_verdict_and_its_hazard_a_ticket(
    phone: Client, section: Target
) -> None:
    response = _post(phone, _payload(section))
    assert response.status_code == 201, response.json()
    patrol = Patrol.objects.get()
    demand = Demand.objects.select_related("case").get()
    today = timezone.localdate()
    assert demand.accept_due_on == add_working_days(today, 1).date
    assert demand.resolve_due_on == add_working_days(today, 5).date
    assert response.json() == {
        "id": patrol.pk,
        "url": f"/patrols/{patrol.pk}/",
        "replay": False,
        "target": TARGET,
        "meets_rules": True,
        "verdict": [
            "适用第 1 版规则（村居级 · 无预警 · 非汛期）：每周至少 1 次，每次不少于 30 分钟、2 公里。",
            "巡查 40 分钟，不少于规定的 30 分钟。",
            "巡查 2.4 公里，不少于规定的 2 公里。",
        ],
        "verdict_ok": [True, True, True],
        "flags": [],
        "review": "无异常",
        "hazards": [
            {
                "title": "河道与水环境：宜山路桥下有大量漂浮垃圾",
                "department": "区水务局",
                "accept_due_on": demand.accept_due_on.isoformat(),
                "resolve_due_on": demand.resolve_due_on.isoformat(),
                "url": f"/frontline/demands/{demand.pk}/",
            }
        ],
        "message": "巡查已上报：达到巡查要求。",
    }
    assert patrol.client_key == "3f1c2a9e-0000-4000-8000-000000000001"
    assert patrol.points == 200 and patrol.checkins.count() == 3
    assert patrol.observations == {"colour": "turbid", "debris": "much", "quality": "IV"}
    assert patrol.notes == "宜山路桥下漂浮垃圾较多"
    hazard = Hazard.objects.get()
    assert (str(hazard.latitude), str(hazard.longitude), hazard.demand_id) == (
        "31.170000",
        "121.440000",
        demand.pk,
    )
    assert demand.source == "patrol" and demand.department.key == "water"
    photo = PatrolPhoto.objects.get()
    assert (photo.hazard_id, photo.content_type, photo.sha256) == (
        hazard.pk, "image/png", hashlib.sha256(_png()).hexdigest(),
    )  # fmt: skip


def test_the_same_key_twice_is_one_patrol_and_one_ticket_per_hazard(phone: Client, section: Target) -> None:
    payload = _payload(section)
    first = _post(phone, payload, HTTP_IDEMPOTENCY_KEY=payload["client_key"])
    again = _post(phone, payload, HTTP_IDEMPOTENCY_KEY=payload["client_key"])
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["replay"] is True
    assert again.json()["hazards"] == first.json()["hazards"]
    assert (Patrol.objects.count(), Demand.objects.count(), Hazard.objects.count()) == (1, 1, 1)


def test_a_key_not_matching_its_idempotency_header_is_refused(phone: Client, section: Target) -> None:
    response = _post(phone, _payload(section), HTTP_IDEMPOTENCY_KEY="another")
    assert response.status_code == 400
    assert response.json() == {
        "error": "记录标识与 Idempotency-Key 不一致。",
        "fields": {"client_key": ["记录标识与 Idempotency-Key 不一致。"]},
    }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"track": []},
            "track",
            "轨迹没有定位点：请打开手机定位后再巡查，本次记录已保留在手机上。",
        ),
        (
            {"track": "track"},
            "track",
            "轨迹没有定位点：请打开手机定位后再巡查，本次记录已保留在手机上。",
        ),
        ("lat91", "track", "第 1 个定位点的坐标超出范围（纬度 -90 至 90，经度 -180 至 180）。"),
        ("lon181", "track", "第 200 个定位点的坐标超出范围（纬度 -90 至 90，经度 -180 至 180）。"),
        ("backwards", "ended_at", "结束时间早于开始时间。"),
        ({"started_at": "昨天"}, "started_at", "开始时间格式不正确。"),
        ({"ended_at": None}, "ended_at", "请填写结束时间。"),
        ({"target_id": 999999}, "target", "没有找到这个巡查对象。"),
        ({"target_id": "蒲汇塘"}, "target", "请选择巡查对象。"),
        ({"observations": {"colour": "purple"}}, "observations", "“水体颜色”的选项不正确。"),
        ({"photos": [{"name": "x.txt", "data_base64": base64.b64encode(b"hello").decode()}]}, "photos",
         "“x.txt”不是照片（只接受 JPEG、PNG）。"),
        ({"photos": [{"name": "坏.jpg", "data_base64": "@@@"}]}, "photos", "照片“坏.jpg”无法读取。"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_in_words_and_nothing_is_recorded(
    phone: Client, section: Target, change: Any, field: str, message: str
) -> None:
    payload = _payload(section)
    if change == "lat91":
        payload["track"][0][0] = 91.0
    elif change == "lon181":
        payload["track"][-1][1] = 181.0
    elif change == "backwards":
        payload["started_at"], payload["ended_at"] = payload["ended_at"], payload["started_at"]
    else:
        payload.update(change)
    response = _post(phone, payload)
    assert response.status_code == 400
    assert response.json() == {"error": message, "fields": {field: [message]}}
    assert (Patrol.objects.count(), Demand.objects.count(), PatrolPhoto.objects.count()) == (0, 0, 0)


def test_a_checkpoint_code_of_another_route_is_refused_naming_both(
    phone: Client, section: Target, office: Any
) -> None:
    other = Target.objects.create(
        code="xjb", name="新泾浜", street="徐家汇街道", path=[[31.2, 121.4], [31.21, 121.4]], office=office
    )
    other.checkpoints.create(order=1, name="新泾浜桥", latitude=31.2, longitude=121.4, code="XJB-01")
    payload = _payload(section)
    payload["checkins"][1]["code"] = "XJB-01"
    response = _post(phone, payload)
    message = f"打卡码属于“新泾浜”的线路，不是本次巡查的“{TARGET}”。"
    assert (response.status_code, response.json()) == (
        400,
        {"error": message, "fields": {"checkins": [message]}},
    )
    payload["checkins"][1]["code"] = "NOWHERE"
    message = f"打卡码“NOWHERE”不是“{TARGET}”的打卡点。"
    assert _post(phone, payload).json() == {"error": message, "fields": {"checkins": [message]}}
    assert Patrol.objects.count() == 0


def test_a_patrol_too_short_is_recorded_with_the_verdict_and_the_flag_in_words(
    phone: Client, section: Target
) -> None:
    start = timezone.now() - dt.timedelta(hours=1)
    track = [[LAT0, LON0, start.timestamp(), 5.0], [LAT0 + 0.001, LON0, start.timestamp() + 300, 5.0]]
    payload = _payload(
        section,
        started_at=start.isoformat(),
        ended_at=(start + dt.timedelta(minutes=5)).isoformat(),
        track=track,
        checkins=[],
        hazards=[],
        photos=[],
    )
    answer = _post(phone, payload).json()
    assert answer["meets_rules"] is False and answer["review"] == "待复核"
    assert answer["verdict"][1:] == [
        "巡查 5 分钟，少于规定的 30 分钟。",
        "巡查 0.11 公里，少于规定的 2 公里。",
    ]
    assert answer["verdict_ok"] == [True, False, False]
    assert answer["flags"] == [
        "巡查 5 分钟、0.11 公里，不足规定的 30 分钟、2 公里。",
        "3 个打卡点漏了 3 个：漕溪北路桥、中段泵站、宜山路桥。",
    ]
    assert answer["message"] == "巡查已上报：未达到巡查要求。"


def test_someone_not_a_chief_is_refused_with_403(
    section: Target, make_user: Any, login_client: Callable[[Any], Client]
) -> None:
    other = login_client(make_user(Role.OFFICER, name="路人"))
    payload = _payload(section)
    response = _post(other, payload)
    day = dt.date.fromisoformat(payload["started_at"][:10])
    local = timezone.localdate(dt.datetime.fromisoformat(payload["started_at"]))
    assert day in (local, local - dt.timedelta(days=1), local + dt.timedelta(days=1))
    assert response.status_code == 403
    assert response.json() == {
        "error": f"您在 {local.isoformat()} 不是“{TARGET}”的河长或巡查员，不能登记这次巡查。",
        "fields": {},
    }
    assert Patrol.objects.count() == 0


def test_anonymous_is_told_to_log_in_with_401(section: Target) -> None:
    response = _post(Client(), _payload(section))
    assert (response.status_code, response.json()) == (
        401, {"error": "登录已过期，请重新登录后再发送。", "fields": {}},
    )  # fmt: skip


def test_a_key_used_by_someone_else_is_refused(
    phone: Client, section: Target, make_user: Any, login_client: Callable[[Any], Client]
) -> None:
    from shouzhan.patrols.models import Chief

    assert _post(phone, _payload(section)).status_code == 201
    second = make_user(Role.OFFICER, name="街镇河长")
    Chief.objects.create(target=section, user=second, level="street", from_on=dt.date(2026, 1, 1))
    response = login_client(second).post(
        URL, data=json.dumps(_payload(section)), content_type="application/json"
    )
    message = "这个记录标识已被其他记录使用，请重新生成后再发送。"
    assert (response.status_code, response.json()) == (
        400,
        {"error": message, "fields": {"client_key": [message]}},
    )


def test_the_body_is_bounded_and_must_be_json(phone: Client, section: Target) -> None:
    from shouzhan.patrols.views_record import SYNC_BODY_MAX

    body = json.dumps({"notes": "x" * SYNC_BODY_MAX})  # over the bound, under the site's 10 MB
    too_big = phone.post(URL, data=body, content_type="application/json")
    assert too_big.status_code == 413
    assert too_big.json()["error"] == "这次巡查的记录太大（照片过多或过大），请减少照片后再发送。"
    broken = phone.post(URL, data="{not json", content_type="application/json")
    assert (broken.status_code, broken.json()) == (400, {"error": "记录格式不正确，无法读取。", "fields": {}})
    assert phone.get(URL).status_code == 405


def test_csrf_is_checked_as_for_every_post(chief: Any, section: Target) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(chief, backend="shouzhan.accounts.backends.MobileOrEmailBackend")
    assert _post(client, _payload(section)).status_code == 403
    page = client.get("/patrols/record/")
    token = page.cookies["csrftoken"].value
    assert _post(client, _payload(section), HTTP_X_CSRFTOKEN=token).status_code == 201


def test_the_record_page_is_the_chiefs_and_may_use_position_and_camera(
    phone: Client, section: Target, make_user: Any, login_client: Callable[[Any], Client]
) -> None:
    response = phone.get("/patrols/record/")
    assert response.status_code == 200
    assert response["Permissions-Policy"] == "camera=(self), microphone=(), geolocation=(self)"
    text = response.content.decode()
    assert f"{TARGET}（村居级）" in text and "河道与水环境（区水务局）" in text
    assert '<option value="worse_v">劣Ⅴ类</option>' in text
    assert [t["name"] for t in response.context["targets"]] == [TARGET]
    assert [p["name"] for p in response.context["targets"][0]["checkpoints"]] == [
        "漕溪北路桥",
        "中段泵站",
        "宜山路桥",
    ]
    assert login_client(make_user(Role.OFFICER)).get("/patrols/record/").status_code == 403
    anonymous = Client().get("/patrols/record/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_service_worker_keeps_the_page_and_its_assets(client: Client) -> None:
    response = client.get("/patrols/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/patrols/"
    config = json.loads(
        response.content.decode().split("\n", 1)[0].removeprefix("self.SHOUZHAN = ").rstrip(";")
    )
    assert config["pages"] == ["/patrols/record/"]
    assert [a.rsplit("/", 1)[-1] for a in config["assets"]] == [
        "shouzhan.css", "htmx.min.js", "shouzhan.js", "favicon.svg", "record.css", "record_outbox.js",
        "record.js", "scanner.js", "jsQR.js",
    ]  # fmt: skip

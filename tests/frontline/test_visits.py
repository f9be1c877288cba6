"""Visits: the phone's sync (once however often it is sent, refusals in words), the plain visit form, plans
and their stops marked done by a visit, who may do what."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from shouzhan.core.roles import Role
from shouzhan.frontline.models import Demand, Visit, VisitPhoto, VisitPlan, VisitTarget

pytestmark = pytest.mark.django_db
SYNC = "/frontline/sync/visit/"
KEY = "0b6f1c1e-3a55-4c1e-9d33-visit-0001"


def jpeg(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def record(firm: Any, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "client_key": KEY,
        "visited_on": timezone.localdate().isoformat(),
        "enterprise_id": firm.pk,
        "place": "",
        "met": "陈经理",
        "notes": "园区门口施工，夜里噪音大；招工难。",
        "latitude": "31.2304",
        "longitude": "121.4737",
        "accuracy_m": 12,
        "target_id": None,
        "demands": [
            {"client_key": KEY + "-d1", "category": "environment", "description": "门口夜间施工噪音扰民"},
            {
                "client_key": KEY + "-d2",
                "category": "talent",
                "description": "招不到直播运营，想对接招聘会",
                "urgency": "urgent",
                "requester_name": "陈经理",
            },
        ],
        "photos": [{"name": "门口.jpg", "data_base64": base64.b64encode(jpeg()).decode()}],
    }
    body.update(over)
    return body


def send(client: Any, body: Any, key: str | None = KEY) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    raw = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(SYNC, raw, content_type="application/json", **headers)


@pytest.fixture
def phone(login_client: Any, receiver: Any, catalogue: Any) -> Any:
    return login_client(receiver)


def test_the_same_record_sent_twice_makes_one_visit(phone: Any, firm: Any, urban: Any) -> None:
    first = send(phone, record(firm[0]))
    assert first.status_code == 201, first.content
    answer = first.json()
    assert [(d["department"], d["title"]) for d in answer["demands"]] == [
        ("区城管执法局", "市容环境与秩序：门口夜间施工噪音扰民"),
        ("区人社局", "人才与用工：招不到直播运营，想对接招聘会"),
    ]
    again = send(phone, record(firm[0]))  # the answer was lost: the phone sends it again
    assert again.status_code == 200 and again.json()["id"] == answer["id"] and again.json()["replay"]
    assert Visit.objects.count() == 1 and Demand.objects.count() == 2 and VisitPhoto.objects.count() == 1
    visit = Visit.objects.get()
    assert (visit.met, str(visit.latitude), visit.accuracy_m) == ("陈经理", "31.230400", 12)
    keys = set(Demand.objects.values_list("department__key", "urgency"))
    assert keys == {("urban", "normal"), ("hrss", "urgent")}
    assert answer["url"] == f"/frontline/visits/{visit.pk}/"
    page = phone.get(answer["url"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "门口夜间施工噪音扰民" in text and "已派单·待签收" in text and "城管" in text


def test_the_key_may_come_in_the_header_only(phone: Any, firm: Any) -> None:
    body = record(firm[0], demands=[], photos=[])
    del body["client_key"]
    assert send(phone, body).status_code == 201
    assert send(phone, body).status_code == 200
    assert Visit.objects.get().client_key == KEY
    other = send(phone, record(firm[0], client_key="another-key"))
    assert other.status_code == 400 and "Idempotency-Key" in other.json()["message"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"visited_on": "tomorrow"}, "走访日期不能晚于今天。"),  # the day after the test's own today
        (
            {"photos": [{"name": "合同.pdf", "data_base64": base64.b64encode(b"%PDF-1.7 x").decode()}]},
            "“合同.pdf”不是照片（只接受 JPEG、PNG）。",
        ),
        (
            {"demands": [{"client_key": "k1", "category": "environment", "description": "  "}]},
            "请填写诉求内容。",
        ),
        (
            {"demands": [{"client_key": "k1", "category": "moonbase", "description": "月球基地漏水"}]},
            "“moonbase”不在派单目录中，请从目录中选择类别。",
        ),
        ({"enterprise_id": None, "place": ""}, "请选择走访的企业或填写地点。"),
        ({"visited_on": "明天"}, "走访日期格式不正确。"),
        ({"photos": [{"name": "x.jpg", "data_base64": "@@not base64@@"}]}, "照片“x.jpg”无法读取。"),
    ],
)
def test_bad_input_is_refused_in_words(phone: Any, firm: Any, change: dict[str, Any], words: str) -> None:
    if change.get("visited_on") == "tomorrow":  # taken when the test runs, not when it is collected
        change = {"visited_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}
    response = send(phone, record(firm[0], **change))
    assert response.status_code == 400
    assert words in response.json()["message"]
    assert Visit.objects.count() == 0 and Demand.objects.count() == 0


def test_too_many_or_too_large_photos_are_refused(phone: Any, firm: Any) -> None:
    one = {"name": "a.jpg", "data_base64": base64.b64encode(jpeg()).decode()}
    many = send(phone, record(firm[0], photos=[one] * 7))
    assert many.status_code == 400 and many.json()["message"] == "一次走访最多上传 6 张照片。"
    big = {
        "name": "大.jpg",
        "data_base64": base64.b64encode(b"\xff\xd8\xff" + b"0" * (2 * 1024 * 1024)).decode(),
    }
    large = send(phone, record(firm[0], photos=[big]))
    assert large.status_code == 413 and large.json()["message"] == "照片“大.jpg”超过 2 MB。"
    assert send(phone, b"{not json").json()["message"] == "记录格式不正确，无法读取。"
    assert Visit.objects.count() == 0


def test_who_may_send(login_client: Any, firm: Any, catalogue: Any, urban: Any, client: Any) -> None:
    owner = login_client(firm[1])
    refused = send(owner, record(firm[0]))
    assert refused.status_code == 403 and refused.json()["message"] == "只有营商专员可以登记走访和诉求。"
    assert send(login_client(urban), record(firm[0])).status_code == 403
    assert send(client, record(firm[0])).status_code == 401
    assert owner.get("/frontline/visits/new/").status_code == 403
    assert Visit.objects.count() == 0


def test_a_plan_and_its_stops_are_done_by_visits(
    phone: Any, receiver: Any, make_enterprise: Any, firm: Any
) -> None:
    today = timezone.localdate()
    other = make_enterprise("星火直播")[0]
    response = phone.post(
        "/frontline/plans/new/",
        {
            "title": "十二月园区走访",
            "visitor": receiver.pk,
            "starts_on": today.isoformat(),
            "due_on": (today + dt.timedelta(days=10)).isoformat(),
            "enterprises": [firm[0].pk, other.pk],
            "places": "长白新村街道党群服务站\n",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = VisitPlan.objects.get()
    stops = list(plan.targets.order_by("pk").values_list("enterprise__name", "place", "visit"))
    assert sorted(stops, key=str) == sorted(
        [("光合剧场", "", None), ("星火直播", "", None), (None, "长白新村街道党群服务站", None)], key=str
    )
    # a visit to the enterprise marks its stop done; a visit to the 党群服务站 by its target id marks that one
    assert send(phone, record(firm[0], demands=[], photos=[])).status_code == 201
    station = VisitTarget.objects.get(place="长白新村街道党群服务站")
    body = record(firm[0], client_key="k-station", enterprise_id=None, place="", target_id=station.pk)
    assert send(phone, body | {"demands": [], "photos": []}, key="k-station").status_code == 201
    done = dict(plan.targets.values_list("pk", "visit__place"))
    assert done[station.pk] == "长白新村街道党群服务站"
    assert VisitTarget.objects.get(enterprise=firm[0]).visit == Visit.objects.get(client_key=KEY)
    assert VisitTarget.objects.get(enterprise=other).visit is None
    page = phone.get("/frontline/visits/").content.decode()
    assert "十二月园区走访" in page and "已走访 2 / 3" in page
    empty = phone.post(
        "/frontline/plans/new/",
        {
            "title": "空计划",
            "visitor": receiver.pk,
            "starts_on": today.isoformat(),
            "due_on": today.isoformat(),
        },
    )
    assert empty.status_code == 400 and "请至少选择一家企业或填写一个地点。" in empty.content.decode()


def test_the_plain_form_records_a_visit_without_javascript(phone: Any, firm: Any) -> None:
    page = phone.get("/frontline/visits/new/")
    text = page.content.decode()
    assert (
        page.status_code == 200
        and 'capture="environment"' in text
        and "市容环境与秩序（区城管执法局）" in text
    )
    form = {
        "visited_on": timezone.localdate().isoformat(),
        "enterprise": "光合剧场",
        "met": "陈经理",
        "notes": "走访记录",
        "demands-TOTAL_FORMS": "2",
        "demands-INITIAL_FORMS": "0",
        "demands-0-category": "environment",
        "demands-0-description": "门口夜间施工噪音扰民",
        "demands-0-urgency": "normal",
        "demands-1-category": "",
        "demands-1-description": "",
        "demands-1-urgency": "normal",
    }
    photo = io.BytesIO(jpeg())
    photo.name = "门口.jpg"
    form["photos"] = [photo]  # type: ignore[assignment]
    response = phone.post("/frontline/visits/new/", form)
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.enterprise, visit.demands.count(), visit.photos.count()) == (firm[0], 1, 1)
    assert phone.get(f"/frontline/visits/{visit.pk}/photos/1/").status_code == 200

    bad = dict(form, visited_on=(timezone.localdate() + dt.timedelta(days=1)).isoformat())
    bad["demands-1-category"] = "talent"  # a category without a description
    bad.pop("photos")
    refused = phone.post("/frontline/visits/new/", bad)
    text = refused.content.decode()
    assert refused.status_code == 400 and "走访日期不能晚于今天。" in text and "请填写诉求内容。" in text
    assert Visit.objects.count() == 1


def test_the_service_worker_is_served_for_the_frontline_scope(client: Any) -> None:
    response = client.get(reverse("frontline:sw"))
    assert response.status_code == 200 and response["Service-Worker-Allowed"] == "/frontline/"
    text = response.content.decode()
    assert '"/frontline/visits/new/"' in text and "frontline/offline.js" in text


def test_a_visit_is_read_by_its_visitor_and_the_centre_only(
    phone: Any, firm: Any, login_client: Any, make_user: Any
) -> None:
    visit_id = send(phone, record(firm[0])).json()["id"]
    other = login_client(make_user(Role.CASEWORKER))
    leader = login_client(make_user(Role.LEADER))
    owner = login_client(firm[1])
    assert other.get(f"/frontline/visits/{visit_id}/").status_code == 200  # centre staff read all
    assert leader.get(f"/frontline/visits/{visit_id}/").status_code == 200
    assert owner.get(f"/frontline/visits/{visit_id}/").status_code == 404


def test_without_javascript_another_demand_row_is_one_press_away(phone: Any, firm: Any) -> None:
    form = {
        "visited_on": timezone.localdate().isoformat(),
        "enterprise": "光合剧场",
        "demands-TOTAL_FORMS": "1",
        "demands-INITIAL_FORMS": "0",
        "demands-0-category": "environment",
        "demands-0-description": "门口夜间施工噪音扰民",
        "demands-0-urgency": "normal",
        "more": "1",
    }
    page = phone.post("/frontline/visits/new/", form)
    text = page.content.decode()
    assert page.status_code == 200 and Visit.objects.count() == 0
    assert 'name="demands-1-description"' in text and "门口夜间施工噪音扰民" in text
    assert 'name="demands-TOTAL_FORMS" value="2"' in text

"""The talent API through HTTP: the caller's own record made on first use, a stale edit (409), titles and
certificates with a bad number refused in the service's words (422), what a sharing enterprise reads (the
profile hides certificates, trainings, support, hukou and children), another enterprise's 404, the category
with its reasons, the support catalogue and an application."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shouzhan.accounts.models import Membership
from shouzhan.core.models import AuditEntry
from shouzhan.registry.models import Person

pytestmark = pytest.mark.django_db

CERTIFICATE = {
    "kind": "ai_av",
    "name": "AI视听内容创作",
    "number": "Y310000202600012345678",
    "issued_on": "2025-01-10",
}
TITLE = {
    "series": "art",
    "level": 2,
    "specialty": "数字媒体艺术",
    "granted_on": "2024-06-30",
    "certificate_no": "SH-ART-2024-0031",
}


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    call = getattr(client, method)
    return call(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def linxiao(talent_person: Any, login_client: Any) -> dict[str, Any]:
    """Her record filled through the API: a micro-drama master's graduate, eight years in, a title and a
    certificate (so she is a composite talent)."""
    person, enterprise, owner = talent_person
    client = login_client(owner)
    record = client.get("/api/v1/talent/me").json()
    patch = {"expected_version": 1, "field": "micro_drama", "education": "master", "years_experience": 8}
    assert _send(client, "patch", f"/api/v1/talent/records/{record['id']}", patch).status_code == 200
    url = f"/api/v1/talent/records/{record['id']}"
    assert _send(client, "post", f"{url}/titles", TITLE).status_code == 201
    assert _send(client, "post", f"{url}/certificates", CERTIFICATE).status_code == 201
    return {"person": person, "enterprise": enterprise, "owner": owner, "client": client, "id": record["id"]}


def test_my_record_is_made_on_first_use(talent_person: Any, login_client: Any) -> None:
    person, enterprise, owner = talent_person
    response = login_client(owner).get("/api/v1/talent/me")
    assert response.status_code == 200
    body = response.json()
    assert body.pop("updated_at")
    assert body == {
        "id": body["id"],
        "person_id": person.pk,
        "name": person.name,
        "employer": "光合剧场",
        "field": "",
        "field_label": "",
        "access": "keeper",
        "version": 1,
        "education": "",
        "education_label": "",
        "years_experience": None,
        "summary": "",
        "category": "none",
        "category_label": "尚未认定类别",
        "can_write": True,
        "can_share": True,
        "titles": [],
        "shanghai_hukou": None,
        "children_school_age": None,
        "certificates": [],
        "trainings": [],
        "supports": [],
        "shares": [
            {"enterprise_id": enterprise.pk, "enterprise": "光合剧场", "level": "", "level_label": ""}
        ],
    }
    assert AuditEntry.objects.filter(action="registry.talent_record_create").count() == 1
    assert login_client(owner).get("/api/v1/talent/me").json()["id"] == body["id"]  # made once


def test_a_stale_edit_is_409_with_the_current_version(linxiao: dict[str, Any]) -> None:
    url = f"/api/v1/talent/records/{linxiao['id']}"
    current = linxiao["client"].get(url).json()["version"]
    assert current == 4  # the edit, the title and the certificate each moved it
    response = _send(linxiao["client"], "patch", url, {"expected_version": 1, "summary": "三部AI微短剧"})
    assert response.status_code == 409
    assert response.json() == {
        "error": "conflict / 该记录已被他人修改，请刷新后重试",
        "detail": {"current_version": 4},
    }
    response = _send(linxiao["client"], "patch", url, {"expected_version": 4, "summary": "三部AI微短剧"})
    assert response.status_code == 200
    assert (response.json()["summary"], response.json()["version"]) == ("三部AI微短剧", 5)


def test_bad_input_gets_the_services_message(linxiao: dict[str, Any]) -> None:
    url = f"/api/v1/talent/records/{linxiao['id']}"
    bad = {**CERTIFICATE, "number": "Y12345"}
    response = _send(linxiao["client"], "post", f"{url}/certificates", bad)
    assert response.status_code == 422
    assert response.json() == {
        "error": "invalid input / 输入有误",
        "detail": {
            "number": ["证书编号“Y12345”格式不对：应为S 或 Y 加 21 位数字，如 Y310000202600012345678。"]
        },
    }
    response = _send(linxiao["client"], "post", f"{url}/titles", {**TITLE, "series": "music"})
    assert response.status_code == 422
    assert response.json()["detail"] == {"series": ["职称系列只能是：艺术系列、工程系列。"]}
    response = _send(linxiao["client"], "patch", url, {"expected_version": 4, "years_experience": 80})
    assert response.status_code == 422
    assert response.json()["detail"] == {"years_experience": ["“从业年限”应为 0 到 70 之间的整数。"]}
    response = _send(linxiao["client"], "post", f"{url}/certificates", {**CERTIFICATE, "name": "长" * 201})
    assert response.status_code == 422  # bounded by the schema before the service
    assert response.json()["detail"] == [
        {"field": "name", "message": "at most 200 characters / 最多 200 个字"}
    ]


def test_titles_and_certificates_are_added_and_removed(linxiao: dict[str, Any]) -> None:
    url = f"/api/v1/talent/records/{linxiao['id']}"
    record = linxiao["client"].get(url).json()
    title, certificate = record["titles"][0], record["certificates"][0]
    assert title == {
        "id": title["id"],
        "series": "art",
        "series_label": "艺术系列",
        "level": 2,
        "level_label": "中级",
        "specialty": "数字媒体艺术",
        "granted_on": "2024-06-30",
        "issuer": "",
        "certificate_no": "SH-ART-2024-0031",
        "from_case": False,
    }
    assert certificate == {
        "id": certificate["id"],
        "kind": "ai_av",
        "kind_label": "AI视听专项职业能力证书",
        "name": "AI视听内容创作",
        "level": "",
        "number": "Y310000202600012345678",
        "issued_on": "2025-01-10",
        "issuer": "",
        "from_case": False,
    }
    again = _send(linxiao["client"], "post", f"{url}/certificates", CERTIFICATE)
    assert (again.status_code, again.json()["detail"]) == (422, {"number": ["该证书编号已登记过。"]})
    assert linxiao["client"].delete(f"{url}/certificates/{certificate['id']}").status_code == 204
    assert linxiao["client"].delete(f"{url}/certificates/{certificate['id']}").status_code == 404
    assert linxiao["client"].delete(f"{url}/titles/{title['id']}").status_code == 204
    record = linxiao["client"].get(url).json()
    assert (record["titles"], record["certificates"], record["version"]) == ([], [], 6)


def test_the_category_with_its_reasons(linxiao: dict[str, Any]) -> None:
    body = linxiao["client"].get(f"/api/v1/talent/records/{linxiao['id']}/category").json()
    assert (body["category"], body["category_label"], body["on"]) == (
        "composite",
        "复合型人才（AI视听）",
        timezone.localdate().isoformat(),
    )
    rows = {row["key"]: row for row in body["categories"]}
    assert [row["key"] for row in body["categories"]] == ["leading", "composite", "youth", "skilled"]
    assert rows["leading"] == {
        "key": "leading",
        "label": "领军人才",
        "status": "not_eligible",
        "status_label": "不符合",
        "decided": False,
        "reasons": [
            {"text": "「最高职称等级（1初级–4正高级）」不少于4：资料为“2”，不符合。", "met": False},
            {"text": "「从业年限」不少于10：资料为“8”，不符合。", "met": False},
        ],
    }
    assert rows["composite"]["decided"] is True
    assert rows["composite"]["reasons"] == [
        {"text": "「从业领域」属于 “AI 视听创制”、“微短剧创作”：资料为“微短剧创作”，符合。", "met": True},
        {"text": "「是否取得AI视听专项职业能力证书」为“是”：资料为“是”，符合。", "met": True},
        {
            "text": "以下条件满足其一即可，符合：「艺术系列职称等级」不少于1：资料为“2”，符合；"
            "「工程系列职称等级」不少于1：资料为“0”，不符合。",
            "met": True,
        },
    ]
    assert [r["status"] for r in body["categories"]] == ["not_eligible", "eligible", "eligible", "eligible"]


def test_an_enterprise_reads_only_what_was_shared(
    linxiao: dict[str, Any], make_user: Any, make_enterprise: Any, login_client: Any
) -> None:
    enterprise = linxiao["enterprise"]
    colleague = make_user(name="同事")
    Membership.objects.create(user=colleague, organisation=enterprise.organisation)
    _other, stranger = make_enterprise(name="浦江影视")
    as_colleague, as_stranger = login_client(colleague), login_client(stranger)
    url = f"/api/v1/talent/records/{linxiao['id']}"
    assert as_colleague.get(url).status_code == 404  # nothing shared yet
    assert as_colleague.get("/api/v1/talent/records").json() == {"count": 0, "items": []}

    share = _send(linxiao["client"], "put", f"{url}/shares/{enterprise.pk}", {"level": "profile"})
    assert share.json() == {
        "enterprise_id": enterprise.pk,
        "enterprise": "光合剧场",
        "level": "profile",
        "level_label": "概况：领域、类别和职称",
    }
    body = as_colleague.get(url).json()
    assert (body["access"], body["can_write"], body["can_share"]) == ("profile", False, False)
    assert (body["field"], body["category"], len(body["titles"])) == ("micro_drama", "composite", 1)
    hidden = ("certificates", "trainings", "supports", "shanghai_hukou", "children_school_age", "shares")
    assert {k: body[k] for k in hidden} == dict.fromkeys(hidden)
    assert as_colleague.get(f"{url}/category").json()["categories"] == []
    listed = as_colleague.get("/api/v1/talent/records").json()
    assert (listed["count"], listed["items"][0]["access"]) == (1, "profile")
    # a profile reader cannot write, and cannot set what others read
    refused = _send(as_colleague, "patch", url, {"expected_version": 5, "summary": "改"})
    assert refused.status_code == 403
    assert _send(as_colleague, "put", f"{url}/shares/{enterprise.pk}", {"level": "full"}).status_code == 403

    _send(linxiao["client"], "put", f"{url}/shares/{enterprise.pk}", {"level": "full"})
    body = as_colleague.get(url).json()
    assert (body["access"], [c["number"] for c in body["certificates"]]) == (
        "full",
        ["Y310000202600012345678"],
    )

    for path in (url, f"{url}/category"):  # another enterprise: not there at all
        response = as_stranger.get(path)
        assert (response.status_code, response.json()) == (
            404,
            {"error": "not found / 未找到：没有找到该人才档案。"},
        )
    assert _send(as_stranger, "post", f"{url}/certificates", CERTIFICATE).status_code == 404
    assert as_stranger.get("/api/v1/talent/records").json() == {"count": 0, "items": []}
    not_mine = _send(linxiao["client"], "put", f"{url}/shares/{_other.pk}", {"level": "full"})
    assert (not_mine.status_code, not_mine.json()["detail"]) == (
        422,
        {"enterprise": ["只能授权给本人所在的企业。"]},
    )


def test_the_staff_list_every_record(linxiao: dict[str, Any], caseworker: Any, login_client: Any) -> None:
    body = login_client(caseworker).get("/api/v1/talent/records?category=composite&limit=10").json()
    item = body["items"][0]
    assert item.pop("updated_at")
    assert body["count"] == 1
    assert item == {
        "id": linxiao["id"],
        "person_id": linxiao["person"].pk,
        "name": linxiao["person"].name,
        "employer": "光合剧场",
        "field": "micro_drama",
        "field_label": "微短剧创作",
        "category": "composite",
        "category_label": "复合型人才（AI视听）",
        "access": "staff",
        "version": 4,
    }
    assert login_client(caseworker).get("/api/v1/talent/records?category=leading").json()["count"] == 0


def test_the_support_catalogue(talent_person: Any, login_client: Any) -> None:
    body = login_client(talent_person[2]).get("/api/v1/talent/support-types").json()
    assert [(t["key"], t["limit_days"]) for t in body] == [
        ("talent.settling", 15),
        ("talent.housing", 10),
        ("talent.schooling", 10),
        ("talent.title_review", 20),
        ("talent.skill_certification", 20),
    ]
    housing = body[1]
    assert (housing["label"], housing["description"]) == (
        "人才租房补贴 / 人才公寓",
        "为行业人才申请租房补贴或人才公寓（光启人才配套保障）。",
    )
    assert [(f["name"], f["kind"], f["required"]) for f in housing["fields"]] == [
        ("kind", "choice", True),
        ("address", "text", True),
        ("monthly_rent", "int", False),
        ("lease_start", "date", False),
        ("need", "textarea", True),
    ]
    assert housing["fields"][0]["choices"] == [
        {"value": "rental_subsidy", "label": "租房补贴"},
        {"value": "apartment", "label": "人才公寓"},
    ]
    assert housing["document_formats"] == ["docx", "jpg", "pdf", "png"]


def test_applying_for_support(talent_person: Any, login_client: Any, make_enterprise: Any) -> None:
    person, enterprise, owner = talent_person
    client = login_client(owner)
    data = {"kind": "rental_subsidy", "address": "徐汇区漕溪北路", "need": "在徐汇租房工作"}
    response = _send(client, "post", "/api/v1/talent/support", {"case_type": "talent.housing", "data": data})
    assert response.status_code == 201
    case = response.json()
    assert {k: case[k] for k in ("case_type", "state", "state_label", "enterprise_id", "title", "data")} == {
        "case_type": "talent.housing",
        "state": "submitted",
        "state_label": "已提交，等待受理",
        "enterprise_id": None,  # her own: her employer does not read it
        "title": f"人才租房补贴 / 人才公寓 · {person.name}",
        "data": data,
    }
    assert case["clock"]["working_days_left"] == 10
    # an enterprise for its member (a person without an account, kept by the enterprise)
    member = Person.objects.create(enterprise=enterprise, name="王芳")
    body = {
        "person_id": member.pk,
        "case_type": "talent.schooling",
        "data": {"stage": "primary", "need": "入学"},
    }
    response = _send(client, "post", "/api/v1/talent/support", body)
    assert (response.status_code, response.json()["enterprise_id"]) == (201, enterprise.pk)
    # not a service of this list, a field missing, another enterprise's member
    bad = _send(client, "post", "/api/v1/talent/support", {"case_type": "service.financing", "data": {}})
    assert (bad.status_code, bad.json()["detail"]) == (422, {"case_type": ["没有这项人才服务。"]})
    missing = _send(client, "post", "/api/v1/talent/support", {"case_type": "talent.housing", "data": {}})
    assert missing.status_code == 422
    other, _stranger = make_enterprise(name="浦江影视")
    theirs = Person.objects.create(enterprise=other, name="赵敏")
    body = {"person_id": theirs.pk, "case_type": "talent.housing", "data": data}
    assert _send(client, "post", "/api/v1/talent/support", body).status_code == 404


def test_a_course_its_sessions_trainees_and_attendance(
    talent_person: Any, login_client: Any, make_enterprise: Any
) -> None:
    import datetime as dt

    from shouzhan.registry.talent.course_services import training_course_create

    _person, enterprise, owner = talent_person
    client = login_client(owner)
    course = training_course_create(
        actor=owner, organiser=enterprise, data={"title": "AI视听创作实训营", "field": "ai_audiovisual"}
    )
    base = f"/api/v1/talent/courses/{course.pk}"
    today = timezone.localdate()
    past, future = (today - dt.timedelta(days=7)).isoformat(), (today + dt.timedelta(days=7)).isoformat()
    first = _send(client, "post", f"{base}/sessions", {"held_on": past, "topic": "AI分镜", "hours": 3})
    assert first.status_code == 201
    assert first.json() == {
        "id": first.json()["id"],
        "held_on": past,
        "topic": "AI分镜",
        "hours": 3,
        "open": True,
        "taken": False,
        "attended": 0,
    }
    later = _send(
        client, "post", f"{base}/sessions", {"held_on": future, "topic": "AI配音", "hours": 2}
    ).json()
    trainees = [
        _send(client, "post", f"{base}/trainees", {"name": name, "mobile": mobile}).json()
        for name, mobile in (("周雨桐", "13900001111"), ("陈浩", "13900002222"))
    ]
    assert (trainees[0]["name"], trainees[0]["attended"], trainees[0]["counted"]) == ("周雨桐", 0, False)
    again = _send(client, "post", f"{base}/trainees", {"name": "周雨桐", "mobile": "13900001111"})
    assert (again.status_code, again.json()["detail"]) == (
        422,
        {"mobile": ["手机号 13900001111 的学员已报名本课程，无需重复报名。"]},
    )
    register = {
        "marks": [
            {"trainee_id": trainees[0]["id"], "attended": True},
            {"trainee_id": trainees[1]["id"], "attended": False},
        ]
    }
    response = _send(client, "put", f"{base}/sessions/{first.json()['id']}/attendance", register)
    assert response.status_code == 200
    body = response.json()
    assert (body["sessions_taken"], body["enrolled"], body["counted"]) == (1, 2, 1)
    assert [(t["name"], t["counted"], t["marks"]) for t in body["trainees"]] == [
        (
            "周雨桐",
            True,
            [
                {"session_id": first.json()["id"], "attended": True},
                {"session_id": later["id"], "attended": None},
            ],
        ),
        (
            "陈浩",
            False,
            [
                {"session_id": first.json()["id"], "attended": False},
                {"session_id": later["id"], "attended": None},
            ],
        ),
    ]
    course.refresh_from_db()
    assert course.project is not None and course.project.trainees == 1  # what hu8.training_course reads
    early = _send(client, "put", f"{base}/sessions/{later['id']}/attendance", register)
    assert (early.status_code, early.json()["detail"]) == (422, [f"课次日期 {future} 还未到，不能记为出勤。"])
    listed = client.get("/api/v1/talent/courses").json()
    assert listed["count"] == 1
    assert {
        k: listed["items"][0][k] for k in ("title", "organiser", "field_label", "sessions_taken", "counted")
    } == {
        "title": "AI视听创作实训营",
        "organiser": "光合剧场",
        "field_label": "AI 视听创制",
        "sessions_taken": 1,
        "counted": 1,
    }
    _other, stranger = make_enterprise(name="浦江影视")
    assert login_client(stranger).get(base).status_code == 404
    assert login_client(stranger).get("/api/v1/talent/courses").json() == {"count": 0, "items": []}

"""The community JSON API: exact bodies, the waitlist, check-in, feedback, listings with their matches,
the import report, needs, search and contact requests; 401 for anonymous writes, 404 for others' private data."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from shouzhan.community import services
from shouzhan.community.models import ContactRequest, EventSeries, Listing
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.registry import patent_number
from shouzhan.registry.models import Person, Project
from tests.community.test_listings import xlsx

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
LOGIN_FIRST = {"error": "authentication required / 请先登录"}


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


OFFER = {
    "title": "一种节能型保温墙体材料",
    "abstract": "发泡陶瓷保温墙体材料，导热系数低，适用于外墙保温板。",
    "field": "新材料",
    "seeking": ["licence", "sale"],
}
NEED = {
    "title": "寻找外墙保温新材料技术",
    "abstract": "我们生产外墙保温板，需要节能保温墙体材料专利许可。",
    "field": "新材料",
    "seeking": ["licence"],
}


@pytest.fixture
def inventor(make_user: Any) -> tuple[Any, Person]:
    user = make_user(name="周老先生")
    return user, Person.objects.create(name="周老先生", user=user, title="发明人")


# ------------------------------------------------------------------------------------------ events
def test_event_list_and_detail_exact(make_event: Any, make_mentor: Any, make_user: Any) -> None:
    series = EventSeries.objects.create(name="OPC 创业能力沙龙")
    mentor = make_mentor()
    event = make_event(
        capacity=1,
        starts_at=dt.datetime(2031, 5, 20, 14, 0, tzinfo=SH),
        ends_at=dt.datetime(2031, 5, 20, 17, 0, tzinfo=SH),
        venue="徐汇区营商服务中心 3 楼",
        agenda="14:00 开场\n\n14:30 项目路演\n",
        speakers="陈导",
        summary="一人公司的项目路演与点评",
        series=series,
        number_in_series=2,
        mentors=[mentor],
    )
    services.registration_create(actor=make_user(), event=event)
    services.registration_create(actor=make_user(), event=event)
    anonymous = Client()
    listed = anonymous.get("/api/v1/community/events")
    assert listed.status_code == 200
    summary = {
        "id": event.pk,
        "kind": "salon",
        "title": "第二场 OPC 创业能力沙龙",
        "series": {"id": series.pk, "name": "OPC 创业能力沙龙"},
        "number_in_series": 2,
        "starts_at": "2031-05-20T06:00:00Z",
        "ends_at": "2031-05-20T09:00:00Z",
        "venue": "徐汇区营商服务中心 3 楼",
        "capacity": 1,
        "confirmed": 1,
        "waitlisted": 1,
        "registration_open": True,
    }
    assert listed.json() == [summary]
    detail = anonymous.get(f"/api/v1/community/events/{event.pk}")
    assert detail.json() == summary | {
        "summary": "一人公司的项目路演与点评",
        "agenda": ["14:00 开场", "14:30 项目路演"],
        "speakers": "陈导",
        "mentors": [
            {
                "id": mentor.pk,
                "name": "陈导",
                "headline": "创业导师",
                "expertise": ["微短剧", "智能体", "融资"],
            }
        ],
        "my_registration": None,
    }
    missing = anonymous.get("/api/v1/community/events/999999")
    assert (missing.status_code, missing.json()) == (404, {"error": "not found / 未找到：没有找到该活动"})
    bad = anonymous.get("/api/v1/community/events", {"kind": "party"})
    assert bad.status_code == 422 and bad.json()["error"] == "invalid input / 输入有误"


def test_register_waitlist_position_cancel_and_promotion(
    make_event: Any, make_user: Any, login_client: Any
) -> None:
    event = make_event(capacity=1)
    url = f"/api/v1/community/events/{event.pk}/registrations"
    anonymous = post(Client(), url, {})
    assert (anonymous.status_code, anonymous.json()) == (401, LOGIN_FIRST)

    a, b = login_client(make_user(name="甲")), login_client(make_user(name="乙"))
    response = post(a, url, {})
    assert response.status_code == 201
    first = body = response.json()
    assert body["status"] == "confirmed" and body["waitlist_position"] is None
    assert body["code"].startswith("SZ") and len(body["code"]) == 10
    second = post(b, url, {}).json()
    assert (second["status"], second["waitlist_position"]) == ("waitlisted", 1)
    again = post(b, url, {})
    assert again.status_code == 422
    assert again.json() == {"error": "invalid input / 输入有误", "detail": ["您已报名本活动"]}
    mine = b.get(f"/api/v1/community/events/{event.pk}").json()["my_registration"]
    assert mine["id"] == second["id"] and mine["waitlist_position"] == 1

    # Someone else's registration does not exist for you.
    assert b.get(f"/api/v1/community/registrations/{first['id']}").status_code == 404
    assert post(b, f"/api/v1/community/registrations/{first['id']}/cancel", {}).status_code == 404

    cancelled = post(a, f"/api/v1/community/registrations/{first['id']}/cancel", {})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    promoted = b.get(f"/api/v1/community/registrations/{second['id']}").json()
    assert (promoted["status"], promoted["waitlist_position"]) == ("confirmed", None)
    assert [r["id"] for r in b.get("/api/v1/community/registrations").json()] == [second["id"]]


def test_register_with_another_enterprises_project_is_404(
    make_event: Any, make_enterprise: Any, login_client: Any
) -> None:
    event = make_event()
    other, _owner = make_enterprise()
    project = Project.objects.create(enterprise=other, kind="agent", title="别人的项目")
    _mine, me = make_enterprise()
    response = post(
        login_client(me), f"/api/v1/community/events/{event.pk}/registrations", {"project_id": project.pk}
    )
    assert (response.status_code, response.json()) == (404, {"error": "not found / 未找到：没有找到该项目"})


def test_check_in_by_code_once_and_only_for_this_event(
    make_event: Any, make_user: Any, caseworker: Any, login_client: Any
) -> None:
    event, other = make_event(starts_at=timezone.now()), make_event(title="另一场")  # the door is open
    guest = make_user(name="林晓")
    reg = services.registration_create(actor=guest, event=event)
    elsewhere = services.registration_create(actor=make_user(), event=other)
    url = f"/api/v1/community/events/{event.pk}/check-in"
    door = login_client(caseworker)

    refused = post(login_client(guest), url, {"code": reg.code})
    assert (refused.status_code, refused.json()) == (
        403,
        {"error": "forbidden / 无权操作：您的角色无权进行此操作。"},
    )
    ok = post(door, url, {"code": reg.code.lower()[:4] + " " + reg.code[4:]})
    assert ok.status_code == 200
    assert ok.json()["registration_id"] == reg.pk and ok.json()["name"] == "林晓"
    twice = post(door, url, {"code": reg.code})
    assert twice.status_code == 422 and "不能重复使用" in twice.json()["detail"][0]
    wrong = post(door, url, {"code": elsewhere.code})
    assert wrong.json() == {"error": "invalid input / 输入有误", "detail": ["该签到码属于另一场活动：另一场"]}
    missing = post(door, url, {})
    assert missing.status_code == 422
    assert missing.json()["detail"] == [{"field": "code", "message": "Field required"}]


def test_feedback_by_panel_mentor_visible_to_the_team_only(
    make_event: Any, make_mentor: Any, make_enterprise: Any, make_user: Any, login_client: Any
) -> None:
    panel, outsider = make_mentor(), make_mentor(name="王导")
    event = make_event(mentors=[panel])
    enterprise, owner = make_enterprise(name="星河短剧")
    project = Project.objects.create(enterprise=enterprise, kind="micro_drama", title="AI 微短剧《归途》")
    services.registration_create(actor=owner, event=event, project=project)
    url = f"/api/v1/community/events/{event.pk}/feedback"
    text = "剧本结构清晰，建议先做三集试播再找发行。"

    saved = post(login_client(panel.user), url, {"project_id": project.pk, "text": text})
    assert saved.status_code == 200
    body = saved.json()
    assert {k: body[k] for k in ("event_id", "project_id", "mentor", "text")} == {
        "event_id": event.pk,
        "project_id": project.pk,
        "mentor": "陈导",
        "text": text,
    }
    not_on_panel = post(login_client(outsider.user), url, {"project_id": project.pk, "text": text})
    assert not_on_panel.json() == {"error": "forbidden / 无权操作：您不在本场活动的点评导师名单中"}
    too_short = post(login_client(panel.user), url, {"project_id": project.pk, "text": "好"})
    assert too_short.json() == {
        "error": "invalid input / 输入有误",
        "detail": {"text": ["点评意见至少写 5 个字"]},
    }

    team = login_client(owner).get(f"/api/v1/community/projects/{project.pk}/feedback")
    assert [(f["mentor"], f["text"]) for f in team.json()] == [("陈导", text)]
    _other, stranger = make_enterprise()
    assert login_client(stranger).get(f"/api/v1/community/projects/{project.pk}/feedback").status_code == 404
    # An entrepreneur cannot write feedback on someone else's project (it does not exist for them).
    assert post(login_client(stranger), url, {"project_id": project.pk, "text": text}).status_code == 404


# ------------------------------------------------------------------------------------------ listings
def test_an_individual_lists_without_a_caseworker(make_user: Any, login_client: Any) -> None:
    user = make_user(name="周老先生", mobile="13800000097")
    assert not Person.objects.filter(user=user).exists()
    number = patent_number.make("202310123456")
    response = post(login_client(user), "/api/v1/community/listings", OFFER | {"patent_number": number})
    assert response.status_code == 201
    person = Person.objects.get(user=user)
    assert (person.name, person.mobile) == ("周老先生", "13800000097")
    body = response.json()
    assert {k: v for k, v in body.items() if k not in ("id", "created_at", "matches")} == {
        "direction": "offer",
        "patent_number": number,
        "title": "一种节能型保温墙体材料",
        "abstract": OFFER["abstract"],
        "legal_status": "granted",
        "field": "新材料",
        "seeking": ["licence", "sale"],
        "status": "active",
        "owner": "周老先生",
        "owner_person_id": person.pk,
        "owner_enterprise_id": None,
        "can_manage": True,
    }
    assert AuditEntry.objects.filter(action="registry.person_create", target_id=str(person.pk)).count() == 1
    # A second listing reuses the same Person.
    post(login_client(user), "/api/v1/community/listings", OFFER | {"title": "一种可降解包装膜"})
    assert Person.objects.filter(user=user).count() == 1
    assert Listing.objects.filter(owner_person=person).count() == 2


def test_listing_writes_need_login_and_owners(
    inventor: Any, make_user: Any, make_enterprise: Any, caseworker: Any, login_client: Any
) -> None:
    user, person = inventor
    anonymous = post(Client(), "/api/v1/community/listings", OFFER)
    assert (anonymous.status_code, anonymous.json()) == (401, LOGIN_FIRST)
    assert Person.objects.count() == 1

    other, _owner = make_enterprise()
    stranger = login_client(make_user())
    foreign = post(stranger, "/api/v1/community/listings", OFFER | {"owner_enterprise_id": other.pk})
    assert (foreign.status_code, foreign.json()) == (404, {"error": "not found / 未找到：没有找到该企业。"})
    as_inventor = post(stranger, "/api/v1/community/listings", OFFER | {"owner_person_id": person.pk})
    assert as_inventor.status_code == 404
    # A caseworker may list for the inventor who brought paper.
    brokered = post(
        login_client(caseworker), "/api/v1/community/listings", OFFER | {"owner_person_id": person.pk}
    )
    assert brokered.status_code == 201 and brokered.json()["owner_person_id"] == person.pk

    invalid = post(
        login_client(user), "/api/v1/community/listings", OFFER | {"patent_number": "ZL202310123456.1"}
    )
    assert invalid.status_code == 422
    assert list(invalid.json()["detail"]) == ["patent_number"]
    schema = post(login_client(user), "/api/v1/community/listings", {"title": "x", "seeking": "licence"})
    assert schema.status_code == 422
    assert schema.json()["error"] == "invalid input / 输入有误"
    assert {d["field"] for d in schema.json()["detail"]} == {"abstract", "field", "seeking"}
    unknown = post(login_client(user), "/api/v1/community/listings", OFFER | {"seeking": ["donation"]})
    assert unknown.json() == {
        "error": "invalid input / 输入有误",
        "detail": {"seeking": ["未知的合作方式：donation"]},
    }


def test_update_own_listing_others_get_403_and_closed_is_404(
    inventor: Any, make_user: Any, login_client: Any
) -> None:
    user, person = inventor
    listing = services.listing_create(actor=user, direction="offer", owner_person=person, data=OFFER)
    url = f"/api/v1/community/listings/{listing.pk}"
    owner = login_client(user)
    changed = patch(owner, url, {"title": "一种节能型保温墙体材料（改进型）"})
    assert changed.status_code == 200
    assert changed.json()["title"] == "一种节能型保温墙体材料（改进型）"
    assert changed.json()["abstract"] == OFFER["abstract"]

    stranger = login_client(make_user())
    refused = patch(stranger, url, {"title": "抢注"})
    assert (refused.status_code, refused.json()) == (
        403,
        {"error": "forbidden / 无权操作：只能管理自己的技术成果"},
    )
    anonymous = patch(Client(), url, {"title": "抢注"})
    assert anonymous.status_code == 401

    closed = post(owner, f"{url}/status", {"status": "closed"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert stranger.get(url).status_code == 404
    assert Client().get(url).json() == {"error": "not found / 未找到：没有找到该条目"}
    assert owner.get(url).json()["status"] == "closed"
    assert Listing.objects.get(pk=listing.pk).title == "一种节能型保温墙体材料（改进型）"


def test_market_search_filters_and_matches_explained(
    inventor: Any, make_enterprise: Any, login_client: Any
) -> None:
    user, person = inventor
    offer = services.listing_create(actor=user, direction="offer", owner_person=person, data=OFFER)
    services.listing_create(
        actor=user,
        direction="offer",
        owner_person=person,
        data={
            "title": "一种老年人防跌倒智能鞋垫",
            "abstract": "压力传感鞋垫",
            "field": "智能硬件",
            "seeking": ["partner"],
        },
    )
    enterprise, owner = make_enterprise(name="上海绿筑建材科技有限公司", sector="new_materials")
    client = login_client(owner)
    created = post(client, "/api/v1/community/needs", NEED | {"owner_enterprise_id": enterprise.pk})
    assert created.status_code == 201
    need = created.json()
    assert (need["direction"], need["owner"], need["owner_enterprise_id"]) == (
        "need",
        "上海绿筑建材科技有限公司",
        enterprise.pk,
    )

    everything = Client().get("/api/v1/community/listings").json()
    assert everything["count"] == 3
    found = Client().get("/api/v1/community/listings", {"q": "保温材料", "direction": "offer"}).json()
    assert [i["title"] for i in found["items"]] == ["一种节能型保温墙体材料"]
    by_field = Client().get("/api/v1/community/listings", {"field": "智能硬件"}).json()
    assert [i["title"] for i in by_field["items"]] == ["一种老年人防跌倒智能鞋垫"]
    by_seeking = Client().get("/api/v1/community/listings", {"seeking": "partner"}).json()
    assert by_seeking["count"] == 1
    paged = Client().get("/api/v1/community/listings", {"limit": 1, "offset": 1}).json()
    assert (paged["count"], len(paged["items"])) == (3, 1)
    bad = Client().get("/api/v1/community/listings", {"direction": "gift"})
    assert bad.status_code == 422 and list(bad.json()["detail"]) == ["direction"]

    needs = Client().get("/api/v1/community/needs").json()
    assert [i["id"] for i in needs["items"]] == [need["id"]]
    assert [i["id"] for i in client.get("/api/v1/community/needs", {"mine": True}).json()["items"]] == [
        need["id"]
    ]

    detail = client.get(f"/api/v1/community/listings/{need['id']}").json()
    offers = detail["matches"]["offer"]
    assert offers[0]["title"] == "一种节能型保温墙体材料"
    assert offers[0]["url"] == f"/community/listings/{offer.pk}/"
    assert "墙体材料" in offers[0]["words"]
    assert offers[0]["facts"]
    assert detail["can_manage"] is True
    anonymous_create = post(
        Client(), "/api/v1/community/needs", NEED | {"owner_enterprise_id": enterprise.pk}
    )
    assert anonymous_create.status_code == 401


def test_import_report_over_the_api(make_user: Any, login_client: Any) -> None:
    user = make_user(name="周老先生")
    rows: list[list[Any]] = [["专利号", "名称", "摘要", "技术领域", "合作方式"]]
    rows.append([patent_number.make("201410000001"), "一种保温材料", "节能", "新材料", "许可"])
    rows.append(["ZL201410000002.1", "校验位错误", "", "新材料", "许可"])
    upload = io.BytesIO(xlsx(rows))
    upload.name = "专利.xlsx"
    response = login_client(user).post("/api/v1/community/listings/import", {"file": upload})
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("filename", "total_rows", "created", "updated", "ignored_columns")} == {
        "filename": "专利.xlsx",
        "total_rows": 2,
        "created": 1,
        "updated": 0,
        "ignored_columns": [],
    }
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "专利号")]
    assert Listing.objects.get().owner_person == Person.objects.get(user=user)
    empty = io.BytesIO(b"")
    empty.name = "empty.xlsx"
    refused = login_client(user).post("/api/v1/community/listings/import", {"file": empty})
    assert refused.status_code == 422
    # Someone else's inventor record is not there for you; a caseworker may import for them.
    inventor = Person.objects.get(user=user)
    sheet = io.BytesIO(
        xlsx([*rows[:1], [patent_number.make("201410000003"), "一种包装膜", "可降解", "新材料", "转让"]])
    )
    sheet.name = "代录.xlsx"
    stranger = login_client(make_user()).post(
        "/api/v1/community/listings/import", {"file": sheet, "owner_person_id": inventor.pk}
    )
    assert stranger.status_code == 404
    sheet.seek(0)
    brokered = login_client(make_user(role=Role.CASEWORKER)).post(
        "/api/v1/community/listings/import", {"file": sheet, "owner_person_id": inventor.pk}
    )
    assert brokered.json()["created"] == 1
    assert Listing.objects.filter(owner_person=inventor).count() == 2
    anonymous = Client().post("/api/v1/community/listings/import", {"file": io.BytesIO(b"x")})
    assert anonymous.status_code == 401


# ------------------------------------------------------------------------------------------ search
def test_search_by_kind(
    inventor: Any, make_event: Any, make_enterprise: Any, login_client: Any, caseworker: Any
) -> None:
    user, person = inventor
    offer = services.listing_create(actor=user, direction="offer", owner_person=person, data=OFFER)
    make_event(title="保温新材料对接会")
    make_enterprise(name="上海保温材料有限公司", description="保温材料生产")
    anonymous = Client()
    only_offers = anonymous.get("/api/v1/search", {"q": "保温材料", "kind": "offer"}).json()
    assert only_offers["q"] == "保温材料"
    assert [(i["kind"], i["title"], i["url"]) for i in only_offers["items"]] == [
        ("offer", "一种节能型保温墙体材料", f"/community/listings/{offer.pk}/")
    ]
    assert only_offers["items"][0]["kind_label"] == "技术成果"
    assert "保温" in only_offers["items"][0]["words"]
    two = anonymous.get("/api/v1/search", {"q": "保温", "kind": ["offer", "event"]}).json()
    assert {i["kind"] for i in two["items"]} == {"offer", "event"}
    # Enterprises' profiles are for the centre's staff only.
    public = anonymous.get("/api/v1/search", {"q": "保温材料"}).json()
    assert "enterprise" not in {i["kind"] for i in public["items"]}
    staff = login_client(caseworker).get("/api/v1/search", {"q": "保温材料", "kind": "enterprise"}).json()
    assert [i["title"] for i in staff["items"]] == ["上海保温材料有限公司"]

    unknown = anonymous.get("/api/v1/search", {"q": "保温", "kind": "secret"})
    assert unknown.status_code == 422 and list(unknown.json()["detail"]) == ["kind"]
    missing = anonymous.get("/api/v1/search")
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "q"
    assert anonymous.get("/api/v1/search", {"q": "  "}).json() == {"q": "  ", "count": 0, "items": []}


# ------------------------------------------------------------------------------------------ contacts
def test_contact_request_returns_the_introduction_case(
    inventor: Any, make_enterprise: Any, make_user: Any, caseworker: Any, login_client: Any
) -> None:
    from shouzhan.cases.models import Case

    user, person = inventor
    offer = services.listing_create(actor=user, direction="offer", owner_person=person, data=OFFER)
    enterprise, owner = make_enterprise(name="上海绿筑建材科技有限公司")
    need = services.listing_create(actor=owner, direction="need", owner_enterprise=enterprise, data=NEED)
    client = login_client(owner)
    body = {
        "listing_id": offer.pk,
        "message": "希望获得该专利许可，用于外墙保温板。",
        "from_listing_id": need.pk,
    }
    anonymous = post(Client(), "/api/v1/community/contact-requests", body)
    assert (anonymous.status_code, anonymous.json()) == (401, LOGIN_FIRST)

    response = post(client, "/api/v1/community/contact-requests", body)
    assert response.status_code == 201
    contact = ContactRequest.objects.get()
    case = Case.objects.get(pk=contact.case_id)
    assert case.case_type == "service.introduction"
    out = response.json()
    assert {k: v for k, v in out.items() if k != "created_at"} == {
        "id": contact.pk,
        "listing_id": offer.pk,
        "listing_title": "一种节能型保温墙体材料",
        "from_listing_id": need.pk,
        "enterprise_id": enterprise.pk,
        "message": "希望获得该专利许可，用于外墙保温板。",
        "case_id": case.pk,
        "outcome": "open",
        "outcome_note": "",
    }
    twice = post(client, "/api/v1/community/contact-requests", body)
    assert twice.json() == {
        "error": "invalid input / 输入有误",
        "detail": ["您已申请对接该条目，营商专员正在处理"],
    }

    assert [c["id"] for c in client.get("/api/v1/community/contact-requests").json()] == [contact.pk]
    stranger = login_client(make_user())
    assert stranger.get("/api/v1/community/contact-requests").json() == []
    assert stranger.get(f"/api/v1/community/contact-requests/{contact.pk}").status_code == 404
    staff = login_client(caseworker)
    assert staff.get(f"/api/v1/community/contact-requests/{contact.pk}").json()["case_id"] == case.pk
    # Someone else's need cannot be the reason for my request (and my own listing cannot be asked for).
    hijack = post(stranger, "/api/v1/community/contact-requests", body)
    assert hijack.status_code == 404
    own = post(
        login_client(user),
        "/api/v1/community/contact-requests",
        {"listing_id": offer.pk, "message": "我自己的专利"},
    )
    assert own.json() == {"error": "invalid input / 输入有误", "detail": ["不能对自己发布的条目申请对接"]}


def test_openapi_lists_the_community_paths(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/community/events",
        "/api/v1/community/events/{event_id}/registrations",
        "/api/v1/community/events/{event_id}/check-in",
        "/api/v1/community/listings",
        "/api/v1/community/listings/import",
        "/api/v1/community/needs",
        "/api/v1/search",
        "/api/v1/community/contact-requests",
    ):
        assert path in paths, path


def test_staff_contacts_page_is_staff_only(caseworker: Any, make_user: Any, login_client: Any) -> None:
    assert login_client(caseworker).get("/community/contacts/").status_code == 200
    assert login_client(make_user()).get("/community/contacts/").status_code == 403  # a staff page: 403
    assert Client().get("/community/contacts/").status_code == 302
    assert Role.CASEWORKER  # the menu entry is checked in test_pages

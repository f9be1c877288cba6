"""The frontline API: the catalogue, departments, visits with demands and photos, demands and every move on
their tickets; exact answers; both sides of every refusal; Idempotency-Key and client_key (one record,
the same answer); a stale expected_version is a 409 naming the current version."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from shouzhan.cases.models import Case
from shouzhan.core.roles import Role
from shouzhan.frontline.models import Demand, DepartmentMember, FollowUp, TicketMove, Visit, VisitPhoto

pytestmark = pytest.mark.django_db

API = "/api/v1/frontline"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NOISE = "园区门口夜间施工噪音扰民"


@pytest.fixture(autouse=True)
def monday(settings: Any, tmp_path: Any, catalogue: Any) -> Iterator[None]:
    """Monday 2026-11-02, 10:00 in Shanghai, the catalogue of frontline/data in force; photos are written
    under the test's own directory."""
    settings.MEDIA_ROOT = str(tmp_path)
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


def post(client: Client, url: str, body: Any, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"{API}{url}", body, content_type="application/json", headers=headers)


def act(client: Client, demand: Demand, move: str, key: str | None = None, **body: Any) -> Any:
    """POST a move on the demand's ticket (accept, return, …) with the body's fields."""
    return post(client, f"/demands/{demand.pk}/{move}", body, key)


def got(answer: Any) -> tuple[int, Any]:
    return answer.status_code, answer.json()


def pick(body: dict[str, Any], *names: str) -> tuple[Any, ...]:
    return tuple(body[n] for n in names)


def invalid(detail: Any) -> tuple[int, Any]:
    return 422, {"error": "invalid input / 输入有误", "detail": detail}


def forbidden(words: str) -> tuple[int, Any]:
    return 403, {"error": f"forbidden / 无权操作：{words}"}


def changed(version: int, state: str) -> tuple[int, Any]:
    error = "demand_changed / 这条诉求已被其他人处理过，请刷新后再操作。"
    return 409, {"error": error, "detail": {"current_version": version, "state": state}}


RECEIVERS_ONLY = forbidden("只有营商专员可以登记走访和诉求。")


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def listed(demand: Demand, **changes: Any) -> dict[str, Any]:
    """A demand as the API lists it, just recorded from the desk for 光合剧场 (urban's environment)."""
    case = Case.objects.get(pk=demand.case_id)
    return {
        "id": demand.pk,
        "case_id": case.pk,
        "reference": case.reference,
        "title": f"市容环境与秩序：{NOISE}",
        "source": "desk",
        "source_label": "中心窗口",
        "category": "environment",
        "category_label": "市容环境与秩序",
        "description": NOISE,
        "urgency": "normal",
        "urgency_label": "一般",
        "enterprise_id": demand.enterprise_id,
        "enterprise": "光合剧场",
        "requester_name": "",
        "place": "",
        "visit_id": None,
        "received_on": "2026-11-02",
        "state": "dispatched",
        "state_label": "已派单·待签收",
        "department": {"key": "urban", "name": "区城管执法局"},
        "accepted_by": None,
        "accept_due_on": "2026-11-03",
        "resolve_due_on": "2026-11-09",
        "due_on": "2026-11-03",
        "repeat_of_id": None,
        "excluded": False,
        "version": 1,
        **changes,
    }


DISPATCH = {
    "action": "dispatch",
    "action_label": "派单",
    "department": "区城管执法局",
    "actor": "张洁",
    "on": "2026-11-02",
    "due_on": "2026-11-03",
    "on_time": None,
    "note": "",
}


@pytest.fixture
def people(receiver: Any, urban: Any, amr: Any, firm: tuple[Any, Any], login_client: Any) -> SimpleNamespace:
    """Logged-in clients: the desk's caseworker 张洁, a handler of 城管 and of 市场监管, 光合剧场's owner."""
    desk, department, other, owner = (login_client(u) for u in (receiver, urban, amr, firm[1]))
    return SimpleNamespace(desk=desk, urban=department, amr=other, owner=owner, firm=firm[0])


# ----------------------------------------------------------------------------- anonymous, the catalogue
def test_anonymous_callers_are_asked_to_log_in() -> None:
    anonymous, login = Client(), (401, {"error": "authentication required / 请先登录"})
    assert got(anonymous.get(f"{API}/demands")) == got(anonymous.get(f"{API}/catalogue")) == login
    assert got(post(anonymous, "/visits", {})) == got(post(anonymous, "/demands/1/accept", {})) == login


def test_the_catalogue_in_force_and_the_departments(people: SimpleNamespace) -> None:
    body = people.owner.get(f"{API}/catalogue").json()  # an enterprise's member chooses a category too
    assert pick(body, "version", "valid_from") == (1, "2026-01-01")
    assert body["note"] == "首版派单目录：按诉求类别派给承办部门，时限按工作日计算。"
    by_code = {c["category"]: c for c in body["categories"]}
    assert set(by_code) == set(
        "space policy licence financing talent environment traffic ip water other".split()
    )
    assert by_code["environment"] == {
        "category": "environment",
        "label": "市容环境与秩序",
        "keywords": "噪音 垃圾 占道 油烟 违章 渣土",
        "department_key": "urban",
        "department": "区城管执法局",
        "accept_days": 1,
        "resolve_days": 5,
        "urgent_resolve_days": 2,
    }
    departments = people.owner.get(f"{API}/departments?limit=200").json()
    urban = next(d for d in departments["items"] if d["key"] == "urban")
    assert departments["count"] == 9
    assert pick(urban, "name", "kind", "kind_label", "phone", "active") == (
        "区城管执法局",
        "regulator",
        "职能部门",
        "021-64000030",
        True,
    )
    page = people.owner.get(f"{API}/departments?offset=8&limit=5").json()
    assert (page["count"], len(page["items"])) == (9, 1)


# ----------------------------------------------------------------------------- visits
def _visit(**changes: Any) -> dict[str, Any]:
    return {
        "enterprise_id": None,
        "visited_on": "2026-11-02",
        "met": "林经理",
        "notes": "走访了解经营情况",
        "latitude": 31.188,
        "longitude": 121.437,
        "accuracy_m": 20,
        "demands": [
            {"category": "environment", "description": NOISE, "client_key": "phone-1-d1"},
            {"category": "licence", "description": "营业执照地址变更", "urgency": "urgent"},
        ],
        "photos": [{"name": "门口.png", "content_base64": b64(PNG)}],
        "client_key": "phone-1",
        **changes,
    }


def test_a_visit_with_two_demands_and_a_photo(people: SimpleNamespace) -> None:
    answer = post(people.desk, "/visits", _visit(enterprise_id=people.firm.pk))
    assert answer.status_code == 201, answer.content
    visit = Visit.objects.get()
    first, second = Demand.objects.order_by("pk")
    body = {**answer.json()}  # a copy: the response keeps its parsed JSON
    demands = body.pop("demands")
    assert body == {
        "id": visit.pk,
        "visited_on": "2026-11-02",
        "visitor": "张洁",
        "enterprise_id": people.firm.pk,
        "enterprise": "光合剧场",
        "place": "",
        "met": "林经理",
        "notes": "走访了解经营情况",
        "latitude": "31.188000",
        "longitude": "121.437000",
        "accuracy_m": 20,
        "client_key": "phone-1",
        "photos": [
            {"content_type": "image/png", "size": len(PNG), "sha256": VisitPhoto.objects.get().sha256}
        ],
    }
    heard = {"source": "visit", "source_label": "走访", "requester_name": "林经理", "visit_id": visit.pk}
    assert demands == [
        listed(first, **heard),
        listed(
            second,
            **heard,
            title="证照与审批：营业执照地址变更",
            category="licence",
            category_label="证照与审批",
            description="营业执照地址变更",
            urgency="urgent",
            urgency_label="紧急",
            department={"key": "amr", "name": "区市场监管局"},
        ),
    ]
    assert first.client_key == "phone-1-d1"
    # My visits: the caseworker's own; an enterprise's member has none.
    assert people.desk.get(f"{API}/visits").json() == {"count": 1, "items": [answer.json()]}
    assert people.owner.get(f"{API}/visits").json() == {"count": 0, "items": []}
    assert got(post(people.owner, "/visits", _visit(enterprise_id=people.firm.pk))) == RECEIVERS_ONLY


def test_the_same_visit_sent_twice_is_one_visit_with_the_same_answer(
    people: SimpleNamespace, login_client: Any, make_user: Any
) -> None:
    body = _visit(enterprise_id=people.firm.pk)
    first = post(people.desk, "/visits", body, key="sync-1")
    again = post(people.desk, "/visits", body, key="sync-1")  # the answer was lost: the phone retries
    by_key = post(people.desk, "/visits", body)  # and again without the header: the body's client_key
    assert [a.status_code for a in (first, again, by_key)] == [201, 201, 201]
    assert first.json() == again.json() == by_key.json()
    assert (Visit.objects.count(), Demand.objects.count(), VisitPhoto.objects.count()) == (1, 2, 1)
    # Another caseworker's phone with the same key never gets this visit back.
    other = post(login_client(make_user(Role.CASEWORKER)), "/visits", body)
    assert got(other) == invalid({"client_key": ["该记录标识已被其他记录使用，请换一个。"]})
    # The same Idempotency-Key for a different request is refused.
    reused = post(people.desk, "/visits", {**body, "client_key": "phone-2"}, key="sync-1")
    error = "Idempotency-Key reused for a different request / 幂等键已用于另一个不同的请求"
    assert got(reused) == (422, {"error": error})
    assert Visit.objects.count() == 1


PDF = b64(b"%PDF-1.4 not a photo")
LARGE = b64(PNG + b"\x00" * 2 * 1024 * 1024)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"photos": [{"content_base64": b64(PNG)}] * 7}, None, "at most 6 items / 最多 6 项"),
        ({"visited_on": "2026-11-03"}, "visited_on", "走访日期不能晚于今天。"),
        (
            {"photos": [{"name": "合同.pdf", "content_base64": PDF}]},
            "photos",
            "“合同.pdf”不是照片（只接受 JPEG、PNG）。",
        ),
        ({"photos": [{"content_base64": "not base64!"}]}, "photos", "第 1 张照片的内容不是 base64 编码。"),
        ({"photos": [{"content_base64": LARGE}]}, "photos", "第 1 张照片超过 2 MB。"),
        (
            {"demands": [{"category": "no-such", "description": "x"}]},
            "demands.1.category",
            "“no-such”不在派单目录中，请从目录中选择类别。",
        ),
        (
            {"demands": [{"category": "other", "description": " "}]},
            "demands.1.description",
            "请填写诉求内容。",
        ),
        ({"enterprise_id": None, "place": ""}, "enterprise", "请选择走访的企业或填写地点。"),
        ({"enterprise_id": 999999}, "enterprise_id", "没有找到该企业。"),
    ],
)
def test_a_bad_visit_is_refused_in_words_and_nothing_is_recorded(
    changes: dict[str, Any], field: str | None, message: str, people: SimpleNamespace
) -> None:
    answer = post(people.desk, "/visits", {**_visit(enterprise_id=people.firm.pk), **changes})
    detail = [{"field": "photos", "message": message}] if field is None else {field: [message]}
    assert got(answer) == invalid(detail)  # a schema's bound (a list) or a service's words (by field)
    assert (Visit.objects.count(), Demand.objects.count(), VisitPhoto.objects.count()) == (0, 0, 0)


# ----------------------------------------------------------------------------- demands
def test_a_caseworker_records_a_desk_demand(people: SimpleNamespace) -> None:
    body = {"category": "environment", "description": NOISE, "enterprise_id": people.firm.pk}
    answer = post(people.desk, "/demands", {**body, "requester_contact": "13800000001"}, key="desk-1")
    assert answer.status_code == 201, answer.content
    demand = Demand.objects.get()
    assert answer.json() == {
        **listed(demand),
        "requester_contact": "13800000001",
        "receiver": "张洁",
        "catalogue_version": 1,
        "accept_days": 1,
        "resolve_days": 5,
        "excluded_reason": "",
        "moves": [DISPATCH],
        "follow_ups": [],
    }
    again = post(people.desk, "/demands", {**body, "requester_contact": "13800000001"}, key="desk-1")
    assert got(again) == (201, answer.json())
    assert people.desk.get(f"{API}/demands/{demand.pk}").json() == answer.json()
    assert Demand.objects.count() == 1


def test_an_enterprise_raises_its_own_demand_and_only_its_own(
    people: SimpleNamespace, firm: tuple[Any, Any], make_enterprise: Any
) -> None:
    body = {"source": "enterprise", "category": "environment", "description": NOISE}
    answer = post(
        people.owner, "/demands", {**body, "enterprise_id": people.firm.pk, "requester_contact": "x"}
    )
    assert answer.status_code == 201, answer.content
    demand = Demand.objects.get()
    assert demand.requester == firm[1] and demand.receiver is None
    # The enterprise reads the applicant's words; the contact is the staff's.
    assert pick(answer.json(), "source_label", "state_label") == ("企业自行提交", "已转交承办部门")
    assert pick(answer.json(), "receiver", "requester_contact") == (None, "")
    assert answer.json()["moves"] == [{**DISPATCH, "actor": firm[1].name}]
    other, _owner = make_enterprise("别家公司")
    refused = post(people.owner, "/demands", {**body, "enterprise_id": other.pk})
    assert got(refused) == invalid({"enterprise": ["请选择您所在的企业。"]})
    desk = post(people.owner, "/demands", {**body, "source": "desk", "enterprise_id": people.firm.pk})
    assert got(desk) == RECEIVERS_ONLY
    assert Demand.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"category": "no-such"}, {"category": ["“no-such”不在派单目录中，请从目录中选择类别。"]}),
        ({"description": "   "}, {"description": ["请填写诉求内容。"]}),
        ({"received_on": "2026-11-05"}, {"received_on": ["受理日期不能晚于今天。"]}),
        ({"source": "carrier-pigeon"}, {"source": ["诉求来源不正确。"]}),
    ],
)
def test_a_bad_demand_is_refused_in_words(
    changes: dict[str, Any], detail: dict[str, Any], people: SimpleNamespace
) -> None:
    body = {
        "source": "hotline",
        "category": "environment",
        "description": NOISE,
        "enterprise_id": people.firm.pk,
    }
    assert got(post(people.desk, "/demands", {**body, **changes})) == invalid(detail)
    assert Demand.objects.count() == 0


def test_who_sees_which_demands(
    people: SimpleNamespace, record: Callable[..., Demand], make_enterprise: Any, login_client: Any
) -> None:
    noise = record()
    other, other_owner = make_enterprise("别家公司")
    licence = record("licence", "营业执照地址变更", enterprise=other)
    stranger = login_client(other_owner)

    def ids(client: Client, query: str = "") -> list[int]:
        return [d["id"] for d in client.get(f"{API}/demands{query}").json()["items"]]

    assert ids(people.desk) == [licence.pk, noise.pk]
    assert ids(people.urban) == [noise.pk] and ids(people.amr) == [licence.pk]
    assert ids(people.owner) == [noise.pk] and ids(stranger) == [licence.pk]
    assert ids(people.desk, "?department=amr") == [licence.pk]
    assert ids(people.desk, "?category=environment&state=dispatched") == [noise.pk]
    assert ids(people.desk, "?state=accepted") == []
    page = people.desk.get(f"{API}/demands?offset=1&limit=1").json()
    assert (page["count"], [d["id"] for d in page["items"]]) == (2, [noise.pk])
    mine = people.owner.get(f"{API}/demands").json()["items"]
    assert mine == [listed(noise, state_label="已转交承办部门")]
    hidden = stranger.get(f"{API}/demands/{noise.pk}")
    assert got(hidden) == (404, {"error": "not found / 未找到：没有找到该诉求。"})
    assert people.amr.get(f"{API}/demands/{noise.pk}").status_code == 404
    assert people.urban.get(f"{API}/demands/{noise.pk}").status_code == 200


# ----------------------------------------------------------------------------- the ticket's moves
def test_accept_reply_and_the_requesters_follow_up(
    people: SimpleNamespace, record: Callable[..., Demand]
) -> None:
    demand = record()
    refused = act(people.owner, demand, "accept", expected_version=1)
    assert got(refused) == forbidden("只有承办部门的工作人员可以进行这一操作。")
    accepted = act(people.urban, demand, "accept", key="acc-1", expected_version=1)
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert pick(body, "state", "state_label", "version", "due_on") == ("accepted", "办理中", 2, "2026-11-09")
    assert body["accepted_by"] == {"key": "urban", "name": "区城管执法局"}
    accept = {"action": "accept", "action_label": "签收", "actor": "城管王", "on_time": True}
    assert body["moves"] == [DISPATCH, {**DISPATCH, **accept}]
    replayed = act(people.urban, demand, "accept", key="acc-1", expected_version=1)
    assert got(replayed) == (200, body)  # the first answer, nothing twice
    assert got(act(people.urban, demand, "accept", expected_version=1)) == changed(2, "accepted")
    assert TicketMove.objects.filter(demand=demand, action="accept").count() == 1
    empty = act(people.urban, demand, "reply", expected_version=2, answer=" ")
    assert got(empty) == invalid({"answer": ["请填写答复内容。"]})
    replied = act(people.urban, demand, "reply", expected_version=2, answer="已责令夜间停工")
    assert pick(replied.json(), "state", "version") == ("replied", 3)
    rated = act(
        people.owner, demand, "follow-up", expected_version=3, resolved=True, satisfaction="satisfied"
    )
    assert rated.status_code == 200, rated.content
    assert pick(rated.json(), "state", "state_label", "follow_ups") == (
        "closed",
        "已办结",
        [
            {
                "resolved": True,
                "satisfaction": "satisfied",
                "satisfaction_label": "满意",
                "channel": "site",
                "channel_label": "企业在线评价",
                "note": "",
                "on": "2026-11-02",
            }
        ],
    )
    assert [m["action"] for m in rated.json()["moves"]] == ["dispatch", "accept", "reply", "resolved"]


def test_return_redispatch_link_repeat_and_exclude(
    people: SimpleNamespace, record: Callable[..., Demand], member: Callable[..., Any], login_client: Any
) -> None:
    demand = record()
    returned = act(people.urban, demand, "return", expected_version=1, reason="应派市场监管")
    assert pick(returned.json(), "state", "department") == ("returned", None)
    unknown = act(people.desk, demand, "redispatch", expected_version=2, department_key="nasa")
    assert got(unknown) == invalid({"department_key": ["没有找到该部门。"]})
    sent = act(people.desk, demand, "redispatch", expected_version=2, department_key="amr")
    assert pick(sent.json(), "state", "accept_due_on") == ("dispatched", "2026-11-03")
    assert sent.json()["department"] == {"key": "amr", "name": "区市场监管局"}
    assert [pick(m, "action", "department", "note") for m in sent.json()["moves"]] == [
        ("dispatch", "区城管执法局", ""),
        ("return", "区城管执法局", "应派市场监管"),
        ("dispatch", "区市场监管局", ""),
    ]
    repeat = record(text="门口夜里还在施工")
    linked = act(people.desk, repeat, "link-repeat", expected_version=1, original_id=demand.pk)
    assert pick(linked.json(), "state", "repeat_of_id") == ("merged", demand.pk)
    lost = act(people.desk, repeat, "link-repeat", expected_version=2, original_id=999999)
    assert got(lost) == invalid({"original_id": ["没有找到原诉求。"]})
    handler = act(people.amr, demand, "exclude", expected_version=3, reason="x")
    assert got(handler) == forbidden("只有部门负责人或中心领导可以决定诉求不计入三率。")
    chief = login_client(member("amr", DepartmentMember.Role.SUPERVISOR, name="市监负责人"))
    assert got(act(chief, demand, "exclude", expected_version=2, reason="恶意重复")) == changed(
        3, "dispatched"
    )
    excluded = act(chief, demand, "exclude", expected_version=3, reason="恶意重复")
    assert excluded.status_code == 200, excluded.content
    body = excluded.json()
    assert pick(body, "excluded", "excluded_reason", "version") == (True, "恶意重复", 4)
    assert body["moves"][-1]["action_label"] == "不计入三率"


def test_a_phones_follow_up_after_the_department_replied_again_is_refused_clearly(
    people: SimpleNamespace, record: Callable[..., Demand]
) -> None:
    demand = record()
    act(people.urban, demand, "accept", expected_version=1)
    act(people.urban, demand, "reply", expected_version=2, answer="已责令夜间停工")
    # The caseworker's phone read version 3 and went offline. Meanwhile the enterprise says it is not
    # resolved (the ticket reopens) and the department replies again.
    unresolved: dict[str, Any] = {"resolved": False, "satisfaction": "unsatisfied", "note": "夜里还在施工"}
    reopened = act(people.owner, demand, "follow-up", expected_version=3, **unresolved)
    assert pick(reopened.json(), "state", "version") == ("accepted", 4)
    act(people.urban, demand, "reply", expected_version=4, answer="已现场执法，停工整改")
    # Back online, the phone sends the call it recorded against version 3: refused, saying why.
    call: dict[str, Any] = {"resolved": True, "satisfaction": "satisfied", "channel": "phone"}
    late = act(people.desk, demand, "follow-up", "phone-1", expected_version=3, **call)
    assert got(late) == changed(5, "replied")
    # Both changes made meanwhile are kept; the refused call recorded nothing.
    assert list(FollowUp.objects.values_list("resolved", "channel", "note")) == [
        (False, "site", "夜里还在施工")
    ]
    now = people.desk.get(f"{API}/demands/{demand.pk}").json()
    assert [pick(m, "action", "note") for m in now["moves"]] == [
        ("dispatch", ""),
        ("accept", ""),
        ("reply", "已责令夜间停工"),
        ("reopen", "夜里还在施工"),
        ("reply", "已现场执法，停工整改"),
    ]
    # Sent again on the version it now reads, the call is recorded.
    fresh = act(people.desk, demand, "follow-up", "phone-2", expected_version=5, **call)
    assert (fresh.status_code, fresh.json()["state"]) == (200, "closed")
    assert fresh.json()["follow_ups"][-1]["channel_label"] == "专员电话回访"

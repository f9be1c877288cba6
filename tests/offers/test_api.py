"""The offers API: an enterprise's offers explained, confirm (Idempotency-Key; two at once on PostgreSQL),
decline, prompt answers, their refusals in words; the staff's runs; both sides of every refusal."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client

from shouzhan.cases.models import Case
from shouzhan.core.roles import Role
from shouzhan.ledger.models import IdempotencyKey, Reservation
from shouzhan.ledger.services import clause_budget_set
from shouzhan.offers.models import Offer, PushRun
from shouzhan.offers.services import exclusion_add
from tests.offers.conftest import ON, run_push

pytestmark = pytest.mark.django_db

CONTACT = "林晓 13800000001"
CONFIRM = {"contact": CONTACT, "declaration_accepted": True}


@pytest.fixture(autouse=True)
def on_the_run_day() -> Iterator[None]:
    """The offers are made on ON and answered that morning (their deadline is counted from it)."""
    with time_machine.travel(dt.datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


@pytest.fixture
def pushed(register: dict[str, Any]) -> dict[str, Any]:
    run = run_push(on=ON)
    assert run.status == PushRun.Status.DONE, run.error
    return {**register, "run": run}


def offer_of(enterprise: Any, clause: str) -> Offer:
    return Offer.objects.get(enterprise=enterprise, clause_id=clause, current=True)


def post(client: Client, url: str, body: Any, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, body, content_type="application/json", headers=headers)


# ----------------------------------------------------------------------------- reading
def test_a_member_lists_its_enterprises_offers(pushed: dict[str, Any], login_client: Any) -> None:
    r = login_client(pushed["studio_owner"]).get("/api/v1/offers")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 5
    assert [
        (o["clause"], o["project"], o["state"], o["state_label"], o["amount_yuan"], o["amount_fen"])
        for o in body["items"]
    ] == [
        ("徐汇八条 · 算力券", "算力券申领", "offered", "待确认", "1000000.00", 100_000_000),
        (
            "徐汇八条 · 优质短剧作品、获奖作品奖励",
            "《弄堂里的光》",
            "offered",
            "待确认",
            "1000000.00",
            100_000_000,
        ),
        ("AI微短剧“沪8条” · 优秀微短剧项目（含AI微短剧）", "《弄堂里的光》", "offered", "待确认", None, None),
        ("徐汇八条 · 初创企业工位费减免", None, "offered", "待确认", None, None),
        ("AI微短剧“沪8条” · 入选国家级评选项目", "《弄堂里的光》", "prompt", "待补充信息", None, None),
    ]
    first = body["items"][0]
    assert (first["enterprise"], first["offered_on"], first["expires_on"], first["case_id"]) == (
        "光启短剧工作室",
        "2026-12-07",
        "2027-01-19",
        None,
    )
    # A page of two, then the rest: the shared bounds (limit at most 200).
    page = login_client(pushed["studio_owner"]).get("/api/v1/offers?offset=3&limit=2").json()
    assert (page["count"], [o["clause_id"] for o in page["items"]]) == (
        5,
        ["xuhui.desk_fee_relief", "hu8.national_selection"],
    )
    too_many = login_client(pushed["studio_owner"]).get("/api/v1/offers?limit=201")
    assert too_many.status_code == 422
    assert too_many.json()["detail"] == [{"field": "limit", "message": "at most 200 / 不能大于 200"}]


def test_an_offer_is_explained_clause_reasons_and_facts(pushed: dict[str, Any], login_client: Any) -> None:
    offer = offer_of(pushed["studio"], "xuhui.excellent_work")
    r = login_client(pushed["studio_owner"]).get(f"/api/v1/offers/{offer.pk}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["policy"], body["clause_title"], body["clause_text"], body["version"]) == (
        "徐汇区AI+微短剧产业集聚区配套扶持举措",
        "优质短剧作品、获奖作品奖励",
        "优质短剧作品、获奖作品单个最高奖励均达100万元",
        1,
    )
    assert (body["state"], body["amount_yuan"], body["amount_fen"]) == ("offered", "1000000.00", 100_000_000)
    assert (body["result"]["status"], body["result"]["max_amount_yuan"]) == ("eligible", "1000000.00")
    reasons = body["reasons"]
    assert reasons["heading"] == "徐汇八条 · 优质短剧作品、获奖作品奖励"
    assert reasons["in_force"]["words"] == "政策在 2026-12-07 有效（2025-06-01 起，长期有效）。"
    assert [(line["sentence"], line["value"]) for line in reasons["conditions"]] == [
        ("「所在区」为“徐汇”：资料为“徐汇”，符合。", True),
        ("「项目类型」为“微短剧作品”：资料为“微短剧作品”，符合。", True),
        (
            "以下条件满足其一即可，符合：「是否优秀/精品作品」为“是”：资料为“是”，符合；"
            "「是否获奖作品」为“是”：资料为“否”，不符合。",
            True,
        ),
    ]
    assert [line["words"] for line in reasons["amounts"]] == [
        "金额：由经办人在上限内核定。",
        "封顶：每部作品最高 1,000,000.00 元。",
    ]
    assert reasons["conclusion"]["words"] == "结论：可申报，最高 1,000,000.00 元。"
    assert reasons["expressions"] == []  # the rule text is for policy officers
    assert [(f["label"], f["value"]) for f in body["facts"]] == [
        ("所在区", "徐汇"),
        ("是否获奖作品", "否"),
        ("是否优秀/精品作品", "是"),
        ("项目类型", "微短剧作品"),
    ]
    assert body["missing"] == []


def test_a_prompt_names_its_missing_facts(pushed: dict[str, Any], login_client: Any) -> None:
    prompt = offer_of(pushed["gaps"], "xuhui.desk_fee_relief")
    body = login_client(pushed["gaps_owner"]).get(f"/api/v1/offers/{prompt.pk}").json()
    assert body["state"] == "prompt"
    assert body["missing"] == [
        {"name": "enterprise.in_cluster", "label": "是否入驻产业集聚区", "type": "bool", "choices": []},
        {"name": "enterprise.is_startup", "label": "是否初创企业", "type": "bool", "choices": []},
    ]
    assert [(f["name"], f["value"], f["known"]) for f in body["facts"]] == [
        ("enterprise.district", "徐汇", True),
        ("enterprise.in_cluster", None, False),
        ("enterprise.is_startup", None, False),
    ]
    assert body["reasons"]["conclusion"]["words"] == (
        "结论：待补充信息；还需填写「是否入驻产业集聚区」、「是否初创企业」。"
    )
    assert body["reasons"]["missing"] == ["是否入驻产业集聚区", "是否初创企业"]


def test_a_policy_officer_reads_the_rule_text_behind_the_reasons(
    pushed: dict[str, Any], login_client: Any, make_user: Any
) -> None:
    offer = offer_of(pushed["studio"], "xuhui.excellent_work")
    body = login_client(make_user(Role.POLICY_OFFICER)).get(f"/api/v1/offers/{offer.pk}").json()
    assert body["reasons"]["expressions"] == [
        {"step": "适用对象", "expression": 'enterprise.district == "徐汇"', "value": "是"},
        {
            "step": "申报条件",
            "expression": 'project.kind == "micro_drama" and (project.excellent or project.award_winning)',
            "value": "是",
        },
        {"step": "金额", "expression": "1000000", "value": "1,000,000.00 元"},
    ]


def test_another_enterprises_offer_is_not_found(pushed: dict[str, Any], login_client: Any) -> None:
    theirs = offer_of(pushed["studio"], "xuhui.excellent_work")
    client = login_client(pushed["agent_owner"])
    not_found = "not found / 未找到：没有找到该推送。"
    assert client.get(f"/api/v1/offers/{theirs.pk}").json() == {"error": not_found}
    for action, body in (
        ("confirm", CONFIRM),
        ("decline", {"reason": "不需要"}),
        ("answer", {"answers": {}}),
    ):
        r = post(client, f"/api/v1/offers/{theirs.pk}/{action}", body, key=f"k-{action}")
        assert (r.status_code, r.json()) == (404, {"error": not_found}), action
    r = client.get(f"/api/v1/offers?enterprise={pushed['studio'].pk}")
    assert (r.status_code, r.json()) == (404, {"error": "not found / 未找到：没有找到该企业。"})
    assert client.get("/api/v1/offers/999999").status_code == 404
    theirs.refresh_from_db()
    assert (theirs.state, Case.objects.count(), IdempotencyKey.objects.count()) == ("offered", 0, 0)


def test_staff_read_an_offer_but_only_the_enterprise_answers_it(
    pushed: dict[str, Any], login_client: Any, make_user: Any
) -> None:
    offer = offer_of(pushed["studio"], "xuhui.excellent_work")
    client = login_client(make_user(Role.CASEWORKER))
    assert client.get(f"/api/v1/offers/{offer.pk}").status_code == 200
    assert client.get(f"/api/v1/offers?enterprise={pushed['studio'].pk}").json()["count"] == 5
    r = post(client, f"/api/v1/offers/{offer.pk}/confirm", CONFIRM)
    assert (r.status_code, r.json()) == (
        403,
        {"error": "forbidden / 无权操作：只有企业本身可以确认、放弃或补充信息。"},
    )
    # Without ?enterprise= a caseworker (member of none) is asked to name one.
    r = client.get("/api/v1/offers")
    assert (r.status_code, r.json()["detail"]) == (422, {"enterprise": ["请用 enterprise 参数指定企业。"]})


def test_a_member_of_several_enterprises_names_one(
    pushed: dict[str, Any], login_client: Any, make_enterprise: Any
) -> None:
    owner = pushed["studio_owner"]
    second, _owner = make_enterprise("第二家公司", owner=owner)
    client = login_client(owner)
    r = client.get("/api/v1/offers")
    assert (r.status_code, r.json()["detail"]) == (
        422,
        {"enterprise": ["您是多家企业的成员，请用 enterprise 参数指定企业。"]},
    )
    assert client.get(f"/api/v1/offers?enterprise={pushed['studio'].pk}").json()["count"] == 5
    assert client.get(f"/api/v1/offers?enterprise={second.pk}").json() == {"count": 0, "items": []}


def test_anonymous_is_asked_to_log_in(pushed: dict[str, Any]) -> None:
    offer = offer_of(pushed["studio"], "xuhui.excellent_work")
    client = Client()
    for r in (
        client.get("/api/v1/offers"),
        client.get(f"/api/v1/offers/{offer.pk}"),
        post(client, f"/api/v1/offers/{offer.pk}/confirm", CONFIRM),
        client.get("/api/v1/offers/runs"),
        post(client, "/api/v1/offers/runs", {}),
    ):
        assert (r.status_code, r.json()) == (401, {"error": "authentication required / 请先登录"})


# ----------------------------------------------------------------------------- confirming
def test_confirm_twice_with_one_key_makes_one_case_and_the_same_answer(
    pushed: dict[str, Any], login_client: Any
) -> None:
    offer = offer_of(pushed["studio"], "xuhui.excellent_work")
    client = login_client(pushed["studio_owner"])
    url = f"/api/v1/offers/{offer.pk}/confirm"
    first = post(client, url, CONFIRM, key="confirm-1")
    assert first.status_code == 200, first.content
    again = post(client, url, CONFIRM, key="confirm-1")
    assert (again.status_code, again.json()) == (200, first.json())
    case = Case.objects.get()
    body = first.json()
    assert (body["state"], body["state_label"], body["case_id"]) == ("confirmed", "已确认，办理中", case.pk)
    assert (case.case_type, case.clause_id, case.amount_requested_fen, case.enterprise_id) == (
        "policy_fast_track",
        "xuhui.excellent_work",
        100_000_000,
        pushed["studio"].pk,
    )
    offer.refresh_from_db()
    assert (offer.state, offer.contact, offer.case_id) == ("confirmed", CONTACT, case.pk)
    # The same key with another body is refused by the idempotency rule; nothing more is written.
    other = post(client, url, {**CONFIRM, "contact": "别人"}, key="confirm-1")
    assert (other.status_code, other.json()) == (
        422,
        {"error": "Idempotency-Key reused for a different request / 幂等键已用于另一个不同的请求"},
    )
    # A second click without a key (or with a new one) answers the confirmed offer; still one case.
    third = post(client, url, CONFIRM, key="confirm-2")
    assert (third.status_code, third.json()["case_id"]) == (200, case.pk)
    assert Case.objects.count() == 1


def test_confirm_without_the_declaration_names_the_field(pushed: dict[str, Any], login_client: Any) -> None:
    offer = offer_of(pushed["studio"], "xuhui.excellent_work")
    client = login_client(pushed["studio_owner"])
    url = f"/api/v1/offers/{offer.pk}/confirm"
    r = post(client, url, {"contact": CONTACT, "declaration_accepted": False}, key="no-declaration")
    assert (r.status_code, r.json()) == (
        422,
        {"error": "invalid input / 输入有误", "detail": {"declaration": ["请阅读并同意申报承诺。"]}},
    )
    r = post(client, url, {"contact": " ", "declaration_accepted": False})
    assert r.json()["detail"] == {
        "contact": ["请填写联系人和联系电话。"],
        "declaration": ["请阅读并同意申报承诺。"],
    }
    r = post(client, url, {"contact": CONTACT})
    assert (r.status_code, r.json()["detail"]) == (
        422,
        [{"field": "declaration_accepted", "message": "Field required"}],
    )
    r = post(client, url, {"contact": "长" * 201, "declaration_accepted": True})
    assert r.json()["detail"] == [{"field": "contact", "message": "at most 200 characters / 最多 200 个字"}]
    offer.refresh_from_db()
    assert (offer.state, Case.objects.count(), IdempotencyKey.objects.count()) == ("offered", 0, 0)
    # The refused key was not kept: the same key, now with the declaration, goes through.
    ok = post(client, url, CONFIRM, key="no-declaration")
    assert (ok.status_code, ok.json()["state"]) == (200, "confirmed")


def test_decline_then_confirm_is_refused(pushed: dict[str, Any], login_client: Any) -> None:
    offer = offer_of(pushed["studio"], "xuhui.compute_voucher")
    client = login_client(pushed["studio_owner"])
    r = post(client, f"/api/v1/offers/{offer.pk}/decline", {"reason": "暂不需要算力"})
    assert r.status_code == 200, r.content
    assert (r.json()["state"], r.json()["state_label"], r.json()["reason"]) == (
        "declined",
        "企业已放弃",
        "暂不需要算力",
    )
    r = post(client, f"/api/v1/offers/{offer.pk}/confirm", CONFIRM, key="after-decline")
    assert (r.status_code, r.json()) == (
        422,
        {"error": "invalid input / 输入有误", "detail": ["该推送当前状态为“企业已放弃”，不能确认。"]},
    )
    assert Case.objects.count() == 0
    # A decline needs a reason.
    other = offer_of(pushed["studio"], "xuhui.excellent_work")
    r = post(client, f"/api/v1/offers/{other.pk}/decline", {"reason": "  "})
    assert (r.status_code, r.json()["detail"]) == (422, {"reason": ["请说明放弃的原因。"]})


def test_a_withdrawn_offer_is_refused_clearly(
    pushed: dict[str, Any], login_client: Any, make_user: Any
) -> None:
    offer = offer_of(pushed["studio"], "xuhui.excellent_work")
    exclusion_add(
        actor=make_user(Role.POLICY_OFFICER),
        enterprise_id=pushed["studio"].pk,
        reason="严重失信主体",
        source="信用中国（上海）认定文书",
        valid_from=dt.date(2026, 12, 1),
    )
    client = login_client(pushed["studio_owner"])
    r = post(client, f"/api/v1/offers/{offer.pk}/confirm", CONFIRM)
    assert (r.status_code, r.json()["detail"]) == (
        422,
        ["该推送已撤回，不能再确认或放弃（企业列入推送排除名单）。"],
    )
    detail = client.get(f"/api/v1/offers/{offer.pk}").json()
    assert (detail["state"], detail["withdraw_cause"], detail["withdraw_cause_label"]) == (
        "withdrawn",
        "excluded",
        "企业列入推送排除名单",
    )
    assert Case.objects.count() == 0


def test_confirm_beyond_the_remaining_budget_is_refused_and_leaves_no_case(
    pushed: dict[str, Any], login_client: Any, make_user: Any
) -> None:
    officer = make_user(Role.POLICY_OFFICER)
    clause_budget_set(actor=officer, clause_id="xuhui.excellent_work", year=2026, amount_fen=50_000_000)
    offer = offer_of(pushed["studio"], "xuhui.excellent_work")
    r = post(login_client(pushed["studio_owner"]), f"/api/v1/offers/{offer.pk}/confirm", CONFIRM, key="b-1")
    assert (r.status_code, r.json()) == (
        422,
        {
            "error": "invalid input / 输入有误",
            "detail": [
                "“优质短剧作品、获奖作品奖励”2026 年度预算余额不足：剩余 500,000.00 元，"
                "本次需要 1,000,000.00 元。确认未生效，请联系服务中心。"
            ],
        },
    )
    offer.refresh_from_db()
    assert (offer.state, offer.case_id) == ("offered", None)
    assert (Case.objects.count(), Reservation.objects.count(), IdempotencyKey.objects.count()) == (0, 0, 0)


# ----------------------------------------------------------------------------- answering a prompt
def test_a_prompt_answer_of_the_wrong_type_names_the_fact(pushed: dict[str, Any], login_client: Any) -> None:
    prompt = offer_of(pushed["gaps"], "xuhui.desk_fee_relief")
    client = login_client(pushed["gaps_owner"])
    url = f"/api/v1/offers/{prompt.pk}/answer"
    r = post(client, url, {"answers": {"enterprise.in_cluster": "abc", "enterprise.is_startup": "是"}})
    assert (r.status_code, r.json()) == (
        422,
        {
            "error": "invalid input / 输入有误",
            "detail": {"enterprise.in_cluster": ["“是否入驻产业集聚区”请选择“是”或“否”。"]},
        },
    )
    r = post(client, url, {"answers": {"enterprise.employees": "abc"}})
    assert (r.status_code, r.json()["detail"]) == (
        422,
        {"__all__": ["这些信息不在本次需要补充的范围内：enterprise.employees"]},
    )
    r = post(client, url, {"answers": {"enterprise.in_cluster": {"nested": True}}})
    assert r.status_code == 422 and r.json()["detail"][0]["field"].startswith("answers.enterprise.in_cluster")
    r = post(client, url, {"answers": {f"enterprise.f{i}": 1 for i in range(101)}})
    assert (r.status_code, r.json()["detail"][0]["field"]) == (422, "answers")
    prompt.refresh_from_db()
    assert prompt.state == "prompt"
    pushed["gaps"].refresh_from_db()
    assert (pushed["gaps"].in_cluster, pushed["gaps"].is_startup) == (None, None)


def test_a_prompt_answered_becomes_an_offer(pushed: dict[str, Any], login_client: Any) -> None:
    prompt = offer_of(pushed["gaps"], "xuhui.desk_fee_relief")
    client = login_client(pushed["gaps_owner"])
    r = post(
        client,
        f"/api/v1/offers/{prompt.pk}/answer",
        {"answers": {"enterprise.in_cluster": "是", "enterprise.is_startup": True}},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["clause_id"], body["state"], body["rule_status"], body["missing"]) == (
        "xuhui.desk_fee_relief",
        "offered",
        "eligible",
        [],
    )
    assert body["reasons"]["conclusion"]["words"] == "结论：可申报。"
    assert [(f["label"], f["value"]) for f in body["facts"]] == [
        ("所在区", "徐汇"),
        ("是否入驻产业集聚区", "是"),
        ("是否初创企业", "是"),
    ]
    pushed["gaps"].refresh_from_db()
    assert (pushed["gaps"].in_cluster, pushed["gaps"].is_startup) == (True, True)
    # It is no prompt any more: answering again is refused in words.
    again = post(client, f"/api/v1/offers/{body['id']}/answer", {"answers": {"enterprise.in_cluster": "否"}})
    assert (again.status_code, again.json()["detail"]) == (422, ["该推送不需要补充信息。"])


# ----------------------------------------------------------------------------- the staff's runs
def test_staff_list_runs_and_read_one(pushed: dict[str, Any], login_client: Any, make_user: Any) -> None:
    officer = make_user(Role.POLICY_OFFICER)
    clause_budget_set(actor=officer, clause_id="xuhui.excellent_work", year=2026, amount_fen=50_000_000)
    run = pushed["run"]
    client = login_client(make_user(Role.LEADER))  # staff who read runs but do not start them
    listed = client.get("/api/v1/offers/runs")
    assert listed.status_code == 200, listed.content
    assert [(r["id"], r["status"], r["status_label"], r["trigger"], r["scope"]) for r in listed.json()] == [
        (run.pk, "done", "已完成", "manual", "full")
    ]
    r = client.get(f"/api/v1/offers/runs/{run.pk}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["enterprises"], body["subjects_total"], body["subjects_done"]) == (4, 10, 10)
    assert (body["offers_new"], body["offers_changed"], body["offers_withdrawn"], body["offers_kept"]) == (
        15,
        0,
        0,
        0,
    )
    clauses = {c["clause_id"]: c for c in body["clauses"]}
    assert clauses["xuhui.excellent_work"] == {
        "clause_id": "xuhui.excellent_work",
        "clause": "徐汇八条 · 优质短剧作品、获奖作品奖励",
        "eligible": 1,
        "unknown": 1,
        "not_eligible": 4,  # of the 6 projects
        "potential_yuan": "1000000.00",
        "potential_fen": 100_000_000,
        "budget_left_yuan": "500000.00",
        "budget_left_fen": 50_000_000,
        "over_budget": True,
    }
    assert clauses["xuhui.settlement"]["budget_left_fen"] is None
    assert clauses["xuhui.settlement"]["over_budget"] is False
    assert client.get("/api/v1/offers/runs/999999").status_code == 404


def test_an_operator_starts_a_run(pushed: dict[str, Any], login_client: Any, make_user: Any) -> None:
    officer = make_user(Role.POLICY_OFFICER)
    r = post(login_client(officer), "/api/v1/offers/runs", {"engine": "polars", "scope": "changed"})
    assert r.status_code == 201, r.content
    body = r.json()
    run = PushRun.objects.get(pk=body["id"])
    assert (body["status"], body["trigger"], body["engine"], body["scope"], body["started_by"]) == (
        "queued",
        "manual",
        "polars",
        "changed",
        officer.name,
    )
    assert (run.status, run.started_by_id) == ("queued", officer.pk)
    bad = post(login_client(officer), "/api/v1/offers/runs", {"engine": "excel"})
    assert (bad.status_code, bad.json()["detail"]) == (422, {"engine": ["没有这种计算引擎。"]})


def test_members_may_not_see_or_start_runs(pushed: dict[str, Any], login_client: Any, make_user: Any) -> None:
    member = login_client(pushed["studio_owner"])
    runs_before = PushRun.objects.count()
    for r, reason in (
        (member.get("/api/v1/offers/runs"), "只有服务中心工作人员可以查看推送批次。"),
        (member.get(f"/api/v1/offers/runs/{pushed['run'].pk}"), "只有服务中心工作人员可以查看推送批次。"),
        (post(member, "/api/v1/offers/runs", {}), "您的角色无权启动推送或维护排除名单。"),
        (
            post(login_client(make_user(Role.LEADER)), "/api/v1/offers/runs", {}),
            "您的角色无权启动推送或维护排除名单。",
        ),
    ):
        assert (r.status_code, r.json()) == (403, {"error": f"forbidden / 无权操作：{reason}"})
    assert PushRun.objects.count() == runs_before


def test_the_openapi_document_has_the_offers_operations(client: Client) -> None:
    from shouzhan.api.urls import api

    document = client.get("/api/v1/openapi.json").json()
    paths = {p for p in document["paths"] if p.startswith("/api/v1/offers")}
    assert paths == {
        "/api/v1/offers",
        "/api/v1/offers/runs",
        "/api/v1/offers/runs/{run_id}",
        "/api/v1/offers/{offer_id}",
        "/api/v1/offers/{offer_id}/confirm",
        "/api/v1/offers/{offer_id}/decline",
        "/api/v1/offers/{offer_id}/answer",
    }
    confirm = document["paths"]["/api/v1/offers/{offer_id}/confirm"]["post"]
    assert [p["name"] for p in confirm["parameters"] if p["in"] == "header"] == ["Idempotency-Key"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(confirm["responses"])
    assert api.get_openapi_schema().name_clashes == {}  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- two clicks at once
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("keys", [("tab-1", "tab-2"), ("same", "same"), (None, None)])
def test_two_confirms_at_once_make_one_case_and_one_reservation(
    keys: tuple[str | None, str | None], pushed: dict[str, Any], login_client: Any, make_user: Any
) -> None:
    officer = make_user(Role.POLICY_OFFICER)
    clause_budget_set(actor=officer, clause_id="xuhui.excellent_work", year=2026, amount_fen=500_000_000)
    offer = offer_of(pushed["studio"], "xuhui.excellent_work")
    clients = [login_client(pushed["studio_owner"]) for _ in keys]
    barrier = threading.Barrier(len(keys))
    answers: list[Any] = [None] * len(keys)

    def confirm(i: int) -> None:
        try:
            barrier.wait()
            answers[i] = post(clients[i], f"/api/v1/offers/{offer.pk}/confirm", CONFIRM, key=keys[i])
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(len(keys))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    case = Case.objects.get()
    assert [(a.status_code, a.json()["state"], a.json()["case_id"]) for a in answers] == [
        (200, "confirmed", case.pk),
        (200, "confirmed", case.pk),
    ]
    reservation = Reservation.objects.get()
    assert (reservation.case_id, reservation.amount_fen, reservation.state) == (
        case.pk,
        100_000_000,
        "reserved",
    )
    offer.refresh_from_db()
    assert (offer.state, offer.case_id) == ("confirmed", case.pk)


# ----------------------------------------------------------------------------- queries
def test_the_list_and_the_run_page_take_a_fixed_number_of_queries(
    pushed: dict[str, Any], login_client: Any, make_user: Any, django_assert_max_num_queries: Any
) -> None:
    client = login_client(pushed["studio_owner"])
    staff = login_client(make_user(Role.POLICY_OFFICER))
    client.get("/api/v1/offers")  # the catalogue's parse is cached for the process after the first read
    with django_assert_max_num_queries(5):  # session, user, memberships, count, the page
        assert client.get("/api/v1/offers").json()["count"] == 5
    with django_assert_max_num_queries(6):  # session, user, the run, two of budgets, the catalogue's ids
        assert staff.get(f"/api/v1/offers/runs/{pushed['run'].pk}").status_code == 200

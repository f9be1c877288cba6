"""Policy pages and API: library, clause in plain words, calculator, upload → review → publish."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from shouzhan.core.roles import Role
from shouzhan.policies.models import PolicyVersion
from shouzhan.registry.models import Project

pytestmark = pytest.mark.django_db
HU8 = (Path(settings.CATALOGUE_DIR) / "hu8.yaml").read_text(encoding="utf-8")


def test_library_and_clause_pages(catalogue: Any, client: Client) -> None:
    page = client.get("/policies/").content.decode()
    assert "AI微短剧“沪8条”" in page and "徐汇八条" in page
    assert "10,000,000.00 元" in page  # the agent R&D cap
    clause = client.get("/policies/c/hu8.excellent_drama/").content.decode()
    assert "对价值、内容、品质并重的优秀微短剧项目" in clause  # the original text
    assert "「项目类型」为“微短剧作品”" in clause  # the rule in plain words (the project form's name, #13)
    assert "增加 50%" in clause  # the city-image modifier
    assert client.get("/policies/c/no.such/").status_code == 404
    assert client.get("/policies/?district=火星").status_code == 200


def test_calculator_for_a_visitor_and_bad_input(catalogue: Any, client: Client) -> None:
    query = {
        "submitted": "1",
        "enterprise__district": "徐汇",
        "project__kind": "micro_drama",
        "project__excellent": "true",
        "project__promotes_city_image": "true",
        "on": "2026-11-23",
    }
    html = client.get("/policies/calculator/", query).content.decode()
    assert "4,500,000.00 元" in html  # 3,000,000 + 50% for promoting the city image
    bad = client.get("/policies/calculator/", {**query, "project__rd_investment_yuan": "十万"})
    assert bad.status_code == 400
    assert "不是有效金额" in bad.content.decode()


def test_calculator_starts_from_the_enterprise_profile(
    catalogue: Any, make_enterprise: Any, login_client: Any
) -> None:
    enterprise, owner = make_enterprise(name="光合剧场", district="徐汇", is_startup=True, in_cluster=True)
    project = Project.objects.create(
        enterprise=enterprise,
        kind="agent",
        title="分镜智能体",
        rd_investment_fen=300_000_000,
        self_developed=True,
    )
    html = login_client(owner).get("/policies/calculator/", {"project": project.pk}).content.decode()
    assert "分镜智能体" in html
    assert "600,000.00 元" in html and "待补充信息" in html  # 20% of 3,000,000, market recognition unknown
    assert "是否获市场认可" in html


def test_enterprise_calculator_is_private(catalogue: Any, make_enterprise: Any, login_client: Any) -> None:
    a, owner_a = make_enterprise(district="徐汇")
    b, _ = make_enterprise(district="杨浦")
    client = login_client(owner_a)
    assert client.get(f"/api/v1/enterprises/{a.pk}/calculator").status_code == 200
    assert client.get(f"/api/v1/enterprises/{b.pk}/calculator").status_code == 404
    assert client.get("/policies/calculator/", {"enterprise": b.pk}).status_code == 404


def test_officer_uploads_reviews_and_publishes_through_pages(
    catalogue: Any, make_user: Any, login_client: Any
) -> None:
    officer = login_client(make_user(role=Role.POLICY_OFFICER))
    bad = officer.post("/policies/upload/", {"text": "policy: [", "note": ""})
    assert bad.status_code == 400 and "规则文件有误" in bad.content.decode()
    response = officer.post(
        "/policies/upload/", {"text": HU8.replace("value: 20%", "value: 25%", 1), "note": "上调"}
    )
    assert response.status_code == 302
    draft = PolicyVersion.objects.get(status="draft")
    review = officer.get(f"/policies/v/{draft.pk}/").content.decode()
    assert "agent_rd_rate" in review
    refused = officer.post(f"/policies/v/{draft.pk}/publish/", {"effective_from": "2020-01-01"})
    assert refused.status_code == 400 and "生效日期必须晚于" in refused.content.decode()
    assert (
        officer.post(f"/policies/v/{draft.pk}/publish/", {"effective_from": "2027-01-01"}).status_code == 302
    )
    draft.refresh_from_db()
    assert draft.status == "published"


def test_entrepreneurs_cannot_upload_or_see_drafts(catalogue: Any, make_user: Any, login_client: Any) -> None:
    officer = make_user(role=Role.POLICY_OFFICER)
    login_client(officer).post("/policies/upload/", {"text": HU8 + "\n# x\n"})
    draft = PolicyVersion.objects.get(status="draft")
    entrepreneur = login_client(make_user())
    assert entrepreneur.get("/policies/upload/").status_code == 403
    assert entrepreneur.get(f"/policies/v/{draft.pk}/").status_code == 404
    assert (
        entrepreneur.post(f"/policies/v/{draft.pk}/publish/", {"effective_from": "2027-01-01"}).status_code
        == 404
    )


def test_api(catalogue: Any, client: Client, make_user: Any, login_client: Any) -> None:
    body = {
        "facts": {
            "enterprise": {"district": "徐汇"},
            "project": {
                "kind": "agent",
                "rd_investment_yuan": "100000000",
                "self_developed": True,
                "market_recognized": True,
            },
        },
        "on": "2026-11-23",
    }
    r = client.post("/api/v1/calculator", json.dumps(body), content_type="application/json")
    assert r.status_code == 200
    results = {c["id"]: (c["status"], c["max_amount_yuan"]) for c in r.json()["clauses"]}
    assert results["hu8.agent_rd"] == ("eligible", "10000000.00")  # 20% is 20,000,000; capped
    assert results["xuhui.agent_rd"] == ("eligible", "3000000.00")
    assert results["hu8.national_selection"] == ("not_eligible", None)
    bad = client.post(
        "/api/v1/calculator",
        json.dumps({"facts": {"enterprise": {"district": 5}}}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert client.get("/api/v1/clauses/hu8.overseas").json()["cap_yuan"] == "500000.00"
    assert client.get("/api/v1/clauses/nope").status_code == 404
    assert {p["code"] for p in client.get("/api/v1/policies").json()} == {"hu8", "xuhui"}
    # Upload needs a policy officer.
    upload = {"text": HU8 + "\n# 修订\n", "filename": "hu8.yaml"}
    assert (
        login_client(make_user())
        .post("/api/v1/policy-versions", json.dumps(upload), content_type="application/json")
        .status_code
        == 403
    )
    officer = login_client(make_user(role=Role.POLICY_OFFICER))
    created = officer.post("/api/v1/policy-versions", json.dumps(upload), content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    pk = created.json()["id"]
    assert officer.get(f"/api/v1/policy-versions/{pk}/review").json()["impact"] == []
    published = officer.post(
        f"/api/v1/policy-versions/{pk}/publish",
        json.dumps({"effective_from": "2027-01-01"}),
        content_type="application/json",
    )
    assert published.status_code == 200 and published.json()["status"] == "published"


def test_enterprise_home_summarises_policy_matches(
    catalogue: Any, make_enterprise: Any, login_client: Any
) -> None:
    enterprise, owner = make_enterprise(name="光合剧场", district="徐汇", is_startup=True, in_cluster=True)
    Project.objects.create(
        enterprise=enterprise,
        kind="agent",
        title="分镜智能体",
        rd_investment_fen=300_000_000,
        self_developed=True,
        market_recognized=True,
    )
    html = login_client(owner).get(f"/e/{enterprise.pk}/").content.decode()
    block = html[html.index('id="policy-matches"') :]
    assert "企业本身" in block and "分镜智能体" in block
    # The agent: hu8.agent_rd (600,000) + xuhui.agent_rd (cap 3,000,000) + desk-fee relief.
    assert "可申报 3" in block and "3,600,000.00 元" in block


def test_calculator_links_eligible_clauses_to_the_application_form(
    catalogue: Any, make_enterprise: Any, login_client: Any
) -> None:
    enterprise, owner = make_enterprise(district="徐汇", is_startup=True, in_cluster=True)
    project = Project.objects.create(enterprise=enterprise, kind="agent", title="智能体", self_developed=True)
    html = login_client(owner).get("/policies/calculator/", {"project": project.pk}).content.decode()
    assert f'href="/cases/apply/xuhui.agent_rd/?project={project.pk}"' in html
    assert "/cases/apply/hu8.agent_rd/" not in html  # unknown: not offered until the facts decide it

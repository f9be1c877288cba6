"""The insight API through HTTP: who may read, the figures with their definitions, the history as stored,
the map's data, the gaps and a 招商 list, a placement decided (409 when stale) and a relation recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from shouzhan.core.roles import Role
from shouzhan.insight.models import CityFigure, Placement, Relation, Snapshot
from shouzhan.insight.services.figures import snapshot_take

from .conftest import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms(make_enterprise: Any, insight_data: Any) -> dict[str, Any]:
    studio, _ = make_enterprise(
        name="光启短剧",
        district="徐汇",
        in_cluster=True,
        sector="micro_drama",
        annual_revenue_fen=2_000_000_000,
    )
    tools, _ = make_enterprise(
        name="灵犀智能", district="徐汇", in_cluster=True, sector="ai_agent", annual_revenue_fen=123_456_78
    )
    outside, _ = make_enterprise(name="浦江数字人", district="浦东新区", in_cluster=False, sector="ai_agent")
    placement = Placement.objects.create(
        enterprise=studio, chain="ai_micro_drama", node="production", confidence=90
    )
    Placement.objects.create(
        enterprise=tools,
        chain="ai_micro_drama",
        node="tools",
        status=Placement.Status.CONFIRMED,
        confidence=80,
    )
    return {"studio": studio, "tools": tools, "outside": outside, "placement": placement}


def test_anonymous_401_enterprise_403(
    client: Any, make_enterprise: Any, login_client: Any, insight_data: Any
) -> None:
    assert client.get("/api/v1/insight/targets").status_code == 401
    _enterprise, owner = make_enterprise()
    for url in ("/api/v1/insight/targets", "/api/v1/insight/chains", "/api/v1/insight/gaps",
                "/api/v1/insight/map?chain=ai_micro_drama", "/api/v1/insight/placements"):  # fmt: skip
        assert login_client(owner).get(url).status_code == 403, url


def test_targets_with_definitions_and_the_share_exact(
    login_client: Any, leader: Any, firms: Any, policy_officer: Any
) -> None:
    CityFigure.objects.create(year=timezone.localdate().year, value_fen=300_000_000_00, source="市统计局",
                              published_on=timezone.localdate() - dt.timedelta(days=1))  # fmt: skip
    body = login_client(leader).get("/api/v1/insight/targets").json()
    by_key = {f["key"]: f for f in body}
    assert list(by_key) == ["quality_enterprises", "incubated_teams", "original_dramas", "city_share"]
    quality = by_key["quality_enterprises"]
    assert (quality["value"], quality["goal"], quality["unit"]) == ("1", "40", "count")
    assert quality["progress_percent"] == "2.50"
    assert quality["definition"].startswith('enterprise.district == "徐汇" and enterprise.in_cluster')
    share = by_key["city_share"]
    # (20,000,000.00 + 123,456.78) ÷ 300,000,000.00 = 6.70822…% → 6.71
    assert (share["numerator_yuan"], share["denominator_yuan"], share["value"]) == (
        "20123456.78",
        "300000000.00",
        "6.71",
    )
    assert share["goal"] == "20.00"


def test_snapshots_as_stored(login_client: Any, leader: Any, firms: Any) -> None:
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    snapshot_take(actor=SYSTEM, month=month)
    assert Snapshot.objects.filter(month=month).exists()
    body = login_client(leader).get("/api/v1/insight/snapshots?key=incubated_teams").json()
    assert [(row["month"], row["figure"]["key"]) for row in body] == [(month.isoformat(), "incubated_teams")]


def test_chains_map_and_gaps(login_client: Any, leader: Any, firms: Any) -> None:
    client = login_client(leader)
    chains = client.get("/api/v1/insight/chains").json()
    assert [c["key"] for c in chains] == ["ai_micro_drama", "brain_inspired", "live_streaming"]
    assert chains[0]["nodes"][0]["stage_label"] == "上游"
    data = client.get("/api/v1/insight/map?chain=ai_micro_drama&district=徐汇").json()
    assert (data["total"], data["shown"]) == (2, 2)
    assert client.get("/api/v1/insight/map?chain=nope").status_code == 404
    assert client.get("/api/v1/insight/map?chain=ai_micro_drama&cluster=maybe").status_code == 422
    gaps = client.get("/api/v1/insight/gaps").json()
    assert len(gaps) == 24 and gaps[0]["rank"] == 1
    tools = next(g for g in gaps if g["node"] == "tools")
    assert (tools["local"], tools["target"], tools["gap"]) == (1, 10, 9)
    assert client.get("/api/v1/insight/gaps?district=火星").status_code == 422
    prospects = client.get("/api/v1/insight/gaps/ai_micro_drama/tools/prospects").json()
    assert "浦江数字人" in [p["name"] for p in prospects]
    assert client.get("/api/v1/insight/gaps/ai_micro_drama/nope/prospects").status_code == 404


def test_a_placement_decided_and_a_stale_one_refused(
    login_client: Any, caseworker: Any, leader: Any, firms: Any
) -> None:
    placement = firms["placement"]
    url = f"/api/v1/insight/placements/{placement.pk}/decision"
    assert login_client(leader).post(url, {"decision": "confirm", "expected_version": 1},
                                     content_type="application/json").status_code == 403  # fmt: skip
    ok = login_client(caseworker).post(url, {"decision": "confirm", "expected_version": 1},
                                       content_type="application/json")  # fmt: skip
    assert ok.status_code == 200, ok.content
    assert (ok.json()["status"], ok.json()["status_label"]) == ("confirmed", "已确认")
    stale = login_client(caseworker).post(url, {"decision": "reject", "expected_version": 1},
                                          content_type="application/json")  # fmt: skip
    assert stale.status_code == 409
    page = login_client(caseworker).get("/api/v1/insight/placements?status=confirmed").json()
    assert page["count"] == 2


def test_a_relation_recorded(login_client: Any, caseworker: Any, firms: Any, make_user: Any) -> None:
    body = {"source_id": firms["tools"].pk, "target_id": firms["studio"].pk, "kind": "supplier",
            "source_note": "2026年走访记录"}  # fmt: skip
    answer = login_client(caseworker).post("/api/v1/insight/relations", body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["kind_label"] == "供应商"
    assert Relation.objects.count() == 1
    again = login_client(caseworker).post("/api/v1/insight/relations", body, content_type="application/json")
    assert again.status_code == 422
    self_body = {**body, "target_id": firms["tools"].pk}
    assert login_client(caseworker).post("/api/v1/insight/relations", self_body,
                                         content_type="application/json").status_code == 422  # fmt: skip
    officer = make_user(Role.OFFICER)
    assert login_client(officer).post("/api/v1/insight/relations", body,
                                      content_type="application/json").status_code == 403  # fmt: skip

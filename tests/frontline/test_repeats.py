"""Likely repeats: the labelled pairs (precision and recall of `likely`), the candidates of a new demand from
the database, and the htmx fragment the receiver's form asks."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from django.urls import reverse

from shouzhan.core.roles import Role
from shouzhan.frontline import services
from shouzhan.frontline.models import Demand
from shouzhan.frontline.repeats import DemandText, idf_table, pair_score, repeat_candidates, similarity, terms

D = dt.date
PAIRS = yaml.safe_load((Path(__file__).parent / "data" / "repeat_pairs.yaml").read_text(encoding="utf-8"))
NOISE = "园区门口工地夜间施工噪音扰民，晚上十一点后还在打桩"
NOISE_AGAIN = "晚上11点以后隔壁工地还在打桩施工，噪声太大，员工无法加班"
GATE = "漕溪北路88号"


def _side(d: dict[str, Any]) -> DemandText:
    return DemandText(d["text"], d["category"], d["enterprise"], d.get("place") or "")


# ----------------------------------------------------------------------------- the labelled set
def test_the_labelled_set_is_varied() -> None:
    labels = Counter(p["repeat"] for p in PAIRS)
    categories = {p[k]["category"] for p in PAIRS for k in "ab"}
    assert len(PAIRS) >= 60 and labels[True] >= 25 and labels[False] >= 25
    assert {"environment", "traffic", "licence", "space", "talent", "water", "financing"} <= categories
    hard = [p for p in PAIRS if not p["repeat"] and p["a"]["category"] == p["b"]["category"]]
    assert len(hard) >= 20  # the same category, another problem


def test_precision_and_recall_of_likely_over_the_labelled_pairs() -> None:
    texts = {p[k]["text"]: terms(p[k]["text"]) for p in PAIRS for k in "ab"}
    weights = idf_table(texts.values())  # idf over the texts compared together, as the pool is
    tp = fp = fn = 0
    for p in PAIRS:
        likely = pair_score(_side(p["a"]), _side(p["b"]), weights=weights).likely
        tp += likely and p["repeat"]
        fp += likely and not p["repeat"]
        fn += (not likely) and p["repeat"]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"repeat suggestion over {len(PAIRS)} pairs: precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.9
    assert recall >= 0.8


def test_a_pair_in_words() -> None:
    a = DemandText(NOISE, "environment", "光合剧场", GATE)
    b = DemandText(NOISE_AGAIN, "environment", "光合剧场", "漕溪北路 88号")
    pair = pair_score(a, b)
    assert pair.likely and pair.words == ("夜间", "噪音", "工地")
    assert pair.reasons == ("同一企业", "同一地点", "同一类别", "描述相近：夜间、噪音、工地")
    assert pair.score == min(1.0, round(0.7 * pair.text + 0.3, 4))
    other = pair_score(a, DemandText("园区门口垃圾桶满溢，夏天异味严重", "environment", "光合剧场", GATE))
    assert not other.likely and other.reasons[:3] == ("同一企业", "同一地点", "同一类别")


def test_similarity_is_symmetric_and_bounded() -> None:
    assert similarity(NOISE, NOISE) == 1.0
    assert similarity(NOISE, NOISE_AGAIN) == similarity(NOISE_AGAIN, NOISE) > 0.3
    assert similarity(NOISE, "申请创业担保贷款三个月没有银行对接") == 0.0
    assert similarity("", NOISE) == 0.0
    assert terms("晚上噪声扰民") == ["夜间", "噪音", "扰民"]  # synonyms put to one form


# ----------------------------------------------------------------------------- from the database
def _close(demand: Demand, urban: Any, receiver: Any, on: D) -> None:
    demand = services.ticket_accept(actor=urban, demand=demand, expected_version=demand.version, on=on)
    demand = services.ticket_reply(
        actor=urban, demand=demand, answer="已责令夜间停工", expected_version=demand.version, on=on
    )
    services.follow_up_record(
        actor=receiver, demand=demand, resolved=True, satisfaction="satisfied", channel="phone", on=on
    )


@pytest.mark.django_db
def test_candidates_of_a_new_demand(
    record: Any, firm: Any, make_enterprise: Any, urban: Any, receiver: Any
) -> None:
    other, _owner = make_enterprise("云帆科技")
    first = record(text=NOISE, on=D(2026, 11, 2), place=GATE)
    rubbish = record(text="园区门口垃圾桶满溢，夏天异味严重，请增加清运次数", on=D(2026, 11, 3), place=GATE)
    record("licence", "营业执照地址变更一直办不下来", on=D(2026, 11, 3))
    neighbour = record(text="漕溪北路88号旁边工地夜间打桩噪音太大", on=D(2026, 11, 4), enterprise=other)
    old_open = record(text="园区门口工地夜间施工噪音扰民", on=D(2026, 6, 1), place=GATE)
    old_closed = record(text="园区门口工地夜间施工噪音扰民", on=D(2026, 6, 2), place=GATE)
    _close(old_closed, urban, receiver, D(2026, 6, 3))
    found = repeat_candidates(
        description=NOISE_AGAIN,
        category="environment",
        enterprise_id=firm[0].pk,
        place=GATE,
        on=D(2026, 11, 5),
    )
    assert [(c.demand_id, c.likely) for c in found] == [
        (first.pk, True),
        (old_open.pk, True),
        (neighbour.pk, True),
    ]
    best = found[0]
    assert best.reasons == ("同一企业", "同一地点", "同一类别", "描述相近：夜间、打桩、施工")
    assert (best.title, best.state, best.enterprise, best.place, best.received_on) == (
        "市容环境与秩序：园区门口工地夜间施工噪音扰民，晚上十一点后还在打桩",
        "已派单·待签收",
        "光合剧场",
        GATE,
        D(2026, 11, 2),
    )
    assert 0 < found[2].score < found[1].score < best.score <= 1
    assert found[2].reasons[:1] == ("同一类别",) and found[2].enterprise == "云帆科技"
    assert rubbish.pk not in {c.demand_id for c in found}
    # the first one itself, being looked at: itself left out; limit honoured
    again = repeat_candidates(
        description=NOISE,
        category="environment",
        enterprise_id=firm[0].pk,
        place=GATE,
        on=D(2026, 11, 5),
        exclude_id=first.pk,
        limit=1,
    )
    assert [c.demand_id for c in again] == [old_open.pk]


@pytest.mark.django_db
def test_a_closed_demand_counts_only_while_recent(record: Any, firm: Any, urban: Any, receiver: Any) -> None:
    closed = record(text=NOISE, on=D(2026, 9, 1), place=GATE)
    _close(closed, urban, receiver, D(2026, 9, 2))
    ask = {"description": NOISE_AGAIN, "category": "environment", "enterprise_id": firm[0].pk, "place": GATE}
    assert [c.demand_id for c in repeat_candidates(**ask, on=D(2026, 10, 31))] == [closed.pk]  # 60 days
    assert repeat_candidates(**ask, on=D(2026, 11, 1)) == []  # 61 days: closed and no longer recent
    assert repeat_candidates(**ask, on=D(2026, 8, 31)) == []  # received after the day asked about
    assert repeat_candidates(**{**ask, "description": "  "}, on=D(2026, 10, 1)) == []


@pytest.mark.django_db
def test_the_pool_is_one_query(record: Any, firm: Any, django_assert_num_queries: Any) -> None:
    for day in range(2, 12):
        record(text=f"园区门口工地夜间施工噪音扰民第{day}次", on=D(2026, 11, day), place=GATE)
    with django_assert_num_queries(1):
        found = repeat_candidates(
            description=NOISE,
            category="environment",
            enterprise_id=firm[0].pk,
            place=GATE,
            on=D(2026, 11, 20),
        )
    assert len(found) == 5 and all(c.likely for c in found)


# ----------------------------------------------------------------------------- the fragment
@pytest.mark.django_db
def test_the_fragment_for_the_receiver(
    record: Any, firm: Any, receiver: Any, login_client: Any, make_user: Any
) -> None:
    first = record(text=NOISE, place=GATE)
    url = reverse("frontline:repeat_candidates")
    params = {"description": NOISE_AGAIN, "category": "environment", "enterprise": firm[0].pk, "place": GATE}
    response = login_client(receiver).get(url, params, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-demand="{first.pk}"' in body and "很可能重复" in body and "同一企业" in body
    empty = login_client(receiver).get(url, {**params, "description": "申请创业担保贷款无人对接"})
    assert "没有发现相似的诉求" in empty.content.decode()
    by_name = login_client(receiver).get(url, {**params, "enterprise": "光合剧场"}).content.decode()
    assert f'data-demand="{first.pk}"' in by_name and "同一企业" in by_name  # as the form has it: the name
    unknown = login_client(receiver).get(url, {**params, "enterprise": "光合"}).content.decode()
    assert "同一企业" not in unknown and f'data-demand="{first.pk}"' in unknown  # typing: no enterprise yet
    assert login_client(receiver).get(url, {**params, "enterprise": "企" * 201}).status_code == 400
    assert login_client(receiver).get(url, {**params, "description": "长" * 3000}).status_code == 400
    assert login_client(firm[1]).get(url, params).status_code == 403  # an enterprise's member
    assert login_client(make_user(Role.LEADER)).get(url, params).status_code == 403
    assert Client().get(url, params).status_code == 302  # anonymous: to the login page

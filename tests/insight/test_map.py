"""The chain map's data and a node's panel, through map_data / node_detail and the pages: exact counts under
each filter, the cap on drawn enterprises, bad filters refused with a 400, staff only."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from shouzhan.core.roles import Role
from shouzhan.insight import mapdata
from shouzhan.insight.layout import chain_positions
from shouzhan.insight.mapdata import map_data, node_detail
from shouzhan.insight.models import Placement
from shouzhan.registry.models import Enterprise, Patent
from shouzhan.spaces.models import Resource, Site, Tenancy

CHAIN = "ai_micro_drama"
MIDSTREAM = ["tools", "assets", "script", "production"]
P, C, S = Placement.Status.CONFIRMED, Placement.Status.SUGGESTED, Placement.Status.REJECTED


def place(enterprise: Enterprise, node: str, status: str = P, confidence: int = 90) -> Placement:
    return Placement.objects.create(
        enterprise=enterprise, chain=CHAIN, node=node, status=status, confidence=confidence
    )


@pytest.fixture
def firms(insight_data: Any, make_enterprise: Callable[..., Any]) -> dict[str, Enterprise]:
    """光影 (徐汇, in the cluster, confirmed on production), 星河 (徐汇, outside, suggested on production),
    远山 (杨浦, in the cluster, confirmed on tools), 旧梦 (徐汇, rejected on production: never shown)."""
    made = {
        "光影": make_enterprise(
            "光影微短剧", district="徐汇", in_cluster=True, annual_revenue_fen=5_000_000_00, employees=40
        )[0],
        "星河": make_enterprise(
            "星河影视", district="徐汇", in_cluster=False, annual_revenue_fen=1_000_000_00
        )[0],
        "远山": make_enterprise(
            "远山智能体", district="杨浦", in_cluster=True, annual_revenue_fen=2_000_000_00
        )[0],
        "旧梦": make_enterprise("旧梦传媒", district="徐汇", in_cluster=True)[0],
    }
    place(made["光影"], "production")
    place(made["星河"], "production", C, 60)
    place(made["远山"], "tools")
    place(made["旧梦"], "production", S)
    return made


def _node(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(n for n in data["nodes"] if n["key"] == key)


def test_the_map_has_the_chain_its_edges_and_every_shown_placement(firms: Any, leader: Any) -> None:
    data = map_data(actor=leader, chain=CHAIN)
    keys = [n["key"] for n in data["nodes"]]
    assert keys == [
        "compute",
        "models",
        "tools",
        "assets",
        "script",
        "production",
        "distribution",
        "overseas",
        "tourism",
    ]
    assert len(data["edges"]) == 10
    assert {"source": "n:tools", "target": "n:production", "label": ""} in data["edges"]
    assert (data["total"], data["shown"], data["left_out"], data["limit"]) == (3, 3, 0, 2000)
    production = _node(data, "production")
    assert (production["x"], production["y"]) == (460.0, 480.0)
    assert (production["confirmed"], production["suggested"], production["shown"]) == (1, 1, 2)
    assert (production["target"], production["strength"], production["band"]) == (20, 5, "weak")
    assert production["revenue_fen"] == 5_000_000_00
    assert production["revenue_words"] == "500 万元"
    assert production["url"] == reverse("insight:node", kwargs={"chain": CHAIN, "node": "production"})
    assert _node(data, "compute")["band"] == "weak"  # target 5, none confirmed
    # Confirmed first, then suggestions; each linked to its node; the rejected one is absent.
    names = [(e["name"], e["node"], e["status"]) for e in data["enterprises"]]
    assert names == [
        ("光影微短剧", "production", P),
        ("远山智能体", "tools", P),
        ("星河影视", "production", C),
    ]
    assert data["links"] == [{"source": e["id"], "target": f"n:{e['node']}"} for e in data["enterprises"]]
    # The positions are the layout's.
    centres = chain_positions([(n["key"], n["stage"]) for n in data["nodes"]])
    assert all((n["x"], n["y"]) == centres[n["key"]] for n in data["nodes"])
    assert data["enterprises"][0]["x"] == 460.0 + 80.0  # the first on production, at angle 0
    json.dumps(data)  # plain JSON


@pytest.mark.parametrize(
    ("filters", "total", "production", "tools"),
    [
        ({"district": "徐汇"}, 2, (1, 1), 0),
        ({"district": "杨浦"}, 1, (0, 0), 1),
        ({"district": "闵行"}, 0, (0, 0), 0),
        ({"cluster": "in"}, 2, (1, 0), 1),
        ({"cluster": "out"}, 1, (0, 1), 0),
        ({"cluster": "all"}, 3, (1, 1), 1),
        ({"district": "徐汇", "cluster": "in"}, 1, (1, 0), 0),
        ({"stage": "midstream"}, 3, (1, 1), 1),
    ],
)
def test_filters_by_district_cluster_and_stage(
    firms: Any, leader: Any, filters: dict[str, str], total: int, production: tuple[int, int], tools: int
) -> None:
    data = map_data(actor=leader, chain=CHAIN, **filters)
    assert data["total"] == total == len(data["enterprises"])
    node = _node(data, "production")
    assert (node["confirmed"], node["suggested"]) == production
    assert _node(data, "tools")["confirmed"] == tools


def test_the_stage_filter_keeps_that_column_and_the_edges_within_it(firms: Any, leader: Any) -> None:
    data = map_data(actor=leader, chain=CHAIN, stage="midstream")
    assert [n["key"] for n in data["nodes"]] == MIDSTREAM
    assert {(e["source"], e["target"]) for e in data["edges"]} == {
        ("n:tools", "n:production"),
        ("n:tools", "n:assets"),
        ("n:assets", "n:production"),
        ("n:script", "n:production"),
    }
    assert _node(data, "tools")["x"] == 0.0  # one column
    upstream = map_data(actor=leader, chain=CHAIN, stage="upstream")
    assert [n["key"] for n in upstream["nodes"]] == ["compute", "models"]
    assert (upstream["total"], upstream["enterprises"], upstream["edges"]) == (
        0,
        [],
        [{"source": "n:compute", "target": "n:models", "label": ""}],
    )


def test_strength_bands_and_node_sizes(firms: Any, leader: Any, make_enterprise: Callable[..., Any]) -> None:
    # Three more confirmed on compute (target 5): 3 × 100 // 5 = 60 % — growing.
    for i in range(3):
        place(make_enterprise(f"算力{i}", district="徐汇")[0], "compute")
    data = map_data(actor=leader, chain=CHAIN)
    compute = _node(data, "compute")
    assert (compute["strength"], compute["band"], compute["colour"]) == (60, "growing", "#dd8b1f")
    assert compute["size"] == 48.0  # the most confirmed: the largest
    assert _node(data, "production")["size"] == round(18 + 30 * (1 / 3) ** 0.5, 1)
    assert _node(data, "script")["size"] == 18.0
    by_revenue = map_data(actor=leader, chain=CHAIN, size_by="revenue")
    assert _node(by_revenue, "production")["size"] == 48.0  # 500 万元, the largest revenue
    assert _node(by_revenue, "compute")["size"] == 18.0  # no revenue known
    assert mapdata.strength_band(5, 5)[:2] == ("strong", "#276749")
    assert mapdata.strength_band(4, 5)[0] == "near"
    assert mapdata.strength_band(3, 0) == ("none", "#8a94a3", None)


def test_at_most_the_limit_is_drawn_and_the_rest_is_counted(
    firms: Any, leader: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mapdata, "MAX_ENTERPRISES", 2)
    data = map_data(actor=leader, chain=CHAIN)
    assert (data["total"], data["shown"], data["left_out"]) == (3, 2, 1)
    assert {e["status"] for e in data["enterprises"]} == {P}  # the suggestion is the one left out
    assert _node(data, "production")["shown"] == 1
    assert _node(data, "production")["suggested"] == 1  # still counted


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"district": "火星"}, "district"),
        ({"cluster": "maybe"}, "cluster"),
        ({"stage": "sideways"}, "stage"),
        ({"size_by": "height"}, "size_by"),
    ],
)
def test_bad_filters_are_refused_with_a_reason(
    firms: Any, leader: Any, login_client: Callable[..., Any], filters: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        map_data(actor=leader, chain=CHAIN, **filters)
    assert list(caught.value.message_dict) == [field]
    client = login_client(leader)
    page = client.get(reverse("insight:map"), {"chain": CHAIN, **filters})
    assert page.status_code == 400
    assert "筛选条件有误" in page.content.decode()
    assert caught.value.message_dict[field][0] in page.content.decode()
    api = client.get(reverse("insight:map_data"), {"chain": CHAIN, **filters})
    assert api.status_code == 400
    assert list(api.json()["errors"]) == [field]
    node = reverse("insight:node", kwargs={"chain": CHAIN, "node": "production"})
    if field in ("district", "cluster"):
        assert client.get(node, filters, HTTP_HX_REQUEST="true").status_code == 400
        assert client.get(node, filters).status_code == 400


def test_unknown_chain_or_node_is_404(firms: Any, leader: Any, login_client: Callable[..., Any]) -> None:
    with pytest.raises(Http404):
        map_data(actor=leader, chain="no_such_chain")
    with pytest.raises(Http404):
        node_detail(actor=leader, chain=CHAIN, node="no_such_node")
    client = login_client(leader)
    assert client.get(reverse("insight:map"), {"chain": "no_such_chain"}).status_code == 404
    assert client.get(reverse("insight:map_data"), {"chain": "no_such_chain"}).status_code == 404
    assert client.get(reverse("insight:node", kwargs={"chain": CHAIN, "node": "nope"})).status_code == 404
    assert client.get(reverse("insight:node", kwargs={"chain": "nope", "node": "tools"})).status_code == 404


def test_only_the_centres_staff_read_the_map(
    firms: Any, make_user: Callable[..., Any], login_client: Callable[..., Any]
) -> None:
    founder = make_user(Role.ENTREPRENEUR)
    with pytest.raises(PermissionDenied):
        map_data(actor=founder, chain=CHAIN)
    with pytest.raises(PermissionDenied):
        node_detail(actor=founder, chain=CHAIN, node="production")
    client = login_client(founder)
    assert client.get(reverse("insight:map")).status_code == 403
    assert client.get(reverse("insight:map_data"), {"chain": CHAIN}).status_code == 403
    assert client.get(reverse("insight:node", kwargs={"chain": CHAIN, "node": "tools"})).status_code == 403


def test_the_map_reads_a_constant_number_of_queries(
    firms: Any, leader: Any, make_enterprise: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    for i in range(20):
        place(make_enterprise(f"批量{i}", district="徐汇")[0], MIDSTREAM[i % 4], C if i % 2 else P)
    with django_assert_max_num_queries(6):
        data = map_data(actor=leader, chain=CHAIN, district="徐汇")
    assert data["total"] == 22


def test_a_two_thousand_node_view_is_built_well_under_half_a_second(insight_data: Any, leader: Any) -> None:
    rows = Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=f"规模企业{i}", district="徐汇", in_cluster=i % 3 != 0, annual_revenue_fen=i * 1000
            )
            for i in range(2400)
        ]
    )
    keys = [
        "compute",
        "models",
        "tools",
        "assets",
        "script",
        "production",
        "distribution",
        "overseas",
        "tourism",
    ]
    Placement.objects.bulk_create(
        [
            Placement(
                enterprise=e, chain=CHAIN, node=keys[i % 9], status=P if i % 4 else C, confidence=i % 100
            )
            for i, e in enumerate(rows)
        ]
    )
    map_data(actor=leader, chain=CHAIN)  # warm (imports, the chain's rows)
    started = time.perf_counter()
    data = map_data(actor=leader, chain=CHAIN)
    elapsed = time.perf_counter() - started
    assert (data["total"], data["shown"], data["left_out"]) == (2400, 2000, 400)
    print(f"map_data, 2,400 placements, 2,000 drawn: {elapsed * 1000:.0f} ms")
    assert elapsed < 0.5, elapsed


# ------------------------------------------------------------------------------------------------ the panel
@pytest.fixture
def panel_world(firms: dict[str, Enterprise], make_user: Callable[..., Any]) -> dict[str, Any]:
    """Two studios (one let), a matching and an expired patent, a market offer, and the policy catalogue."""
    from shouzhan.community.models import Listing
    from shouzhan.policies.services import catalogue_sync

    catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)
    site = Site.objects.create(name="光启影视基地", kind=Site.Kind.BASE, district="徐汇")
    free = Resource.objects.create(
        site=site, kind=Resource.Kind.STUDIO, name="1 号棚", unit=Resource.Unit.DAY
    )
    let = Resource.objects.create(
        site=site, kind=Resource.Kind.STUDIO, name="2 号棚", unit=Resource.Unit.MONTH
    )
    Resource.objects.create(site=site, kind=Resource.Kind.OFFICE, name="办公室 A", unit=Resource.Unit.MONTH)
    today = timezone.localdate()
    Tenancy.objects.create(
        enterprise=firms["光影"],
        resource=let,
        start_on=today - dt.timedelta(days=30),
        end_on=today + dt.timedelta(days=300),
        months=11,
        monthly_fee_fen=1000_00,
    )
    Patent.objects.create(number="CN1", title="一种微短剧智能分镜方法", holder_enterprise=firms["光影"])
    Patent.objects.create(
        number="CN2", title="竖屏剧拍摄装置", status=Patent.Status.EXPIRED, holder_enterprise=firms["光影"]
    )
    Patent.objects.create(number="CN3", title="一种锂电池", holder_enterprise=firms["光影"])
    offer = Listing.objects.create(
        direction=Listing.Direction.OFFER,
        owner_enterprise=firms["星河"],
        title="AI 短剧生成引擎",
        abstract="文本生成视频",
        field="人工智能",
    )
    return {"free": free, "offer": offer}


def test_a_nodes_panel_lists_its_enterprises_clauses_spaces_patents_and_demands(
    panel_world: dict[str, Any], leader: Any, firms: dict[str, Enterprise]
) -> None:
    from shouzhan.policies.selectors import clause_heading

    panel = node_detail(actor=leader, chain=CHAIN, node="production")
    assert (panel.confirmed, panel.suggested, panel.strength, panel.band) == (1, 1, 5, "weak")
    assert [(e.name, e.status, e.revenue, e.district) for e in panel.enterprises] == [
        ("光影微短剧", P, "500 万元", "徐汇"),
        ("星河影视", C, "100 万元", "徐汇"),
    ]
    assert panel.gap_url == reverse("insight:gap", kwargs={"chain": CHAIN, "node": "production"})
    assert panel.enterprises[0].url == reverse("registry:enterprise", kwargs={"pk": firms["光影"].pk})
    expected = [
        clause_heading(clause_id=c)
        for c in ("hu8.excellent_drama", "hu8.production_entity", "xuhui.excellent_work")
    ]
    assert [c.title for c in panel.clauses] == [h for h in expected if h]
    assert panel.clauses and all(" · " in c.title for c in panel.clauses)
    assert [s.title for s in panel.spaces] == [
        "光启影视基地 · 1 号棚"
    ]  # the let studio and the office are not
    assert panel.spaces_total == 1
    assert [p.title for p in panel.patents] == ["一种微短剧智能分镜方法"]
    assert [item.title for item in panel.listings] == ["AI 短剧生成引擎"]
    assert panel.listings[0].url == reverse("community:listing", kwargs={"pk": panel_world["offer"].pk})
    assert panel.demands == []

    within = node_detail(actor=leader, chain=CHAIN, node="production", district="徐汇", cluster="in")
    assert [e.name for e in within.enterprises] == ["光影微短剧"]
    assert within.gap_url.endswith("/production/?district=%E5%BE%90%E6%B1%87")


def test_open_demands_of_the_nodes_enterprises_or_naming_its_keywords(
    panel_world: dict[str, Any], leader: Any, firms: dict[str, Enterprise], caseworker: Any
) -> None:
    from shouzhan.frontline import services as frontline

    frontline.frontline_data_load(actor="system:test")
    own = frontline.demand_record(
        actor=caseworker,
        source="desk",
        category="environment",
        description="园区门口夜间施工噪音扰民",
        enterprise=firms["光影"],
    )
    named = frontline.demand_record(
        actor=caseworker,
        source="desk",
        category="environment",
        description="希望协调微短剧取景拍摄许可",
        requester_name="王先生",
    )
    frontline.demand_record(
        actor=caseworker,
        source="desk",
        category="environment",
        description="路灯坏了",
        enterprise=firms["远山"],
    )
    panel = node_detail(actor=leader, chain=CHAIN, node="production")
    assert [d.url for d in panel.demands] == [
        reverse("frontline:demand", kwargs={"pk": named.pk}),
        reverse("frontline:demand", kwargs={"pk": own.pk}),
    ]


def test_the_pages_the_map_and_the_panel_partial_and_full(
    panel_world: dict[str, Any], leader: Any, login_client: Callable[..., Any], firms: dict[str, Enterprise]
) -> None:
    client = login_client(leader)
    page = client.get(reverse("insight:map"), {"district": "徐汇"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="chain-map"' in html and "insight/vendor/echarts.min.js" in html and "insight/map.js" in html
    assert 'data-url="/insight/map/data/?chain=ai_micro_drama&amp;district=%E5%BE%90%E6%B1%87"' in html
    assert "图上 2 家企业，共 2 家" in html
    assert "薄弱（不足目标的 30%）" in html  # the legend in words
    assert 'id="chain-map-data"' in html
    api = client.get(reverse("insight:map_data"), {"district": "徐汇"})
    assert api.status_code == 200 and api.json()["total"] == 2

    url = reverse("insight:node", kwargs={"chain": CHAIN, "node": "production"})
    partial = client.get(url, {"district": "徐汇"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in body and "光影微短剧" in body and "星河影视" in body and "远山智能体" not in body
    assert reverse("registry:enterprise", kwargs={"pk": firms["光影"].pk}) in body
    assert "1 号棚" in body and "一种微短剧智能分镜方法" in body and "AI 短剧生成引擎" in body
    assert "没有与这个环节相关的未办结诉求。" in body  # the empty state
    full = client.get(url)
    assert full.status_code == 200
    assert "<html" in full.content.decode() and 'id="node-panel-body"' in full.content.decode()

    empty = client.get(
        reverse("insight:node", kwargs={"chain": CHAIN, "node": "script"}), HTTP_HX_REQUEST="true"
    )
    text = empty.content.decode()
    assert "筛选范围内还没有企业落在这个环节。" in text
    assert "没有与这个环节相关的未办结诉求。" in text


def test_the_map_page_before_any_chain_is_published(
    db: Any, leader: Any, login_client: Callable[..., Any]
) -> None:
    page = login_client(leader).get(reverse("insight:map"))
    assert page.status_code == 200
    assert "还没有发布产业链数据。" in page.content.decode()

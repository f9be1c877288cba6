"""强链补链: the gaps of a fixture of two chains ranked in the exact expected order with exact scores, the
factors as defined, and each node's 招商 list with its evidence in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from shouzhan.community.models import Listing
from shouzhan.core.roles import Role
from shouzhan.insight.gaps import gap_get, gap_prospects, gap_report
from shouzhan.insight.models import ChainNode, ChainVersion, Placement
from shouzhan.policies.services import catalogue_sync
from shouzhan.registry.models import Patent, Person
from shouzhan.spaces.models import Booking, Resource, Site, Tenancy

from .conftest import SYSTEM

CONFIRMED, SUGGESTED, REJECTED = (
    Placement.Status.CONFIRMED,
    Placement.Status.SUGGESTED,
    Placement.Status.REJECTED,
)

# (chain, key, title, stage, target, clauses, space kinds, keywords, sectors)
NODES = [
    ("a_chain", "n1", "数字人", "midstream", 4, ["hu8.agent_rd", "xuhui.agent_rd", "gone.clause"], ["desk"],
     ["数字人", "AIGC"], ["ai_agent"]),
    ("a_chain", "n2", "微短剧制作", "midstream", 5, [], ["studio"], ["短剧"], []),
    ("a_chain", "n3", "算力服务", "upstream", 2, ["xuhui.compute_voucher"], ["office"], ["算力"], []),
    ("a_chain", "n4", "周边", "downstream", 0, [], [], ["周边"], []),
    ("b_chain", "m1", "大模型", "upstream", 3, ["xuhui.model_voucher"], ["office"], ["大模型"], []),
    ("b_chain", "m2", "脑机接口", "midstream", 2, [], [], ["脑机接口"], []),
    ("b_chain", "m3", "康复", "downstream", 1, [], [], ["康复"], []),
]  # fmt: skip


def _chains() -> None:
    for key, title in (("a_chain", "甲产业链"), ("b_chain", "乙产业链")):
        ChainVersion.objects.create(chain=key, number=1, title=title, source_file=f"{key}.yaml", digest=key)
    old = ChainVersion.objects.create(
        chain="a_chain", number=0, title="旧版", source_file="a.yaml", digest="0"
    )
    ChainNode.objects.create(version=old, key="n1", title="旧环节", stage="upstream", target_count=99)
    versions = {v.chain: v for v in ChainVersion.objects.filter(number=1)}
    for i, (chain, key, title, stage, target, clauses, spaces, keywords, sectors) in enumerate(NODES):
        ChainNode.objects.create(
            version=versions[chain], key=key, title=title, stage=stage, target_count=target, clauses=clauses,
            space_kinds=spaces, keywords=keywords, sectors=sectors, order=i,
        )  # fmt: skip


def _spaces(tenant: Any) -> None:
    today = timezone.localdate()
    xuhui = Site.objects.create(name="徐汇基地", district="徐汇")
    yangpu = Site.objects.create(name="杨浦基地", district="杨浦")
    month = Resource.Unit.MONTH
    desks = [Resource.objects.create(site=xuhui, kind="desk", unit=month, name=f"工位{i}") for i in (1, 2, 3)]
    Resource.objects.create(site=xuhui, kind="desk", unit=month, name="停用工位", is_active=False)
    Resource.objects.create(site=yangpu, kind="desk", unit=month, name="杨浦工位")
    Tenancy.objects.create(
        enterprise=tenant,
        resource=desks[0],
        start_on=today - dt.timedelta(days=30),
        end_on=today + dt.timedelta(days=30),
        months=2,
        monthly_fee_fen=0,
    )
    Tenancy.objects.create(
        enterprise=tenant,
        resource=desks[1],
        start_on=today - dt.timedelta(days=60),
        end_on=today,
        months=2,
        monthly_fee_fen=0,
    )  # ended: free again today
    studio = Resource.objects.create(site=xuhui, kind="studio", name="一号棚")
    start = timezone.make_aware(dt.datetime.combine(today, dt.time(10)))
    Booking.objects.create(
        resource=studio,
        enterprise=tenant,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        blocked_until=start + dt.timedelta(hours=2),
    )
    Resource.objects.bulk_create(
        Resource(site=xuhui, kind="office", unit=month, name=f"办公室{i:02d}") for i in range(11)
    )  # fmt: skip


def gap_world_build(make_enterprise: Callable[..., Any]) -> dict[str, Any]:
    """Two chains of 7 nodes with known targets, placements, clauses, free spaces, patents and listings."""
    catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)
    _chains()

    def ent(name: str, district: str, in_cluster: bool | None, **facts: Any) -> Any:
        return make_enterprise(name=name, district=district, in_cluster=in_cluster, **facts)[0]

    local = ent("本地数字人公司", "徐汇", True, annual_revenue_fen=1_000_000, description="数字人")
    c1 = ent("本地算力一", "徐汇", True, annual_revenue_fen=300)
    c2 = ent("本地算力二", "徐汇", True)
    c3 = ent("本地算力三", "徐汇", True)
    out_sector = ent("杨浦智能体公司", "杨浦", None, sector="ai_agent", description="做数字人直播")
    xuhui_outside = ent("星AIGC工作室", "徐汇", False)
    suggested = ent("闵行建议企业", "闵行", True)
    other = ent("杨浦无关公司", "杨浦", None, description="餐饮")
    rejected = ent("被否定公司", "浦东新区", None)
    brain = ent("本地脑机接口", "徐汇", True)
    for enterprise, chain, node, status in [
        (local, "a_chain", "n1", CONFIRMED),
        (c1, "a_chain", "n3", CONFIRMED),
        (c2, "a_chain", "n3", CONFIRMED),
        (c3, "a_chain", "n3", SUGGESTED),  # a suggestion does not count
        (xuhui_outside, "a_chain", "n1", CONFIRMED),  # outside the cluster: not local, a prospect
        (out_sector, "a_chain", "n2", CONFIRMED),  # outside the district: not local
        (suggested, "a_chain", "n1", SUGGESTED),
        (rejected, "a_chain", "n1", REJECTED),
        (brain, "b_chain", "m2", CONFIRMED),
    ]:
        Placement.objects.create(enterprise=enterprise, chain=chain, node=node, status=status, confidence=80)
    wang = Person.objects.create(name="王发明")
    for number, title, fld, abstract, holder in [
        ("CN001", "数字人驱动方法", "", "基于AIGC的表情生成", other),
        ("CN002", "一种渲染装置", "AIGC", "", other),
        ("CN003", "表情迁移", "", "数字人表情", wang),
        ("CN004", "旧数字人", "", "", wang),  # expired: not listed
        ("CN005", "本地数字人", "", "", local),  # a local cluster enterprise: not listed
    ]:
        status = Patent.Status.EXPIRED if number == "CN004" else Patent.Status.GRANTED
        owner = {"holder_person": holder} if isinstance(holder, Person) else {"holder_enterprise": holder}
        Patent.objects.create(
            number=number, title=title, field=fld, abstract=abstract, status=status, **owner
        )
    offer, need = Listing.Direction.OFFER, Listing.Direction.NEED
    for direction, title, status, owner in [
        (offer, "AIGC 数字人生成", Listing.Status.ACTIVE, {"owner_person": wang}),
        (need, "求数字人技术", Listing.Status.ACTIVE, {"owner_person": wang}),
        (offer, "数字人旧成果", Listing.Status.CLOSED, {"owner_person": wang}),
        (offer, "本地数字人成果", Listing.Status.ACTIVE, {"owner_enterprise": local}),
    ]:
        Listing.objects.create(direction=direction, title=title, abstract="—", field="人工智能", status=status,
                               **owner)  # fmt: skip
    _spaces(other)
    return {"local": local, "out_sector": out_sector, "xuhui_outside": xuhui_outside, "suggested": suggested,
            "other": other, "wang": wang}  # fmt: skip


@pytest.fixture
def gap_world(db: Any, make_enterprise: Callable[..., Any]) -> dict[str, Any]:
    return gap_world_build(make_enterprise)


def test_gaps_ranked_in_the_expected_order_with_exact_scores(gap_world: dict[str, Any]) -> None:
    report = gap_report(actor=SYSTEM)
    rows = [(g.chain, g.node.key, g.local, g.target, g.gap, g.absence, g.support, g.space, g.score)
            for g in report.rows]  # fmt: skip
    F = Fraction
    assert rows == [
        # m1: absent (3/3), 1 clause in force, 11 free offices counted as 10 → 1 × 2 × 2
        ("b_chain", "m1", 0, 3, 3, F(1), F(2), F(2), F(4)),
        # n1: 1 of 4 local, 2 of 3 clauses in force (one not in the catalogue), desks 2 and 3 free
        ("a_chain", "n1", 1, 4, 3, F(3, 4), F(3), F(6, 5), F(27, 10)),
        # n2 and m3 tie at 1: chain order first (a_chain before b_chain); the studio is booked today
        ("a_chain", "n2", 0, 5, 5, F(1), F(1), F(1), F(1)),
        ("b_chain", "m3", 0, 1, 1, F(1), F(1), F(1), F(1)),
        ("b_chain", "m2", 1, 2, 1, F(1, 2), F(1), F(1), F(1, 2)),
        # n3 at its target and n4 without one: 0, in node order
        ("a_chain", "n3", 2, 2, 0, F(0), F(2), F(2), F(0)),
        ("a_chain", "n4", 0, 0, 0, F(0), F(1), F(1), F(0)),
    ]
    assert [g.rank for g in report.rows] == [1, 2, 3, 4, 5, 6, 7]
    by_key = {g.node.key: g for g in report.rows}
    assert by_key["n1"].revenue_fen == 1_000_000 and by_key["n3"].revenue_fen == 300
    assert [c.id for c in by_key["n1"].clauses] == ["hu8.agent_rd", "xuhui.agent_rd"]
    assert [s.name for s in by_key["n1"].free] == ["工位2", "工位3"]
    assert report.district == "徐汇"


def test_gaps_in_another_district(gap_world: dict[str, Any]) -> None:
    report = gap_report(actor=SYSTEM, district="杨浦")
    n1 = next(g for g in report.rows if g.node.key == "n1")
    assert (n1.local, n1.space, n1.score) == (0, Fraction(11, 10), Fraction(33, 10))  # 1 × 3 × 11/10
    with pytest.raises(ValidationError):
        gap_report(actor=SYSTEM, district="火星")


def test_gaps_query_count_does_not_grow_with_nodes(
    gap_world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    gap_report(actor=SYSTEM)  # the catalogue is cached after the first read
    with django_assert_max_num_queries(9):
        gap_report(actor=SYSTEM)


def test_prospects_with_their_evidence(gap_world: dict[str, Any]) -> None:
    prospects = gap_prospects(actor=SYSTEM, chain="a_chain", node="n1")
    got = [(p.kind, p.name, p.strength, p.where, p.evidence) for p in prospects]
    assert got == [
        ("enterprise", "星AIGC工作室", 5, "徐汇区 · 未入集聚区",
         ("链位已确认在“甲产业链 · 数字人”", "企业名称含关键词“AIGC”")),
        ("enterprise", "杨浦智能体公司", 3, "杨浦区", ("行业为“智能体”", "企业简介含关键词“数字人”")),
        ("enterprise", "闵行建议企业", 2, "闵行区 · 集聚区内", ("系统建议链位“甲产业链 · 数字人”（置信度 80%）",)),
        ("patent_owner", "杨浦无关公司", 3, "杨浦区",
         ("专利“数字人驱动方法”（CN001）含关键词“数字人”、“AIGC”", "专利“一种渲染装置”（CN002）含关键词“AIGC”")),
        ("patent_owner", "王发明", 1, "个人专利权人", ("专利“表情迁移”（CN003）含关键词“数字人”",)),
        ("listing", "AIGC 数字人生成", 2, "发布方：王发明", ("技术成果“AIGC 数字人生成”含关键词“数字人”、“AIGC”",)),
    ]  # fmt: skip
    assert prospects[0].enterprise_id == gap_world["xuhui_outside"].pk
    assert prospects[4].person_id == gap_world["wang"].pk


def test_gap_get_and_unknown_nodes(gap_world: dict[str, Any]) -> None:
    assert gap_get(actor=SYSTEM, chain="a_chain", node="n2").rank == 3
    for chain, node in (("a_chain", "m1"), ("no_chain", "n1"), ("a_chain", "nope")):
        with pytest.raises(Http404):
            gap_get(actor=SYSTEM, chain=chain, node=node)
        with pytest.raises(Http404):
            gap_prospects(actor=SYSTEM, chain=chain, node=node)


def test_only_staff_read_gaps(gap_world: dict[str, Any], make_user: Callable[..., Any]) -> None:
    gap_report(actor=make_user(Role.AUDITOR))
    with pytest.raises(PermissionDenied):
        gap_report(actor=make_user(Role.ENTREPRENEUR))
    with pytest.raises(PermissionDenied):
        gap_prospects(actor=make_user(Role.ENTREPRENEUR), chain="a_chain", node="n1")

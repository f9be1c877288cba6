"""Licences: offered by the holder, requested through the centre as a brokered case, granted or refused by
that case's outcome (the effect), ended; who may read them; exclusive grants that overlap; fees exact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from shouzhan.assets import audit_actions as aa
from shouzhan.assets import panels
from shouzhan.assets.models import Licence, Work
from shouzhan.assets.services.licences import (
    licence_end,
    licence_offer,
    licence_request,
    licences_for_work,
)
from shouzhan.assets.services.versions import version_register
from shouzhan.assets.services.works import work_create, work_publish
from shouzhan.cases.services import case_transition
from shouzhan.core.models import AuditEntry, Notification
from shouzhan.core.roles import Role
from tests.cases.samples import pdf

D = dt.date


@pytest.fixture(autouse=True)
def _registered() -> None:
    panels.register()  # AssetsConfig.ready() calls it once the lead wires it in


@pytest.fixture
def world(make_enterprise: Callable[..., Any], make_user: Callable[..., Any]) -> dict[str, Any]:
    holder, holder_user = make_enterprise(name="星河影业")
    buyer, buyer_user = make_enterprise(name="云帆传媒")
    other, other_user = make_enterprise(name="旁观科技")
    work = work_create(actor=holder_user, enterprise=holder, data={"kind": "series", "title": "星河少女"})
    v1 = version_register(actor=holder_user, work=work, filename="第一版.pdf", content=pdf("a"), finish=False)
    work_publish(actor=holder_user, work=work, published=True)
    return {
        "holder": holder,
        "holder_user": holder_user,
        "buyer": buyer,
        "buyer_user": buyer_user,
        "other": other,
        "other_user": other_user,
        "work": Work.objects.get(pk=work.pk),
        "v1": v1,
        "caseworker": make_user(role=Role.CASEWORKER),
    }


def _offer(w: dict[str, Any], **over: Any) -> Licence:
    kw: dict[str, Any] = {
        "actor": w["holder_user"],
        "work": w["work"],
        "versions": [w["v1"]],
        "scope": "adaptation",
        "exclusive": False,
        "territory": "中国大陆",
        "starts_on": D(2026, 1, 1),
        "ends_on": D(2026, 12, 31),
        "fee_fen": 1_234_567,
        "terms": "署名“星河影业”",
    }
    kw.update(over)
    return licence_offer(**kw)


def _move(case: Any, actor: Any, *actions: str, note: str = "") -> Any:
    for action in actions:
        case.refresh_from_db()
        case = case_transition(
            actor=actor, case=case, action=action, expected_version=case.version, note=note or "洽谈结果"
        )
    return case


def test_offer_request_and_grant_through_the_case(world: dict[str, Any]) -> None:
    offer = _offer(world)
    assert offer.state == "offered" and offer.holder_id == world["holder"].pk and offer.licensee_id is None
    assert list(offer.versions.all()) == [world["v1"]]

    req = licence_request(
        actor=world["buyer_user"], offer=offer, enterprise=world["buyer"], need="改编为 30 集微短剧"
    )
    assert req.state == "requested"
    assert (req.licensee_id, req.offer_id, req.fee_fen, req.territory) == (
        world["buyer"].pk,
        offer.pk,
        1_234_567,
        "中国大陆",
    )
    assert list(req.versions.all()) == [world["v1"]]
    case = req.case
    assert case is not None and case.case_type == "asset_licence" and case.enterprise_id == world["buyer"].pk
    assert case.data == {
        "work": "星河少女",
        "holder": "星河影业",
        "scope": "改编 / 二次创作",
        "territory": "中国大陆",
        "term": "2026-01-01 至 2026-12-31",
        "fee": "12,345.67",
        "need": "改编为 30 集微短剧",
    }
    assert case.related_id == str(req.pk)
    told = Notification.objects.filter(user=world["holder_user"], kind="licence")
    assert told.count() == 1
    assert told.get().message.startswith("云帆传媒 通过服务中心申请使用您的作品《星河少女》")
    assert told.get().url == reverse("assets:licence", args=[req.pk])

    _move(case, world["caseworker"], "accept", "start", "complete")
    req.refresh_from_db()
    assert req.state == "granted"
    offer.refresh_from_db()
    assert offer.state == "offered"  # the offer stays open for others
    actions = list(AuditEntry.objects.filter(target_id=str(req.pk), action__startswith="assets.licence_"))
    assert sorted(a.action for a in actions) == [aa.LICENCE_OUTCOME, aa.LICENCE_REQUEST]
    assert AuditEntry.objects.filter(action=aa.LICENCE_OFFER, target_id=str(offer.pk)).count() == 1
    # Both sides told of the outcome.
    assert Notification.objects.filter(user=world["buyer_user"], kind="licence").count() == 1


def test_refused_by_the_case(world: dict[str, Any]) -> None:
    req = licence_request(
        actor=world["buyer_user"], offer=_offer(world), enterprise=world["buyer"], need="海外发行"
    )
    _move(req.case, world["caseworker"], "accept", "reject", note="权利人不同意")
    req.refresh_from_db()
    assert req.state == "refused"


def test_changed_terms_on_request(world: dict[str, Any]) -> None:
    req = licence_request(
        actor=world["buyer_user"],
        offer=_offer(world),
        enterprise=world["buyer"],
        need="短视频平台",
        territory="全球",
        starts_on=D(2026, 3, 1),
        ends_on=D(2027, 2, 28),
        fee_fen=500_000,
    )
    assert (req.territory, req.starts_on, req.ends_on, req.fee_fen) == (
        "全球",
        D(2026, 3, 1),
        D(2027, 2, 28),
        500_000,
    )
    assert req.case.data["fee"] == "5,000.00" and req.case.data["term"] == "2026-03-01 至 2027-02-28"


def test_exclusive_overlap_refused_in_words(
    world: dict[str, Any], make_enterprise: Callable[..., Any]
) -> None:
    offer = _offer(world, exclusive=True)
    first = licence_request(
        actor=world["buyer_user"], offer=offer, enterprise=world["buyer"], need="独家改编"
    )
    _move(first.case, world["caseworker"], "accept", "start", "complete")
    first.refresh_from_db()
    assert first.state == "granted"
    with pytest.raises(ValidationError) as e:
        licence_request(
            actor=world["other_user"],
            offer=offer,
            enterprise=world["other"],
            need="也想改编",
            starts_on=D(2026, 6, 1),
            ends_on=D(2027, 5, 31),
        )
    assert e.value.messages == [
        "该作品在“中国大陆”的“改编 / 二次创作”已于 2026-01-01 至 2026-12-31 授权给云帆传媒（独占），"
        "期限重叠，不能再授予此许可。"
    ]
    assert Licence.objects.filter(licensee=world["other"]).count() == 0
    # After the exclusive term, or in another territory, it may be requested.
    later = licence_request(
        actor=world["other_user"],
        offer=offer,
        enterprise=world["other"],
        need="次年改编",
        starts_on=D(2027, 1, 1),
        ends_on=D(2027, 12, 31),
    )
    assert later.state == "requested"
    # A new exclusive offer over the granted term is refused too.
    with pytest.raises(ValidationError):
        _offer(world, exclusive=True, starts_on=D(2026, 12, 1), ends_on=D(2027, 1, 31))


def test_exclusive_overlap_checked_again_at_the_grant(world: dict[str, Any]) -> None:
    offer = _offer(world, exclusive=True)
    a = licence_request(actor=world["buyer_user"], offer=offer, enterprise=world["buyer"], need="甲")
    b = licence_request(actor=world["other_user"], offer=offer, enterprise=world["other"], need="乙")
    _move(a.case, world["caseworker"], "accept", "start", "complete")
    with pytest.raises(ValidationError, match="期限重叠"):
        _move(b.case, world["caseworker"], "accept", "start", "complete")
    b.refresh_from_db()
    assert b.state == "requested"


def test_checks(world: dict[str, Any], make_enterprise: Callable[..., Any]) -> None:
    with pytest.raises(ValidationError) as e:
        _offer(world, starts_on=D(2026, 5, 1), ends_on=D(2026, 4, 30), territory="  ", fee_fen=-1)
    assert e.value.message_dict == {
        "ends_on": ["终止日不能早于起始日。"],
        "territory": ["请填写授权地域。"],
        "fee": ["许可费不能为负数，也不能超过一万亿元。"],
    }
    other_work = work_create(
        actor=world["other_user"], enterprise=world["other"], data={"kind": "script", "title": "别家剧本"}
    )
    foreign = version_register(
        actor=world["other_user"], work=other_work, filename="x.pdf", content=pdf("x"), finish=False
    )
    with pytest.raises(ValidationError) as e:
        _offer(world, versions=[foreign])
    assert e.value.message_dict == {"versions": ["所选版本须是本作品登记的版本。"]}
    with pytest.raises(ValidationError) as e:
        _offer(world, fee_fen=True)
    assert e.value.message_dict == {"fee": ["许可费应为精确到分的金额。"]}
    # Only the holder offers; nobody requests their own work.
    with pytest.raises(PermissionDenied):
        _offer(world, actor=world["buyer_user"])
    offer = _offer(world)
    with pytest.raises(ValidationError) as e:
        licence_request(actor=world["holder_user"], offer=offer, enterprise=world["holder"], need="自用")
    assert e.value.messages == ["不能申请使用本企业自己的作品。"]
    with pytest.raises(PermissionDenied):  # in another enterprise's name
        licence_request(actor=world["buyer_user"], offer=offer, enterprise=world["other"], need="代申请")
    with pytest.raises(ValidationError) as e:
        licence_request(actor=world["buyer_user"], offer=offer, enterprise=world["buyer"], need=" ")
    assert e.value.message_dict == {"need": ["请说明用途（如何使用该作品）。"]}


def test_offer_on_unpublished_work_seen_only_once_published(world: dict[str, Any]) -> None:
    draft = work_create(
        actor=world["holder_user"], enterprise=world["holder"], data={"kind": "character", "title": "小青"}
    )
    version_register(
        actor=world["holder_user"], work=draft, filename="小青.pdf", content=pdf("q"), finish=False
    )
    offer = _offer(world, work=draft, versions=[])
    assert licences_for_work(actor=world["buyer_user"], work=draft)["offers"] == []
    with pytest.raises(Http404):  # not seen at all while the work is unpublished
        licence_request(actor=world["buyer_user"], offer=offer, enterprise=world["buyer"], need="周边")
    work_publish(actor=world["holder_user"], work=draft, published=True)
    draft.refresh_from_db()
    seen = licences_for_work(actor=world["buyer_user"], work=draft)
    assert [lic.pk for lic, _w in seen["offers"]] == [offer.pk] and seen["can_offer"] is False
    assert licences_for_work(actor=world["holder_user"], work=draft)["can_offer"] is True


def test_end(world: dict[str, Any]) -> None:
    offer = _offer(world)
    with pytest.raises(PermissionDenied):
        licence_end(actor=world["buyer_user"], licence=offer, reason="不是我的")
    ended = licence_end(actor=world["holder_user"], licence=offer, reason="作品改版")
    assert ended.state == "ended"
    entry = AuditEntry.objects.get(action=aa.LICENCE_END, target_id=str(offer.pk))
    assert entry.note == "作品改版"
    with pytest.raises(Http404):  # a withdrawn offer is no longer listed for others
        licence_request(actor=world["buyer_user"], offer=offer, enterprise=world["buyer"], need="晚了")


# ----------------------------------------------------------------------------- pages
def test_a_third_enterprise_cannot_read_a_granted_licence(
    world: dict[str, Any], login_client: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    req = licence_request(
        actor=world["buyer_user"], offer=_offer(world), enterprise=world["buyer"], need="改编"
    )
    _move(req.case, world["caseworker"], "accept", "start", "complete")
    url = reverse("assets:licence", args=[req.pk])
    assert login_client(world["other_user"]).get(url).status_code == 404
    for user in (world["holder_user"], world["buyer_user"], make_user(role=Role.LEADER)):
        page = login_client(user).get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert "12,345.67 元" in body and "云帆传媒" in body and "已授权" in body
    # The licensee (the case's applicant) sees the case link; the holder is told in words.
    assert (
        reverse("cases:detail", args=[req.case.pk])
        in login_client(world["buyer_user"]).get(url).content.decode()
    )
    # Not in the third enterprise's lists either.
    lists = (
        login_client(world["other_user"]).get(reverse("assets:licences") + "?tab=available").content.decode()
    )
    assert "云帆传媒" not in lists


def test_offer_form_fee_in_yuan_exact(world: dict[str, Any], login_client: Callable[..., Any]) -> None:
    client = login_client(world["holder_user"])
    url = reverse("assets:licence_offer", args=[world["work"].pk])
    assert client.get(url).status_code == 200
    data = {
        "versions": [str(world["v1"].pk)],
        "scope": "broadcast",
        "territory": "全球",
        "starts_on": "2026-02-01",
        "ends_on": "2027-01-31",
        "fee": "12,345.67",
        "terms": "",
    }
    page = client.post(url, data)
    assert page.status_code == 302
    lic = Licence.objects.get(work=world["work"], scope="broadcast")
    assert lic.fee_fen == 1234567 and lic.exclusive is False
    assert page["Location"] == reverse("assets:licence", args=[lic.pk])
    bad = client.post(url, {**data, "fee": "1e5"})
    assert bad.status_code == 200 and "不是有效金额" in bad.content.decode()
    bad = client.post(url, {**data, "ends_on": "2026-01-01"})
    assert "终止日不能早于起始日。" in bad.content.decode()
    # Another enterprise may not offer on this work.
    assert login_client(world["buyer_user"]).post(url, data).status_code == 403


def test_request_form_and_tabs(world: dict[str, Any], login_client: Callable[..., Any]) -> None:
    offer = _offer(world)
    buyer = login_client(world["buyer_user"])
    available = buyer.get(reverse("assets:licences") + "?tab=available").content.decode()
    assert "星河少女" in available and "12,345.67 元" in available and "中国大陆" in available
    url = reverse("assets:licence_request", args=[offer.pk])
    form = buyer.get(url).content.decode()
    assert 'value="12,345.67"' in form
    page = buyer.post(
        url,
        {
            "enterprise": str(world["buyer"].pk),
            "need": "改编为动画短片",
            "territory": "中国大陆",
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
            "fee": "8,000",
        },
    )
    assert page.status_code == 302
    req = Licence.objects.get(licensee=world["buyer"])
    assert (req.fee_fen, req.ends_on, req.state) == (800000, D(2026, 6, 30), "requested")
    taken = buyer.get(reverse("assets:licences") + "?tab=taken").content.decode()
    assert "星河少女" in taken and "申请中" in taken and "8,000.00 元" in taken
    given = login_client(world["holder_user"]).get(reverse("assets:licences")).content.decode()
    assert "云帆传媒" in given and "申请中" in given
    # The holder is sent back from requesting their own offer.
    own = login_client(world["holder_user"]).get(url)
    assert own.status_code == 302 and own["Location"] == reverse("assets:licence", args=[offer.pk])

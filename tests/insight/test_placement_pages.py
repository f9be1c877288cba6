"""The placements queue and the relations pages: who may read and act, the rows in words, htmx decisions,
a 409 showing the current state, bad input as 4xx, and the audit entries written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.insight import audit_actions as aa
from shouzhan.insight.models import Placement, Relation
from shouzhan.insight.services.placements import placement_decide, placements_suggest

pytestmark = pytest.mark.django_db
QUEUE = "/insight/placements/"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def firms(make_enterprise: Callable[..., Any], insight_data: dict[str, int], caseworker: Any) -> list[Any]:
    compute, _o = make_enterprise(
        name="上海云擎智算科技有限公司", sector="compute", description="在西岸运营智算中心，出租 GPU 资源。"
    )
    studio, _o = make_enterprise(
        name="上海徐汇星河微短剧制作有限公司",
        sector="micro_drama",
        description="微短剧出品公司，竖屏剧拍摄。",
    )
    placements_suggest(actor=caseworker)
    return [compute, studio]


def test_urls() -> None:
    assert reverse("insight:placements") == QUEUE
    assert reverse("insight:placement_decide", args=[7]) == "/insight/placements/7/decide/"
    assert reverse("insight:placement_add") == "/insight/placements/add/"
    assert reverse("insight:relations") == "/insight/relations/"
    assert reverse("insight:relation_delete", args=[7]) == "/insight/relations/7/delete/"


def test_the_queue_in_words(
    firms: list[Any], caseworker: Any, login_client: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    client = login_client(caseworker)
    with django_assert_max_num_queries(12):  # the same few queries whatever the number of rows
        response = client.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "待确认的推荐" in html
    rows = [r.pk for r in response.context["page"].object_list]
    studio_row, compute_row = (
        Placement.objects.get(enterprise=firms[1]),
        Placement.objects.get(enterprise=firms[0]),
    )
    assert rows == [studio_row.pk, compute_row.pk]  # the higher confidence first
    assert (studio_row.confidence, compute_row.confidence) == (100, 62)  # capped: 30+25+15+9+12+9
    assert f'href="/e/{firms[1].pk}/"' in html or reverse("registry:enterprise", args=[firms[1].pk]) in html
    for words in ("微短剧制作", "算力服务", "AI 微短剧产业链 · 中游", "100%", "62%",
                  "行业为“AI 微短剧”", "简介提到“竖屏剧”", "企业名称提到“智算”", "简介提到“GPU”"):  # fmt: skip
        assert words in html, words
    assert html.count('value="confirm"') == 2
    assert '<option value="production">微短剧制作</option>' in html  # change the compute firm to production


def test_filters_and_bounded_page_size(
    firms: list[Any], caseworker: Any, login_client: Callable[..., Any]
) -> None:
    client = login_client(caseworker)
    response = client.get(QUEUE, {"chain": "live_streaming"})
    assert list(response.context["page"].object_list) == []
    assert "没有待确认的推荐。" in response.content.decode()
    response = client.get(QUEUE, {"chain": "ai_micro_drama", "q": "智算", "size": "999999", "page": "x"})
    assert [p.enterprise.name for p in response.context["page"].object_list] == ["上海云擎智算科技有限公司"]
    assert response.context["page"].paginator.per_page == 100
    response = client.get(QUEUE, {"status": "nonsense", "chain": "<script>"})
    assert response.status_code == 200 and response.context["status"] == "suggested"
    assert client.get(QUEUE, {"status": "confirmed"}).context["page"].paginator.count == 0


def test_confirm_with_htmx_and_its_audit(
    firms: list[Any], caseworker: Any, login_client: Callable[..., Any]
) -> None:
    p = Placement.objects.get(enterprise=firms[0])
    url = reverse("insight:placement_decide", args=[p.pk])
    response = login_client(caseworker).post(
        url, {"decision": "confirm", "version": 1, "note": "走访核实"}, **HX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<tr id="placement-{p.pk}"') and "已确认" in html and "张洁" in html
    assert 'value="confirm"' not in html  # decided: no more buttons
    p.refresh_from_db()
    assert (p.status, p.version, p.note, p.decided_by) == ("confirmed", 2, "走访核实", caseworker)
    [entry] = AuditEntry.objects.filter(action=aa.PLACEMENT_DECIDE)
    assert (entry.actor, entry.after["decision"], entry.target_label) == (
        caseworker,
        "confirm",
        "上海云擎智算科技有限公司",
    )


def test_change_to_another_node(firms: list[Any], caseworker: Any, login_client: Callable[..., Any]) -> None:
    p = Placement.objects.get(enterprise=firms[0])
    url = reverse("insight:placement_decide", args=[p.pk])
    response = login_client(caseworker).post(
        url, {"decision": "change", "version": 1, "node": "models"}, **HX
    )
    assert response.status_code == 200
    assert "已改到“大模型与语料”并确认" in response.content.decode()
    assert set(Placement.objects.filter(enterprise=firms[0]).values_list("node", "status")) == {
        ("compute", "rejected"),
        ("models", "confirmed"),
    }


def test_someone_decided_first_is_409_with_the_current_state(
    firms: list[Any], caseworker: Any, make_user: Callable[..., Any], login_client: Callable[..., Any]
) -> None:
    p = Placement.objects.get(enterprise=firms[0])
    other = make_user(Role.CASEWORKER, name="王专员")
    placement_decide(actor=other, placement=p, decision="reject", expected_version=1)
    url = reverse("insight:placement_decide", args=[p.pk])
    response = login_client(caseworker).post(url, {"decision": "confirm", "version": 1}, **HX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "这条链位已被他人处理（现为“已否定”），请看当前状态后再决定。" in html
    assert "现在的状态：已否定。" in html and "王专员" in html
    response = login_client(caseworker).post(
        url, {"decision": "confirm", "version": 1}
    )  # without htmx: the page
    assert response.status_code == 409
    assert "这条链位已被他人处理" in response.content.decode()
    p.refresh_from_db()
    assert (p.status, p.decided_by) == ("rejected", other)
    assert AuditEntry.objects.filter(action=aa.PLACEMENT_DECIDE).count() == 1


def test_bad_decisions_are_400(firms: list[Any], caseworker: Any, login_client: Callable[..., Any]) -> None:
    p = Placement.objects.get(enterprise=firms[0])
    url = reverse("insight:placement_decide", args=[p.pk])
    client = login_client(caseworker)
    response = client.post(url, {"decision": "change", "version": 1, "node": ""}, **HX)
    assert response.status_code == 400 and "请选择要改到的环节。" in response.content.decode()
    response = client.post(url, {"decision": "confirm", "version": "abc"}, **HX)
    assert response.status_code == 400
    response = client.post(url, {"decision": "confirm", "version": 1, "note": "长" * 201}, **HX)
    assert response.status_code == 400
    assert (
        client.post(reverse("insight:placement_decide", args=[99999]), {"decision": "confirm"}).status_code
        == 404
    )
    p.refresh_from_db()
    assert (p.status, p.version) == ("suggested", 1)


def test_place_by_hand(firms: list[Any], caseworker: Any, login_client: Callable[..., Any]) -> None:
    client = login_client(caseworker)
    url = reverse("insight:placement_add")
    response = client.post(
        url, {"enterprise": "星河微短剧", "node": "live_streaming/ecommerce", "note": "自营直播间"}
    )
    assert response.status_code == 302 and response["Location"] == "/insight/placements/?status=confirmed"
    p = Placement.objects.get(enterprise=firms[1], chain="live_streaming")
    assert (p.node, p.status, p.note) == ("ecommerce", "confirmed", "自营直播间")
    response = client.post(url, {"enterprise": "上海", "node": "live_streaming/ecommerce"})
    assert response.status_code == 400
    assert "有多家企业的名称含“上海”，请填写企业全称。" in response.content.decode()
    response = client.post(url, {"enterprise": "不存在的公司", "node": "nowhere/x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "找不到名称为“不存在的公司”的企业。" in html and "请从列表中选择环节。" in html


def test_relations_record_list_and_delete(
    firms: list[Any], caseworker: Any, leader: Any, login_client: Callable[..., Any]
) -> None:
    client = login_client(caseworker)
    url = reverse("insight:relations")
    data = {
        "source": "上海云擎智算科技有限公司",
        "kind": "supplier",
        "target": "星河微短剧",
        "source_note": "2026 年 3 月走访",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    r = Relation.objects.get()
    assert (r.source, r.target, r.kind, r.source_note) == (firms[0], firms[1], "supplier", "2026 年 3 月走访")
    response = client.post(url, data)
    assert response.status_code == 400
    assert "关系已登记过。" in response.content.decode()
    response = client.post(url, {**data, "target": "上海云擎智算科技有限公司", "kind": "partner"})
    assert (
        response.status_code == 400
        and "企业不能与自身登记关系，请选择另一家企业。" in response.content.decode()
    )
    response = client.post(url, {**data, "kind": "partner", "source_note": ""})
    assert response.status_code == 400 and "请写明这条关系从哪里得知" in response.content.decode()
    html = login_client(leader).get(url).content.decode()
    assert "对方是它的供应商" in html and "2026 年 3 月走访" in html and "登记关系" not in html
    response = client.post(reverse("insight:relation_delete", args=[r.pk]), **HX)
    assert response.status_code == 200 and response.content == b""
    assert Relation.objects.count() == 0
    assert AuditEntry.objects.filter(action__in=[aa.RELATION_RECORD, aa.RELATION_DELETE]).count() == 2


def test_who_may_read_and_act(
    firms: list[Any], leader: Any, make_user: Callable[..., Any], login_client: Callable[..., Any]
) -> None:
    p = Placement.objects.get(enterprise=firms[0])
    entrepreneur = make_user(Role.ENTREPRENEUR)
    assert login_client(entrepreneur).get(QUEUE).status_code == 403
    assert login_client(entrepreneur).get(reverse("insight:relations")).status_code == 403
    leader_client = login_client(leader)
    response = leader_client.get(QUEUE)
    assert response.status_code == 200 and 'value="confirm"' not in response.content.decode()
    decide = reverse("insight:placement_decide", args=[p.pk])
    assert leader_client.post(decide, {"decision": "confirm", "version": 1}).status_code == 403
    assert login_client(entrepreneur).post(decide, {"decision": "confirm", "version": 1}).status_code == 403
    assert leader_client.post(reverse("insight:placement_add"), {}).status_code == 403
    assert leader_client.post(reverse("insight:relations"), {}).status_code == 403
    assert leader_client.post(reverse("insight:placements_suggest")).status_code == 403
    p.refresh_from_db()
    assert p.status == "suggested"
    assert AuditEntry.objects.filter(action=aa.PLACEMENT_DECIDE).count() == 0


def test_run_the_suggestions(firms: list[Any], caseworker: Any, login_client: Callable[..., Any]) -> None:
    response = login_client(caseworker).post(reverse("insight:placements_suggest"))
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=aa.PLACEMENT_SUGGEST).count() == 2  # the fixture's and this one


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_confirm_and_change_in_place(
    page: Any, insight_data: Any, caseworker: Any, make_enterprise: Callable[..., Any]
) -> None:
    from tests.a11y import assert_accessible
    from tests.conftest import PASSWORD

    compute, _o = make_enterprise(
        name="上海云擎智算科技有限公司", sector="compute", description="出租 GPU 资源。"
    )
    studio, _o = make_enterprise(
        name="上海星河微短剧制作有限公司", sector="micro_drama", description="竖屏剧拍摄。"
    )
    placements_suggest(actor=caseworker)
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=login]", caseworker.mobile)
    page.fill("input[type=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(page.base_url + QUEUE)
    first = Placement.objects.get(enterprise=studio)
    row = page.locator(f"#placement-{first.pk}")
    row.locator("button[value=confirm]").click()
    page.locator(f"#placement-{first.pk}[data-status=confirmed]").wait_for()
    assert page.url.endswith(QUEUE)  # swapped in place, no reload
    second = Placement.objects.get(enterprise=compute)
    row = page.locator(f"#placement-{second.pk}")
    row.locator("select[name=node]").select_option("models")
    row.locator("button[value=change]").click()
    page.locator(f"#placement-{second.pk}[data-status=rejected]").wait_for()
    assert "已改到“大模型与语料”并确认" in page.locator(f"#placement-{second.pk}").inner_text()
    page.screenshot(path="/tmp/insight_placements.png", full_page=True)
    assert Placement.objects.get(enterprise=compute, node="models").status == "confirmed"
    assert_accessible(page)

"""The frontline pages: the board, a department's queue, a demand and its actions, the desk/hotline form,
an enterprise's own demands with the rating form, the dispatch catalogue, and the menu."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shouzhan.core.nav import nav_entries
from shouzhan.core.roles import Role
from shouzhan.frontline import services
from shouzhan.frontline.models import Demand, DepartmentMember, DispatchVersion, FollowUp

pytestmark = pytest.mark.django_db
D = dt.date
NOISE = "园区门口夜间施工噪音扰民"


def _text(response: Any) -> str:
    """The page's words without tags and runs of white space."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _demand_url(demand: Demand) -> str:
    return reverse("frontline:demand", args=[demand.pk])


def _act(client: Client, demand: Demand, action: str, **data: Any) -> Any:
    data.setdefault("version", Demand.objects.get(pk=demand.pk).version)
    return client.post(reverse("frontline:demand_act", args=[demand.pk, action]), data)


def _state(demand: Demand) -> str:
    return str(Demand.objects.select_related("case").get(pk=demand.pk).case.state)


# ----------------------------------------------------------------------------- the board
def test_the_board_counts_by_state_and_filters(
    record: Any, receiver: Any, urban: Any, login_client: Callable[..., Client]
) -> None:
    a = record(on=D(2026, 11, 2))
    record("licence", "营业执照地址变更一直办不下来", on=D(2026, 11, 3), source="hotline")
    services.ticket_accept(actor=urban, demand=a, expected_version=a.version)
    client = login_client(receiver)
    page = _text(client.get(reverse("frontline:board")))
    assert "全部 2 待签收 1 待改派 0 办理中 1 待回访 0 已办结 0 已并入 0" in page
    assert "市容环境与秩序：园区门口夜间施工噪音扰民" in page and "区城管执法局" in page
    assert "证照与审批：营业执照地址变更一直办不下来" in page and "区市场监管局" in page
    page = _text(client.get(reverse("frontline:board") + "?state=accepted"))
    assert "办理中：1 条" in page and "营业执照地址变更" not in page
    page = _text(client.get(reverse("frontline:board") + "?source=hotline"))
    assert "全部 1 待签收 1" in page and "园区门口" not in page
    page = _text(client.get(reverse("frontline:board") + "?category=water"))
    assert "没有符合条件的诉求。" in page
    assert client.get(reverse("frontline:board") + "?department=abc").status_code == 200  # ignored


def test_a_department_member_sees_only_its_own_on_the_board(
    record: Any, urban: Any, login_client: Callable[..., Client]
) -> None:
    record(on=D(2026, 11, 2))
    record("licence", "营业执照地址变更一直办不下来", on=D(2026, 11, 2))
    page = _text(login_client(urban).get(reverse("frontline:board")))
    assert "全部 1 待签收 1" in page and "营业执照" not in page


def test_the_board_is_not_for_an_enterprise(firm: Any, login_client: Callable[..., Client]) -> None:
    response = login_client(firm[1]).get(reverse("frontline:board"))
    assert response.status_code == 403
    assert "这里是服务中心和承办部门的工作页面。" in _text(response)
    assert Client().get(reverse("frontline:board")).status_code == 302  # to the login page


def test_the_board_reads_a_constant_number_of_queries(
    record: Any, receiver: Any, login_client: Callable[..., Client], django_assert_max_num_queries: Any
) -> None:
    client = login_client(receiver)
    for i in range(12):
        record(text=f"第{i}处井盖松动", on=D(2026, 11, 2))
    with django_assert_max_num_queries(10):  # and the patrols menu's chief's post
        response = client.get(reverse("frontline:board"))
    assert _text(response).count("市容环境与秩序：第") == 12


# ----------------------------------------------------------------------------- the queue
def test_the_queue_lists_the_departments_tickets_overdue_first(
    record: Any, urban: Any, login_client: Callable[..., Client], django_assert_max_num_queries: Any
) -> None:
    late = record(text="去年的渣土车问题", on=D(2026, 11, 2))
    fresh = record(text="今天的占道经营")
    record("licence", "营业执照地址变更一直办不下来")  # amr's: not in urban's queue
    client = login_client(urban)
    with django_assert_max_num_queries(9):  # and the patrols menu's chief's post
        response = client.get(reverse("frontline:queue"))
    page = _text(response)
    assert "区城管执法局" in page and "营业执照" not in page
    assert page.index("去年的渣土车问题") < page.index("今天的占道经营")
    assert "在办 2 待签收 2 已逾期 1" in page
    assert "签收期限 2026-11-03 已逾期" in page
    assert fresh.pk != late.pk


def test_accept_and_return_from_the_queue(
    record: Any, urban: Any, login_client: Callable[..., Client]
) -> None:
    a, b = record(text="夜间施工噪音"), record(text="店招审批材料被退回")
    client = login_client(urban)
    response = _act(client, a, "accept", next="queue")
    assert response.status_code == 302 and response["Location"] == reverse("frontline:queue")
    assert _state(a) == "accepted"
    response = _act(client, b, "return", reason="", next="queue")
    assert response.status_code == 400 and "请写明退单理由。" in _text(response)
    response = _act(client, b, "return", reason="属于证照审批，应派市场监管", next="queue")
    assert response.status_code == 302 and _state(b) == "returned"
    page = _text(client.get(reverse("frontline:queue")))
    assert "已签收，请在办结期限前答复。" not in page  # shown once, on the redirect before
    assert "答复办结" in page and "店招审批材料被退回" not in page


def test_the_queue_is_for_department_members(receiver: Any, login_client: Callable[..., Client]) -> None:
    response = login_client(receiver).get(reverse("frontline:queue"))
    assert response.status_code == 403
    assert "只有承办部门的工作人员可以使用部门工单队列。" in _text(response)


# ----------------------------------------------------------------------------- one demand
def test_the_demand_page_shows_the_demand_its_deadlines_and_history(
    record: Any, urban: Any, receiver: Any, login_client: Callable[..., Client]
) -> None:
    demand = record(
        on=D(2026, 11, 2), requester_name="王经理", requester_contact="13912345678", place="漕溪北路"
    )
    services.ticket_return(actor=urban, demand=demand, reason="应由街道处理", expected_version=demand.version)
    page = _text(login_client(receiver).get(_demand_url(demand)))
    assert "市容环境与秩序：园区门口夜间施工噪音扰民" in page
    assert "待改派" in page and "中心窗口 · 受理于 2026-11-02 · 光合剧场" in page
    assert "反映人 王经理 联系方式 13912345678 地点 漕溪北路" in page
    assert "签收 1 个、办结 5 个工作日（派单目录第 1 版）" in page
    assert "派单 · 区城管执法局" in page and "期限 2026-11-03" in page
    assert "退单 · 区城管执法局 应由街道处理" in page
    assert page.index("派单 · 区城管执法局") < page.index("退单 · 区城管执法局")
    assert "改派" in page and "frontline" not in page.split("办理经过")[1]  # no codes in the history


def test_another_enterprise_or_department_gets_404(
    record: Any, amr: Any, make_enterprise: Any, login_client: Callable[..., Client], firm: Any
) -> None:
    demand = record()
    _other, stranger = make_enterprise("别家公司")
    assert login_client(stranger).get(_demand_url(demand)).status_code == 404
    assert login_client(amr).get(_demand_url(demand)).status_code == 404
    assert login_client(firm[1]).get(_demand_url(demand)).status_code == 200
    assert _act(login_client(stranger), demand, "follow_up", resolved="yes").status_code == 404


def test_the_demand_page_reads_a_bounded_number_of_queries(
    record: Any,
    urban: Any,
    receiver: Any,
    login_client: Callable[..., Client],
    django_assert_max_num_queries: Any,
) -> None:
    demand = record(on=D(2026, 11, 2))
    demand = services.ticket_accept(actor=urban, demand=demand, expected_version=demand.version)
    for client in (login_client(urban), login_client(receiver)):
        with django_assert_max_num_queries(10):  # and the patrols menu's chief's post
            assert client.get(_demand_url(demand)).status_code == 200


def test_accept_reply_and_the_enterprise_rates_it(
    record: Any, urban: Any, firm: Any, login_client: Callable[..., Client]
) -> None:
    demand = record()
    dept = login_client(urban)
    page = _text(dept.get(_demand_url(demand)))
    assert "现在可以做的 签收" in page and "退单" in page and "答复办结" not in page.split("办理经过")[0]
    assert _act(dept, demand, "accept").status_code == 302
    response = _act(dept, demand, "reply", answer="")
    assert response.status_code == 400 and "请填写答复内容。" in _text(response)
    assert _act(dept, demand, "reply", answer="已责令施工方夜间停工").status_code == 302
    assert _state(demand) == "replied"
    owner = login_client(firm[1])
    page = _text(owner.get(_demand_url(demand)))
    assert "请告诉我们：问题解决了吗？" in page and "时限已停止，等待回访" in page
    response = _act(owner, demand, "follow_up", resolved="", satisfaction="satisfied")
    assert response.status_code == 400 and "请选择问题是否已解决。" in _text(response)
    response = _act(owner, demand, "follow_up", resolved="yes", satisfaction="satisfied", next="mine")
    assert response.status_code == 302 and response["Location"] == reverse("frontline:mine")
    assert _state(demand) == "closed"
    page = _text(owner.get(_demand_url(demand)))
    assert "回访：已解决 · 区城管执法局" in page and "企业在线评价 · 满意" in page
    assert "答复办结 · 区城管执法局" in page and "已责令施工方夜间停工" in page


def test_not_resolved_reopens_and_a_phone_follow_up_is_the_caseworkers(
    record: Any, urban: Any, receiver: Any, firm: Any, login_client: Callable[..., Client]
) -> None:
    demand = record()
    demand = services.ticket_accept(actor=urban, demand=demand, expected_version=demand.version)
    demand = services.ticket_reply(
        actor=urban, demand=demand, answer="已处理", expected_version=demand.version
    )
    owner = login_client(firm[1])
    response = _act(owner, demand, "follow_up", resolved="no", satisfaction="unsatisfied", note="")
    assert response.status_code == 400 and "请说明还有什么没有解决。" in _text(response)
    response = _act(owner, demand, "phone_follow_up", resolved="yes", satisfaction="satisfied")
    assert response.status_code == 400 and "电话回访由营商专员记录。" in _text(response)
    response = _act(
        owner, demand, "follow_up", resolved="no", satisfaction="unsatisfied", note="夜里还在施工"
    )
    assert response.status_code == 302 and _state(demand) == "accepted"
    demand = Demand.objects.get(pk=demand.pk)
    demand = services.ticket_reply(
        actor=urban, demand=demand, answer="已停工", expected_version=demand.version
    )
    caseworker = login_client(receiver)
    assert "电话回访" in _text(caseworker.get(_demand_url(demand)))
    response = _act(caseworker, demand, "phone_follow_up", resolved="yes", satisfaction="basic")
    assert response.status_code == 302 and _state(demand) == "closed"
    assert list(FollowUp.objects.filter(demand=demand).values_list("channel", "satisfaction")) == [
        ("site", "unsatisfied"),
        ("phone", "basic"),
    ]


def test_a_stale_page_is_a_409_beside_the_current_state(
    record: Any, member: Any, urban: Any, login_client: Callable[..., Client]
) -> None:
    demand = record()
    other = member("urban", name="城管赵")
    stale = demand.version
    assert _act(login_client(other), demand, "accept", version=stale).status_code == 302
    response = _act(login_client(urban), demand, "return", version=stale, reason="不属于本部门")
    assert response.status_code == 409
    page = _text(response)
    assert "这条诉求已被其他人处理过，请刷新后再操作。 现在的状态：办理中。" in page
    assert _state(demand) == "accepted"


def test_redispatch_defaults_to_the_catalogues_department(
    record: Any, urban: Any, receiver: Any, dept: Any, login_client: Callable[..., Client]
) -> None:
    demand = record()
    demand = services.ticket_return(
        actor=urban, demand=demand, reason="非本部门", expected_version=demand.version
    )
    client = login_client(receiver)
    html = client.get(_demand_url(demand)).content.decode()
    assert re.search(rf'<option value="{dept("urban").pk}" selected>区城管执法局</option>', html)
    response = _act(client, demand, "redispatch", department=dept("amr").pk, note="证照类")
    assert response.status_code == 302
    demand = Demand.objects.select_related("department").get(pk=demand.pk)
    assert demand.department.name == "区市场监管局" and _state(demand) == "dispatched"
    assert _act(client, demand, "redispatch", department=999999).status_code == 400
    assert _act(client, demand, "nonsense").status_code == 404


def test_only_a_supervisor_excludes_a_demand_with_a_reason(
    record: Any, urban: Any, member: Any, login_client: Callable[..., Client]
) -> None:
    demand = record()
    boss = member("urban", DepartmentMember.Role.SUPERVISOR, name="城管队长")
    assert "不计入三率" not in _text(login_client(urban).get(_demand_url(demand)))
    assert _act(login_client(urban), demand, "exclude", reason="不合理").status_code == 403
    client = login_client(boss)
    response = _act(client, demand, "exclude", reason="")
    assert response.status_code == 400 and "请写明不计入三率的理由。" in _text(response)
    assert _act(client, demand, "exclude", reason="经核实诉求不合理").status_code == 302
    page = _text(client.get(_demand_url(demand)))
    assert "不计入三率：经核实诉求不合理" in page and "恢复计入三率" in page
    assert _act(client, demand, "include", reason="复核后恢复").status_code == 302
    assert Demand.objects.get(pk=demand.pk).excluded_reason == ""


def test_a_receiver_links_a_likely_repeat(
    record: Any, receiver: Any, login_client: Callable[..., Client]
) -> None:
    first = record(text="园区门口夜间施工噪音很大，影响休息", on=D(2026, 11, 2))
    again = record(text="园区门口夜间施工噪音扰民，晚上无法休息", on=D(2026, 11, 3))
    client = login_client(receiver)
    page = _text(client.get(_demand_url(again)))
    assert "可能重复的诉求" in page and "市容环境与秩序：园区门口夜间施工噪音很大，影响休息" in page
    response = _act(client, again, "link_repeat", original=first.pk)
    assert response.status_code == 302 and _state(again) == "merged"
    page = _text(client.get(_demand_url(again)))
    assert "已并入原诉求： 市容环境与秩序：园区门口夜间施工噪音很大，影响休息" in page
    assert "可能重复的诉求" not in page


# ----------------------------------------------------------------------------- recording a demand
def test_a_caseworker_records_a_hotline_demand(
    receiver: Any, firm: Any, catalogue: Any, login_client: Callable[..., Client]
) -> None:
    client = login_client(receiver)
    page = _text(client.get(reverse("frontline:demand_new")))
    assert "登记诉求" in page and "市容环境与秩序 区城管执法局 1 5 紧急 2" in page
    response = client.post(
        reverse("frontline:demand_new"),
        {"source": "hotline", "category": "environment", "description": "", "urgency": "normal"},
    )
    page = _text(response)
    assert response.status_code == 400 and "请填写诉求内容。" in page
    assert "请填写反映人或地点（诉求不涉及企业时）。" in page
    response = client.post(
        reverse("frontline:demand_new"),
        {
            "source": "hotline",
            "category": "environment",
            "description": "夜间噪音",
            "urgency": "urgent",
            "enterprise": "没有这家",
        },
    )
    assert response.status_code == 400 and "企业库中没有找到“没有这家”，请检查名称或留空。" in _text(response)
    response = client.post(
        reverse("frontline:demand_new"),
        {
            "source": "hotline",
            "category": "environment",
            "description": "夜间噪音",
            "urgency": "urgent",
            "enterprise": "光合剧场",
            "requester_name": "王经理",
        },
    )
    demand = Demand.objects.get()
    assert response.status_code == 302 and response["Location"] == _demand_url(demand)
    assert (demand.source, demand.enterprise, demand.receiver, demand.resolve_days) == (
        "hotline",
        firm[0],
        receiver,
        2,
    )
    assert "已登记并派给区城管执法局" in _text(client.get(response["Location"]))


def test_an_enterprise_member_raises_their_own(
    firm: Any, catalogue: Any, login_client: Callable[..., Client]
) -> None:
    client = login_client(firm[1])
    page = _text(client.get(reverse("frontline:demand_new")))
    assert "提出诉求" in page and "来源" not in page.split("派单目录")[0]
    response = client.post(
        reverse("frontline:demand_new"),
        {
            "category": "space",
            "description": "直播间空调坏了三天",
            "urgency": "normal",
            "enterprise": firm[0].pk,
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("frontline:mine")
    demand = Demand.objects.get()
    assert (demand.source, demand.enterprise, demand.requester) == ("enterprise", firm[0], firm[1])
    other, _owner = firm
    response = client.post(
        reverse("frontline:demand_new"),
        {"category": "space", "description": "x", "urgency": "normal", "enterprise": other.pk + 1000},
    )
    assert response.status_code == 400


def test_someone_without_an_enterprise_cannot_record(
    make_user: Any, login_client: Callable[..., Client]
) -> None:
    response = login_client(make_user(Role.ENTREPRENEUR)).get(reverse("frontline:demand_new"))
    assert response.status_code == 403 and "登记诉求需要营商专员账号，或先关联您的企业。" in _text(response)


# ----------------------------------------------------------------------------- an enterprise's own
def test_mine_shows_progress_and_the_rating_form_when_replied(
    record: Any, urban: Any, firm: Any, make_enterprise: Any, login_client: Callable[..., Client]
) -> None:
    waiting = record(text="门口垃圾清运不及时", on=D(2026, 11, 2))
    replied = record(text="夜间施工噪音", on=D(2026, 11, 2))
    replied = services.ticket_accept(actor=urban, demand=replied, expected_version=replied.version)
    services.ticket_reply(actor=urban, demand=replied, answer="已责令停工", expected_version=replied.version)
    other, _owner = make_enterprise("别家公司")
    record(text="别家的问题", enterprise=other)
    page = _text(login_client(firm[1]).get(reverse("frontline:mine")))
    assert "全部 2 办理中 2 待您评价 1" in page and "别家的问题" not in page
    assert "已转交区城管执法局，2026-11-03 前签收" in page
    assert "答复 （" in page and "已责令停工" in page and "问题解决了吗？ 已解决 未解决" in page
    assert "满意度 满意 基本满意 不满意" in page
    assert waiting.pk != replied.pk


def test_mine_without_an_enterprise_says_so(make_user: Any, login_client: Callable[..., Client]) -> None:
    page = _text(login_client(make_user(Role.ENTREPRENEUR)).get(reverse("frontline:mine")))
    assert "您的账号还没有关联企业。登记或加入企业后，可以在这里提出诉求并跟踪办理。" in page


# ----------------------------------------------------------------------------- the dispatch catalogue
def _catalogue_post(catalogue: Any, **changes: Any) -> dict[str, Any]:
    rules = list(catalogue.rules.select_related("department").order_by("label"))
    data: dict[str, Any] = {
        "rules-TOTAL_FORMS": len(rules) + 1,
        "rules-INITIAL_FORMS": len(rules),
        "valid_from": "2026-12-01",
        "note": "城管办结时限缩短为3天",
    }
    for i, r in enumerate(rules):
        row = {
            "category": r.category,
            "label": r.label,
            "department": r.department.key,
            "accept_days": r.accept_days,
            "resolve_days": r.resolve_days,
            "urgent_resolve_days": r.urgent_resolve_days or "",
            "keywords": r.keywords,
        }
        row.update(changes.get(r.category, {}))
        data.update({f"rules-{i}-{k}": v for k, v in row.items()})
    return data


def test_the_catalogue_in_force_and_its_versions(
    catalogue: Any, receiver: Any, firm: Any, login_client: Callable[..., Client]
) -> None:
    client = login_client(receiver)
    page = _text(client.get(reverse("frontline:catalogue")))
    assert "现行版本：第 1 版 自 2026-01-01 起生效" in page
    assert "市容环境与秩序 区城管执法局 1 个工作日 5 个工作日 2 个工作日" in page
    assert "第 1 版 现行 2026-01-01 10 首版派单目录" in page and "系统导入" in page
    assert "发布新版本" not in page
    assert client.post(reverse("frontline:catalogue"), _catalogue_post(catalogue)).status_code == 403
    assert login_client(firm[1]).get(reverse("frontline:catalogue")).status_code == 403


def test_a_leader_publishes_a_new_version(
    catalogue: Any, make_user: Any, login_client: Callable[..., Client]
) -> None:
    client = login_client(make_user(Role.LEADER, name="周主任"))
    assert "发布新版本" in _text(client.get(reverse("frontline:catalogue")))
    bad = _catalogue_post(catalogue, environment={"resolve_days": 0})
    response = client.post(reverse("frontline:catalogue"), bad)
    assert response.status_code == 400 and "确保该值大于或等于1。" in _text(response)
    response = client.post(
        reverse("frontline:catalogue"), _catalogue_post(catalogue, environment={"resolve_days": 3})
    )
    assert response.status_code == 302
    v2 = DispatchVersion.objects.get(number=2)
    assert (v2.valid_from, v2.note, v2.published_by.name) == (
        D(2026, 12, 1),
        "城管办结时限缩短为3天",
        "周主任",
    )
    assert v2.rules.get(category="environment").resolve_days == 3 and v2.rules.count() == 10
    page = _text(client.get(reverse("frontline:catalogue")))
    assert "已发布派单目录第 2 版，自 2026-12-01 起生效。" in page
    assert "第 2 版 现行 2026-12-01 10 城管办结时限缩短为3天 周主任" in page
    dropped = _catalogue_post(catalogue)
    dropped["rules-0-DELETE"] = "on"
    assert client.post(reverse("frontline:catalogue"), dropped).status_code == 302
    assert DispatchVersion.objects.get(number=3).rules.count() == 9


# ----------------------------------------------------------------------------- the menu
def test_the_menu_gives_each_their_entries(receiver: Any, urban: Any, firm: Any, catalogue: Any) -> None:
    def keys(user: Any) -> list[str]:
        return [k for k, _label, _url in nav_entries(user) if k.startswith("frontline")]

    assert keys(receiver)[:3] == ["frontline_board", "frontline_new", "frontline_visits"]
    assert "frontline_catalogue" in keys(receiver) and "frontline_queue" not in keys(receiver)
    assert keys(urban)[:2] == ["frontline_board", "frontline_queue"] and "frontline_new" not in keys(urban)
    assert keys(firm[1]) == ["frontline_mine"]
    labels = {k: label for k, label, _url in nav_entries(receiver)}
    assert (labels["frontline_board"], labels["frontline_new"]) == ("诉求看板", "登记诉求")


def test_the_board_pages_through_every_demand(record: Any, receiver: Any, login_client: Any) -> None:
    from shouzhan.frontline.selectors import demand_board

    made = [record(text=f"第{i}条：园区路灯不亮", on=dt.date(2026, 11, 2 + i)) for i in range(3)]
    first = demand_board(receiver, limit=2)
    last = demand_board(receiver, limit=2, page=2)
    assert (first.page, first.pages, last.page) == (1, 2, 2)
    assert [d.pk for d in first.rows + last.rows] == [d.pk for d in reversed(made)]
    assert demand_board(receiver, limit=2, page=99).rows == last.rows  # past the end: the last page
    page = login_client(receiver).get(reverse("frontline:board"), {"page": "x" * 50})
    assert page.status_code == 200 and "共 3 条" in _text(page)

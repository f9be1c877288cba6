"""The pages of offers through the test client: what a member sees of their own enterprise's offers (and the
404 for another's), one-click confirmation into a fast-track case, declining and answering a prompt with
their inline errors, the staff pages (403 for members) — runs with live progress, figures, the .xlsx
export, the exclusion list — and the query counts of the enterprise's page."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from shouzhan.cases.models import Case
from shouzhan.core.roles import Role
from shouzhan.core.workdays import add_working_days
from shouzhan.ledger.services import clause_budget_set
from shouzhan.offers import services
from shouzhan.offers.models import Exclusion, Offer, PushRun
from tests.offers.conftest import OFFICER, run_push

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def today() -> dt.date:
    return timezone.localdate()


def offer(enterprise: Any, project: Any, clause: str, period: str = "") -> Offer:
    key = f"{enterprise.pk}:{project.pk if project else 0}:{clause}:{period}"
    return Offer.objects.get(key=key, current=True)


def text(response: Any) -> str:
    """The page's main content as words (tags out, whitespace squeezed)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")] if "<main" in html else html
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    words = re.sub(r"<[^>]+>", " ", main)
    import html as h

    return " ".join(h.unescape(words).split())


@pytest.fixture
def pushed(register: dict[str, Any]) -> dict[str, Any]:
    register["run"] = run_push(on=today())
    return register


@pytest.fixture
def officer(make_user: Any) -> Any:
    return make_user(role=Role.POLICY_OFFICER, name="王政")


# ----------------------------------------------------------------------------- the enterprise's list
def test_a_member_sees_their_offers_with_amount_text_reasons_and_facts(
    pushed: dict[str, Any], login_client: Any
) -> None:
    studio, drama = pushed["studio"], pushed["drama"]
    response = login_client(pushed["studio_owner"]).get("/offers/")
    assert response.status_code == 200
    words = text(response)
    assert "政策直达 · 为您推送" in words
    # Four offers to confirm (two with amounts: the voucher and the excellent work), one prompt.
    assert "待您确认 4 合计最高 2,000,000.00 元" in words
    assert "待补充信息 1 回答几个问题即可判断" in words
    excellent = offer(studio, drama, "xuhui.excellent_work")
    card = _card_words(response, excellent)
    expires = excellent.expires_on.isoformat()
    assert card.startswith(
        "待确认 徐汇八条 · 优质短剧作品、获奖作品奖励 1,000,000.00 元 最高可获 "
        f"《弄堂里的光》 · 请于 {expires} 前确认 优质短剧作品、获奖作品单个最高奖励均达100万元 推送理由 "
        "✓ 「所在区」为“徐汇”：资料为“徐汇”，符合。 "
        "✓ 「项目类型」为“微短剧作品”：资料为“微短剧作品”，符合。 "
        "✓ 以下条件满足其一即可，符合： ✓ 「是否优秀/精品作品」为“是”：资料为“是”，符合。 "
        "✗ 「是否获奖作品」为“是”：资料为“否”，不符合。"
    )
    assert "计算所依据的信息 企业信息 所在区 徐汇 这些信息有误？去更正 项目信息 是否获奖作品 否" in card
    html = response.content.decode()
    assert f'href="/e/{studio.pk}/edit/">这些信息有误？去更正' in html
    assert f'href="/e/{studio.pk}/projects/{drama.pk}/edit/">这些信息有误？去更正' in html
    # The fee relief has no amount: said in words. No clause id on the page, no other enterprise.
    relief = _card_words(response, offer(studio, None, "xuhui.desk_fee_relief"))
    assert relief.startswith("待确认 徐汇八条 · 初创企业工位费减免 费用减免，不计金额 企业本身")
    assert "xuhui." not in words and "hu8." not in words
    assert "xuhui." not in html and "hu8." not in html
    assert pushed["agent"].name not in html and "短剧编剧智能体" not in html


def _card_words(response: Any, o: Offer) -> str:
    html = response.content.decode()
    start = html.rindex("<article", 0, html.index(f'id="offer-{o.pk}"'))
    end = html.index("</article>", start)
    return text(type("R", (), {"content": html[start:end].encode()})())


def test_another_enterprises_offers_are_not_found(pushed: dict[str, Any], login_client: Any) -> None:
    client = login_client(pushed["studio_owner"])
    theirs = offer(pushed["agent"], pushed["agent_rd"], "xuhui.agent_rd")
    assert client.get(f"/offers/{theirs.pk}/").status_code == 404
    assert client.get(f"/offers/?enterprise={pushed['agent'].pk}").status_code == 404
    assert client.get("/offers/?enterprise=-5").status_code == 404
    for action in ("confirm", "decline", "answer"):
        response = client.post(f"/offers/{theirs.pk}/{action}/", {"declaration": "on", "contact": "x"})
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == "offered"


def test_anonymous_visitors_are_sent_to_log_in(pushed: dict[str, Any], client: Any) -> None:
    response = client.get("/offers/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_member_of_several_enterprises_chooses_one(pushed: dict[str, Any], login_client: Any) -> None:
    from shouzhan.accounts.models import Membership

    owner, agent = pushed["studio_owner"], pushed["agent"]
    Membership.objects.create(user=owner, organisation=agent.organisation)
    client = login_client(owner)
    first = client.get("/offers/")
    html = first.content.decode()
    assert '<select id="offers-enterprise" name="enterprise">' in html
    assert f'<option value="{agent.pk}">徐汇智能体公司</option>' in html
    chosen = text(client.get(f"/offers/?enterprise={agent.pk}"))
    assert "“徐汇智能体公司”的登记信息" in chosen and "徐汇八条 · AI技能库、智能体研发支持" in chosen


def test_the_enterprise_page_shows_the_offers_card(pushed: dict[str, Any], login_client: Any) -> None:
    studio = pushed["studio"]
    response = login_client(pushed["studio_owner"]).get(f"/e/{studio.pk}/")
    html = response.content.decode()
    card = text(
        type("R", (), {"content": html[html.rindex("<div", 0, html.index('id="offers-panel"')) :].encode()})()
    )
    expires = offer(studio, pushed["drama"], "xuhui.excellent_work").expires_on.isoformat()
    assert card.startswith(
        "政策直达 4 项政策待您确认，合计最高 2,000,000.00 元 "
        f"徐汇八条 · 算力券 1,000,000.00 元 · {expires} 前确认 "
        f"徐汇八条 · 优质短剧作品、获奖作品奖励 1,000,000.00 元 · {expires} 前确认 "
        f"AI微短剧“沪8条” · 优秀微短剧项目（含AI微短剧） 金额由经办人核定 · {expires} 前确认 "
        "另有 1 项回答几个问题即可判断。 查看全部推送"
    )
    assert f'href="/offers/?enterprise={studio.pk}"' in html


# ----------------------------------------------------------------------------- one offer
def test_the_detail_page_prefills_the_contact_and_shows_the_declaration(
    pushed: dict[str, Any], login_client: Any
) -> None:
    owner = pushed["studio_owner"]
    o = offer(pushed["studio"], pushed["drama"], "xuhui.excellent_work")
    response = login_client(owner).get(f"/offers/{o.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="contact" value="{owner.name} {owner.mobile}"' in html
    words = text(response)
    assert "申报承诺 本企业承诺：所登记的企业和项目信息真实、准确、完整" in words
    assert "结论：可申报，最高 1,000,000.00 元。" in words
    assert "确认后系统按登记信息自动生成申报，服务中心在 5 个工作日内办结" in words


def test_confirm_in_one_click_opens_a_fast_track_case(pushed: dict[str, Any], login_client: Any) -> None:
    owner = pushed["studio_owner"]
    o = offer(pushed["studio"], pushed["drama"], "xuhui.excellent_work")
    client = login_client(owner)
    response = client.post(f"/offers/{o.pk}/confirm/", {"declaration": "on", "contact": "林晓 13800000001"})
    assert response.status_code == 302 and response["Location"] == f"/offers/{o.pk}/"
    case = Case.objects.get()
    due = add_working_days(today(), 5).date
    assert (case.case_type, case.clause_id, case.amount_requested_fen, case.due_on) == (
        "policy_fast_track",
        "xuhui.excellent_work",
        100_000_000,
        due,
    )
    o.refresh_from_db()
    assert (o.state, o.case_id, o.contact) == ("confirmed", case.pk, "林晓 13800000001")
    page = client.get(f"/offers/{o.pk}/")
    words = text(page)
    assert f"已确认。服务中心将在 {due.isoformat()} 前办结，可在办件页查看进度。" in words
    assert (
        f"办理进度 办件 {case.reference} 状态 已提交，等待受理 办理期限 {due.isoformat()} 联系人 林晓 13800000001"
        in words
    )
    assert f'href="/cases/{case.pk}/" id="case-link"' in page.content.decode()
    listed = text(client.get("/offers/"))
    assert (
        f"已确认的推送 政策条款 项目 / 作品 最高金额 状态 办件 徐汇八条 · 优质短剧作品、获奖作品奖励 《弄堂里的光》 1,000,000.00 元 已确认，办理中 {case.reference} 办理期限 {due.isoformat()}"
        in listed
    )


def test_confirm_without_the_declaration_or_a_contact_shows_the_errors_inline(
    pushed: dict[str, Any], login_client: Any
) -> None:
    o = offer(pushed["studio"], pushed["drama"], "xuhui.excellent_work")
    response = login_client(pushed["studio_owner"]).post(f"/offers/{o.pk}/confirm/", {"contact": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(
        r'name="declaration"[^>]*>\s*我已阅读并同意上述申报承诺</label>\s*'
        r'<span class="field-error" role="alert">请阅读并同意申报承诺。</span>',
        html,
    )
    assert '<span class="field-error" role="alert">请填写联系人和联系电话。</span>' in html
    assert not Case.objects.exists()


def test_confirm_beyond_the_budget_is_refused_on_the_page(pushed: dict[str, Any], login_client: Any) -> None:
    clause_budget_set(
        actor=OFFICER, clause_id="xuhui.excellent_work", year=today().year, amount_fen=50_000_000
    )
    o = offer(pushed["studio"], pushed["drama"], "xuhui.excellent_work")
    response = login_client(pushed["studio_owner"]).post(
        f"/offers/{o.pk}/confirm/", {"declaration": "on", "contact": "林晓"}
    )
    assert response.status_code == 400
    assert (
        "“优质短剧作品、获奖作品奖励”2026 年度预算余额不足：剩余 500,000.00 元，本次需要 1,000,000.00 元。"
        "确认未生效，请联系服务中心。"
    ) in text(response)
    assert not Case.objects.exists()


def test_decline_needs_a_reason(pushed: dict[str, Any], login_client: Any) -> None:
    o = offer(pushed["agent"], pushed["agent_rd"], "xuhui.agent_rd")
    client = login_client(pushed["agent_owner"])
    response = client.post(f"/offers/{o.pk}/decline/", {"reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<details class="card" id="decline-card" open>' in html
    assert '<span class="field-error" role="alert">请说明放弃的原因。</span>' in html
    response = client.post(f"/offers/{o.pk}/decline/", {"reason": "已通过市级渠道申报"})
    assert response.status_code == 302
    o.refresh_from_db()
    assert (o.state, o.reason) == ("declined", "已通过市级渠道申报")
    words = text(client.get(f"/offers/{o.pk}/"))
    assert "已放弃这项推送。" in words and "已放弃 放弃原因：已通过市级渠道申报" in words
    listed = text(client.get("/offers/"))
    assert "已结束的推送 1 徐汇八条 · AI技能库、智能体研发支持 企业已放弃 已通过市级渠道申报" in listed


def test_a_withdrawn_offer_says_why_and_cannot_be_confirmed(
    pushed: dict[str, Any], login_client: Any
) -> None:
    from shouzhan.registry.services import project_update

    studio, owner, voucher = pushed["studio"], pushed["studio_owner"], pushed["voucher"]
    project_update(actor=owner, project=voucher, data={"voucher_item": "model"})
    services.enterprise_reevaluate(enterprise_id=studio.pk)
    gone = offer(studio, voucher, "xuhui.compute_voucher", str(today().year))
    client = login_client(owner)
    words = text(client.get(f"/offers/{gone.pk}/"))
    assert "推送已结束 按最新信息已不符合条件，或已就该条款申报" in words
    response = client.post(f"/offers/{gone.pk}/confirm/", {"declaration": "on", "contact": "林晓"})
    assert response.status_code == 400
    assert "该推送已撤回，不能再确认或放弃（按最新信息已不符合条件，或已就该条款申报）。" in text(response)


def test_an_expired_offer_says_so_in_words(pushed: dict[str, Any], login_client: Any) -> None:
    o = offer(pushed["studio"], pushed["drama"], "xuhui.excellent_work")
    assert services.offers_expire(today=o.expires_on + dt.timedelta(days=1)) >= 1
    words = text(login_client(pushed["studio_owner"]).get(f"/offers/{o.pk}/"))
    assert f"推送已结束 未在确认期限 {o.expires_on.isoformat()} 前确认，推送已过期。" in words
    assert "一键确认申领" not in words


def test_the_menu_offers_each_side_its_pages(pushed: dict[str, Any], login_client: Any, officer: Any) -> None:
    member = login_client(pushed["studio_owner"]).get("/offers/").content.decode()
    assert '<a href="/offers/" class="active">政策直达</a>' in member
    assert "推送批次" not in member
    staff = login_client(officer).get("/offers/runs/").content.decode()
    assert '<a href="/offers/runs/" class="active">推送批次</a>' in staff
    assert '<a href="/offers/exclusions/" class="">排除名单</a>' in staff


# ----------------------------------------------------------------------------- prompts
def test_a_prompt_asks_its_questions_with_the_right_controls(
    pushed: dict[str, Any], login_client: Any
) -> None:
    prompt = offer(pushed["gaps"], pushed["unknown_drama"], "xuhui.excellent_work")
    html = login_client(pushed["gaps_owner"]).get(f"/offers/{prompt.pk}/").content.decode()
    assert "<legend" in html and "是否优秀/精品作品</legend>" in html and "是否获奖作品</legend>" in html
    assert 'type="radio" name="project.excellent" value="true"' in html
    assert 'type="radio" name="project.excellent" value="false"' in html


def test_a_prompt_answered_becomes_an_offer_at_once(pushed: dict[str, Any], login_client: Any) -> None:
    prompt = offer(pushed["gaps"], pushed["unknown_drama"], "xuhui.excellent_work")
    client = login_client(pushed["gaps_owner"])
    response = client.post(f"/offers/{prompt.pk}/answer/", {"project.excellent": "true"})
    assert response.status_code == 302 and response["Location"] == f"/offers/{prompt.pk}/"
    words = text(client.get(f"/offers/{prompt.pk}/"))
    assert "信息已保存。按您补充的信息，符合该条款的条件，最高 1,000,000.00 元，现在可以确认申领。" in words
    assert "一键确认申领" in words


def test_a_prompt_answered_no_is_not_eligible(pushed: dict[str, Any], login_client: Any) -> None:
    prompt = offer(pushed["gaps"], pushed["unknown_drama"], "xuhui.excellent_work")
    client = login_client(pushed["gaps_owner"])
    client.post(
        f"/offers/{prompt.pk}/answer/", {"project.excellent": "false", "project.award_winning": "false"}
    )
    words = text(client.get(f"/offers/{prompt.pk}/"))
    assert "信息已保存。按您补充的信息，暂不符合该条款的条件。" in words
    assert "推送已结束 按最新信息已不符合条件，或已就该条款申报" in words


def test_a_prompt_answer_of_the_wrong_type_gets_a_clear_message(
    pushed: dict[str, Any], login_client: Any
) -> None:
    prompt = offer(pushed["gaps"], pushed["unknown_drama"], "xuhui.excellent_work")
    client = login_client(pushed["gaps_owner"])
    response = client.post(f"/offers/{prompt.pk}/answer/", {"project.excellent": "maybe"})
    assert response.status_code == 400
    html = response.content.decode()
    # The radio buttons refuse "maybe" as a choice: the page says so beside the question.
    assert '<span class="field-error" role="alert">' in html
    assert "是否优秀/精品作品" in text(response)
    # Nothing answered at all.
    response = client.post(f"/offers/{prompt.pk}/answer/", {})
    assert response.status_code == 400
    assert "请至少回答一个问题。" in text(response)
    prompt.refresh_from_db()
    assert prompt.state == "prompt"


def test_a_number_answer_that_is_not_a_number_is_refused_in_words(
    register: dict[str, Any], login_client: Any, make_enterprise: Any
) -> None:
    school, owner = make_enterprise("参训人数未填机构", district="徐汇", sector="micro_drama")
    course = school.projects.create(kind="course", title="AI 视听创制课程", year=2026)
    run_push(on=today())
    prompt = Offer.objects.get(
        enterprise=school, project=course, clause_id="hu8.training_course", current=True
    )
    assert prompt.state == "prompt"
    client = login_client(owner)
    page = client.get(f"/offers/{prompt.pk}/").content.decode()
    assert 'name="project.trainees" inputmode="numeric"' in page
    response = client.post(f"/offers/{prompt.pk}/answer/", {"project.trainees": "二十"})
    assert response.status_code == 400
    assert (
        '<span class="field-error" role="alert">“参训人数”应为非负整数。</span>' in response.content.decode()
    )
    response = client.post(f"/offers/{prompt.pk}/answer/", {"project.trainees": "45"})
    assert response.status_code == 302
    now = Offer.objects.get(key=prompt.key, current=True)
    assert now.state == "offered"
    assert "符合该条款的条件，最高" in text(client.get(f"/offers/{now.pk}/"))


# ----------------------------------------------------------------------------- the staff's side
STAFF_PAGES = [
    "/offers/runs/",
    "/offers/runs/{run}/",
    "/offers/figures/",
    "/offers/export.xlsx",
    "/offers/exclusions/",
]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_are_403_for_members(url: str, pushed: dict[str, Any], login_client: Any) -> None:
    response = login_client(pushed["studio_owner"]).get(url.format(run=pushed["run"].pk))
    assert response.status_code == 403


def test_staff_see_an_enterprises_offers_but_do_not_answer_them(
    pushed: dict[str, Any], login_client: Any, officer: Any
) -> None:
    studio = pushed["studio"]
    client = login_client(officer)
    words = text(client.get(f"/offers/?enterprise={studio.pk}"))
    assert "推送批次 / 光启短剧工作室" in words and "徐汇八条 · 优质短剧作品、获奖作品奖励" in words
    assert "这些信息有误？去更正" not in words
    o = offer(studio, pushed["drama"], "xuhui.excellent_work")
    assert "只有企业本身可以确认、放弃或补充信息。" in text(client.get(f"/offers/{o.pk}/"))
    assert client.post(f"/offers/{o.pk}/confirm/", {"declaration": "on", "contact": "x"}).status_code == 403
    assert client.get("/offers/").status_code == 302  # staff without an enterprise: the runs


def test_an_operator_starts_a_run_and_others_may_not(
    pushed: dict[str, Any], login_client: Any, officer: Any, make_user: Any
) -> None:
    response = login_client(officer).post("/offers/runs/", {"engine": "polars", "scope": "changed"})
    run = PushRun.objects.filter(trigger="manual", started_by=officer).get()
    assert response.status_code == 302 and response["Location"] == f"/offers/runs/{run.pk}/"
    assert (run.status, run.engine, run.scope) == ("queued", "polars", "changed")
    leader = login_client(make_user(role=Role.LEADER))
    assert leader.get("/offers/runs/").status_code == 200
    assert leader.post("/offers/runs/", {"engine": "polars", "scope": "full"}).status_code == 403
    bad = login_client(officer).post("/offers/runs/", {"engine": "abacus", "scope": "full"})
    assert bad.status_code == 400


def test_the_runs_list_names_each_run_in_words(
    pushed: dict[str, Any], login_client: Any, officer: Any
) -> None:
    run = pushed["run"]
    words = text(login_client(officer).get("/offers/runs/"))
    at = timezone.localtime(run.created_at).strftime("%Y-%m-%d %H:%M")
    assert f"{at} 手动启动 单机（Polars） 全部企业 {today().isoformat()} 已完成 4 15 0 0 0" in words


def test_the_run_fragment_shows_progress_while_it_runs(
    pushed: dict[str, Any], login_client: Any, officer: Any
) -> None:
    run = services.push_run_start(actor=officer, engine_name="polars", scope="full")
    client = login_client(officer)
    queued = client.get(f"/offers/runs/{run.pk}/", **HTMX)
    html = queued.content.decode()
    assert html.lstrip().startswith('<div id="push-run" data-status="queued"')
    assert f'hx-get="/offers/runs/{run.pk}/" hx-trigger="every 1s"' in html
    assert "排队中" in text(queued) and "<html" not in html
    PushRun.objects.filter(pk=run.pk).update(
        status="running", phase="compute", subjects_total=200, subjects_done=80, heartbeat_at=timezone.now()
    )
    words = text(client.get(f"/offers/runs/{run.pk}/", **HTMX))
    assert "运行中 逐条款计算：已评估 80 / 200 个主体（40%） 新增推送 — 已更新 — 已撤回 — 未变 —" in words
    PushRun.objects.filter(pk=run.pk).update(status="queued")  # let "the worker" claim it for real
    done = services.push_run_execute(run_id=run.pk)
    final = client.get(f"/offers/runs/{run.pk}/", **HTMX)
    assert 'hx-trigger="every 1s"' not in final.content.decode()
    assert (
        f"已完成 已评估 10 / 10 个主体（100%） 新增推送 0 已更新 0 已撤回 0 未变 {done.offers_kept}"
        in text(final)
    )


def test_the_run_page_sets_each_clause_against_its_remaining_budget(
    pushed: dict[str, Any], login_client: Any, officer: Any
) -> None:
    clause_budget_set(actor=OFFICER, clause_id="xuhui.agent_rd", year=today().year, amount_fen=200_000_000)
    clause_budget_set(
        actor=OFFICER, clause_id="xuhui.compute_voucher", year=today().year, amount_fen=900_000_000
    )
    run = run_push(on=today())
    words = text(login_client(officer).get(f"/offers/runs/{run.pk}/"))
    assert (
        "徐汇八条 · AI技能库、智能体研发支持 潜在金额超过剩余预算，请关注确认进度或追加预算。 "
        "1 0 5 3,000,000.00 元 2,000,000.00 元"
    ) in words
    assert "徐汇八条 · 算力券 1 0 5 1,000,000.00 元 9,000,000.00 元" in words
    assert "徐汇八条 · 企业落户发展支持 1 0 5 30,000,000.00 元 未设预算" in words
    # 8 about enterprises and projects, and the 7 about people (this register has no talent record).
    assert "其余 15 个条款本次没有符合或待补充信息的主体。" in words
    assert "耗时 读取登记数据" in words


def test_broken_rows_are_reported_in_words(register: dict[str, Any], login_client: Any, officer: Any) -> None:
    drama = register["drama"]
    drama.extra_facts = {"award_winning": "maybe", "benchmark_work": False}
    drama.save()
    run = run_push(on=today())
    assert run.status == "done"
    words = text(login_client(officer).get(f"/offers/runs/{run.pk}/"))
    assert (
        "有问题的登记数据 1 这些数据格式不对，本次按“未填写”处理，推送照常完成；请在企业资料中更正。 "
        "光启短剧工作室 · 《弄堂里的光》：“是否获奖作品”填写为“maybe”，不是有效的值，本次按未填写处理。"
    ) in words


# ----------------------------------------------------------------------------- figures and the export
def test_the_figures_show_the_funnel_and_the_time_to_confirm(
    pushed: dict[str, Any], login_client: Any, officer: Any
) -> None:
    o = offer(pushed["studio"], pushed["drama"], "xuhui.excellent_work")
    services.offer_confirm(actor=pushed["studio_owner"], offer=o, contact="林晓", declaration_accepted=True)
    response = login_client(officer).get("/offers/figures/")
    assert response.status_code == 200
    words = text(response)
    # Offered: every eligible subject × clause of the run (8); confirmed 1; none decided yet.
    assert "环节 数量 占已推送 已推送 8 100.0% 企业已确认 1 12.5% 已核定 0 0.0% 已拨付 0 0.0%" in words
    assert "已确认 1 中位数 0 个工作日" in words
    assert "当天确认 1" in words
    assert "徐汇八条 · 优质短剧作品、获奖作品奖励 1 1 1 0 0 0 0 0 0.00 元" in words
    assert '<svg class="funnel-chart"' in response.content.decode()


def test_the_export_opens_with_openpyxl_and_has_the_offers(
    pushed: dict[str, Any], login_client: Any, officer: Any
) -> None:
    o = offer(pushed["studio"], pushed["drama"], "xuhui.excellent_work")
    services.offer_confirm(actor=pushed["studio_owner"], offer=o, contact="林晓", declaration_accepted=True)
    response = login_client(officer).get("/offers/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="offers-{today():%Y%m%d}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "企业",
        "统一社会信用代码",
        "项目 / 作品",
        "政策条款",
        "状态",
        "最高金额（元）",
        "推送日期",
        "确认期限",
        "确认时间",
        "联系人",
        "办件编号",
        "办件状态",
        "办理期限",
        "撤回原因",
        "放弃原因",
    ]
    assert len(rows) == 1 + Offer.objects.filter(current=True).count() == 16
    confirmed = next(
        r for r in rows if r[3] == "徐汇八条 · 优质短剧作品、获奖作品奖励" and r[0] == "光启短剧工作室"
    )
    case = Case.objects.get()
    assert confirmed[:6] == [
        "光启短剧工作室",
        pushed["studio"].credit_code,
        "《弄堂里的光》",
        "徐汇八条 · 优质短剧作品、获奖作品奖励",
        "已确认，办理中",
        1_000_000,
    ]
    assert confirmed[9:13] == ["林晓", case.reference, "待受理", dt.datetime.combine(case.due_on, dt.time())]
    prompt = next(
        r for r in rows if r[0] == "信息不全公司" and r[3] == "徐汇八条 · 优质短剧作品、获奖作品奖励"
    )
    assert prompt[4] == "待补充信息" and prompt[8] is None


# ----------------------------------------------------------------------------- the exclusion list
def test_staff_exclude_an_enterprise_by_name_and_see_why_it_gets_nothing(
    pushed: dict[str, Any], login_client: Any, officer: Any
) -> None:
    studio = pushed["studio"]
    client = login_client(officer)
    form = client.get("/offers/exclusions/").content.decode()
    assert 'list="enterprise-names"' in form and 'hx-get="/cases/enterprise-options/"' in form
    response = client.post(
        "/offers/exclusions/",
        {
            "enterprise": "光启短剧工作室",
            "reason": "严重失信主体",
            "source": "信用中国（上海）2026-118 号",
            "valid_from": "2026-01-01",
            "valid_to": "",
        },
    )
    assert response.status_code == 302
    exclusion = Exclusion.objects.get()
    assert (exclusion.enterprise_id, exclusion.reason) == (studio.pk, "严重失信主体")
    assert not Offer.objects.filter(enterprise=studio, current=True, state__in=["offered", "prompt"]).exists()
    listed = text(client.get("/offers/exclusions/"))
    assert "光启短剧工作室 严重失信主体 信用中国（上海）2026-118 号 2026-01-01 — 长期 有效" in listed
    why = text(client.get(f"/offers/?enterprise={studio.pk}"))
    assert (
        "该企业列入推送排除名单（严重失信主体；来源：信用中国（上海）2026-118 号；自 2026-01-01 起）。"
        "名单有效期间，系统不向其推送任何政策。"
    ) in why
    assert "已结束的推送 5" in why and "企业列入推送排除名单" in why
    # The member is not told about the list itself.
    assert "推送排除名单（" not in text(login_client(pushed["studio_owner"]).get("/offers/"))


def test_an_unknown_enterprise_or_a_revoke_without_reason_is_an_inline_error(
    pushed: dict[str, Any], login_client: Any, officer: Any
) -> None:
    client = login_client(officer)
    response = client.post(
        "/offers/exclusions/",
        {"enterprise": "没有这家公司", "reason": "x", "source": "y", "valid_from": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "企业库中没有找到“没有这家公司”，请检查名称或统一社会信用代码。" in text(response)
    exclusion = services.exclusion_add(
        actor=officer,
        enterprise_id=pushed["agent"].pk,
        reason="严重失信主体",
        source="文书",
        valid_from=dt.date(2026, 1, 1),
    )
    response = client.post(f"/offers/exclusions/{exclusion.pk}/revoke/", {"reason": ""})
    assert response.status_code == 400
    assert '<span class="field-error" role="alert">请填写解除原因。</span>' in response.content.decode()
    response = client.post(f"/offers/exclusions/{exclusion.pk}/revoke/", {"reason": "信用修复完成"})
    assert response.status_code == 302
    exclusion.refresh_from_db()
    assert exclusion.revoke_reason == "信用修复完成"


# ----------------------------------------------------------------------------- queries
def _queries(client: Any, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# Session and user (2), the menu (memberships, provider organisations: 2), then the page's reads: the
# enterprise, its offers, the ended ones — none per offer.
OFFERS_PAGE = 7


def test_the_enterprise_offers_page_costs_a_fixed_number_of_queries(
    pushed: dict[str, Any], login_client: Any, django_assert_max_num_queries: Any
) -> None:
    client = login_client(pushed["studio_owner"])
    client.get("/offers/")
    with django_assert_max_num_queries(OFFERS_PAGE):
        assert client.get("/offers/").status_code == 200
    before = _queries(client, "/offers/")
    studio = pushed["studio"]
    for i in range(6):
        studio.projects.create(kind="micro_drama", title=f"更多作品{i}", year=2026, excellent=True)
    services.enterprise_reevaluate(enterprise_id=studio.pk)
    assert Offer.objects.filter(enterprise=studio, current=True).count() >= 17
    assert _queries(client, "/offers/") == before

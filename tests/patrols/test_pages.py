"""patrols' desk pages: a chief's own patrols and compliance, the patrol list, one patrol (verdict, flags,
check-ins, hazards, photos), 一河一档 with warnings and the QR sheet, 一河一策, the rules, and the menu —
each for who may (exact words) and who may not (403 for a page not theirs, 404 for a patrol they may not
know of, the login page for a visitor)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shouzhan.core.actors import system_actor
from shouzhan.core.nav import nav_entries
from shouzhan.core.roles import Role
from shouzhan.patrols import services
from shouzhan.patrols.models import Chief, Patrol, PlanMeasure, River, RiverPlan, Target, WarningSpell
from tests.patrols.conftest import walk

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 10, 12, 0, tzinfo=SHANGHAI)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
RULE_WORDS = "适用第 1 版规则（村居级 · 无预警 · 非汛期）：每周至少 1 次，每次不少于 30 分钟、2 公里。"
MISSED_ALL = "3 个打卡点漏了 3 个：漕溪北路桥、中段泵站、宜山路桥。"


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def text(response: Any) -> str:
    """The page's words without tags and runs of white space."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def staff(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.CASEWORKER, name="营商专员李青")


@pytest.fixture
def leader(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.LEADER, name="分管副区长")


@pytest.fixture
def outsider(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.ENTREPRENEUR, name="企业用户")


@pytest.fixture
def other_chief(make_user: Callable[..., Any], office: Any) -> Any:
    """A chief of another target without an office: sees only their own patrols."""
    target = Target.objects.create(code="lhg", name="龙华港（龙华段）", street="龙华街道", level="street")
    user = make_user(Role.OFFICER, name="村居河长王芳")
    Chief.objects.create(target=target, user=user, level="village", from_on=dt.date(2026, 1, 1))
    return user


def short(record: Any, **kw: Any) -> Patrol:
    """A patrol of 10 minutes and 800 m: under the rule, and flagged as too short."""
    start, end, track = walk(NOW - dt.timedelta(hours=3), metres=800, seconds=600)
    patrol: Patrol = record(start=start, started_at=start, ended_at=end, track=track, **kw)
    return patrol


# ----------------------------------------------------------------------------- refusals
PAGES = ("patrols:index", "patrols:targets", "patrols:rules")


def test_a_visitor_is_sent_to_log_in_and_an_enterprise_user_is_refused(
    record: Any, section: Target, outsider: Any, login_client: Callable[..., Client]
) -> None:
    patrol = record()
    river = section.river
    assert river is not None
    urls = [reverse(name) for name in PAGES] + [
        reverse("patrols:patrol", args=[patrol.pk]),
        reverse("patrols:patrol_photo", args=[patrol.pk, 1]),
        reverse("patrols:target", args=[section.pk]),
        reverse("patrols:target_qr", args=[section.pk]),
        reverse("patrols:river", args=[river.pk]),
    ]
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    client = login_client(outsider)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "仅供河长、巡查员和工作人员使用。" in text(response)
    assert client.get(reverse("patrols:patrol", args=[999_999])).status_code == 403  # never a hint


def test_a_chief_may_not_know_of_another_chiefs_patrol(
    record: Any, other_chief: Any, login_client: Callable[..., Client]
) -> None:
    patrol = record(photos=[("a.png", PNG)])
    client = login_client(other_chief)
    assert client.get(reverse("patrols:patrol", args=[patrol.pk])).status_code == 404
    assert client.get(reverse("patrols:patrol_photo", args=[patrol.pk, 1])).status_code == 404
    assert client.get(reverse("patrols:patrol", args=[999_999])).status_code == 404


# ----------------------------------------------------------------------------- my patrols
def test_a_chief_sees_this_months_duty_in_words_and_their_patrols(
    record: Any, chief: Any, login_client: Callable[..., Client]
) -> None:
    client = login_client(chief)
    page = text(client.get(reverse("patrols:index")))
    assert "我的河段 · 12 月履职" in page
    assert "蒲汇塘（徐家汇段） 村居级 · 居委主任" in page
    # December: a weekly rule is 31/7 ≈ 4 patrols; by the 10th one week has passed.
    assert "本月应巡查 4 次，截至今天应完成 1 次，已完成 0 次。 逾期 1 次，请尽快巡查" in page
    assert "还没有巡查记录。点“开始巡河”，在手机上记录第一次巡查。" in page
    assert "巡查列表" not in page  # the list is the desk's, not a chief's
    record()
    short(record)
    page = text(client.get(reverse("patrols:index")))
    assert (
        "本月应巡查 4 次，截至今天应完成 1 次，已完成 1 次。 按计划进行，本月还需 3 次 1 次待复核 1 次时长或距离不足"
        in page
    )
    assert "2026-12-10 09:00 蒲汇塘（徐家汇段） 徐家汇街道 10 分钟 0.8 公里 不达标 待复核" in page
    assert "2026-12-10 10:00 蒲汇塘（徐家汇段） 徐家汇街道 40 分钟 2.4 公里 达标 无异常" in page
    assert 'href="/patrols/record/"' in client.get(reverse("patrols:index")).content.decode()


# ----------------------------------------------------------------------------- the list
def test_the_list_puts_flagged_first_and_filters(
    record: Any, staff: Any, section: Target, login_client: Callable[..., Client]
) -> None:
    record()
    short(record)
    client = login_client(staff)
    page = text(client.get(reverse("patrols:index")))
    assert "全部 无异常 1 待复核 1 复核通过 0 复核不通过 0" in page
    assert "共 2 次巡查" in page
    first, second = page.index("10 分钟 0.8 公里 不达标 待复核"), page.index("40 分钟 2.4 公里 达标 无异常")
    assert first < second  # flagged first although older
    assert "村居河长陈平 村居级" in page
    page = text(client.get(reverse("patrols:index") + "?review=flagged"))
    assert "共 1 次巡查" in page and "达标 无异常" not in page
    Target.objects.create(code="lhg", name="龙华港（龙华段）", street="龙华街道")
    page = text(client.get(reverse("patrols:index") + "?street=龙华街道"))
    assert "没有符合条件的巡查。" in page
    page = text(client.get(reverse("patrols:index") + f"?target={section.pk}&page=99"))
    assert "共 2 次巡查" in page  # a page past the end shows the last
    assert client.get(reverse("patrols:index") + "?target=abc&review=nonsense&page=x").status_code == 200


def test_the_list_is_empty_before_any_patrol(staff: Any, login_client: Callable[..., Client]) -> None:
    page = text(login_client(staff).get(reverse("patrols:index")))
    assert "还没有巡查记录。河长在手机上登记巡查后会出现在这里。" in page


def test_the_list_reads_a_constant_number_of_queries(
    record: Any, staff: Any, login_client: Callable[..., Client], django_assert_num_queries: Any
) -> None:
    client = login_client(staff)
    record()
    client.get(reverse("patrols:index"))  # warm: the session, the calendar
    with django_assert_num_queries(9):
        client.get(reverse("patrols:index"))
    for _ in range(3):
        short(record)
    with django_assert_num_queries(9):
        assert client.get(reverse("patrols:index")).status_code == 200


# ----------------------------------------------------------------------------- one patrol
def test_a_patrol_reads_its_verdict_checkins_observations_and_hazards(
    record: Any, chief: Any, login_client: Callable[..., Client]
) -> None:
    patrol = record(
        observations={"colour": "turbid", "debris": "much", "quality": "IV", "note": "桥下有油污"},
        hazards=[
            {"category": "water", "description": "宜山路桥下有大量漂浮垃圾", "urgent": True, "photos": [0]}
        ],
        photos=[("a.png", PNG)],
    )
    client = login_client(chief)
    response = client.get(reverse("patrols:patrol", args=[patrol.pk]))
    page = text(response)
    assert "蒲汇塘（徐家汇段）的巡查" in page
    assert "村居河长陈平 · 村居级 · 2026-12-10 10:00—10:40" in page
    assert "达标 无异常" in page
    assert RULE_WORDS in page
    assert "巡查 40 分钟，不少于规定的 30 分钟。" in page
    assert "巡查 2.4 公里，不少于规定的 2 公里。" in page
    assert "疑似虚假巡查的原因" not in page
    assert "漕溪北路桥 10:05:00 扫码 中段泵站 10:05:00 扫码 宜山路桥 10:05:00 扫码" in page
    assert "水体颜色 浑浊 漂浮物 大量 水质类别（实测） Ⅳ类 其他情况 桥下有油污" in page
    assert "宜山路桥下有大量漂浮垃圾 紧急" in page and "派给区水务局 · 待签收" in page
    demand_id = patrol.hazards.get().demand_id
    assert f'href="{reverse("frontline:demand", args=[demand_id])}"' in response.content.decode()
    assert "复核" not in page.split("是否达标")[0].split("达标 无异常")[1]  # no review form for a clean one
    photo = client.get(reverse("patrols:patrol_photo", args=[patrol.pk, 1]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert client.get(reverse("patrols:patrol_photo", args=[patrol.pk, 2])).status_code == 404


def test_a_flagged_patrol_reads_its_reasons_in_words(
    record: Any, chief: Any, supervisor: Any, login_client: Callable[..., Client]
) -> None:
    patrol = short(record, checkins=[])
    page = text(login_client(chief).get(reverse("patrols:patrol", args=[patrol.pk])))
    assert "不达标 待复核" in page
    assert "巡查 10 分钟，少于规定的 30 分钟。" in page
    assert "巡查 0.8 公里，少于规定的 2 公里。" in page
    assert "巡查 10 分钟、0.8 公里，不足规定的 30 分钟、2 公里。" in page
    assert MISSED_ALL in page
    assert "漕溪北路桥 — 未打卡 中段泵站 — 未打卡 宜山路桥 — 未打卡" in page
    assert "等待主管部门复核；复核通过前不计入履职。" in page
    assert "提交复核" not in page  # the chief may not review
    assert "这次巡查没有发现隐患。" in page
    page = text(login_client(supervisor).get(reverse("patrols:patrol", args=[patrol.pk])))
    assert "复核结论 通过：这次巡查属实，计入履职 不通过：不计入履职" in page and "提交复核" in page


# ----------------------------------------------------------------------------- 一河一档
def test_the_river_files_list_rivers_sections_chiefs_and_warnings(
    section: Target, chief: Any, staff: Any, login_client: Callable[..., Client]
) -> None:
    section.concerns = "漕溪北路雨水排口\n宜山路桥下垃圾易堆积"
    section.save()
    Target.objects.create(code="wall", name="黄浦江防汛墙（龙华段）", kind="flood_wall", street="龙华街道")
    client = login_client(staff)
    page = text(client.get(reverse("patrols:targets")))
    assert "蒲汇塘 区级 · 全长 9000 米" in page
    assert (
        "蒲汇塘（徐家汇段） 河段 · 街镇级 · 徐家汇街道 漕溪北路 — 宜山路 2400 米 村居级 村居河长陈平 （居委主任） "
        "漕溪北路雨水排口 宜山路桥下垃圾易堆积 无预警" in page
    )
    assert (
        "其他巡查对象 名称 起止 长度 河长 重点关注 预警 黄浦江防汛墙（龙华段） 防汛墙 · 街镇级 · 龙华街道 — — 未设河长 — 无预警"
        in page
    )
    WarningSpell.objects.create(
        target=section, level="orange", from_on=dt.date(2026, 12, 1), reason="汛后水质"
    )
    assert "宜山路桥下垃圾易堆积 橙色预警" in text(client.get(reverse("patrols:targets")))


def test_the_river_files_are_empty_before_any_is_loaded(
    staff: Any, login_client: Callable[..., Client]
) -> None:
    assert "还没有登记河道和巡查对象。" in text(login_client(staff).get(reverse("patrols:targets")))


def test_a_target_file_and_its_warning_form_for_leaders_only(
    record: Any,
    section: Target,
    chief: Any,
    leader: Any,
    supervisor: Any,
    login_client: Callable[..., Client],
) -> None:
    record()
    url = reverse("patrols:target", args=[section.pk])
    page = text(login_client(chief).get(url))
    assert "打卡点 漕溪北路桥 中段泵站 宜山路桥" in page
    assert "河长 村居级 村居河长陈平 （居委主任）" in page
    assert "没有预警记录。" in page and "设定预警等级" not in page
    assert "40 分钟 2.4 公里 达标 无异常" in page
    warn = reverse("patrols:target_warning", args=[section.pk])
    data = {"level": "yellow", "from_on": "2026-12-10", "to_on": "", "reason": "水质下降至Ⅴ类"}
    response = login_client(supervisor).post(warn, data)
    assert response.status_code == 403
    assert "只有领导或管理员可以修改预警等级和巡查频次规则。" in text(response)
    client = login_client(leader)
    assert "设定预警等级" in text(client.get(url))
    response = client.post(warn, {**data, "to_on": "2026-12-01"})
    assert response.status_code == 400 and "结束日期不能早于开始日期。" in text(response)
    response = client.post(warn, {**data, "reason": ""})
    assert response.status_code == 400 and "请写明预警原因。" in text(response)
    response = client.post(warn, data, follow=True)
    assert "已设定“蒲汇塘（徐家汇段）”黄色预警，自 2026-12-10 起按此巡查。" in text(response)
    assert "黄色预警 2026-12-10 — 解除前 水质下降至Ⅴ类" in text(response)
    assert client.get(reverse("patrols:target", args=[999_999])).status_code == 404


def test_the_qr_sheet_has_one_code_per_checkpoint(
    section: Target, staff: Any, login_client: Callable[..., Client]
) -> None:
    response = login_client(staff).get(reverse("patrols:target_qr", args=[section.pk]))
    html = response.content.decode()
    assert html.count("<svg") - html.count('class="icon') >= 3
    for cp in section.checkpoints.all():
        assert f"<title>{cp.code}</title>" in html  # the code the phone scans
    page = text(response)
    assert "漕溪北路桥 蒲汇塘（徐家汇段） 第 1 个打卡点" in page
    assert "宜山路桥 蒲汇塘（徐家汇段） 第 3 个打卡点" in page
    bare = Target.objects.create(code="bare", name="空线路", street="龙华街道")
    assert "这条线路没有打卡点。" in text(
        login_client(staff).get(reverse("patrols:target_qr", args=[bare.pk]))
    )


# ----------------------------------------------------------------------------- 一河一策
DUE = dt.date.today() + dt.timedelta(days=400)  # a measure not yet due whenever the tests run


@pytest.fixture
def measure(section: Target) -> PlanMeasure:
    river = section.river
    assert river is not None
    plan = RiverPlan.objects.create(
        river=river, title="蒲汇塘一河一策（2026—2028）", period_from=dt.date(2026, 1, 1),
        period_to=dt.date(2028, 12, 31), goals="水质稳定达到Ⅳ类",
    )  # fmt: skip
    return plan.measures.create(text="排口截污纳管", responsible="区水务局", due_on=DUE, progress=40)


def test_a_river_file_with_its_plan_and_progress_updates(
    measure: PlanMeasure, chief: Any, supervisor: Any, login_client: Callable[..., Client]
) -> None:
    river = measure.plan.river
    url = reverse("patrols:river", args=[river.pk])
    page = text(login_client(chief).get(url))
    assert "蒲汇塘一河一策（2026—2028） 2026-01-01 — 2028-12-31 治理目标 水质稳定达到Ⅳ类" in page
    assert f"排口截污纳管 责任单位：区水务局 · 完成时限 {DUE:%Y-%m-%d} 40%" in page
    assert "更新进度" not in page
    update = reverse("patrols:measure_update", args=[measure.pk])
    data = {f"m{measure.pk}-progress": "75", f"m{measure.pk}-note": "已完成 3 个排口"}
    response = login_client(chief).post(update, data)
    assert response.status_code == 403
    assert "只有主管部门负责人或领导可以更新一河一策。" in text(response)
    client = login_client(supervisor)
    assert "更新进度" in text(client.get(url))
    response = client.post(update, {**data, f"m{measure.pk}-progress": "101"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    response = client.post(update, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f"排口截污纳管 责任单位：区水务局 · 完成时限 {DUE:%Y-%m-%d} 75% 已保存 已完成 3 个排口" in text(
        response
    )
    measure.refresh_from_db()
    assert (measure.progress, measure.note) == (75, "已完成 3 个排口")
    response = client.post(update, {**data, f"m{measure.pk}-progress": "90"}, follow=True)
    assert "已更新措施进度。" in text(response) and "90%" in text(response)


def test_a_measure_past_its_deadline_and_unfinished_reads_late(
    measure: PlanMeasure, supervisor: Any, login_client: Callable[..., Client]
) -> None:
    url = reverse("patrols:river", args=[measure.plan.river_id])
    today = timezone.localdate()
    PlanMeasure.objects.filter(pk=measure.pk).update(due_on=today)  # due today: not late yet
    assert "逾期未完成" not in text(login_client(supervisor).get(url))
    PlanMeasure.objects.filter(pk=measure.pk).update(due_on=today - dt.timedelta(days=1))
    assert f"完成时限 {today - dt.timedelta(days=1):%Y-%m-%d} 逾期未完成 40%" in text(
        login_client(supervisor).get(url)
    )
    PlanMeasure.objects.filter(pk=measure.pk).update(progress=100)
    assert "逾期未完成" not in text(login_client(supervisor).get(url))  # done, however late


def test_a_river_without_a_plan_says_so(
    section: Target, staff: Any, login_client: Callable[..., Client]
) -> None:
    river = River.objects.create(code="lhg", name="龙华港", level="street")
    page = text(login_client(staff).get(reverse("patrols:river", args=[river.pk])))
    assert "这条河道还没有登记河段。" in page and "这条河道还没有一河一策方案。" in page


# ----------------------------------------------------------------------------- the rules
def test_the_rules_in_force_and_the_earlier_versions(
    rules: Any, staff: Any, login_client: Callable[..., Client]
) -> None:
    client = login_client(staff)
    page = text(client.get(reverse("patrols:rules")))
    assert "现行规则 · 第 1 版，自 2026-01-01 起生效 汛期 每年 6 月 1 日至 9 月 30 日" in page
    assert (
        "村居级 无预警 每周至少 1 次，每次不少于 30 分钟、2 公里 每周至少 2 次，每次不少于 30 分钟、2 公里"
        in page
    )
    assert (
        "区级 无预警 每季度至少 1 次，每次不少于 30 分钟、1 公里 每月至少 1 次，每次不少于 30 分钟、1 公里"
        in page
    )
    assert "以前的版本" not in page
    version = rules
    data = {
        "valid_from": "2026-12-01",
        "flood_season": {"from": "05-15", "to": "09-30"},
        "note": "汛期提前到 5 月 15 日",
        "rules": [{k: getattr(r, k) for k in services.manage.RULE_KEYS} for r in version.rules.all()],
    }
    services.frequency_publish(actor=system_actor("test"), data=data)
    page = text(client.get(reverse("patrols:rules")))
    assert "现行规则 · 第 2 版，自 2026-12-01 起生效 汛期 每年 5 月 15 日至 9 月 30 日" in page
    assert "以前的版本 第 1 版 · 自 2026-01-01 起" in page


def test_the_rules_page_before_any_rules(staff: Any, login_client: Callable[..., Client]) -> None:
    assert "还没有生效的巡查频次规则。" in text(login_client(staff).get(reverse("patrols:rules")))


# ----------------------------------------------------------------------------- the menu
def _menu(user: Any) -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label, _url in nav_entries(user) if key.startswith("patrols_")]


def test_the_menu_offers_each_their_own(
    chief: Any, supervisor: Any, staff: Any, outsider: Any, section: Target
) -> None:
    assert _menu(chief) == [
        ("patrols_record", "巡河"),
        ("patrols_list", "巡查记录"),
        ("patrols_targets", "一河一档"),
        ("patrols_map", "巡查地图"),
        ("patrols_rules", "频次规则"),
    ]
    assert _menu(supervisor) == [
        ("patrols_list", "巡查记录"),
        ("patrols_targets", "一河一档"),
        ("patrols_map", "巡查地图"),
        ("patrols_compliance", "履职情况"),
        ("patrols_rules", "频次规则"),
    ]
    assert [k for k, _w in _menu(staff)] == [k for k, _w in _menu(supervisor)]
    assert _menu(outsider) == []
    urls = {key: url for key, _label, url in nav_entries(chief) if key.startswith("patrols_")}
    assert urls["patrols_record"] == "/patrols/record/"


def test_a_chief_of_an_ended_post_is_no_longer_offered_to_record(
    chief: Any, section: Target, make_user: Callable[..., Any]
) -> None:
    Chief.objects.filter(user=chief).update(to_on=dt.date(2026, 11, 30))
    assert _menu(chief) == []

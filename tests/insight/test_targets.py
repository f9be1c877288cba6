"""Each target's definition on a fixture with the exact count, near-misses that do not count and the facts not
recorded reported as unknown; the share computed exactly in fen; the projection in words."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.utils import timezone

from shouzhan.cases.models import Case
from shouzhan.insight.figures import Figure, percent
from shouzhan.insight.models import CityFigure
from shouzhan.insight.progress import progress_project, targets_progress
from shouzhan.insight.selectors import targets_measure
from shouzhan.registry.models import Patent
from shouzhan.spaces.models import Resource, Site, Tenancy
from tests.insight.conftest import SYSTEM

pytestmark = pytest.mark.django_db
_n = itertools.count(1)
WAN = 1_000_000  # fen in 1 万元


def measured(as_of: dt.date | None = None) -> dict[str, Figure]:
    return {f.key: f for f in targets_measure(as_of=as_of or timezone.localdate())}


def patents(enterprise: Any, n: int, status: str = Patent.Status.GRANTED) -> None:
    for _i in range(n):
        Patent.objects.create(number=f"CN2026{next(_n):07d}", title="一种视频生成方法", holder_enterprise=enterprise,
                              status=status)  # fmt: skip


def rent(enterprise: Any, start: dt.date, end: dt.date) -> None:
    site, _new = Site.objects.get_or_create(name="徐汇创业首站", kind=Site.Kind.FIRST_STOP, district="徐汇")
    room = Resource.objects.create(
        site=site, kind=Resource.Kind.DESK, unit=Resource.Unit.MONTH, name=f"D{next(_n)}"
    )
    Tenancy.objects.create(enterprise=enterprise, resource=room, start_on=start, end_on=end, months=12,
                           monthly_fee_fen=80_000)  # fmt: skip


def filing(
    enterprise: Any, *, state: str = "approved", kind: str = "finished_film_filing", **data: Any
) -> None:
    today = timezone.localdate()
    closed = today - dt.timedelta(days=3) if state in ("approved", "returned") else None
    Case.objects.create(case_type=kind, state=state, enterprise=enterprise, title=f"《剧{next(_n)}》备案",
                        data=data, submitted_on=today - dt.timedelta(days=20), closed_on=closed)  # fmt: skip


XUHUI_CLUSTER = {"district": "徐汇", "in_cluster": True, "sector": "micro_drama"}


def test_quality_enterprises_is_three(insight_data: Any, make_enterprise: Any) -> None:
    make = make_enterprise
    make(name="营收恰好一千万", annual_revenue_fen=1000 * WAN, **XUHUI_CLUSTER)
    b, _o = make(name="三件专利营收未登记", **XUHUI_CLUSTER)
    patents(b, 3)
    make(name="营收两千万", annual_revenue_fen=2000 * WAN, **XUHUI_CLUSTER)
    # near misses
    make(name="差一分一千万", annual_revenue_fen=1000 * WAN - 1, **XUHUI_CLUSTER)
    e, _o = make(name="两件专利", annual_revenue_fen=WAN, **XUHUI_CLUSTER)
    patents(e, 2)
    f, _o = make(name="三件但一件已失效", annual_revenue_fen=WAN, **XUHUI_CLUSTER)
    patents(f, 2)
    patents(f, 1, Patent.Status.EXPIRED)
    make(name="闵行大企业", annual_revenue_fen=5000 * WAN, district="闵行", in_cluster=True)
    make(name="不在集聚区", annual_revenue_fen=5000 * WAN, district="徐汇", in_cluster=False)
    # unknown: whether it is in the cluster, and its revenue, are not recorded
    make(name="集聚区未登记", annual_revenue_fen=5000 * WAN, district="徐汇")
    make(name="营收未登记", **XUHUI_CLUSTER)
    figure = measured()["quality_enterprises"]
    assert (figure.value, figure.unknown, figure.goal) == (Decimal(3), 2, Decimal(40))
    assert figure.progress == Decimal("7.50")
    _version, progress = targets_progress(actor=SYSTEM, as_of=timezone.localdate())
    quality = next(tp for tp in progress if tp.target.key == "quality_enterprises")
    assert quality.unknown_words == [
        "1 家企业因年营业收入未登记无法判断", "1 家企业因是否入驻产业集聚区未登记无法判断"
    ]  # fmt: skip


def test_incubated_teams_is_two(insight_data: Any, make_enterprise: Any) -> None:
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    a, _o = make_enterprise(name="在租半年", district="徐汇", stage="registered")
    rent(a, today - 200 * day, today + 200 * day)
    b, _o = make_enterprise(name="去年租过五个月", district="徐汇", stage="ip_design")
    rent(b, dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 6, 1))
    # near misses
    c, _o = make_enterprise(name="刚租一个多月", district="徐汇", stage="registered")
    rent(c, today - 50 * day, today + 300 * day)
    d, _o = make_enterprise(name="仍在创意阶段", district="徐汇", stage="idea")
    rent(d, today - 400 * day, today + 10 * day)
    e, _o = make_enterprise(name="闵行团队", district="闵行", stage="registered")
    rent(e, today - 400 * day, today + 10 * day)
    f, _o = make_enterprise(name="明年才起租", district="徐汇", stage="registered")
    rent(f, today + 10 * day, today + 400 * day)
    make_enterprise(name="区未登记", stage="registered")  # district unknown, no tenancy: decided (0 months)
    figure = measured()["incubated_teams"]
    assert (figure.value, figure.unknown) == (Decimal(2), 0)


def test_original_dramas_is_four(insight_data: Any, make_enterprise: Any) -> None:
    studio, _o = make_enterprise(name="徐汇剧场", district="徐汇")
    for share in (30, 50, 80, 100):
        filing(studio, ai_share=share, episodes=60)
    # near misses
    filing(studio, ai_share=29)
    filing(studio, ai_share=90, kind="planning_filing")
    filing(studio, ai_share=90, state="in_review")
    filing(studio, ai_share=90, state="returned")
    other, _o = make_enterprise(name="闵行剧场", district="闵行")
    filing(other, ai_share=90)
    # unknown: the AI share was not stated
    filing(studio)
    figure = measured()["original_dramas"]
    assert (figure.value, figure.unknown) == (Decimal(4), 1)


def test_city_share_exact_in_fen(insight_data: Any, make_enterprise: Any) -> None:
    today = timezone.localdate()
    make_enterprise(name="甲", annual_revenue_fen=100_000_000, **XUHUI_CLUSTER)
    make_enterprise(name="乙", annual_revenue_fen=23_456_789, **{**XUHUI_CLUSTER, "sector": "compute"})
    make_enterprise(name="其他行业", annual_revenue_fen=999 * WAN, **{**XUHUI_CLUSTER, "sector": "other"})
    make_enterprise(name="闵行", annual_revenue_fen=999 * WAN, **{**XUHUI_CLUSTER, "district": "闵行"})
    figure = measured()["city_share"]
    assert (figure.value, figure.numerator_fen, figure.denominator_fen, figure.note) == (
        None, 123_456_789, None, "no_city_total"
    )  # fmt: skip
    CityFigure.objects.create(year=today.year - 1, value_fen=1_000_000_000, source="去年公报",
                              published_on=dt.date(today.year - 1, 3, 1))  # fmt: skip
    figure = measured()["city_share"]  # 123456789 ÷ 1000000000 = 12.3456789 % → 12.35
    assert (figure.value, figure.numerator_fen, figure.denominator_fen) == (
        Decimal("12.35"),
        123_456_789,
        10**9,
    )
    assert figure.detail["city_year"] == today.year - 1
    CityFigure.objects.create(year=today.year, value_fen=987_654_321_00, source="今年公报",
                              published_on=today)  # fmt: skip
    figure = measured()["city_share"]  # 123456789 ÷ 98765432100 = 0.12499… % → 0.12
    assert (figure.value, figure.denominator_fen, figure.detail["city_source"]) == (
        Decimal("0.12"), 98_765_432_100, "今年公报"
    )  # fmt: skip
    assert percent(1, 8) == Decimal("12.50") and percent(1, 200) == Decimal("0.50")
    assert percent(1, 400) == Decimal("0.25") and percent(1, 800) == Decimal("0.13")  # 0.125 half up


def _figure(value: int | str, as_of: dt.date) -> Figure:
    return Figure(
        key="k", title="t", value=Decimal(value), unit="count", definition="", source="", as_of=as_of
    )


def test_projection_by_the_average_monthly_gain() -> None:
    history = [(dt.date(2026, m, 1), _figure(v, dt.date(2026, m, 28))) for m, v in ((5, 30), (6, 33), (7, 36),
               (8, 38), (9, 40), (10, 43), (11, 45))]  # fmt: skip
    now = _figure(46, dt.date(2026, 12, 6))
    p = progress_project(history=history, current=now, goal=Decimal(61), period_to=dt.date(2028, 5, 31),
                         noun="家")  # fmt: skip
    # the last 6 months: June 33 → December 46 is 13 in 6 months; 17 months to May 2028: 46 + 13/6 × 17
    assert (p.months_used, p.gain, p.months_left) == (6, Fraction(13, 6), 17)
    assert p.projected == Fraction(46) + Fraction(13, 6) * 17 and p.on_track is True
    assert p.text == "按近6个月平均每月新增 2.17 家推算，到 2028年5月 将达 82 家，可完成目标。"
    behind = progress_project(history=history, current=now, goal=Decimal(200), period_to=dt.date(2028, 5, 31),
                              noun="个")  # fmt: skip
    assert behind.on_track is False
    assert (
        behind.text == "按近6个月平均每月新增 2.17 个推算，到 2028年5月 将达 82 个，落后于目标，尚差 118 个。"
    )


def test_projection_with_too_little_history_and_a_target_reached() -> None:
    now = _figure(5, dt.date(2026, 12, 6))
    p = progress_project(history=[], current=now, goal=Decimal(40), period_to=dt.date(2028, 5, 31))
    assert (p.on_track, p.text) == (None, "月末快照不足两个月，暂不推算趋势。")
    done = progress_project(history=[], current=_figure(41, dt.date(2026, 12, 6)), goal=Decimal(40),
                            period_to=dt.date(2028, 5, 31))  # fmt: skip
    assert (done.on_track, done.reached, done.text) == (True, True, "已达到目标。")
    share = Figure(key="s", title="s", value=Decimal("12.50"), unit="percent", definition="", source="",
                   as_of=dt.date(2026, 12, 6))  # fmt: skip
    history = [(dt.date(2026, 10, 1), Figure(key="s", title="s", value=Decimal("12.00"), unit="percent",
                                             definition="", source="", as_of=dt.date(2026, 10, 31)))]  # fmt: skip
    p = progress_project(history=history, current=share, goal=Decimal(20), period_to=dt.date(2028, 5, 31),
                         unit="percent")  # fmt: skip
    # 0.5 point in 2 months → 0.25 a month, 17 months: 12.50 + 4.25 = 16.75 %, 3.25 points short
    assert (
        p.text
        == "按近2个月平均每月提高 0.25 个百分点推算，到 2028年5月 将达 16.75%，落后于目标，尚差 3.25 个百分点。"
    )

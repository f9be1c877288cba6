"""The frequency rules as dated versions: the verdict of a patrol against the rules of its date, the season
and the warning that choose the rule, the verdict in words, the patrols due over a month where the flood
season begins in the middle (exact fractions, rounding), and what publishing refuses."""

from __future__ import annotations

import copy
import datetime as dt
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError

from shouzhan.core.roles import Role
from shouzhan.patrols import services
from shouzhan.patrols.models import FrequencyRule, FrequencyVersion, Patrol, Target
from shouzhan.patrols.rules import RuleBook, Warnings, due_over, stretch_words, verdict_for, verdict_words
from tests.patrols.conftest import SYSTEM

D = dt.date
DATA = Path(services.__file__).resolve().parent.parent / "data" / "frequency.yaml"


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return data


def version2(valid_from: D, **changes: Any) -> dict[str, Any]:
    """The shipped rules, published again from `valid_from` with the village chiefs' minimums changed."""
    data = shipped()
    data["valid_from"] = valid_from
    data["note"] = "第二版"
    for row in data["rules"]:
        if row["level"] == "village":
            row.update(changes)
    return data


def judge(
    day: D, *, level: str = "village", warning: str = "none", minutes: int = 30, metres: int = 2000
) -> Any:
    return verdict_for(
        RuleBook.load(), day=day, level=level, warning=warning, duration_s=minutes * 60, distance_m=metres
    )


def test_the_shipped_rules_a_village_chief_walks_30_minutes_and_2_km(rules: FrequencyVersion) -> None:
    assert (rules.number, rules.valid_from, rules.flood_from, rules.flood_to) == (
        1,
        D(2026, 1, 1),
        "06-01",
        "09-30",
    )
    assert FrequencyRule.objects.filter(version=rules).count() == 24
    v = judge(D(2026, 3, 10))
    assert (v.version.number, v.season, v.warning, v.meets) == (1, "normal", "none", True)
    assert (v.rule.period, v.rule.min_patrols, v.rule.min_minutes, v.rule.min_distance_m) == (
        "week",
        1,
        30,
        2000,
    )
    assert v.items == [
        {"check": "rule", "ok": True, "version": 1},
        {"check": "duration", "ok": True, "value": 1800, "limit": 1800},
        {"check": "distance", "ok": True, "value": 2000, "limit": 2000},
    ]
    short = verdict_for(
        RuleBook.load(), day=D(2026, 3, 10), level="village", warning="none", duration_s=1799, distance_m=1999
    )
    assert short.meets is False
    assert [i["ok"] for i in short.items] == [True, False, False]
    # a street chief's minimum is 1.5 km: 2 km meets it
    assert judge(D(2026, 3, 10), level="street").rule.min_distance_m == 1500


def test_a_later_version_judges_patrols_after_its_date_not_before(rules: FrequencyVersion) -> None:
    v2 = services.frequency_publish(
        actor=SYSTEM, data=version2(D(2026, 5, 1), min_minutes=45, min_distance_m=3000), source="test"
    )
    assert v2 is not None and (v2.number, v2.valid_from) == (2, D(2026, 5, 1))
    before, first_day, after = judge(D(2026, 4, 30)), judge(D(2026, 5, 1)), judge(D(2026, 5, 20))
    assert (before.version.number, before.meets, before.rule.min_minutes) == (1, True, 30)
    assert (first_day.version.number, first_day.meets, first_day.rule.min_minutes) == (2, False, 45)
    assert (after.version.number, after.meets) == (2, False)
    assert after.items[1:] == [
        {"check": "duration", "ok": False, "value": 1800, "limit": 2700},
        {"check": "distance", "ok": False, "value": 2000, "limit": 3000},
    ]
    assert judge(D(2026, 5, 20), minutes=45, metres=3000).meets is True
    # a patrol of January is still judged by the first version
    assert judge(D(2026, 1, 5)).version.number == 1


def test_flood_season_and_normal_season_choose_different_rules(rules: FrequencyVersion) -> None:
    book = RuleBook.load()
    days = {D(2026, 5, 31): ("normal", 1), D(2026, 6, 1): ("flood", 2), D(2026, 9, 30): ("flood", 2),
            D(2026, 10, 1): ("normal", 1)}  # fmt: skip
    for day, (season, patrols) in days.items():
        _version, rule, found = book.rule_on(day, "village", "none")
        assert (found, rule.season, rule.min_patrols, rule.period) == (season, season, patrols, "week"), day
    # the district chief: quarterly in the normal season, monthly in the flood season
    assert book.rule_on(D(2026, 3, 1), "district", "none")[1].period == "quarter"
    assert book.rule_on(D(2026, 7, 1), "district", "none")[1].period == "month"


def test_the_warning_level_is_chosen_by_the_spells_the_highest_when_they_overlap(
    rules: FrequencyVersion, section: Target
) -> None:
    services.warning_set(actor=SYSTEM, target=section, level="yellow", from_on=D(2026, 3, 1), to_on=D(2026, 3, 31),
                         reason="水质下降")  # fmt: skip
    services.warning_set(actor=SYSTEM, target=section, level="orange", from_on=D(2026, 3, 10), to_on=D(2026, 3, 12),
                         reason="暴雨")  # fmt: skip
    services.warning_set(actor=SYSTEM, target=section, level="red", from_on=D(2026, 11, 1), to_on=None,
                         reason="持续超标")  # fmt: skip
    w = Warnings.load([section.pk])
    days = [D(2026, 2, 28), D(2026, 3, 1), D(2026, 3, 10), D(2026, 3, 12), D(2026, 3, 13), D(2026, 4, 1),
            D(2026, 11, 1), D(2027, 5, 1)]  # fmt: skip
    assert w.schedule(section.pk, days) == (
        "none",
        "yellow",
        "orange",
        "orange",
        "yellow",
        "none",
        "red",
        "red",
    )
    assert Warnings.load([section.pk + 1000]).on(section.pk, D(2026, 3, 10)) == "none"
    # the rule follows: a village chief under an orange warning patrols 3 times a week
    assert judge(D(2026, 3, 10), warning=w.on(section.pk, D(2026, 3, 10))).rule.min_patrols == 3


def test_the_verdict_in_words(rules: FrequencyVersion) -> None:
    def words(day: D, warning: str, minutes: int, metres: int) -> list[tuple[bool, str]]:
        v = judge(day, warning=warning, minutes=minutes, metres=metres)
        patrol = Patrol(level="village", warning=v.warning, season=v.season, rule=v.rule, verdict=v.items)
        return verdict_words(patrol)

    assert words(D(2026, 3, 10), "none", 41, 2437) == [
        (True, "适用第 1 版规则（村居级 · 无预警 · 非汛期）：每周至少 1 次，每次不少于 30 分钟、2 公里。"),
        (True, "巡查 41 分钟，不少于规定的 30 分钟。"),
        (True, "巡查 2.44 公里，不少于规定的 2 公里。"),
    ]
    assert words(D(2026, 7, 1), "red", 12, 850) == [
        (True, "适用第 1 版规则（村居级 · 红色预警 · 汛期）：每周至少 5 次，每次不少于 30 分钟、2 公里。"),
        (False, "巡查 12 分钟，少于规定的 30 分钟。"),
        (False, "巡查 0.85 公里，少于规定的 2 公里。"),
    ]
    assert verdict_words(Patrol(verdict=[])) == []


def test_due_over_a_month_where_the_flood_season_begins_in_the_middle(rules: FrequencyVersion) -> None:
    # a district moves its flood season to start on 16 June, from 1 April 2026
    data = shipped()
    data["valid_from"] = D(2026, 4, 1)
    data["flood_season"] = {"from": "06-16", "to": "09-30"}
    assert services.frequency_publish(actor=SYSTEM, data=data) is not None
    book = RuleBook.load()
    june = dict(start=D(2026, 6, 1), end=D(2026, 6, 30), warnings=["none"] * 30)
    # village: 15 days of 1 a week, 15 days of 2 a week
    due = due_over(book, level="village", upto=D(2026, 6, 20), **june)  # type: ignore[arg-type]
    assert due.exact == Fraction(15, 7) + Fraction(30, 7) == Fraction(45, 7)
    assert (due.total, due.by_day) == (6, 3)  # 6.43 rounds to 6; by the 20th 15/7 + 10/7 = 25/7 = 3.57 → 3
    assert [(s.start, s.end, s.season, s.share, s.version) for s in due.stretches] == [
        (D(2026, 6, 1), D(2026, 6, 15), "normal", Fraction(15, 7), 2),
        (D(2026, 6, 16), D(2026, 6, 30), "flood", Fraction(30, 7), 2),
    ]
    assert [stretch_words(s) for s in due.stretches] == [
        "6/1—6/15 非汛期 · 无预警：每周至少 1 次，每次不少于 30 分钟、2 公里，折合 2.14 次",
        "6/16—6/30 汛期 · 无预警：每周至少 2 次，每次不少于 30 分钟、2 公里，折合 4.29 次",
    ]
    # street: monthly 1, then 2 — exactly 1.5, rounded half up to 2; none yet before the month starts
    street = due_over(book, level="street", upto=None, **june)  # type: ignore[arg-type]
    assert (street.exact, street.total, street.by_day) == (Fraction(3, 2), 2, 0)
    # by the 29th 1.45 have come due (rounded down: 1); on the last day the month's due is due
    assert due_over(book, level="street", upto=D(2026, 6, 29), **june).by_day == 1  # type: ignore[arg-type]
    assert due_over(book, level="street", upto=D(2026, 6, 30), **june).by_day == 2  # type: ignore[arg-type]
    # a warning raised in the middle splits a stretch too: orange (3 a week) for the last 5 days
    raised = due_over(book, level="village", start=D(2026, 6, 1), end=D(2026, 6, 30),
                      warnings=["none"] * 25 + ["orange"] * 5, upto=D(2026, 6, 30))  # fmt: skip
    assert raised.exact == Fraction(15, 7) + Fraction(20, 7) + Fraction(15, 7) == Fraction(50, 7)
    assert (raised.total, raised.by_day, len(raised.stretches)) == (7, 7, 3)


def test_due_over_a_month_of_the_shipped_rules(rules: FrequencyVersion) -> None:
    book = RuleBook.load()
    may = due_over(book, level="village", start=D(2026, 5, 1), end=D(2026, 5, 31), warnings=["none"] * 31,
                   upto=D(2026, 5, 31))  # fmt: skip
    assert (may.exact, may.total, may.by_day) == (Fraction(31, 7), 4, 4)
    # a window from the last week of May into June crosses into the flood season
    cross = due_over(book, level="village", start=D(2026, 5, 25), end=D(2026, 6, 7), warnings=["none"] * 14,
                     upto=D(2026, 5, 31))  # fmt: skip
    assert (cross.exact, cross.total, cross.by_day) == (Fraction(7, 7) + Fraction(14, 7), 3, 1)
    # a district chief in March (quarterly, Q1 has 90 days)
    march = due_over(book, level="district", start=D(2026, 3, 1), end=D(2026, 3, 31), warnings=["none"] * 31,
                     upto=None)  # fmt: skip
    assert (march.exact, march.total) == (Fraction(31, 90), 0)


def test_no_version_in_force_is_a_clear_error(rules: FrequencyVersion) -> None:
    with pytest.raises(ValidationError) as err:
        judge(D(2025, 12, 31))
    assert err.value.messages == ["2025-12-31 没有生效的巡查频次规则。"]
    with pytest.raises(ValidationError) as err:
        RuleBook([], []).version_on(D(2026, 3, 1))
    assert err.value.messages == ["2026-03-01 没有生效的巡查频次规则。"]


def refused(data: dict[str, Any]) -> Any:
    before = FrequencyVersion.objects.count()
    with pytest.raises(ValidationError) as err:
        services.frequency_publish(actor=SYSTEM, data=data)
    assert FrequencyVersion.objects.count() == before
    return err.value.message_dict if hasattr(err.value, "error_dict") else err.value.messages


def test_publishing_refuses_incomplete_duplicate_and_bad_rules(rules: FrequencyVersion) -> None:
    base = version2(D(2026, 8, 1), min_minutes=40)
    keys = "level、warning、season、period、min_patrols、min_minutes、min_distance_m"

    def changed(edit: Any) -> dict[str, Any]:
        data = copy.deepcopy(base)
        edit(data)
        return data

    assert refused(changed(lambda d: d["rules"].pop())) == {
        "rules": ["缺少“村居级 · 红色预警 · 汛期”的规则（共缺 1 条）。"]
    }
    assert refused(changed(lambda d: d.update(rules=d["rules"][:16]))) == {
        "rules": ["缺少“村居级 · 无预警 · 非汛期”的规则（共缺 8 条）。"]
    }
    assert refused(changed(lambda d: d["rules"].append(dict(d["rules"][0])))) == {
        "rules": ["第 25 条规则与前面的规则重复。"]
    }
    assert refused(changed(lambda d: d["rules"][0].update(period="day"))) == {
        "rules": ["第 1 条规则的周期不正确。"]
    }
    assert refused(changed(lambda d: d["rules"][1].update(min_patrols=0))) == {
        "rules": ["第 2 条规则的最低要求应为正整数。"]
    }
    assert refused(changed(lambda d: d["rules"][2].update(min_distance_m="2km"))) == {
        "rules": ["第 3 条规则的最低要求应为正整数。"]
    }
    assert refused(changed(lambda d: d["rules"][0].update(level="town"))) == {
        "rules": ["第 1 条规则的层级、预警或时段不正确。"]
    }
    assert refused(changed(lambda d: d["rules"][0].pop("season"))) == {
        "rules": [f"第 1 条规则应包含：{keys}。"]
    }
    assert refused(changed(lambda d: d["rules"][0].update(extra=1))) == {
        "rules": [f"第 1 条规则应包含：{keys}。"]
    }
    assert refused(changed(lambda d: d.update(rules="all"))) == {"rules": ["频次规则格式不正确。"]}
    assert refused(changed(lambda d: d.pop("valid_from"))) == {"valid_from": ["请填写生效日期。"]}
    assert refused(changed(lambda d: d.update(valid_from="2026-02-30"))) == {
        "valid_from": ["请填写生效日期。"]
    }
    assert refused(changed(lambda d: d.update(flood_season={"from": "13-01", "to": "09-30"}))) == [
        "汛期日期“13-01”格式不正确，应为“月-日”，如 06-01。"
    ]
    assert refused(changed(lambda d: d.pop("flood_season"))) == [
        "汛期日期“”格式不正确，应为“月-日”，如 06-01。"
    ]


def test_publishing_the_same_rules_twice_publishes_nothing(rules: FrequencyVersion, make_user: Any) -> None:
    assert services.frequency_load(actor=SYSTEM) is None
    assert services.frequency_publish(actor=SYSTEM, data=shipped()) is None
    assert list(FrequencyVersion.objects.values_list("number", flat=True)) == [1]
    v2 = services.frequency_publish(actor=SYSTEM, data=version2(D(2026, 8, 1), min_minutes=40))
    assert v2 is not None and v2.number == 2
    assert services.frequency_publish(actor=SYSTEM, data=version2(D(2026, 8, 1), min_minutes=40)) is None
    assert FrequencyVersion.objects.count() == 2
    with pytest.raises(PermissionDenied) as err:
        services.frequency_publish(actor=make_user(Role.OFFICER), data=version2(D(2026, 9, 1)))
    assert str(err.value) == "只有领导或管理员可以修改预警等级和巡查频次规则。"
    assert FrequencyVersion.objects.count() == 2

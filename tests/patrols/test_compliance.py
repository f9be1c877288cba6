"""Compliance over a month with the flood season starting in the middle: exact due, done, flagged, rejected,
below the rule and overdue per chief; a chief who took the post mid-month; a warning raised mid-month; the
totals by street and by level; and the reminders (each chief told once per new patrol overdue).

The world (`june`): the rules of patrols/data republished from 2026-05-01 with the flood season from 06-16, so
June is 15 days outside it and 15 days in it. A village chief must patrol weekly once outside the season and
twice in it: 15/7 + 30/7 = 45/7 ≈ 6.43, so 6 patrols are due in June.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
import yaml
from django.utils import timezone

from shouzhan.core.actors import actor_label
from shouzhan.core.audit import AuditEntry
from shouzhan.core.notifications import Notification
from shouzhan.core.roles import Role
from shouzhan.patrols import services
from shouzhan.patrols.audit_actions import COMPLIANCE_REMIND
from shouzhan.patrols.compliance import compliance_remind, compliance_rows, summarise
from shouzhan.patrols.models import Chief, Patrol, Reminder, Target
from shouzhan.patrols.rules import stretch_words
from shouzhan.patrols.services.data import DATA
from tests.patrols.conftest import LAT0, LON0, SYSTEM, north, walk

pytestmark = pytest.mark.django_db
D = dt.date
JUNE = D(2026, 6, 1)
LATER = D(2026, 12, 6)  # after June: everything of June is due by then


def at(day: int, month: int = 6) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, 9, 0))


@pytest.fixture
def june(rules: Any, section: Target, chief: Any, make_user: Callable[..., Any]) -> dict[str, Any]:
    """Version 2 of the rules (flood season from 06-16), the section's village and street chiefs, and a
    village chief of another street's section who took the post on 06-10."""
    data = yaml.safe_load((DATA / "frequency.yaml").read_text(encoding="utf-8"))
    data.update(
        valid_from=D(2026, 5, 1), flood_season={"from": "06-16", "to": "09-30"}, note="汛期推迟至6月16日"
    )
    version = services.frequency_publish(actor=SYSTEM, data=data)
    assert version is not None and version.number == 2
    street_user = make_user(Role.OFFICER, name="街镇河长王芳")
    street_chief = Chief.objects.create(
        target=section, user=street_user, level="street", title="街道办事处主任", from_on=D(2026, 1, 1)
    )
    other = Target.objects.create(
        code="lhg-lh", name="龙华港（龙华段）", level="street", street="龙华街道", length_m=1800,
        path=[[LAT0, LON0], [north(1800), LON0]], office=section.office,
    )  # fmt: skip
    late_user = make_user(Role.OFFICER, name="村居河长李强")
    late = Chief.objects.create(target=other, user=late_user, level="village", title="村委会主任",
                                from_on=D(2026, 6, 10))  # fmt: skip
    return {
        "section": section,
        "village": Chief.objects.get(user=chief),
        "street": street_chief,
        "late": late,
        "other": other,
    }


@pytest.fixture
def patrolled(june: dict[str, Any], record: Callable[..., Patrol], supervisor: Any) -> dict[str, Any]:
    """The village chief's patrols: three clean in June, a flagged one waiting, one accepted and one
    rejected on review, one too short (below the rule, and flagged for it), and one each in May and July."""
    for day in (2, 9, 17):
        assert record(start=at(day)).review == Patrol.Review.CLEAN
    waiting = record(start=at(20), checkins=[])
    accepted = record(start=at(22), checkins=[])
    rejected = record(start=at(24), checkins=[])
    short = record(start=at(25), track=walk(at(25), metres=1000)[2])
    record(start=at(30, 5))
    record(start=at(1, 7))
    for patrol, accept in ((accepted, True), (rejected, False)):
        services.patrol_review(actor=supervisor, patrol=patrol, accept=accept, note="" if accept else "轨迹不在河边",
                               expected_version=patrol.version)  # fmt: skip
    assert (waiting.review, waiting.meets_rules) == (Patrol.Review.FLAGGED, True)
    assert (short.review, short.meets_rules) == (Patrol.Review.FLAGGED, False)
    return june


def _by_chief(rows: list[Any]) -> dict[int, Any]:
    return {r.chief.pk: r for r in rows}


def test_a_village_chief_in_june_with_the_flood_season_from_the_16th(patrolled: dict[str, Any]) -> None:
    rows = _by_chief(compliance_rows(month=D(2026, 6, 17), today=LATER))
    row = rows[patrolled["village"].pk]
    assert row.due.exact == Fraction(45, 7)
    assert (row.due.total, row.due.by_day) == (6, 6)
    assert (row.done, row.flagged, row.rejected, row.short) == (4, 2, 1, 1)
    assert (row.overdue, row.remaining, row.status) == (2, 2, "overdue")
    assert (row.start, row.end) == (D(2026, 6, 1), D(2026, 6, 30))
    stretches = [(s.start, s.end, s.version, s.season, s.warning, s.share) for s in row.due.stretches]
    assert stretches == [
        (D(2026, 6, 1), D(2026, 6, 15), 2, "normal", "none", Fraction(15, 7)),
        (D(2026, 6, 16), D(2026, 6, 30), 2, "flood", "none", Fraction(30, 7)),
    ]
    assert [stretch_words(s) for s in row.due.stretches] == [
        "6/1—6/15 非汛期 · 无预警：每周至少 1 次，每次不少于 30 分钟、2 公里，折合 2.14 次",
        "6/16—6/30 汛期 · 无预警：每周至少 2 次，每次不少于 30 分钟、2 公里，折合 4.29 次",
    ]


def test_due_by_a_day_in_the_middle_of_the_month(patrolled: dict[str, Any]) -> None:
    """On 06-20: 15/7 + 5 × 2/7 = 25/7 ≈ 3.57, so 3 are due by then (a week's patrol is due when it ends)."""
    rows = _by_chief(compliance_rows(month=JUNE, today=D(2026, 6, 20)))
    village = rows[patrolled["village"].pk]
    assert (village.due.total, village.due.by_day, village.overdue, village.status) == (6, 3, 0, "on_track")
    street = rows[patrolled["street"].pk]  # monthly: 15/30 + 5 × 2/30 = 25/30
    assert (street.due.exact, street.due.total, street.due.by_day) == (Fraction(3, 2), 2, 0)
    late = rows[patrolled["late"].pk]  # 6/7 + 10/7 = 16/7
    assert (late.due.total, late.due.by_day) == (5, 2)
    before = _by_chief(compliance_rows(month=JUNE, today=D(2026, 5, 31)))  # the month not yet begun
    assert (before[patrolled["village"].pk].due.by_day, before[patrolled["late"].pk].due.by_day) == (0, 0)


def test_a_chief_who_took_the_post_mid_month_is_due_from_that_day(june: dict[str, Any]) -> None:
    row = _by_chief(compliance_rows(month=JUNE, today=LATER))[june["late"].pk]
    assert (row.start, row.end) == (D(2026, 6, 10), D(2026, 6, 30))
    assert row.due.exact == Fraction(6, 7) + Fraction(30, 7)  # 6 days outside the season, 15 in it
    assert (row.due.total, row.due.by_day, row.done, row.overdue) == (5, 5, 0, 5)
    assert [(s.start, s.end) for s in row.due.stretches] == [
        (D(2026, 6, 10), D(2026, 6, 15)),
        (D(2026, 6, 16), D(2026, 6, 30)),
    ]
    may = _by_chief(compliance_rows(month=D(2026, 5, 1), today=LATER))
    assert june["late"].pk not in may  # not yet in the post


def test_a_chief_who_left_mid_month_is_due_until_that_day(june: dict[str, Any]) -> None:
    village = june["village"]
    village.to_on = D(2026, 6, 15)
    village.save()
    row = _by_chief(compliance_rows(month=JUNE, today=LATER))[village.pk]
    assert (row.end, row.due.exact, row.due.total, row.due.by_day) == (D(2026, 6, 15), Fraction(15, 7), 2, 2)


def test_a_yellow_warning_from_the_23rd_raises_what_is_due(june: dict[str, Any]) -> None:
    services.warning_set(actor=SYSTEM, target=june["section"], level="yellow", from_on=D(2026, 6, 23),
                         to_on=None, reason="强降雨，水位上涨")  # fmt: skip
    rows = _by_chief(compliance_rows(month=JUNE, today=LATER))
    village = rows[june["village"].pk]  # 15 × 1/7 + 7 × 2/7 + 8 × 3/7 = 53/7 ≈ 7.57
    assert village.due.exact == Fraction(53, 7)
    assert (village.due.total, village.due.by_day) == (
        8,
        8,
    )  # the month is over: what was due by its end is its due
    assert [(s.start, s.end, s.season, s.warning) for s in village.due.stretches] == [
        (D(2026, 6, 1), D(2026, 6, 15), "normal", "none"),
        (D(2026, 6, 16), D(2026, 6, 22), "flood", "none"),
        (D(2026, 6, 23), D(2026, 6, 30), "flood", "yellow"),
    ]
    assert stretch_words(village.due.stretches[2]) == (
        "6/23—6/30 汛期 · 黄色预警：每周至少 3 次，每次不少于 30 分钟、2 公里，折合 3.43 次"
    )
    street = rows[june["street"].pk]  # 15/30 + 7 × 2/30 + 8 × 1/7 (weekly in a yellow flood season)
    assert street.due.exact == Fraction(29, 30) + Fraction(8, 7)
    assert (street.due.total, street.due.by_day) == (2, 2)
    late = rows[june["late"].pk]  # another section: no warning
    assert late.due.exact == Fraction(36, 7)


def test_the_totals_by_street_and_by_level(patrolled: dict[str, Any]) -> None:
    rows = compliance_rows(month=JUNE, today=LATER)
    assert [r.chief.pk for r in rows] == [  # by street, section, level
        patrolled["street"].pk, patrolled["village"].pk, patrolled["late"].pk
    ]  # fmt: skip
    by_street = {s.key: (s.chiefs, s.due, s.done, s.overdue_chiefs, s.flagged, s.rate)
                 for s in summarise(rows, "street")}  # fmt: skip
    assert by_street == {
        "徐家汇街道": (2, 8, 4, 2, 2, 50),  # the street chief: 2 due, 1 by the month's end, none done
        "龙华街道": (1, 5, 0, 1, 0, 0),
    }
    by_level = {s.key: (s.chiefs, s.due, s.done, s.overdue_chiefs, s.flagged, s.rate)
                for s in summarise(rows, "level")}  # fmt: skip
    assert by_level == {"village": (2, 11, 4, 2, 2, 36), "street": (1, 2, 0, 1, 0, 0)}


def test_the_filters(patrolled: dict[str, Any]) -> None:
    assert [r.chief.pk for r in compliance_rows(month=JUNE, today=LATER, street="龙华街道")] == [
        patrolled["late"].pk
    ]
    assert [r.chief.pk for r in compliance_rows(month=JUNE, today=LATER, level="street")] == [
        patrolled["street"].pk
    ]
    assert compliance_rows(month=JUNE, today=LATER, street="龙华街道", level="street") == []


# ----------------------------------------------------------------------------- reminders
def _told() -> list[tuple[str, str]]:
    return list(Notification.objects.order_by("pk").values_list("user__name", "message"))


def test_overdue_chiefs_are_told_once_and_again_when_one_more_is_overdue(june: dict[str, Any]) -> None:
    assert compliance_remind(actor=SYSTEM, today=D(2026, 6, 20)) == 2  # 3 and 2 overdue; the street chief 0
    assert _told() == [
        (
            "村居河长陈平",
            "“蒲汇塘（徐家汇段）”本月应巡查 6 次，截至今天应完成 3 次，已完成 0 次，请尽快巡查。",
        ),
        ("村居河长李强", "“龙华港（龙华段）”本月应巡查 5 次，截至今天应完成 2 次，已完成 0 次，请尽快巡查。"),
    ]
    assert compliance_remind(actor=SYSTEM, today=D(2026, 6, 20)) == 0  # the same day again: nobody
    assert compliance_remind(actor=SYSTEM, today=D(2026, 6, 21)) == 0  # still 3 and 2 overdue
    assert compliance_remind(actor=SYSTEM, today=D(2026, 6, 22)) == 1  # 29/7: one more for 陈平
    assert _told()[-1] == (
        "村居河长陈平", "“蒲汇塘（徐家汇段）”本月应巡查 6 次，截至今天应完成 4 次，已完成 0 次，请尽快巡查。"
    )  # fmt: skip
    assert sorted(Reminder.objects.values_list("chief__user__name", "month", "overdue")) == [
        ("村居河长李强", JUNE, 2),
        ("村居河长陈平", JUNE, 3),
        ("村居河长陈平", JUNE, 4),
    ]
    entries = AuditEntry.objects.filter(action=COMPLIANCE_REMIND).order_by("pk")
    assert [(e.target_type, e.after) for e in entries] == [
        ("patrols.Chief", {"month": "2026-06-01", "chiefs": 2}),
        ("patrols.Chief", {"month": "2026-06-01", "chiefs": 1}),
    ]
    assert [e.actor_label for e in entries] == [actor_label(SYSTEM)] * 2


def test_a_chief_who_catches_up_is_not_told(june: dict[str, Any], record: Callable[..., Patrol]) -> None:
    for day in (2, 9, 15):
        record(start=at(day))
    # 陈平: 3 due by 06-20, 3 done; 李强 is 2 behind.
    assert compliance_remind(actor=SYSTEM, today=D(2026, 6, 20)) == 1
    assert [name for name, _m in _told()] == ["村居河长李强"]


def test_a_district_chief_under_a_quarterly_rule_is_judged_over_the_quarter(
    rules: Any, section: Target, make_user: Callable[..., Any]
) -> None:
    """Outside the flood season a district chief owes one patrol a quarter (data/frequency.yaml). Pro rata by
    month that would be 31/92 ≈ 0.34 → 0 every month and never any due; judged over Q4 it is one, and a
    patrol in October is November's too."""
    leader = make_user(Role.LEADER, name="区级河长顾文华")
    Chief.objects.create(target=section, user=leader, level="district", title="副区长", from_on=D(2026, 1, 1))
    (row,) = compliance_rows(month=D(2026, 11, 1), today=D(2026, 11, 15), level="district")
    assert (row.quarterly, row.start, row.end) == (True, D(2026, 10, 1), D(2026, 12, 31))
    assert (row.due.exact, row.due.total, row.due.by_day, row.done, row.overdue) == (1, 1, 0, 0, 0)
    assert row.status == "on_track"
    (late,) = compliance_rows(month=D(2026, 12, 1), today=D(2026, 12, 31), level="district")
    assert (late.due.by_day, late.overdue, late.status) == (1, 1, "overdue")  # the quarter is over, none done
    start, end, track = walk(at(12, 10))
    codes = [
        {"code": p.code, "at": (start + dt.timedelta(minutes=5)).isoformat()}
        for p in section.checkpoints.all()
    ]
    services.patrol_record(
        actor=leader, target=section, started_at=start, ended_at=end, track=track, checkins=codes
    )
    (done,) = compliance_rows(month=D(2026, 11, 1), today=D(2026, 12, 31), level="district")
    assert (done.done, done.overdue, done.status) == (1, 0, "done")

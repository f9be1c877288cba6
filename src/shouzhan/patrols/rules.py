"""The frequency rules as dated data: which rule judges a patrol, its verdict in words, and a chief's compliance.

A `RuleBook` holds every version with its rules (two queries), so judging a thousand patrols or a month of
compliance asks the database nothing more. The rule for a day is chosen by the version in force that day
(the latest valid from it), the chief's level, the target's warning level that day and the season (汛期 by
the version's dates).

Compliance over a window is counted day by day: each day contributes `min_patrols / days in its rule's
period` (a weekly rule 1/7 a day, a monthly one 1/days of that month), so a window where the season, the
warning or the version changes in the middle is due exactly the sum of its parts. Due for the window is
that sum rounded half up; due by a day is the sum so far rounded down (a week's patrol is overdue only when
the week has passed), and once the window is over, the window's due.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shouzhan.patrols.honesty import kilometres as kilometres  # one way to write a distance, re-exported
from shouzhan.patrols.models import FrequencyRule, FrequencyVersion, Level, Warning, WarningSpell

Season = FrequencyRule.Season


@dataclass(frozen=True)
class RuleVersion:
    pk: int
    number: int
    valid_from: dt.date
    flood_from: tuple[int, int]
    flood_to: tuple[int, int]
    rules: dict[tuple[str, str, str], FrequencyRule] = field(default_factory=dict)

    def season(self, day: dt.date) -> str:
        md = (day.month, day.day)
        if self.flood_from <= self.flood_to:
            flood = self.flood_from <= md <= self.flood_to
        else:  # a season across the new year (southern hemisphere, never here, but exact all the same)
            flood = md >= self.flood_from or md <= self.flood_to
        return Season.FLOOD if flood else Season.NORMAL


def month_day(text: str) -> tuple[int, int]:
    """ "06-01" → (6, 1), refusing what is not a day of the year."""
    try:
        month, day = (int(part) for part in str(text).split("-"))
        dt.date(2024, month, day)  # a leap year: 02-29 is a day
    except (ValueError, TypeError):
        raise ValidationError(_("汛期日期“%(v)s”格式不正确，应为“月-日”，如 06-01。") % {"v": text}) from None
    return month, day


class RuleBook:
    """Every version of the frequency rules, loaded once."""

    def __init__(self, versions: Sequence[FrequencyVersion], rules: Iterable[FrequencyRule]) -> None:
        by_version: dict[int, dict[tuple[str, str, str], FrequencyRule]] = {}
        for rule in rules:
            by_version.setdefault(rule.version_id, {})[(rule.level, rule.warning, rule.season)] = rule
        ordered = sorted(versions, key=lambda v: (v.valid_from, v.number))
        self.versions = [
            RuleVersion(
                pk=v.pk,
                number=v.number,
                valid_from=v.valid_from,
                flood_from=month_day(v.flood_from),
                flood_to=month_day(v.flood_to),
                rules=by_version.get(v.pk, {}),
            )
            for v in ordered
        ]
        self._starts = [v.valid_from for v in self.versions]

    @classmethod
    def load(cls) -> RuleBook:
        return cls(list(FrequencyVersion.objects.all()), FrequencyRule.objects.all())

    def version_on(self, day: dt.date) -> RuleVersion:
        i = bisect.bisect_right(self._starts, day)
        if i == 0:
            raise ValidationError(_("%(d)s 没有生效的巡查频次规则。") % {"d": day.isoformat()})
        return self.versions[i - 1]

    def rule_on(self, day: dt.date, level: str, warning: str) -> tuple[RuleVersion, FrequencyRule, str]:
        version = self.version_on(day)
        season = version.season(day)
        rule = version.rules.get((level, warning, season))
        if rule is None:
            raise ValidationError(
                _("第 %(n)s 版频次规则缺少“%(l)s · %(w)s · %(s)s”的要求。")
                % {
                    "n": version.number,
                    "l": Level(level).label,
                    "w": Warning(warning).label,
                    "s": Season(season).label,
                }
            )
        return version, rule, season


# ----------------------------------------------------------------------------- warnings
class Warnings:
    """The warning level of each target on each day, from its spells (the highest when spells overlap)."""

    ORDER = {w: i for i, w in enumerate(Warning.values)}

    def __init__(self, spells: Iterable[WarningSpell]) -> None:
        self._spells: dict[int, list[tuple[dt.date, dt.date | None, str]]] = {}
        for s in spells:
            self._spells.setdefault(s.target_id, []).append((s.from_on, s.to_on, s.level))

    @classmethod
    def load(cls, target_ids: Iterable[int] | None = None) -> Warnings:
        spells = WarningSpell.objects.all()
        if target_ids is not None:
            spells = spells.filter(target_id__in=list(target_ids))
        return cls(spells)

    def on(self, target_id: int, day: dt.date) -> str:
        level = Warning.NONE.value
        for start, end, spell in self._spells.get(target_id, ()):
            if start <= day and (end is None or day <= end) and self.ORDER[spell] > self.ORDER[level]:
                level = spell
        return level

    def schedule(self, target_id: int, days: Sequence[dt.date]) -> tuple[str, ...]:
        if target_id not in self._spells:  # most targets have never been warned: no day to look at
            return (Warning.NONE.value,) * len(days)
        return tuple(self.on(target_id, d) for d in days)


# ----------------------------------------------------------------------------- the verdict of one patrol
@dataclass(frozen=True)
class Verdict:
    version: RuleVersion
    rule: FrequencyRule
    season: str
    warning: str
    meets: bool
    items: list[dict[str, Any]]  # stored on the patrol; words from verdict_words()


def verdict_for(
    book: RuleBook, *, day: dt.date, level: str, warning: str, duration_s: int, distance_m: int
) -> Verdict:
    """The patrol against the rule in force on its day: long enough, far enough."""
    version, rule, season = book.rule_on(day, level, warning)
    items: list[dict[str, Any]] = [
        {"check": "rule", "ok": True, "version": version.number},
        {"check": "duration", "ok": duration_s >= rule.min_minutes * 60, "value": duration_s,
         "limit": rule.min_minutes * 60},
        {"check": "distance", "ok": distance_m >= rule.min_distance_m, "value": distance_m,
         "limit": rule.min_distance_m},
    ]  # fmt: skip
    return Verdict(version, rule, season, warning, all(i["ok"] for i in items), items)


def minutes(seconds: int) -> int:
    return int(seconds) // 60


def rule_words(rule: FrequencyRule) -> str:
    return _("%(period)s至少 %(n)s 次，每次不少于 %(m)s 分钟、%(km)s 公里") % {
        "period": rule.get_period_display(),
        "n": rule.min_patrols,
        "m": rule.min_minutes,
        "km": kilometres(rule.min_distance_m),
    }


def verdict_words(patrol: Any) -> list[tuple[bool, str]]:
    """The stored verdict in the reader's language: (ok, sentence) for each check."""
    words: list[tuple[bool, str]] = []
    for item in patrol.verdict or ():
        check = item.get("check")
        if check == "rule" and patrol.rule is not None:
            words.append((True, _("适用第 %(n)s 版规则（%(level)s · %(warning)s · %(season)s）：%(rule)s。") % {
                "n": item.get("version"),
                "level": patrol.get_level_display(),
                "warning": patrol.get_warning_display(),
                "season": patrol.get_season_display(),
                "rule": rule_words(patrol.rule),
            }))  # fmt: skip
        elif check == "duration":
            value, limit = minutes(item["value"]), minutes(item["limit"])
            text = (
                _("巡查 %(v)s 分钟，不少于规定的 %(l)s 分钟。")
                if item["ok"]
                else _("巡查 %(v)s 分钟，少于规定的 %(l)s 分钟。")
            )
            words.append((bool(item["ok"]), text % {"v": value, "l": limit}))
        elif check == "distance":
            value_km, limit_km = kilometres(item["value"]), kilometres(item["limit"])
            text = (
                _("巡查 %(v)s 公里，不少于规定的 %(l)s 公里。")
                if item["ok"]
                else _("巡查 %(v)s 公里，少于规定的 %(l)s 公里。")
            )
            words.append((bool(item["ok"]), text % {"v": value_km, "l": limit_km}))
    return words


# ----------------------------------------------------------------------------- compliance over a window
def period_days(period: str, day: dt.date) -> int:
    if period == FrequencyRule.Period.WEEK:
        return 7
    if period == FrequencyRule.Period.MONTH:
        return calendar.monthrange(day.year, day.month)[1]
    first_month = 3 * ((day.month - 1) // 3) + 1
    return sum(calendar.monthrange(day.year, m)[1] for m in range(first_month, first_month + 3))


@functools.lru_cache(maxsize=256)
def days_between(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """Every calendar day from start to end (both included): rules count days, not working-day limits."""
    return tuple(start + dt.timedelta(days=i) for i in range((end - start).days + 1))


@dataclass(frozen=True)
class Stretch:
    """Consecutive days under one rule: what they add to the patrols due."""

    start: dt.date
    end: dt.date
    version: int
    rule: FrequencyRule
    season: str
    warning: str
    share: Fraction


@dataclass(frozen=True)
class Due:
    total: int  # due over the window (rounded half up)
    by_day: int  # due by the `upto` day (rounded down)
    exact: Fraction
    stretches: list[Stretch]


def round_half_up(x: Fraction) -> int:
    return int((x + Fraction(1, 2)) // 1)


def due_over(
    book: RuleBook, *, level: str, warnings: Sequence[str], start: dt.date, end: dt.date, upto: dt.date | None
) -> Due:
    """Patrols due from `start` to `end` (both included) for a chief of `level`; `warnings[i]` is the
    target's warning on day start + i. `upto` is the last day counted for `by_day` (None: none yet)."""
    stretches: list[Stretch] = []
    so_far = Fraction(0)
    total = Fraction(0)
    for i, day in enumerate(days_between(start, end)):
        version, rule, season = book.rule_on(day, level, warnings[i])
        share = Fraction(rule.min_patrols, period_days(rule.period, day))
        total += share
        if upto is not None and day <= upto:
            so_far += share
        last = stretches[-1] if stretches else None
        if (
            last
            and last.rule.pk == rule.pk
            and last.warning == warnings[i]
            and last.end == day - dt.timedelta(1)
        ):
            stretches[-1] = Stretch(
                last.start, day, last.version, rule, season, warnings[i], last.share + share
            )
        else:
            stretches.append(Stretch(day, day, version.number, rule, season, warnings[i], share))
    due = round_half_up(total)
    # Once the window is over, what was due by then is what was due: the same rounding as the total.
    by_day = due if upto is not None and upto >= end else min(int(so_far // 1), due)
    return Due(due, by_day, total, stretches)


def stretch_words(s: Stretch) -> str:
    return _("%(a)s—%(b)s %(season)s · %(warning)s：%(rule)s，折合 %(x)s 次") % {
        "a": f"{s.start.month}/{s.start.day}",
        "b": f"{s.end.month}/{s.end.day}",
        "season": Season(s.season).label,
        "warning": Warning(s.warning).label,
        "rule": rule_words(s.rule),
        "x": f"{float(s.share):.2f}",
    }

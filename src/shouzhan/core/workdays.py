"""The Chinese working-day calendar.

Weekends are off, statutory holidays are off, and adjusted working weekends (调休)
are on, as published by the State Council and shipped by the `chinesecalendar`
package. Administrators can override single days (stored in the database; see
`core.calendar`). A year chinesecalendar does not know yet (it stops at 2026) is counted
with that year's statutory holidays from the `holidays` package (MIT; weekends off, no 调休
working weekends known) and every answer that touched it is marked provisional, until an
administrator enters the State Council's notice for the year and confirms it: in a confirmed
year the notice (overrides) and Monday–Friday decide, the `holidays` package's guess no longer.

The calendar answers for MIN_DATE … MAX_DATE (1900–2200): arithmetic that starts outside
it or would end past it raises DateOutOfRange (a ValueError with a bilingual message), never
an OverflowError from the far end of Python's dates. Text from outside (API, CLI) is read
with `parse_iso_date`: YYYY-MM-DD only, not a number of seconds or any other ISO spelling.

Convention for deadlines: the day of submission does not count; a deadline is
the end of the Nth working day after it. A submission on a day off therefore
starts counting on the next working day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Annotated

import chinese_calendar
import holidays
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

MAX_WORKING_DAYS = 3660  # ten years of working days: a bound so bad input cannot spin forever
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)
DATE_FORMAT_MESSAGE = (
    f"date must be YYYY-MM-DD between {MIN_DATE} and {MAX_DATE} / "
    f"日期应为 YYYY-MM-DD 格式，且在 {MIN_DATE} 至 {MAX_DATE} 之间"
)
PAST_RANGE_MESSAGE = f"the due date would fall after {MAX_DATE}, beyond the calendar / 到期日将晚于 {MAX_DATE}，超出工作日历的范围"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DateOutOfRange(ValueError):
    """A date the calendar does not answer for (outside MIN_DATE … MAX_DATE), or not YYYY-MM-DD."""


def parse_iso_date(value: object) -> dt.date:
    """A date from outside: a `date` or the text YYYY-MM-DD, within MIN_DATE … MAX_DATE.

    Refuses numbers (0 is not 1970-01-01), datetimes, '20260101', '2026-1-1' and the like.
    """
    if isinstance(value, dt.datetime):
        raise DateOutOfRange(DATE_FORMAT_MESSAGE)
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise DateOutOfRange(DATE_FORMAT_MESSAGE) from None
    else:
        raise DateOutOfRange(DATE_FORMAT_MESSAGE)
    return check_date(day)


def check_date(day: dt.date) -> dt.date:
    if not MIN_DATE <= day <= MAX_DATE:
        raise DateOutOfRange(DATE_FORMAT_MESSAGE)
    return day


def _api_date(value: object) -> dt.date:
    try:
        return parse_iso_date(value)
    except DateOutOfRange:
        # A custom error type: the message reaches the caller as it is (no "Value error, " prefix).
        raise PydanticCustomError("date_format", DATE_FORMAT_MESSAGE) from None


# A date the API is sent (a body field or a query parameter): every API module uses it, as every form
# uses core.forms.CalendarDateField. Pydantic alone reads 0 as 1970-01-01 and accepts years up to 9999,
# where adding a day overflows into a 500.
IsoDate = Annotated[
    dt.date,
    BeforeValidator(_api_date),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": f"YYYY-MM-DD, {MIN_DATE} … {MAX_DATE}",
        }
    ),
]


@lru_cache(maxsize=1)
def package_years() -> frozenset[int]:
    """Years the chinesecalendar package has data for."""
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return frozenset(years)


@cache
def statutory_holidays(year: int) -> Mapping[dt.date, str]:
    """A year's statutory days off from the `holidays` package, named in Chinese (observed days too).

    Used for the years chinesecalendar does not know. The package has no 调休 working weekends for a
    year the State Council has not announced, and nothing before 1950 or after 2100 (an empty dict).
    """
    return MappingProxyType(dict(holidays.country_holidays("CN", years=year, language="zh_CN")))


@dataclass(frozen=True)
class DayAnswer:
    is_workday: bool
    provisional: bool


@dataclass(frozen=True)
class Due:
    """A due date; provisional when counting crossed a year the calendar does not know."""

    date: dt.date
    provisional: bool

    def __str__(self) -> str:
        return self.date.isoformat() + (" provisional" if self.provisional else "")


@dataclass(frozen=True)
class Calendar:
    """A working-day calendar: the package's data plus administrator overrides.

    `overrides` maps a date to True (working day) or False (day off).
    `confirmed_years` are years an administrator has declared complete through
    overrides, so they count as known even when the package does not know them.
    """

    overrides: Mapping[dt.date, bool] = field(default_factory=dict)
    confirmed_years: frozenset[int] = frozenset()

    def knows_year(self, year: int) -> bool:
        return year in package_years() or year in self.confirmed_years

    def day(self, day: dt.date) -> DayAnswer:
        if day in self.overrides:
            return DayAnswer(self.overrides[day], provisional=not self.knows_year(day.year))
        if day.year in package_years():
            return DayAnswer(chinese_calendar.is_workday(day), provisional=False)
        if day.year in self.confirmed_years:  # the administrator's notice replaces the package's guess
            return DayAnswer(day.weekday() < 5, provisional=False)
        return DayAnswer(day.weekday() < 5 and day not in statutory_holidays(day.year), provisional=True)

    def is_workday(self, day: dt.date) -> bool:
        return self.day(day).is_workday

    def add_working_days(self, start: dt.date, n: int) -> Due:
        """End of the Nth working day after `start` (start itself never counts).

        n == 0 means "the same day if it is a working day, else the next one".
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        if n > MAX_WORKING_DAYS:
            raise ValueError(f"n must be <= {MAX_WORKING_DAYS}")
        provisional = False
        day = check_date(start)
        if n == 0:
            answer = self.day(day)
            while not answer.is_workday:
                provisional |= answer.provisional
                day = _next_day(day)
                answer = self.day(day)
            return Due(day, provisional or answer.provisional)
        counted = 0
        while counted < n:
            day = _next_day(day)
            answer = self.day(day)
            provisional |= answer.provisional
            if answer.is_workday:
                counted += 1
        return Due(day, provisional)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative if end < start).

        Consistent with add_working_days: add_working_days(a, n) == b  ⇒  between(a, b) == n.
        """
        check_date(start)
        check_date(end)
        if end < start:
            return -self.working_days_between(end, start)
        if (end - start).days > MAX_WORKING_DAYS * 2:
            raise ValueError("range too long")
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    def workdays_in(self, days: Iterable[dt.date]) -> list[dt.date]:
        return [d for d in days if self.is_workday(d)]


def _next_day(day: dt.date) -> dt.date:
    if day >= MAX_DATE:
        raise DateOutOfRange(PAST_RANGE_MESSAGE)
    return day + dt.timedelta(days=1)


DEFAULT = Calendar()


def is_workday(day: dt.date, calendar: Calendar | None = None) -> bool:
    return (calendar or _current()).is_workday(day)


def add_working_days(start: dt.date, n: int, calendar: Calendar | None = None) -> Due:
    return (calendar or _current()).add_working_days(start, n)


def working_days_between(start: dt.date, end: dt.date, calendar: Calendar | None = None) -> int:
    return (calendar or _current()).working_days_between(start, end)


def _current() -> Calendar:
    """The calendar with the database's overrides when Django is set up, else the package's."""
    try:
        from shouzhan.core.calendar import current_calendar
    except Exception:  # Django not configured: pure mode
        return DEFAULT
    return current_calendar()

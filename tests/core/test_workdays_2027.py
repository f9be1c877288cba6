"""2027 and later (issue #13): a year chinesecalendar does not know takes its statutory holidays from the
`holidays` package and stays provisional, until an administrator enters the State Council's notice.

Exact dates. chinesecalendar stops at 2026; the `holidays` package (0.109) gives 2027:
2027-01-01; Spring Festival 02-05 … 02-10 (with the observed days); 04-05; 05-01 … 05-04; 06-09; 09-15;
10-01 … 10-05 — and no 调休 working weekends.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shouzhan.core import workdays
from shouzhan.core.workdays import DEFAULT, Calendar, DayAnswer, Due, statutory_holidays

D = dt.date

HOLIDAYS_2027 = {
    D(2027, 1, 1),
    *(D(2027, 2, day) for day in range(5, 11)),
    D(2027, 4, 5),
    *(D(2027, 5, day) for day in range(1, 5)),
    D(2027, 6, 9),
    D(2027, 9, 15),
    *(D(2027, 10, day) for day in range(1, 6)),
}

# A notice for 2027 as an administrator would enter it (the dates are this test's, not the State
# Council's): Spring Festival Friday 02-05 … Thursday 02-11, worked on Sunday 01-31 and Saturday 02-20.
NOTICE_OFF = {D(2027, 1, 1): "元旦", **{D(2027, 2, day): "春节" for day in range(5, 12)}}
NOTICE_ON = {D(2027, 1, 31): "春节调休", D(2027, 2, 20): "春节调休"}


def test_2026_12_28_plus_5_is_2027_01_05_provisional() -> None:
    # 12-29, 12-30, 12-31, (New Year's Day Friday and the weekend off), 01-04, 01-05.
    due = DEFAULT.add_working_days(D(2026, 12, 28), 5)
    assert due == Due(D(2027, 1, 5), provisional=True)
    assert str(due) == "2027-01-05 provisional"
    assert DEFAULT.working_days_between(D(2026, 12, 28), D(2027, 1, 5)) == 5
    assert DEFAULT.add_working_days(D(2026, 12, 28), 3) == Due(D(2026, 12, 31), provisional=False)
    assert DEFAULT.add_working_days(D(2026, 12, 28), 4) == Due(D(2027, 1, 4), provisional=True)


def test_before_the_2027_spring_festival() -> None:
    # Wednesday 02-03: Thursday 02-04, then Friday 02-05 … Wednesday 02-10 off, Thursday 02-11, Friday 02-12.
    assert DEFAULT.add_working_days(D(2027, 2, 3), 1) == Due(D(2027, 2, 4), provisional=True)
    assert DEFAULT.add_working_days(D(2027, 2, 3), 2) == Due(D(2027, 2, 11), provisional=True)
    assert DEFAULT.add_working_days(D(2027, 2, 3), 3) == Due(D(2027, 2, 12), provisional=True)
    assert DEFAULT.working_days_between(D(2027, 2, 3), D(2027, 2, 12)) == 3
    assert DEFAULT.add_working_days(D(2027, 2, 6), 0) == Due(D(2027, 2, 11), provisional=True)


def test_the_2027_statutory_holidays_come_from_the_holidays_package() -> None:
    assert set(statutory_holidays(2027)) == HOLIDAYS_2027
    assert statutory_holidays(2027)[D(2027, 2, 6)] == "春节"
    assert statutory_holidays(2027)[D(2027, 1, 1)] == "元旦"
    assert statutory_holidays(2027) is statutory_holidays(2027)  # read once per year
    assert dict(statutory_holidays(1949)) == {}  # nothing before 1950: Monday–Friday, still provisional
    for day in sorted(HOLIDAYS_2027):
        assert DEFAULT.day(day) == DayAnswer(is_workday=False, provisional=True), day
    assert DEFAULT.day(D(2027, 2, 11)) == DayAnswer(is_workday=True, provisional=True)
    assert DEFAULT.day(D(2027, 6, 8)) == DayAnswer(is_workday=True, provisional=True)
    assert DEFAULT.day(D(2027, 1, 31)) == DayAnswer(is_workday=False, provisional=True)  # no 调休 known
    workdays_2027 = DEFAULT.workdays_in(D(2027, 1, 1) + dt.timedelta(days=i) for i in range(365))
    assert len(workdays_2027) == 261 - 13  # 261 weekdays; 13 of the 19 holidays fall on one
    assert DEFAULT.day(D(1949, 10, 3)) == DayAnswer(is_workday=True, provisional=True)  # a Monday


def test_a_confirmed_year_follows_the_notice_not_the_package() -> None:
    cal = Calendar(overrides={**dict.fromkeys(NOTICE_OFF, False), **dict.fromkeys(NOTICE_ON, True)})
    # Entered but not confirmed: the notice's days apply, still provisional.
    assert cal.add_working_days(D(2027, 2, 3), 3) == Due(D(2027, 2, 15), provisional=True)
    confirmed = Calendar(overrides=cal.overrides, confirmed_years=frozenset({2027}))
    # 02-04, (02-05 … 02-11 off, the weekend), 02-12, 02-15.
    assert confirmed.add_working_days(D(2027, 2, 3), 3) == Due(D(2027, 2, 15), provisional=False)
    assert confirmed.add_working_days(D(2027, 1, 29), 1) == Due(
        D(2027, 1, 31), provisional=False
    )  # 调休 Sunday
    assert confirmed.add_working_days(D(2027, 2, 19), 1) == Due(D(2027, 2, 20), provisional=False)
    assert confirmed.add_working_days(D(2026, 12, 28), 5) == Due(D(2027, 1, 5), provisional=False)
    # The package's Dragon Boat Festival is not in this notice: a working day once the year is confirmed.
    assert confirmed.day(D(2027, 6, 9)) == DayAnswer(is_workday=True, provisional=False)
    assert DEFAULT.day(D(2027, 6, 9)) == DayAnswer(is_workday=False, provisional=True)
    assert confirmed.day(D(2027, 6, 12)) == DayAnswer(is_workday=False, provisional=False)  # a Saturday
    # 2028 is neither known nor confirmed.
    assert confirmed.add_working_days(D(2027, 12, 31), 1) == Due(D(2028, 1, 4), provisional=True)


@pytest.mark.django_db
def test_a_notice_entered_in_the_database_confirms_the_year(
    admin_user_role: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from shouzhan.core import services
    from shouzhan.core.calendar import current_calendar

    assert workdays.add_working_days(D(2027, 2, 3), 3) == Due(D(2027, 2, 12), provisional=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_notice_enter(
            actor=admin_user_role, year=2027, days_off=NOTICE_OFF, working_days=NOTICE_ON, note="国办发明电"
        )
    assert current_calendar().confirmed_years == frozenset({2027})
    assert workdays.add_working_days(D(2027, 2, 3), 3) == Due(D(2027, 2, 15), provisional=False)
    assert workdays.add_working_days(D(2027, 1, 29), 1) == Due(D(2027, 1, 31), provisional=False)
    assert workdays.add_working_days(D(2026, 12, 28), 5) == Due(D(2027, 1, 5), provisional=False)
    assert workdays.is_workday(D(2027, 2, 20)) is True


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from shouzhan.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# The command closes the database connection when it ends (as every management command does): nothing
# touches the database after it in a test.
@pytest.mark.django_db
def test_cli_workdays_into_2027(capsys: pytest.CaptureFixture[str]) -> None:
    assert _main(capsys, "workdays", "add", "2026-12-28", "5") == (0, "2027-01-05 provisional\n", "")
    assert _main(capsys, "workdays", "add", "2027-02-03", "3") == (0, "2027-02-12 provisional\n", "")
    assert _main(capsys, "workdays", "between", "2027-02-03", "2027-02-12") == (0, "3\n", "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "printed"),
    [(("add", "2026-12-28", "5"), "2027-01-05\n"), (("add", "2027-02-03", "3"), "2027-02-15\n")],
)
def test_cli_workdays_in_a_confirmed_2027(
    capsys: pytest.CaptureFixture[str],
    admin_user_role: Any,
    django_capture_on_commit_callbacks: Any,
    args: tuple[str, ...],
    printed: str,
) -> None:
    from shouzhan.core import services

    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_notice_enter(
            actor=admin_user_role, year=2027, days_off=NOTICE_OFF, working_days=NOTICE_ON
        )
    assert _main(capsys, "workdays", *args) == (0, printed, "")

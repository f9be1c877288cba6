"""The working-day calendar's edges that mutation testing found unguarded (issue #20).

Each test pins a behaviour a one-token change in core/workdays.py or core/calendar.py would break:
an override that makes a day a working day, the same start and end, n = 0 in a year the package
does not know, years confirmed in the database, the limits and their exact messages.
"""

from __future__ import annotations

import datetime as dt
import types
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from shouzhan.core import workdays
from shouzhan.core.workdays import (
    DEFAULT,
    MAX_DATE,
    MAX_WORKING_DAYS,
    MIN_DATE,
    Calendar,
    DateOutOfRange,
    DayAnswer,
    Due,
    IsoDate,
    check_date,
    parse_iso_date,
)

D = dt.date
OUTSIDE = (
    "date must be YYYY-MM-DD between 1900-01-01 and 2200-12-31 / "
    "日期应为 YYYY-MM-DD 格式，且在 1900-01-01 至 2200-12-31 之间"
)


def test_an_override_making_a_day_off_a_working_day_is_obeyed() -> None:
    national_day = D(2026, 10, 1)
    cal = Calendar(overrides={national_day: True})
    assert cal.day(national_day) == DayAnswer(is_workday=True, provisional=False)
    assert cal.is_workday(national_day) is True
    assert cal.add_working_days(D(2026, 9, 30), 1) == Due(national_day, provisional=False)
    assert cal.add_working_days(national_day, 0) == Due(national_day, provisional=False)
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 8)) == 2
    assert cal.workdays_in([D(2026, 9, 30), national_day, D(2026, 10, 2)]) == [D(2026, 9, 30), national_day]
    # A Saturday in a year the package does not know, made a working day and not confirmed: provisional.
    saturday_2027 = D(2027, 6, 5)
    unknown = Calendar(overrides={saturday_2027: True})
    assert unknown.day(saturday_2027) == DayAnswer(is_workday=True, provisional=True)
    confirmed = Calendar(overrides={saturday_2027: True}, confirmed_years=frozenset({2027}))
    assert confirmed.day(saturday_2027) == DayAnswer(is_workday=True, provisional=False)
    assert confirmed.add_working_days(D(2027, 6, 4), 1) == Due(saturday_2027, provisional=False)


def test_day_answers_in_known_unknown_and_confirmed_years() -> None:
    assert DEFAULT.day(D(2026, 10, 10)) == DayAnswer(is_workday=True, provisional=False)  # 调休 Saturday
    assert DEFAULT.day(D(2026, 10, 1)) == DayAnswer(is_workday=False, provisional=False)
    assert DEFAULT.day(D(2027, 6, 4)) == DayAnswer(is_workday=True, provisional=True)  # Friday
    assert DEFAULT.day(D(2027, 6, 5)) == DayAnswer(is_workday=False, provisional=True)  # Saturday
    assert DEFAULT.day(D(2027, 6, 6)) == DayAnswer(is_workday=False, provisional=True)  # Sunday
    confirmed = Calendar(confirmed_years=frozenset({2027}))
    assert confirmed.day(D(2027, 6, 4)) == DayAnswer(is_workday=True, provisional=False)
    assert confirmed.day(D(2027, 6, 5)) == DayAnswer(is_workday=False, provisional=False)
    assert confirmed.knows_year(2027) is True
    assert DEFAULT.knows_year(2027) is False
    assert DEFAULT.knows_year(2026) is True
    assert 2026 in workdays.package_years() and 2027 not in workdays.package_years()


def test_same_start_and_end_is_zero_working_days() -> None:
    for day in (D(2026, 10, 1), D(2026, 11, 23), D(2027, 6, 5), MIN_DATE, MAX_DATE):
        assert DEFAULT.working_days_between(day, day) == 0
    assert DEFAULT.working_days_between(D(2026, 11, 23), D(2026, 11, 24)) == 1
    assert DEFAULT.working_days_between(D(2026, 11, 24), D(2026, 11, 23)) == -1


def test_n_zero_in_an_unknown_year_stays_provisional() -> None:
    # A working day in 2027 (not in the package): the same day, provisional.
    assert DEFAULT.add_working_days(D(2027, 6, 7), 0) == Due(D(2027, 6, 7), provisional=True)
    # A Saturday in 2027: the Monday, provisional.
    assert DEFAULT.add_working_days(D(2027, 6, 5), 0) == Due(D(2027, 6, 7), provisional=True)
    # A day off at the end of 2026 (known), New Year's Day 2027 off (the `holidays` package) and the
    # weekend, then a working day in 2027: provisional.
    off = Calendar(overrides={D(2026, 12, 31): False})
    assert off.add_working_days(D(2026, 12, 31), 0) == Due(D(2027, 1, 4), provisional=True)
    # Provisional days passed over, then a provisional working day.
    bridge = Calendar(overrides={D(2027, 1, 1): False, D(2027, 1, 2): True}, confirmed_years=frozenset())
    assert bridge.add_working_days(D(2027, 1, 1), 0) == Due(D(2027, 1, 2), provisional=True)
    # Known days off passed over (New Year 2026, then the 调休 Sunday): not provisional.
    known = Calendar(overrides={D(2025, 12, 31): False})
    assert known.add_working_days(D(2025, 12, 31), 0) == Due(D(2026, 1, 4), provisional=False)
    # A provisional day passed over, the working day found in a confirmed year: still provisional.
    passed_over = Calendar(overrides={D(2027, 12, 31): False}, confirmed_years=frozenset({2028}))
    assert passed_over.add_working_days(D(2027, 12, 31), 0) == Due(D(2028, 1, 3), provisional=True)
    confirmed = Calendar(confirmed_years=frozenset({2027}))
    assert confirmed.add_working_days(D(2027, 6, 5), 0) == Due(D(2027, 6, 7), provisional=False)


def test_a_provisional_day_early_in_the_count_keeps_the_deadline_provisional() -> None:
    # 2027 is crossed, the deadline lands back in a confirmed... known year only through overrides.
    cal = Calendar(confirmed_years=frozenset({2028}))
    due = cal.add_working_days(D(2027, 12, 30), 3)
    assert due == Due(D(2028, 1, 4), provisional=True)
    assert str(due) == "2028-01-04 provisional"
    assert str(Due(D(2026, 10, 9), provisional=False)) == "2026-10-09"


def test_limits_on_n_are_inclusive_and_said_exactly() -> None:
    with pytest.raises(ValueError) as low:
        DEFAULT.add_working_days(D(2026, 1, 1), -1)
    assert str(low.value) == "n must be >= 0"
    with pytest.raises(ValueError) as high:
        DEFAULT.add_working_days(D(2026, 1, 1), MAX_WORKING_DAYS + 1)
    assert str(high.value) == "n must be <= 3660"
    assert MAX_WORKING_DAYS == 3660
    due = DEFAULT.add_working_days(D(2026, 1, 1), MAX_WORKING_DAYS)
    assert DEFAULT.working_days_between(D(2026, 1, 1), due.date) == MAX_WORKING_DAYS


def test_range_limit_of_working_days_between() -> None:
    start = D(2026, 1, 1)
    longest = start + dt.timedelta(days=MAX_WORKING_DAYS * 2)
    assert DEFAULT.working_days_between(start, longest) > 0
    with pytest.raises(ValueError) as exc:
        DEFAULT.working_days_between(start, longest + dt.timedelta(days=1))
    assert str(exc.value) == "range too long"
    with pytest.raises(ValueError, match="range too long"):
        DEFAULT.working_days_between(longest + dt.timedelta(days=1), start)


def test_calendar_bounds_are_inclusive() -> None:
    assert check_date(MIN_DATE) == MIN_DATE
    assert check_date(MAX_DATE) == MAX_DATE
    for outside in (D(1899, 12, 31), D(2201, 1, 1)):
        with pytest.raises(DateOutOfRange) as exc:
            check_date(outside)
        assert str(exc.value) == OUTSIDE
    assert DEFAULT.add_working_days(D(2200, 12, 30), 0) == Due(D(2200, 12, 30), provisional=True)
    assert DEFAULT.working_days_between(D(2200, 12, 30), MAX_DATE) == 1
    with pytest.raises(DateOutOfRange):
        DEFAULT.working_days_between(D(2026, 1, 1), D(2201, 1, 1))
    with pytest.raises(DateOutOfRange):
        DEFAULT.add_working_days(D(1899, 12, 31), 1)


def test_parse_iso_date() -> None:
    assert parse_iso_date(D(2026, 10, 10)) == D(2026, 10, 10)
    assert parse_iso_date("2026-10-10\n") == D(2026, 10, 10)
    assert parse_iso_date("1900-01-01") == MIN_DATE
    assert parse_iso_date("2200-12-31") == MAX_DATE
    for bad in (
        dt.datetime(2026, 10, 10),
        "2026-02-30",
        "1899-12-31",
        "x2026-10-10",
        20261010,
        b"2026-10-10",
    ):
        with pytest.raises(DateOutOfRange) as exc:
            parse_iso_date(bad)
        assert str(exc.value) == OUTSIDE


def test_api_dates_are_read_as_the_calendar_reads_them() -> None:
    adapter: TypeAdapter[dt.date] = TypeAdapter(IsoDate)
    assert adapter.validate_python("2026-10-10") == D(2026, 10, 10)
    assert adapter.validate_python(D(2026, 10, 10)) == D(2026, 10, 10)
    for bad in ("0", 0, "9999-12-31", "2026-10-10T00:00"):
        with pytest.raises(ValidationError) as exc:
            adapter.validate_python(bad)
        error = exc.value.errors()[0]
        assert error["type"] == "date_format"
        assert error["msg"] == OUTSIDE
    assert adapter.json_schema() == {
        "type": "string",
        "format": "date",
        "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        "description": "YYYY-MM-DD, 1900-01-01 … 2200-12-31",
    }


def test_module_functions_use_the_calendar_given() -> None:
    cal = Calendar(overrides={D(2026, 10, 1): True})
    assert workdays.is_workday(D(2026, 10, 1), cal) is True
    assert workdays.add_working_days(D(2026, 9, 30), 1, cal) == Due(D(2026, 10, 1), provisional=False)
    assert workdays.working_days_between(D(2026, 9, 30), D(2026, 10, 1), cal) == 1
    assert workdays.working_days_between(D(2026, 10, 1), D(2026, 9, 30), cal) == -1


@pytest.mark.django_db
def test_module_functions_default_to_the_database_calendar(admin_user_role: Any) -> None:
    from shouzhan.core import services

    assert workdays.is_workday(D(2026, 10, 1)) is False
    services.workday_override_set(actor=admin_user_role, date=D(2026, 10, 1), is_workday=True, reason="测试")
    assert workdays.is_workday(D(2026, 10, 1)) is True
    assert workdays.add_working_days(D(2026, 9, 30), 1) == Due(D(2026, 10, 1), provisional=False)
    assert workdays.working_days_between(D(2026, 9, 30), D(2026, 10, 8)) == 2


@pytest.mark.django_db
def test_years_confirmed_in_the_database_are_read() -> None:
    from shouzhan.core.calendar import current_calendar
    from shouzhan.core.models import ConfirmedYear, WorkdayOverride

    assert workdays.add_working_days(D(2027, 6, 4), 1) == Due(D(2027, 6, 7), provisional=True)
    WorkdayOverride.objects.create(date=D(2027, 6, 7), is_workday=False, reason="测试")
    ConfirmedYear.objects.create(year=2027)
    cal = current_calendar()
    assert cal.confirmed_years == frozenset({2027})
    assert cal.overrides == {D(2027, 6, 7): False}
    assert cal.knows_year(2027) is True
    assert workdays.add_working_days(D(2027, 6, 4), 1) == Due(D(2027, 6, 8), provisional=False)


@pytest.mark.django_db
def test_the_database_calendar_is_cached_for_thirty_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    from shouzhan.core import calendar
    from shouzhan.core.models import WorkdayOverride

    clock = types.SimpleNamespace(now=1000.0)
    monkeypatch.setattr(calendar, "time", types.SimpleNamespace(monotonic=lambda: clock.now))
    first = calendar.current_calendar()
    assert first.overrides == {}
    # A change that sends no signal (an update through a queryset) is seen only once the cache expires.
    WorkdayOverride.objects.bulk_create([WorkdayOverride(date=D(2026, 10, 9), is_workday=False, reason="x")])
    clock.now = 1029.999
    assert calendar.current_calendar() is first
    clock.now = 1030.0
    fresh = calendar.current_calendar()
    assert fresh is not first
    assert fresh.overrides == {D(2026, 10, 9): False}
    clock.now = 1059.0
    assert calendar.current_calendar() is fresh


# The command line in process (the subprocess tests in test_workdays.py are invisible to coverage and
# mutation tools): `shouzhan.cli.main` with the test database.


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from shouzhan.cli import main

    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.django_db
def test_cli_workdays_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert _main(capsys, "workdays", "add", "2026-09-30", "2") == (0, "2026-10-09\n", "")
    assert _main(capsys, "workdays", "add", "2026-09-29", "5") == (0, "2026-10-12\n", "")
    assert _main(capsys, "workdays", "add", "2026-12-31", "2") == (0, "2027-01-05 provisional\n", "")
    assert _main(capsys, "workdays", "add", "2027-06-07", "0") == (0, "2027-06-07 provisional\n", "")
    assert _main(capsys, "workdays", "between", "2026-09-30", "2026-10-09") == (0, "2\n", "")
    assert _main(capsys, "workdays", "between", "2026-10-09", "2026-09-30") == (0, "-2\n", "")
    assert _main(capsys, "workdays", "between", "2026-10-09", "2026-10-09") == (0, "0\n", "")


@pytest.mark.django_db
def test_cli_workdays_errors_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _main(capsys, "workdays", "add", "2026-02-30", "2")
    assert (code, out) == (1, "")
    assert err == f"CommandError: invalid date '2026-02-30': {OUTSIDE}\n"
    code, out, err = _main(capsys, "workdays", "add", "9999-12-31", "5")
    assert (code, out) == (1, "") and "Traceback" not in err
    assert err == f"CommandError: invalid date '9999-12-31': {OUTSIDE}\n"
    code, _, err = _main(capsys, "workdays", "add", "2200-12-20", "30")
    assert code == 1
    assert err == (
        "CommandError: the due date would fall after 2200-12-31, beyond the calendar / "
        "到期日将晚于 2200-12-31，超出工作日历的范围\n"
    )
    code, _, err = _main(capsys, "workdays", "add", "2026-01-01", "two")
    assert (code, err) == (1, "CommandError: N must be a whole number, got 'two'\n")
    for n in ("-1", "3661"):
        code, _, err = _main(capsys, "workdays", "add", "2026-01-01", n)
        assert (code, err) == (1, "CommandError: N must be between 0 and 3660\n")
    code, _, err = _main(capsys, "workdays", "between", "2026-01-01", "2200-12-31")
    assert (code, err) == (1, "CommandError: range too long\n")

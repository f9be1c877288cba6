"""The working-day calendar: exact dates around National Day, Spring Festival and into 2027."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import pytest

from shouzhan.core.workdays import DEFAULT, Calendar, Due

D = dt.date


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # 规划备案 (2 working days) filed on the eve of National Day 2026 (Oct 1–7 off).
        (D(2026, 9, 30), 2, D(2026, 10, 9)),
        # 完成片备案 (5 working days) filed on 2026-09-29; Saturday 2026-10-10 is a 调休 working day.
        (D(2026, 9, 29), 5, D(2026, 10, 12)),
        # Spring Festival 2026: Feb 15–23 off, Saturday Feb 14 and Saturday Feb 28 are working days.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 16), 5, D(2026, 2, 28)),
        # A submission on a day off starts counting on the next working day.
        (D(2026, 2, 15), 1, D(2026, 2, 24)),
        (D(2026, 11, 21), 1, D(2026, 11, 23)),  # a Saturday
        # An ordinary week.
        (D(2026, 11, 23), 2, D(2026, 11, 25)),
        (D(2026, 11, 27), 1, D(2026, 11, 30)),  # Friday → Monday
        # n = 0: the same day if it is a working day, else the next one.
        (D(2026, 11, 23), 0, D(2026, 11, 23)),
        (D(2026, 10, 1), 0, D(2026, 10, 8)),
    ],
)
def test_add_working_days_known_years(start: dt.date, n: int, due: dt.date) -> None:
    assert DEFAULT.add_working_days(start, n) == Due(due, provisional=False)


def test_is_workday_uses_holidays_and_adjusted_weekends() -> None:
    assert DEFAULT.is_workday(D(2026, 10, 1)) is False  # National Day
    assert DEFAULT.is_workday(D(2026, 10, 10)) is True  # 调休 Saturday
    assert DEFAULT.is_workday(D(2026, 10, 11)) is False  # ordinary Sunday
    assert DEFAULT.is_workday(D(2026, 2, 14)) is True  # 调休 Saturday before Spring Festival
    assert DEFAULT.is_workday(D(2026, 2, 23)) is False  # Spring Festival Monday
    assert DEFAULT.is_workday(D(2026, 11, 23)) is True


def test_deadline_into_unknown_year_is_provisional_and_never_raises() -> None:
    # 2027 is not in chinesecalendar: its statutory holidays from the `holidays` package (New Year's
    # Day, Friday 2027-01-01, off), weekends off, no 调休 known: provisional (issue #13).
    assert DEFAULT.add_working_days(D(2026, 12, 31), 2) == Due(D(2027, 1, 5), provisional=True)
    assert DEFAULT.add_working_days(D(2026, 12, 28), 2) == Due(D(2026, 12, 30), provisional=False)
    assert DEFAULT.add_working_days(D(2027, 6, 4), 1) == Due(D(2027, 6, 7), provisional=True)
    assert DEFAULT.add_working_days(D(2099, 12, 31), 3) == Due(D(2100, 1, 6), provisional=True)  # 1 Jan off
    assert str(DEFAULT.add_working_days(D(2026, 12, 31), 2)) == "2027-01-05 provisional"


def test_working_days_between_is_consistent_with_add() -> None:
    assert DEFAULT.working_days_between(D(2026, 9, 30), D(2026, 10, 9)) == 2
    assert DEFAULT.working_days_between(D(2026, 9, 29), D(2026, 10, 12)) == 5
    assert DEFAULT.working_days_between(D(2026, 10, 9), D(2026, 9, 30)) == -2
    assert DEFAULT.working_days_between(D(2026, 10, 1), D(2026, 10, 7)) == 0
    start = D(2026, 1, 1)
    for n in range(0, 260, 7):
        due = DEFAULT.add_working_days(start, n).date
        if n:
            assert DEFAULT.working_days_between(start, due) == n


def test_overrides_and_confirmed_years() -> None:
    # An administrator makes 2026-10-09 a day off: the 2-day deadline moves to the working Saturday.
    cal = Calendar(overrides={D(2026, 10, 9): False})
    assert cal.add_working_days(D(2026, 9, 30), 2) == Due(D(2026, 10, 10), provisional=False)
    # Enter 2027's New Year holiday and confirm the year: no longer provisional.
    cal2027 = Calendar(overrides={D(2027, 1, 1): False}, confirmed_years=frozenset({2027}))
    assert cal2027.add_working_days(D(2026, 12, 31), 2) == Due(D(2027, 1, 5), provisional=False)


def test_bad_arguments_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        DEFAULT.add_working_days(D(2026, 1, 1), -1)
    with pytest.raises(ValueError, match="<="):
        DEFAULT.add_working_days(D(2026, 1, 1), 10**9)


@pytest.mark.django_db
def test_database_overrides_apply(admin_user_role: object) -> None:
    from shouzhan.core import services, workdays

    services.workday_override_set(actor=admin_user_role, date=D(2026, 10, 9), is_workday=False, reason="测试")
    assert workdays.add_working_days(D(2026, 9, 30), 2) == Due(D(2026, 10, 10), provisional=False)
    services.workday_override_delete(actor=admin_user_role, date=D(2026, 10, 9))
    assert workdays.add_working_days(D(2026, 9, 30), 2) == Due(D(2026, 10, 9), provisional=False)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shouzhan.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_workdays_add() -> None:
    assert _cli("workdays", "add", "2026-09-30", "2").stdout == "2026-10-09\n"
    assert _cli("workdays", "add", "2026-09-29", "5").stdout == "2026-10-12\n"
    assert _cli("workdays", "add", "2026-12-31", "2").stdout == "2027-01-05 provisional\n"
    assert _cli("workdays", "add", "2026-12-28", "5").stdout == "2027-01-05 provisional\n"  # issue #13
    bad = _cli("workdays", "add", "2026-02-30", "2")
    assert bad.returncode != 0
    assert "YYYY-MM-DD" in bad.stderr


# Issue #11, defect 9: 9999-12-31 plus five working days overflowed Python's dates (a traceback
# from the command line, a 500 from the API). The calendar answers for 1900–2200 and says so.
def test_dates_outside_the_calendar_are_refused_clearly() -> None:
    from shouzhan.core.workdays import DateOutOfRange, parse_iso_date

    past = "the due date would fall after 2200-12-31, beyond the calendar / 到期日将晚于 2200-12-31，超出工作日历的范围"
    outside = (
        "date must be YYYY-MM-DD between 1900-01-01 and 2200-12-31 / "
        "日期应为 YYYY-MM-DD 格式，且在 1900-01-01 至 2200-12-31 之间"
    )
    with pytest.raises(DateOutOfRange) as exc:
        DEFAULT.add_working_days(D(9999, 12, 31), 5)
    assert str(exc.value) == outside
    with pytest.raises(DateOutOfRange) as exc:
        DEFAULT.add_working_days(D(2200, 12, 31), 1)
    assert str(exc.value) == past
    last_day_off = Calendar(overrides={D(2200, 12, 31): False})
    with pytest.raises(DateOutOfRange):
        last_day_off.add_working_days(D(2200, 12, 31), 0)  # the next working day would be in 2201
    with pytest.raises(DateOutOfRange):
        DEFAULT.working_days_between(D(1899, 12, 31), D(1900, 1, 2))
    assert DEFAULT.add_working_days(D(2200, 12, 30), 1) == Due(D(2200, 12, 31), provisional=True)
    assert DEFAULT.working_days_between(D(1900, 1, 1), D(1900, 1, 5)) == 4
    assert parse_iso_date(" 2026-10-10 ") == D(2026, 10, 10)
    for bad in ("0", "20261010", "2026-10-1", "2026-02-30", "2026-10-10T00:00", "9999-12-31", 0, None):
        with pytest.raises(DateOutOfRange):
            parse_iso_date(bad)


def test_cli_workdays_outside_the_calendar_is_a_clear_error() -> None:
    bad = _cli("workdays", "add", "9999-12-31", "5")
    assert bad.returncode != 0
    assert "Traceback" not in bad.stderr
    assert "date must be YYYY-MM-DD between 1900-01-01 and 2200-12-31" in bad.stderr
    past = _cli("workdays", "add", "2200-12-20", "30")
    assert past.returncode != 0 and "Traceback" not in past.stderr
    assert "the due date would fall after 2200-12-31" in past.stderr
    between = _cli("workdays", "between", "2026-01-01", "9999-12-31")
    assert between.returncode != 0 and "Traceback" not in between.stderr


@pytest.mark.django_db
def test_calendar_page_outside_the_calendar_says_so(make_user: Any, login_client: Any) -> None:
    from django.utils import timezone

    from shouzhan.core.roles import Role

    client = login_client(make_user(role=Role.CASEWORKER))
    page = client.get("/calendar/", {"start": "2200-12-20", "n": 30})
    assert page.status_code == 200
    assert "到期日将晚于 2200-12-31，超出工作日历的范围" in page.content.decode()
    assert page.context["due"] is None
    assert client.get("/calendar/", {"start": "9999-12-31", "n": 5}).status_code == 200
    for month in ("9999-12", "0001-01"):
        page = client.get("/calendar/", {"month": month})
        assert page.status_code == 200 and page.context["month"] == timezone.localdate().replace(day=1)
    ok = client.get("/calendar/", {"start": "2026-09-30", "n": 2})
    assert ok.context["due"] == Due(D(2026, 10, 9), provisional=False)

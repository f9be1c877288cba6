"""Entering a year's State Council notice on the calendar page (issue #13): the form, the service, the audit.

The page offers the `holidays` package's days off for the first year chinesecalendar does not know; the
administrator corrects them against the notice, adds the 调休 working weekends and saves: one audited
service call replaces the year's overrides and confirms the year, which is then no longer provisional.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shouzhan.core import services
from shouzhan.core.models import AuditEntry, ConfirmedYear, WorkdayOverride
from shouzhan.core.roles import Role
from shouzhan.core.views import notice_days, package_notice_text
from shouzhan.core.workdays import Due

D = dt.date

PACKAGE_2027 = (
    "元旦 2027-01-01\n"
    "农历除夕、春节 2027-02-05 至 2027-02-10\n"
    "清明节 2027-04-05\n"
    "劳动节 2027-05-01 至 2027-05-04\n"
    "端午节 2027-06-09\n"
    "中秋节 2027-09-15\n"
    "国庆节 2027-10-01 至 2027-10-05"
)


def test_the_package_days_off_as_notice_lines() -> None:
    assert package_notice_text(2027) == PACKAGE_2027
    # Two holidays on one day (2028-10-03) and a weekend inside a run (2028-01-01 … 01-03) make one line.
    assert package_notice_text(2028).splitlines()[0] == "元旦 2028-01-01 至 2028-01-03"
    assert package_notice_text(2028).splitlines()[-1] == "国庆节、中秋节 2028-10-01 至 2028-10-04"
    assert package_notice_text(1949) == ""
    assert notice_days(PACKAGE_2027)[D(2027, 2, 10)] == "农历除夕、春节"
    assert len(notice_days(PACKAGE_2027)) == 19


def test_notice_lines_are_read_exactly() -> None:
    text = "春节：2027-02-05 至 2027-02-07\n\n调休 2027-01-31、2027-02-20\n2027-01-01\n国庆 2027-10-01~2027-10-02, 2027-10-04"
    assert notice_days(text) == {
        D(2027, 2, 5): "春节",
        D(2027, 2, 6): "春节",
        D(2027, 2, 7): "春节",
        D(2027, 1, 31): "调休",
        D(2027, 2, 20): "调休",
        D(2027, 1, 1): "",
        D(2027, 10, 1): "国庆",
        D(2027, 10, 2): "国庆",
        D(2027, 10, 4): "国庆",
    }
    assert notice_days("") == {}
    # 31 days is the longest range.
    assert len(notice_days("2027-01-01 到 2027-01-31")) == 31


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("春节", "第 1 行没有日期：春节"),
        (
            "元旦 2027-01-01\n春节 2027-02-30",
            "第 2 行的“2027-02-30”不是日期或日期范围（如 2027-02-05 至 2027-02-11）。",
        ),
        (
            "春节 2027-02-07 至 2027-02-05",
            "第 1 行的范围“2027-02-07~2027-02-05”无效：结束日应不早于开始日，且最多 31 天。",
        ),
        (
            "2027-01-01 至 2027-02-01",
            "第 1 行的范围“2027-01-01~2027-02-01”无效：结束日应不早于开始日，且最多 31 天。",
        ),
        (
            "2027-01-01~2027-01-02~2027-01-03",
            "第 1 行的范围“2027-01-01~2027-01-02~2027-01-03”无效：结束日应不早于开始日，且最多 31 天。",
        ),
        ("\n".join(["2027-01-01"] * 41), "最多 40 行。"),
    ],
)
def test_bad_notice_lines_are_refused_clearly(text: str, message: str) -> None:
    from django import forms

    with pytest.raises(forms.ValidationError) as exc:
        notice_days(text)
    assert exc.value.messages == [message]


OFF = {D(2027, 1, 1): "元旦", **{D(2027, 2, day): "春节" for day in range(5, 12)}}
ON = {D(2027, 1, 31): "春节调休", D(2027, 2, 20): "春节调休"}


@pytest.mark.django_db
def test_the_service_replaces_the_years_overrides_confirms_it_and_audits(admin_user_role: Any) -> None:
    services.workday_override_set(actor=admin_user_role, date=D(2027, 6, 7), is_workday=False, reason="旧")
    services.workday_override_set(actor=admin_user_role, date=D(2026, 10, 9), is_workday=False, reason="别年")
    confirmed = services.calendar_notice_enter(
        actor=admin_user_role, year=2027, days_off=OFF, working_days=ON, note="国办发明电〔2026〕1号"
    )
    assert (confirmed.year, confirmed.note) == (2027, "国办发明电〔2026〕1号")
    assert dict(WorkdayOverride.objects.filter(date__year=2027).values_list("date", "is_workday")) == {
        **dict.fromkeys(OFF, False),
        **dict.fromkeys(ON, True),
    }
    assert WorkdayOverride.objects.get(date=D(2027, 2, 8)).reason == "春节"
    assert WorkdayOverride.objects.get(date=D(2026, 10, 9)).reason == "别年"  # another year untouched
    entry = AuditEntry.objects.filter(action="core.calendar_notice_enter").get()
    assert entry.actor == admin_user_role
    assert (entry.target_type, entry.target_label) == ("core.confirmedyear", "2027")
    assert entry.before == {
        "days_off": {"2027-06-07": "旧"},
        "working_days": {},
        "confirmed": False,
        "note": "",
    }
    assert entry.after == {
        "days_off": {
            "2027-01-01": "元旦",
            **{f"2027-02-{day:02d}": "春节" for day in range(5, 12)},
        },
        "working_days": {"2027-01-31": "春节调休", "2027-02-20": "春节调休"},
        "confirmed": True,
        "note": "国办发明电〔2026〕1号",
    }
    # Entered again (a corrected notice): the year's overrides are the new ones, one confirmed year.
    services.calendar_notice_enter(
        actor=admin_user_role, year=2027, days_off={D(2027, 1, 1): "元旦"}, working_days={}
    )
    assert list(WorkdayOverride.objects.filter(date__year=2027).values_list("date", flat=True)) == [
        D(2027, 1, 1)
    ]
    assert list(ConfirmedYear.objects.values_list("year", "note")) == [(2027, "")]
    again = AuditEntry.objects.filter(action="core.calendar_notice_enter").order_by("-pk").first()
    assert again is not None and again.before is not None
    assert again.before["confirmed"] is True and again.before["note"] == "国办发明电〔2026〕1号"
    assert again.before["working_days"] == {"2027-01-31": "春节调休", "2027-02-20": "春节调休"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("year", "off", "on", "errors"),
    [
        (
            2026,
            {D(2026, 1, 1): ""},
            {},
            {"year": ["2026 年不需要录入：日历数据包已有该年的安排，或年份超出 1900–2200。"]},
        ),
        (
            2201,
            {D(2201, 1, 1): ""},
            {},
            {"year": ["2201 年不需要录入：日历数据包已有该年的安排，或年份超出 1900–2200。"]},
        ),
        (2027, {}, {}, {"days_off": ["请至少填写一个放假日期。"]}),
        (
            2027,
            {D(2028, 1, 1): "", D(2027, 1, 1): "", D(2026, 12, 31): ""},
            {D(2028, 1, 8): ""},
            {
                "days_off": ["这些日期不在 2027 年：2026-12-31、2028-01-01。"],
                "working_days": ["这些日期不在 2027 年：2028-01-08。"],
            },
        ),
        (
            2027,
            {D(2027, 2, 6): ""},
            {D(2027, 2, 5): "", D(2027, 2, 4): "", D(2027, 2, 6): ""},
            {
                "working_days": [
                    "调休上班日应为周六或周日：2027-02-04、2027-02-05 是工作日。",
                    "这些日期既是放假又是调休上班：2027-02-06。",
                ]
            },
        ),
    ],
)
def test_the_service_refuses_a_wrong_notice_and_saves_nothing(
    admin_user_role: Any,
    year: int,
    off: dict[dt.date, str],
    on: dict[dt.date, str],
    errors: dict[str, list[str]],
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.calendar_notice_enter(actor=admin_user_role, year=year, days_off=off, working_days=on)
    assert exc.value.message_dict == errors
    assert not WorkdayOverride.objects.exists() and not ConfirmedYear.objects.exists()
    assert not AuditEntry.objects.filter(action="core.calendar_notice_enter").exists()


@pytest.mark.django_db
def test_only_an_administrator_enters_a_notice(make_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.calendar_notice_enter(
            actor=make_user(role=Role.CASEWORKER), year=2027, days_off=OFF, working_days=ON
        )
    assert not ConfirmedYear.objects.exists()


@pytest.mark.django_db
def test_the_calendar_page_enters_a_notice(admin_user_role: Any, login_client: Any) -> None:
    client = login_client(admin_user_role)
    page = client.get("/calendar/", {"month": "2027-02"})
    assert page.status_code == 200
    form = page.context["notice_form"]
    assert form.initial == {"year": 2027, "days_off": PACKAGE_2027}
    html = page.content.decode()
    assert "录入全年放假安排" in html and "农历除夕、春节 2027-02-05 至 2027-02-10" in html
    assert page.context["month_provisional"] is True
    assert client.get("/calendar/", {"notice_year": "2028"}).context["notice_form"].initial["year"] == 2028
    for ignored in ("2026", "x", "2201"):  # a known year, not a number, outside the calendar: the default
        assert (
            client.get("/calendar/", {"notice_year": ignored}).context["notice_form"].initial["year"] == 2027
        )

    days_off = PACKAGE_2027.replace("2027-02-05 至 2027-02-10", "2027-02-05 至 2027-02-11")
    saved = client.post(
        "/calendar/",
        {
            "notice": "1",
            "nt-year": "2027",
            "nt-days_off": days_off,
            "nt-working_days": "春节调休 2027-01-31、2027-02-20",
            "nt-note": "国办发明电〔2026〕1号",
        },
    )
    assert saved.status_code == 302 and saved["Location"] == "/calendar/?month=2027-01"
    assert ConfirmedYear.objects.get().year == 2027
    after = client.get("/calendar/", {"month": "2027-02", "start": "2027-02-03", "n": 3})
    assert after.context["due"] == Due(D(2027, 2, 15), provisional=False)
    assert after.context["month_provisional"] is False
    assert "已录入 2027 年的放假安排，该年的期限不再是暂定。" in after.content.decode()
    days = {d["date"]: d for week in after.context["weeks"] for d in week}
    assert days[D(2027, 2, 20)]["workday"] is True and days[D(2027, 2, 20)]["adjusted"] is True
    assert days[D(2027, 2, 11)]["workday"] is False and days[D(2027, 2, 11)]["provisional"] is False
    # The next year not yet confirmed is offered now.
    assert after.context["notice_form"].initial["year"] == 2028
    assert "国办发明电〔2026〕1号" in after.content.decode()


@pytest.mark.django_db
def test_a_wrong_notice_on_the_page_says_why_and_keeps_what_was_typed(
    admin_user_role: Any, login_client: Any
) -> None:
    client = login_client(admin_user_role)
    page = client.post(
        "/calendar/",
        {
            "notice": "1",
            "nt-year": "2027",
            "nt-days_off": "春节 2027-02-05 至 2027-02-11",
            "nt-working_days": "2027-02-04",
        },
    )
    assert page.status_code == 200
    assert page.context["notice_form"].errors == {
        "working_days": ["调休上班日应为周六或周日：2027-02-04 是工作日。"]
    }
    assert "春节 2027-02-05 至 2027-02-11" in page.content.decode()
    page = client.post("/calendar/", {"notice": "1", "nt-year": "2027", "nt-days_off": "春节 2027-02-35"})
    assert page.context["notice_form"].errors == {
        "days_off": ["第 1 行的“2027-02-35”不是日期或日期范围（如 2027-02-05 至 2027-02-11）。"]
    }
    assert not ConfirmedYear.objects.exists() and not WorkdayOverride.objects.exists()


@pytest.mark.django_db
def test_staff_see_the_calendar_but_cannot_enter_a_notice(make_user: Any, login_client: Any) -> None:
    client = login_client(make_user(role=Role.CASEWORKER))
    page = client.get("/calendar/")
    assert page.status_code == 200 and page.context["notice_form"] is None
    assert "录入全年放假安排" not in page.content.decode()
    refused = client.post("/calendar/", {"notice": "1", "nt-year": "2027", "nt-days_off": "2027-01-01"})
    assert refused.status_code == 403
    assert not ConfirmedYear.objects.exists()

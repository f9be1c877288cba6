"""Core endpoints: who am I, and the working-day calendar."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from shouzhan.core.permissions import user_role
from shouzhan.core.workdays import (
    MAX_WORKING_DAYS,
    DateOutOfRange,
    IsoDate,
    add_working_days,
    is_workday,
    working_days_between,
)
from shouzhan.registry.permissions import member_enterprise_ids

router = Router(tags=["core"])


class MeOut(Schema):
    id: int
    name: str
    role: str
    mobile: str | None
    email: str | None
    enterprise_ids: list[int]


class DueOut(Schema):
    start: dt.date
    working_days: int
    due: dt.date
    provisional: bool


class DayOut(Schema):
    date: dt.date
    is_workday: bool


class BetweenOut(Schema):
    start: dt.date
    end: dt.date
    working_days: int


@router.get("/me", response=MeOut, summary="The logged-in user")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        id=int(user.pk or 0),
        name=user.name,  # type: ignore[union-attr]
        role=user_role(user) or "",
        mobile=user.mobile,  # type: ignore[union-attr]
        email=user.email,  # type: ignore[union-attr]
        enterprise_ids=sorted(member_enterprise_ids(user)),
    )


@router.get("/workdays/add", response=DueOut, auth=None, summary="Due date after N working days")
def workdays_add(request: HttpRequest, start: IsoDate, n: int) -> DueOut:
    if not 0 <= n <= MAX_WORKING_DAYS:
        raise HttpError(
            422, f"n must be between 0 and {MAX_WORKING_DAYS} / 工作日数应在 0 到 {MAX_WORKING_DAYS} 之间"
        )
    try:
        due = add_working_days(start, n)
    except DateOutOfRange as exc:
        raise HttpError(422, str(exc)) from None
    return DueOut(start=start, working_days=n, due=due.date, provisional=due.provisional)


@router.get("/workdays/day", response=DayOut, auth=None, summary="Is this date a working day?")
def workdays_day(request: HttpRequest, date: IsoDate) -> DayOut:
    return DayOut(date=date, is_workday=is_workday(date))


@router.get("/workdays/between", response=BetweenOut, auth=None, summary="Working days after start up to end")
def workdays_between(request: HttpRequest, start: IsoDate, end: IsoDate) -> BetweenOut:
    if abs((end - start).days) > MAX_WORKING_DAYS * 2:
        raise HttpError(422, "range too long / 日期范围过长")
    return BetweenOut(start=start, end=end, working_days=working_days_between(start, end))

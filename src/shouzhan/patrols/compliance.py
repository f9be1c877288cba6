"""Compliance per chief and target over a month: patrols due, done, flagged and overdue; and the reminders.

One query per table (chiefs with their targets and users, the two of the rule book, the warnings, and one
grouped count of the month's patrols), then the due counts in Python from the rule book, memoised per
level and warning schedule, so a district of thousands of chiefs is a handful of queries.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record
from shouzhan.core.notifications import notify
from shouzhan.patrols import audit_actions as aa
from shouzhan.patrols.models import Chief, FrequencyRule, Patrol, Reminder
from shouzhan.patrols.rules import Due, RuleBook, Warnings, days_between, due_over

# Up to this many targets the month's patrols are narrowed to them; beyond, the database reads the month by its
# date index and the rows of other targets are simply not looked up (an IN list of thousands costs more).
FEW_TARGETS = 50


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class ComplianceRow:
    chief: Chief
    due: Due
    done: int  # counted: meets the rules, clean or accepted on review
    flagged: int  # waiting for review
    rejected: int
    short: int  # recorded but below the rule's minimum duration or distance
    start: dt.date
    end: dt.date
    quarterly: bool = False  # judged over the quarter (a quarterly rule), not the month

    @property
    def overdue(self) -> int:
        return max(0, self.due.by_day - self.done)

    @property
    def remaining(self) -> int:
        return max(0, self.due.total - self.done)

    @property
    def status(self) -> str:
        if self.overdue:
            return "overdue"
        return "done" if self.done >= self.due.total else "on_track"


def compliance_rows(
    *,
    month: dt.date,
    today: dt.date,
    street: str = "",
    level: str = "",
    chiefs: Iterable[Chief] | None = None,
) -> list[ComplianceRow]:
    """Every chief's compliance on every target they held in the month of `month`, as of `today`; a chief
    under a quarterly rule is judged over the month's quarter (the row says so)."""
    start, end = month_bounds(month)
    if chiefs is None:
        qs = (
            Chief.objects.filter(from_on__lte=end)
            .filter(Q(to_on__isnull=True) | Q(to_on__gte=start))
            .select_related("target", "user")
            .defer(
                "target__path", "target__concerns"
            )  # the route's coordinates are the map's, not this page's
            .order_by("target__street", "target__name", "level", "pk")
        )
        if street:
            qs = qs.filter(target__street=street)
        if level:
            qs = qs.filter(level=level)
        chiefs = list(qs)
    chiefs = list(chiefs)
    if not chiefs:
        return []
    book = RuleBook.load()
    warnings = Warnings.load({c.target_id for c in chiefs})
    target_ids = {c.target_id for c in chiefs}
    counted: dict[tuple[dt.date, dt.date], dict[tuple[int, int], dict[str, int]]] = {}
    memo: dict[tuple[Any, ...], Due] = {}
    rows: list[ComplianceRow] = []
    for chief in chiefs:
        bounds = (start, end)
        due, a, b = _due(book, warnings, memo, chief, start, end, today)
        quarterly = any(s.rule.period == FrequencyRule.Period.QUARTER for s in due.stretches)
        if quarterly:
            # A quarterly rule is judged over its quarter, not pro rata by month (a district chief owes one
            # patrol a quarter, never a third of one a month): the row's window is the quarter.
            bounds = quarter_bounds(month)
            due, a, b = _due(book, warnings, memo, chief, *bounds, today)
        if bounds not in counted:
            counted[bounds] = _counts(*bounds, target_ids)
        c = counted[bounds].get((chief.user_id, chief.target_id), {})
        rows.append(
            ComplianceRow(
                chief=chief, due=due, done=c.get("done", 0), flagged=c.get("flagged", 0),
                rejected=c.get("rejected", 0), short=c.get("short", 0), start=a, end=b, quarterly=quarterly,
            )
        )  # fmt: skip
    return rows


def quarter_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = 3 * ((day.month - 1) // 3) + 1
    return dt.date(day.year, first, 1), month_bounds(dt.date(day.year, first + 2, 1))[1]


def _due(
    book: RuleBook,
    warnings: Warnings,
    memo: dict[tuple[Any, ...], Due],
    chief: Chief,
    start: dt.date,
    end: dt.date,
    today: dt.date,
) -> tuple[Due, dt.date, dt.date]:
    """What the chief was due from start to end (within their tenure), memoised per level and schedule."""
    a = max(start, chief.from_on)
    b = min(end, chief.to_on) if chief.to_on else end
    schedule = warnings.schedule(chief.target_id, days_between(a, b))
    upto = min(today, b) if today >= a else None
    key = (chief.level, a, b, upto, schedule)
    if key not in memo:
        memo[key] = due_over(book, level=chief.level, warnings=schedule, start=a, end=b, upto=upto)
    return memo[key], a, b


def _counts(start: dt.date, end: dt.date, target_ids: set[int]) -> dict[tuple[int, int], dict[str, int]]:
    """Patrols from start to end per patroller and target: done (counted), flagged, rejected, below the rule."""
    patrols = Patrol.objects.filter(on__range=(start, end))
    if len(target_ids) <= FEW_TARGETS:  # a chief's own page, a street: narrow it; the district: read by date
        patrols = patrols.filter(target_id__in=target_ids)
    return {
        (r["patroller_id"], r["target_id"]): r
        for r in patrols.values("patroller_id", "target_id").annotate(
            done=Count(
                "pk", filter=Q(meets_rules=True, review__in=[Patrol.Review.CLEAN, Patrol.Review.ACCEPTED])
            ),
            flagged=Count("pk", filter=Q(review=Patrol.Review.FLAGGED)),
            rejected=Count("pk", filter=Q(review=Patrol.Review.REJECTED)),
            short=Count("pk", filter=Q(meets_rules=False)),
        )
    }


@dataclass(frozen=True)
class Summary:
    key: str  # a street's name, or a level
    chiefs: int
    due: int
    done: int
    overdue_chiefs: int
    flagged: int

    @property
    def rate(self) -> int | None:
        """Patrols done over patrols due, in whole percent (capped at 100 per chief)."""
        return round(self.done * 100 / self.due) if self.due else None


def summarise(rows: list[ComplianceRow], by: str) -> list[Summary]:
    """Totals by street or by chief level, each chief's done counted up to what was due of them."""
    groups: dict[str, list[ComplianceRow]] = {}
    for row in rows:
        key = row.chief.target.street if by == "street" else row.chief.level
        groups.setdefault(key, []).append(row)
    return [
        Summary(
            key=key,
            chiefs=len({r.chief.user_id for r in group}),
            due=sum(r.due.total for r in group),
            done=sum(min(r.done, r.due.total) for r in group),
            overdue_chiefs=len({r.chief.user_id for r in group if r.overdue}),
            flagged=sum(r.flagged for r in group),
        )
        for key, group in groups.items()
    ]


@transaction.atomic
def compliance_remind(*, actor: Actor, today: dt.date) -> int:
    """Tell each chief who is behind this month, once for each new patrol overdue; how many were told."""
    rows = [r for r in compliance_rows(month=today, today=today) if r.overdue]
    start, _end = month_bounds(today)
    sent = set(Reminder.objects.filter(month=start).values_list("chief_id", "overdue"))
    fresh = [r for r in rows if (r.chief.pk, r.overdue) not in sent]
    Reminder.objects.bulk_create(
        [Reminder(chief=r.chief, month=start, overdue=r.overdue) for r in fresh], ignore_conflicts=True
    )
    for r in fresh:
        notify(
            users=[r.chief.user],
            message=_("“%(t)s”本月应巡查 %(due)s 次，截至今天应完成 %(by)s 次，已完成 %(done)s 次，请尽快巡查。") % {
                "t": r.chief.target.name, "due": r.due.total, "by": r.due.by_day, "done": r.done,
            },
            target=r.chief.target,
            url=reverse("patrols:index"),
        )  # fmt: skip
    if fresh:
        audit_record(
            actor=actor, action=aa.COMPLIANCE_REMIND, target_type="patrols.Chief",
            after={"month": start, "chiefs": len(fresh)},
        )  # fmt: skip
    return len(fresh)

"""走访覆盖 (coverage): every enterprise a rule selects is visited at least `at_least` times a period.

`coverage_status` lists, per active rule and enterprise it selects, the visits recorded in the period
(Visit rows of the enterprise dated within it), how many are required and by when: one query per rule,
whatever the number of enterprises. `coverage_overdue` is what needs a visit now: the current period's
enterprises not yet covered when its end is within REMIND_DAYS working days, and the last period's that
ended uncovered and were not visited since. `coverage_remind` turns each of those into a visit task once
per enterprise, rule and period: a VisitPlan of origin "coverage" whose targets carry the key
"coverage:<rule>:<period>:<enterprise>", so a second pass finds the key and reminds nobody again.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.actors import Actor
from shouzhan.core.notifications import notify
from shouzhan.core.workdays import working_days_between
from shouzhan.frontline.models import CoverageRule, VisitPlan, VisitTarget
from shouzhan.frontline.services.common import FRONTLINE
from shouzhan.frontline.services.visits import TARGETS_MAX, visit_plan_create
from shouzhan.frontline.signals import (
    VISIT_WITHIN_DAYS,
    keys_taken,
    plans_url,
    usual_visitors,
    working_days_ahead,
)

REMIND_DAYS = 10  # remind when the period's end is within this many working days (or past)
SELECTOR_FIELDS = frozenset({"in_cluster", "is_startup", "district", "sector", "stage"})
NAMES_IN_MESSAGE = 5
STATUS_WORDS = {
    "covered": _l("已覆盖"),
    "open": _l("待走访"),
    "due_soon": _l("临近期末未走访"),
    "overdue": _l("期内未走访，已逾期"),
}


@dataclass(frozen=True)
class Period:
    key: str  # "2026-Q4", "2026-11", "2026-H2", "2026": what the reminder's key names
    label: str  # "2026年第4季度"
    starts_on: dt.date
    ends_on: dt.date


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_of(day: dt.date, period: str) -> Period:
    """The period (month, quarter, half or year) that contains `day`."""
    y, m = day.year, day.month
    if period == CoverageRule.Period.MONTH:
        return Period(
            f"{y}-{m:02d}", _("%(y)s年%(m)s月") % {"y": y, "m": m}, day.replace(day=1), _month_end(y, m)
        )
    if period == CoverageRule.Period.QUARTER:
        q = (m - 1) // 3 + 1
        return Period(
            f"{y}-Q{q}",
            _("%(y)s年第%(q)s季度") % {"y": y, "q": q},
            dt.date(y, 3 * q - 2, 1),
            _month_end(y, 3 * q),
        )
    if period == CoverageRule.Period.HALF:
        h = 1 if m <= 6 else 2
        label = _("%(y)s年上半年") if h == 1 else _("%(y)s年下半年")
        return Period(f"{y}-H{h}", label % {"y": y}, dt.date(y, 6 * h - 5, 1), _month_end(y, 6 * h))
    return Period(f"{y}", _("%(y)s年") % {"y": y}, dt.date(y, 1, 1), dt.date(y, 12, 31))


def period_before(day: dt.date, period: str) -> Period:
    """The period just before the one containing `day`."""
    return period_of(period_of(day, period).starts_on - dt.timedelta(days=1), period)


@dataclass(frozen=True)
class CoverageRow:
    rule_key: str
    rule_label: str
    enterprise_id: int
    enterprise_name: str
    period: Period
    visits: int  # visits recorded in the period
    required: int
    last_visited_on: dt.date | None  # the latest visit, in the period or not
    status: str  # covered | open | due_soon | overdue

    @property
    def due_on(self) -> dt.date:
        return self.period.ends_on

    @property
    def covered(self) -> bool:
        return self.status == "covered"

    @property
    def overdue(self) -> bool:
        """The period ended without the visits it required."""
        return self.status == "overdue"

    @property
    def status_label(self) -> str:
        return str(STATUS_WORDS[self.status])

    @property
    def key(self) -> str:
        return f"coverage:{self.rule_key}:{self.period.key}:{self.enterprise_id}"


def _status(visits: int, required: int, ends_on: dt.date, today: dt.date, near_end: bool) -> str:
    if visits >= required:
        return "covered"
    if ends_on < today:
        return "overdue"
    return "due_soon" if near_end else "open"


def selector_filter(selector: Any) -> Q | None:
    """The enterprises a rule selects (every fact must match); None for a selector naming other facts."""
    if not isinstance(selector, dict) or set(selector) - SELECTOR_FIELDS:
        return None
    return Q(**selector)


def _rule_rows(rule: CoverageRule, period: Period, today: dt.date) -> list[CoverageRow]:
    from shouzhan.registry.models import Enterprise

    where = selector_filter(rule.selector)
    if where is None:
        return []
    # One count of working days per rule and period, not one per enterprise.
    near_end = period.ends_on >= today and working_days_between(today, period.ends_on) <= REMIND_DAYS
    in_period = Q(visits__visited_on__gte=period.starts_on, visits__visited_on__lte=period.ends_on)
    rows = (
        Enterprise.objects.filter(where)
        .annotate(n=Count("visits", filter=in_period), last=Max("visits__visited_on"))
        .order_by("name", "pk")
        .values_list("pk", "name", "n", "last")
    )
    return [
        CoverageRow(
            rule_key=rule.key,
            rule_label=rule.label,
            enterprise_id=pk,
            enterprise_name=name,
            period=period,
            visits=n,
            required=rule.at_least,
            last_visited_on=last,
            status=_status(n, rule.at_least, period.ends_on, today, near_end),
        )
        for pk, name, n, last in rows
    ]


def _rules(rule: CoverageRule | None) -> list[CoverageRule]:
    if rule is not None:
        return [rule] if rule.active else []
    return list(CoverageRule.objects.filter(active=True).order_by("key"))


def coverage_status(
    *, today: dt.date | None = None, rule: CoverageRule | None = None, on: dt.date | None = None
) -> list[CoverageRow]:
    """Per active rule (or the one given) and enterprise it selects: the visits in the period containing
    `on` (default today), the required number, the period's end and the status as of `today`."""
    today = today or timezone.localdate()
    rows: list[CoverageRow] = []
    for r in _rules(rule):
        rows.extend(_rule_rows(r, period_of(on or today, r.period), today))
    return rows


def coverage_overdue(*, today: dt.date | None = None, rule: CoverageRule | None = None) -> list[CoverageRow]:
    """What needs a visit now: the current period's enterprises not covered when its end is within
    REMIND_DAYS working days; the last period's that ended uncovered and were not visited since."""
    today = today or timezone.localdate()
    rows: list[CoverageRow] = []
    for r in _rules(rule):
        last = period_before(today, r.period)
        rows.extend(
            row
            for row in _rule_rows(r, last, today)
            if row.overdue and (row.last_visited_on is None or row.last_visited_on <= last.ends_on)
        )
        rows.extend(
            row for row in _rule_rows(r, period_of(today, r.period), today) if row.status == "due_soon"
        )
    return rows


def coverage_remind(*, today: dt.date | None = None, actor: Actor = FRONTLINE) -> dict[str, int]:
    """Remind the caseworkers of the enterprises `coverage_overdue` lists, once per enterprise, rule and
    period: one visit plan (origin coverage) per caseworker, rule and period, with those enterprises."""
    from shouzhan.registry.models import Enterprise

    today = today or timezone.localdate()
    counts = {"reminded": 0, "plans": 0, "no_visitor": 0}
    rows = coverage_overdue(today=today)
    taken = keys_taken(row.key for row in rows)
    rows = [row for row in rows if row.key not in taken]
    if not rows:
        return counts
    visitors = usual_visitors(row.enterprise_id for row in rows)
    groups: dict[tuple[int, str, str], list[CoverageRow]] = {}
    for row in rows:
        visitor = visitors.get(row.enterprise_id)
        if visitor is None:
            counts["no_visitor"] += 1
            continue
        groups.setdefault((visitor.pk, row.rule_key, row.period.key), []).append(row)
    enterprises = Enterprise.objects.in_bulk({row.enterprise_id for row in rows})
    by_pk = {v.pk: v for v in visitors.values() if v is not None}
    url = plans_url()
    with transaction.atomic():
        for (visitor_pk, _rule, _period), group in groups.items():
            for i in range(0, len(group), TARGETS_MAX):
                chunk = group[i : i + TARGETS_MAX]
                _remind(actor, by_pk[visitor_pk], chunk, enterprises, today, url)
                counts["plans"] += 1
                counts["reminded"] += len(chunk)
    return counts


def _remind(
    actor: Actor, visitor: Any, rows: list[CoverageRow], enterprises: dict[int, Any], today: dt.date, url: str
) -> None:
    first = rows[0]
    period = first.period
    overdue = period.ends_on < today
    words = {"rule": first.rule_label, "period": period.label, "end": period.ends_on, "n": first.required}
    plan = visit_plan_create(
        actor=actor,
        title=(_("走访覆盖：%(rule)s（%(period)s）") % words)[:120],
        visitor=visitor,
        starts_on=today,
        due_on=working_days_ahead(today, VISIT_WITHIN_DAYS) if overdue else period.ends_on,
        enterprises=[enterprises[row.enterprise_id] for row in rows],
        origin=VisitPlan.Origin.COVERAGE,
        reason=(
            _("%(period)s已结束，期内未走访（要求至少 %(n)s 次）。")
            if overdue
            else _("%(period)s尚未走访够 %(n)s 次，期末 %(end)s。")
        )
        % words,
    )
    key_of = {row.enterprise_id: row.key for row in rows}
    targets = list(VisitTarget.objects.filter(plan=plan))
    for target in targets:
        target.signal_key = key_of[target.enterprise_id or 0]
    VisitTarget.objects.bulk_update(targets, ["signal_key"])
    names = "、".join(row.enterprise_name for row in rows[:NAMES_IN_MESSAGE])
    if len(rows) > NAMES_IN_MESSAGE:
        names = _("%(names)s等") % {"names": names}
    notify(
        users=[visitor],
        message=_(
            "走访覆盖提醒：%(rule)s，%(period)s还有 %(count)s 家企业未走访（%(names)s），期末 %(end)s。"
        )
        % {**words, "count": len(rows), "names": names},
        kind="visit",
        target=plan,
        url=url,
    )

"""Fees, exact in fen: per booking (hour or day) and per tenancy month, with the desk-fee relief.

The relief itself is decided by the rules engine (clause `xuhui.desk_fee_relief`, decision
"in_kind": a startup in the 徐汇 cluster). The seed names the relief but gives no figure, so how
much is this module's parameter, stated here:
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

# The seed ("入驻初创企业可享受工位费减免福利") gives no percentage or duration. Our parameter, to be
# confirmed by the cluster operator: 100% of the desk fee for the first 12 months of a desk tenancy.
DESK_FEE_RELIEF_CLAUSE = "xuhui.desk_fee_relief"
DESK_FEE_RELIEF_PERCENT = 100
DESK_FEE_RELIEF_MONTHS = 12

# Cancellation rules for time-slot bookings: free until this many hours before the start, then this
# share of the fee is charged; a booking cannot be cancelled once it has started.
CANCEL_FREE_HOURS = 24
CANCEL_LATE_PERCENT = 50


def percent_of(fen: int, percent: int) -> int:
    """`percent`% of an amount in fen, rounded half up to the fen (integers only)."""
    return (fen * percent * 2 + 100) // 200


def hourly_fee(price_hour_fen: int, minutes: int) -> int:
    """Price per hour × minutes / 60, rounded half up to the fen."""
    return (price_hour_fen * minutes * 2 + 60) // 120


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Relief:
    percent: int
    months: int
    clause: str
    reason: str

    @property
    def granted(self) -> bool:
        return self.percent > 0


NO_RELIEF = Relief(0, 0, "", "")


def relief_reason(result: Any) -> str:
    """The engine's own words: the clause text and each condition with its value."""
    text = ""
    conditions: list[str] = []
    for step in result.trace:
        if step.get("step") == "clause":
            text = step.get("text") or ""
        elif step.get("step") in {"applies_to", "condition"}:
            for cond in step.get("conditions") or [{"expr": step.get("expr"), "value": step.get("value")}]:
                value = cond.get("value")
                shown = _("是") if value is True else _("否") if value is False else _("未知")
                conditions.append(f"{(cond.get('expr') or '').strip()} = {shown}")
    return _("《%(title)s》（%(clause)s）：“%(text)s”；%(conditions)s") % {
        "title": result.title,
        "clause": result.id,
        "text": text,
        "conditions": "，".join(conditions),
    }


@dataclass(frozen=True)
class Line:
    """One line of an invoice or statement."""

    day: dt.date
    kind: str  # booking | cancellation | tenancy
    description: str
    resource: str
    gross_fen: int
    relief_fen: int
    reason: str = ""

    @property
    def net_fen(self) -> int:
        return self.gross_fen - self.relief_fen


def tenancy_lines(tenancy: Any, year: int, month: int) -> list[Line]:
    """The tenancy's monthly charges whose period starts in the given calendar month.

    Period i runs from start + i months to start + i+1 months; a period cut short by a move or an
    early end is charged pro rata by days (half up to the fen). Relief applies to the first
    `relief_months` periods.
    """
    lines = []
    i = 0
    while True:
        begin = add_months(tenancy.start_on, i)
        if begin >= tenancy.end_on or (begin.year, begin.month) > (year, month):
            break
        if (begin.year, begin.month) == (year, month):
            full_end = add_months(tenancy.start_on, i + 1)
            end = min(full_end, tenancy.end_on)
            gross = tenancy.monthly_fee_fen
            if end < full_end:
                days, whole = (end - begin).days, (full_end - begin).days
                gross = (tenancy.monthly_fee_fen * days * 2 + whole) // (2 * whole)
            relief = percent_of(gross, tenancy.relief_percent) if i < tenancy.relief_months else 0
            lines.append(
                Line(
                    day=begin,
                    kind="tenancy",
                    description=_("%(kind)s租金 %(begin)s 至 %(end)s")
                    % {
                        "kind": tenancy.resource.get_kind_display(),
                        "begin": begin.isoformat(),
                        "end": (end - dt.timedelta(days=1)).isoformat(),
                    },
                    resource=tenancy.resource.name,
                    gross_fen=gross,
                    relief_fen=relief,
                    reason=tenancy.relief_reason if relief else "",
                )
            )
        i += 1
    return lines

"""The three rates as an .xlsx workbook: one sheet per grouping with the total row, and the definitions.

The figures leave the platform, so who took them (and for which period) is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record
from shouzhan.core.spreadsheets import Sheet, write_xlsx
from shouzhan.frontline import audit_actions as aa
from shouzhan.frontline.rates import DEFINITIONS, RateRow, RatesReport, rates_report


def rates_header(first: str) -> list[str]:
    return [
        first,
        _("计入诉求"),
        _("应响应"),
        _("按时签收"),
        _("响应率（%）"),
        _("有回访"),
        _("已解决"),
        _("解决率（%）"),
        _("有评价"),
        _("满意"),
        _("基本满意"),
        _("不满意"),
        _("满意率（%）"),
    ]


def _rate(value: Decimal | None) -> Any:
    return "—" if value is None else value


def rate_cells(row: RateRow) -> list[Any]:
    return [
        row.label,
        row.counted,
        row.response_due,
        row.responded,
        _rate(row.response_rate),
        row.followed_up,
        row.resolved,
        _rate(row.resolution_rate),
        row.rated,
        row.satisfied,
        row.basic,
        row.unsatisfied,
        _rate(row.satisfaction_rate),
    ]


def _rows(rows: list[RateRow], total: RateRow) -> Iterator[list[Any]]:
    for row in rows:
        yield rate_cells(row)
    yield rate_cells(total)


def rates_workbook(report: RatesReport, *, scope_label: str = "") -> bytes:
    """The report's three groupings and its definitions as one workbook (no audit: see rates_export)."""
    period = _("统计期：%(start)s 至 %(end)s（按受理日期），数据截至 %(as_of)s") % {
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "as_of": f"{report.as_of:%Y-%m-%d %H:%M}",
    }
    if scope_label:
        period = f"{period} · {scope_label}"
    widths = (22, 10, 10, 10, 12, 10, 10, 12, 10, 8, 10, 8, 12)
    sheets = [
        Sheet(
            title,
            _rows(report.rows(by), report.total),
            header=rates_header(first),
            heading=period,
            widths=widths,
        )
        for by, title, first in (
            ("department", _("按部门"), _("承办部门")),
            ("category", _("按类别"), _("诉求类别")),
            ("month", _("按月份"), _("受理月份")),
        )
    ]
    sheets.append(
        Sheet(
            _("口径"),
            [[str(term), str(text)] for term, text in DEFINITIONS],
            header=[_("指标"), _("口径")],
            widths=(18, 100),
        )
    )
    return write_xlsx(*sheets)


def rates_export(
    *,
    actor: Actor,
    start: dt.date,
    end: dt.date,
    department_id: int | None = None,
    scope_label: str = "",
    today: dt.date | None = None,
) -> bytes:
    """The three rates of the period as .xlsx (rates_report checks who may read them), audited."""
    report = rates_report(actor=actor, start=start, end=end, department_id=department_id, today=today)
    content = rates_workbook(report, scope_label=scope_label)
    audit_record(
        actor=actor,
        action=aa.RATES_EXPORT,
        target_type="frontline.demand",
        target_label=_("三率"),
        after={
            "start": start.isoformat(),
            "end": end.isoformat(),
            "department": scope_label,
            "counted": report.total.counted,
        },
    )
    return content

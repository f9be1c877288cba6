"""The compliance of a month as an .xlsx workbook: one row per chief and target, then the totals by street
and by level. The words of each row (its status, why so many patrols are due) are the page's.

The figures leave the platform, so who took them (for which month and filters) is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record
from shouzhan.core.spreadsheets import Sheet, write_xlsx
from shouzhan.patrols import audit_actions as aa
from shouzhan.patrols.compliance import ComplianceRow, Summary, compliance_rows, summarise
from shouzhan.patrols.models import Level
from shouzhan.patrols.permissions import require_read_compliance
from shouzhan.patrols.rules import stretch_words

EXPORT_MAX_ROWS = 100_000  # far above a district's chiefs; the sheet says so when it stops


def status_words(row: ComplianceRow) -> str:
    return {"done": _("已完成"), "on_track": _("进度正常"), "overdue": _("逾期")}[row.status]


def due_words(row: ComplianceRow) -> list[str]:
    """Why so many patrols are due: each stretch of days under one rule, and what it adds."""
    return [stretch_words(s) for s in row.due.stretches]


def level_words(level: str) -> str:
    return str(Level(level).label) if level in Level.values else level


def rows_header() -> list[str]:
    return [
        _("河长"),
        _("职务"),
        _("河长层级"),
        _("巡查对象"),
        _("所属街镇"),
        _("本月应巡查"),
        _("截至今日应巡查"),
        _("已完成"),
        _("待复核"),
        _("复核不通过"),
        _("未达标"),
        _("逾期"),
        _("状态"),
        _("应巡查次数的计算"),
    ]


def row_cells(row: ComplianceRow) -> list[Any]:
    chief = row.chief
    return [
        getattr(chief.user, "name", "") or str(chief.user),
        chief.title,
        level_words(chief.level),
        chief.target.name,
        chief.target.street,
        row.due.total,
        row.due.by_day,
        row.done,
        row.flagged,
        row.rejected,
        row.short,
        row.overdue,
        status_words(row),
        "；".join(due_words(row)),
    ]


def summary_header(first: str) -> list[str]:
    return [first, _("河长人数"), _("应巡查"), _("已完成"), _("完成率（%）"), _("逾期河长"), _("待复核")]


def summary_cells(s: Summary, label: str) -> list[Any]:
    return [label, s.chiefs, s.due, s.done, "—" if s.rate is None else s.rate, s.overdue_chiefs, s.flagged]


def _rows(rows: list[ComplianceRow]) -> Iterator[list[Any]]:
    for n, row in enumerate(rows):
        if n >= EXPORT_MAX_ROWS:
            yield [_("仅导出前 %(n)s 行，请按街镇或层级筛选后分别导出。") % {"n": EXPORT_MAX_ROWS}]
            return
        yield row_cells(row)


def compliance_workbook(rows: list[ComplianceRow], *, heading: str) -> bytes:
    """The rows and their totals as one workbook (no audit: see compliance_export)."""
    by_street = [summary_cells(s, s.key) for s in summarise(rows, "street")]
    by_level = [summary_cells(s, level_words(s.key)) for s in summarise(rows, "level")]
    return write_xlsx(
        Sheet(
            _("履职明细"),
            _rows(rows),
            header=rows_header(),
            heading=heading,
            widths=(12, 14, 10, 24, 14, 10, 12, 8, 8, 10, 8, 8, 10, 90),
        ),
        Sheet(_("按街镇"), by_street, header=summary_header(_("所属街镇")), widths=(16, 10, 8, 8, 12, 10, 8)),
        Sheet(_("按层级"), by_level, header=summary_header(_("河长层级")), widths=(16, 10, 8, 8, 12, 10, 8)),
    )


def compliance_heading(*, month: dt.date, today: dt.date, street: str, level: str) -> str:
    parts = [_("统计月份：%(m)s · 截至 %(d)s") % {"m": f"{month:%Y-%m}", "d": today.isoformat()}]
    if street:
        parts.append(street)
    if level:
        parts.append(level_words(level))
    return " · ".join(parts)


def compliance_export(
    *, actor: Actor, month: dt.date, today: dt.date, street: str = "", level: str = ""
) -> bytes:
    """The month's compliance (filtered by street and level) as .xlsx, audited."""
    require_read_compliance(actor)
    rows = compliance_rows(month=month, today=today, street=street, level=level)
    content = compliance_workbook(
        rows, heading=compliance_heading(month=month, today=today, street=street, level=level)
    )
    audit_record(
        actor=actor,
        action=aa.COMPLIANCE_EXPORT,
        target_type="patrols.Chief",
        target_label=_("巡查履职情况"),
        after={"month": f"{month:%Y-%m}", "street": street, "level": level, "rows": len(rows)},
    )
    return content

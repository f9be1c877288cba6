"""A training course's trainees and attendance as an .xlsx workbook (the 参训名单 an application attaches).

The names and mobile numbers leave the platform, so who took them is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record
from shouzhan.core.spreadsheets import Sheet, write_xlsx
from shouzhan.registry.talent.course_selectors import AttendanceGrid, Cell, attendance_grid, course_get
from shouzhan.talent import audit_actions as aa


def attendance_header(grid: AttendanceGrid) -> list[str]:
    sessions = [f"{c.session.held_on.isoformat()} {c.session.topic}" for c in grid.columns]
    return [_("姓名"), _("手机号"), _("报名日期"), *sessions, _("出勤次数"), _("计入参训人数")]


def _mark(cell: Cell) -> str:
    if cell.mark is None:
        return "" if cell.open else _("未到")
    return _("出勤") if cell.mark else _("缺勤")


def _rows(grid: AttendanceGrid) -> Iterator[list[Any]]:
    for row in grid.rows:
        person = row.trainee.person
        yield [
            person.name,
            person.mobile,
            row.trainee.enrolled_on.isoformat(),
            *(_mark(c) for c in row.cells),
            row.attended,
            _("是") if row.counted else _("否"),
        ]


def attendance_heading(title: str, grid: AttendanceGrid, today: dt.date) -> str:
    return _(
        "%(title)s · 截至 %(today)s：已记录考勤 %(taken)s 次课，报名 %(enrolled)s 人，"
        "出勤不低于 80%% 计入参训人数 %(counted)s 人"
    ) % {
        "title": title,
        "today": today.isoformat(),
        "taken": grid.count.taken,
        "enrolled": grid.count.enrolled,
        "counted": grid.count.counted,
    }


def course_attendance_export(*, actor: Actor, pk: int) -> tuple[str, bytes]:
    """The course's trainees × sessions as .xlsx (who may read the course may take it), audited:
    (file name, content)."""
    course = course_get(actor=actor, pk=pk)
    today = timezone.localdate()
    grid = attendance_grid(course=course, today=today)
    widths = (12, 14, 12, *(16 for _c in grid.columns), 10, 12)
    content = write_xlsx(
        Sheet(
            _("学员与考勤"),
            _rows(grid),
            header=attendance_header(grid),
            heading=attendance_heading(course.title, grid, today),
            widths=widths,
        )
    )
    audit_record(
        actor=actor,
        action=aa.COURSE_ATTENDANCE_EXPORT,
        target=course,
        after={"trainees": grid.count.enrolled, "sessions": len(grid.columns)},
        enterprise_id=course.organiser_id,
    )
    return f"{course.title[:60]}-{today.isoformat()}.xlsx", content

"""The audit actions of talent services beyond the registry's (found by core.audit's autodiscovery)."""

from django.utils.translation import gettext_lazy as _l

from shouzhan.core.audit import audit_actions_declare

ACTIONS = audit_actions_declare(
    "talent",
    {
        "course_attendance_export": _l("导出培训课程学员与考勤"),
    },
)

COURSE_ATTENDANCE_EXPORT = "talent.course_attendance_export"

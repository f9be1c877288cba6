"""The core module's audit actions: the working-day calendar, the audit chain's check and restores."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _l

from shouzhan.core.audit import audit_actions_declare

WORKDAY_OVERRIDE_SET = "core.workday_override_set"
WORKDAY_OVERRIDE_DELETE = "core.workday_override_delete"
CALENDAR_YEAR_CONFIRM = "core.calendar_year_confirm"
CALENDAR_NOTICE_ENTER = "core.calendar_notice_enter"
CHAIN_VERIFY = "core.chain_verify"
BACKUP_RESTORE = "core.backup_restore"

ACTIONS = audit_actions_declare(
    "core",
    {
        "workday_override_set": _l("设置工作日调整"),
        "workday_override_delete": _l("删除工作日调整"),
        "calendar_year_confirm": _l("确认全年工作日历"),
        "calendar_notice_enter": _l("录入全年放假安排并确认"),
        "chain_verify": _l("核验审计链"),
        "backup_restore": _l("从备份恢复数据"),
    },
)

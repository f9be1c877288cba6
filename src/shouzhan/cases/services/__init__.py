"""Writes to cases: submit, transition, upload, assign, resubmit, tickets, deadlines. Keyword-only,
atomic, audited, each checking who may through `cases.permissions` (the one door), so pages, the API,
other modules and the worker can never disagree about who may move a case.

The sections live in their own modules; every public name is here, so callers import from
`shouzhan.cases.services` as before.
"""

from shouzhan.cases.services.assignment import case_assign
from shouzhan.cases.services.checks import data_changes, data_clean, dedupe_key, rule_result
from shouzhan.cases.services.common import CONFLICT_MESSAGE, CaseConflict, case_conflict
from shouzhan.cases.services.deadlines import case_deadlines_notify
from shouzhan.cases.services.documents import document_check, document_upload
from shouzhan.cases.services.notify import notification_mark_read, notify_applicant, notify_staff
from shouzhan.cases.services.resubmission import case_resubmit
from shouzhan.cases.services.submit import ENTERPRISE_GROUPS, about_enterprise, case_submit
from shouzhan.cases.services.tickets import ticket_open
from shouzhan.cases.services.transition import case_transition

__all__ = [
    "CONFLICT_MESSAGE",
    "ENTERPRISE_GROUPS",
    "CaseConflict",
    "about_enterprise",
    "case_assign",
    "case_conflict",
    "case_deadlines_notify",
    "case_resubmit",
    "case_submit",
    "case_transition",
    "data_changes",
    "data_clean",
    "dedupe_key",
    "document_check",
    "document_upload",
    "notification_mark_read",
    "notify_applicant",
    "notify_staff",
    "rule_result",
    "ticket_open",
]

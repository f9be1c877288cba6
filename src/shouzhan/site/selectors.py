"""What the site's pages read: the staff workspace's figures and the audit trail told in words."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from shouzhan.cases import charts as case_charts
from shouzhan.cases.selectors import queue_counts, response_times
from shouzhan.community.selectors import mentor_of
from shouzhan.core import selectors as audit_selectors
from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_action_get, audit_action_label
from shouzhan.core.calendar import current_calendar
from shouzhan.core.permissions import can_read_audit, is_staff_member, user_role
from shouzhan.core.roles import Role
from shouzhan.ledger import charts as ledger_charts
from shouzhan.ledger import selectors as ledger_selectors
from shouzhan.ledger.permissions import provider_ids
from shouzhan.registry.permissions import member_enterprise_ids
from shouzhan.registry.selectors import enterprise_stats
from shouzhan.site.audit_words import AuditRow, audit_rows

RECENT = 8  # entries on the workspace; the rest on the audit page


# ----------------------------------------------------------------------------- where each role lands
def landing_url(*, actor: Actor) -> str | None:
    """The page a user's work starts on, or None when they have nothing yet (no enterprise, no role's page).

    Staff by role: the leader on the industry dashboard (insight), the auditor on the trail, the others on the
    workbench; a department's officer on its ticket queue; a mentor on their panel; an enterprise's member on its page; a provider on its claims.
    """
    role = user_role(actor)
    if role == Role.LEADER:
        return reverse("insight:dashboard")
    if role == Role.AUDITOR:
        return reverse("site:audit")
    if role == Role.OFFICER:  # a department's member: the tickets dispatched to their department
        return reverse("frontline:queue")
    if is_staff_member(actor):
        return reverse("site:staff")
    if role == Role.MENTOR:  # their salons and office hours; a mentor without a profile yet, the salons
        return reverse("community:panel" if mentor_of(actor=actor) is not None else "community:index")
    ids = sorted(member_enterprise_ids(actor))
    if ids:
        return reverse("registry:enterprise", kwargs={"pk": ids[0]})
    if provider_ids(actor):
        return reverse("ledger:provider")
    return None


def leader_figures(*, actor: Actor) -> dict[str, Any]:
    """What a leader reads: the queue now, response times by case type, each voucher budget's burn-down."""
    times = response_times(actor=actor)
    usage = ledger_selectors.programme_usage()
    series = ledger_selectors.budget_series(account_ids=[u.programme.budget_account_id for u in usage])
    budgets = [
        {
            "u": u,
            "chart": ledger_charts.burn_down(
                series[u.programme.budget_account_id], u.programme.valid_from, u.programme.valid_until
            ),
        }
        for u in usage
    ]
    return {
        "cases": queue_counts(actor=actor),
        "times": times,
        "chart": case_charts.response_chart(times),
        "budgets": budgets,
        "stats": enterprise_stats(actor=actor),
    }


def staff_workspace(*, actor: Actor) -> dict[str, Any]:
    """The workspace's figures, in a fixed number of queries whatever the district's size."""
    today = timezone.localdate()
    cal = current_calendar()
    recent = None
    if can_read_audit(actor):
        recent = audit_rows(audit_selectors.audit_list(actor=actor)[:RECENT])
    return {
        "stats": enterprise_stats(actor=actor),
        "cases": queue_counts(actor=actor),
        "recent": recent,
        "today": today,
        "today_is_workday": cal.is_workday(today),
        "due_2": cal.add_working_days(today, 2),
        "due_5": cal.add_working_days(today, 5),
    }


# ----------------------------------------------------------------------------- the audit trail in words
def audit_action_choices() -> list[tuple[str, str]]:
    """The actions found in the trail, as (code, words), sorted by the words; undeclared ones left out."""
    codes = audit_selectors.audit_actions()
    choices = [(code, audit_action_label(code)) for code in codes if audit_action_get(code) is not None]
    return sorted(choices, key=lambda c: c[1])


__all__ = [
    "AuditRow",
    "audit_action_choices",
    "audit_rows",
    "landing_url",
    "leader_figures",
    "staff_workspace",
]

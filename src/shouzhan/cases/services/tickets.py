"""Tickets (工单) opened by the staff: a complaint or a need heard on a visit (急难愁盼)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case
from shouzhan.cases.permissions import require_ticket_open
from shouzhan.cases.services.assignment import case_assign
from shouzhan.cases.services.checks import data_clean
from shouzhan.cases.services.submit import case_submit
from shouzhan.core.actors import Actor

if TYPE_CHECKING:
    from shouzhan.accounts.models import User
    from shouzhan.registry.models import Enterprise


def ticket_open(
    *,
    actor: Actor,
    enterprise: Enterprise | None = None,
    title: str = "",
    data: dict[str, Any],
    assignee: User | None = None,
    related: Model | None = None,
    submitted_on: dt.date | None = None,
) -> Case:
    """A caseworker opens a ticket (工单) for a complaint or a need heard on a visit (急难愁盼).

    The enterprise is optional (a ticket may be about a place). The urgency chooses the time limit;
    the enterprise, if any, sees the ticket in 我的办件. The reporter's contact stays with the staff.
    """
    require_ticket_open(actor)
    with transaction.atomic():
        ct = wf.case_type_get("ticket")
        cleaned = data_clean(ct, data or {})
        case = case_submit(
            actor=actor,
            case_type=ct.key,
            enterprise=enterprise,
            title=(title or "").strip() or _ticket_title(ct, cleaned),
            data=cleaned,
            related=related,
            submitted_on=submitted_on,
            record_applicant=False,
        )
        if assignee is not None:
            case = case_assign(actor=actor, case=case, assignee=assignee, expected_version=case.version)
        return case


def _ticket_title(ct: wf.CaseType, data: dict[str, Any]) -> str:
    """A ticket without a title is named by its category and the start of the need."""
    category = ct.field("category").display(data.get("category")) or _("工单")
    need = " ".join(str(data.get("need", "")).split())
    return f"{category}：{need[:40]}{'…' if len(need) > 40 else ''}"

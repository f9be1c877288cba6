"""The handler of the frontline ticket's one effect (frontline/tickets.py TICKET_MOVE): whichever door a
transition came through (the frontline pages, the case page, the API), the demand and its moves stay in step."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.cases.events import CaseTransitioned, effect_handler_register
from shouzhan.core.audit import audit_record
from shouzhan.frontline import audit_actions as aa
from shouzhan.frontline.models import Demand, FollowUp
from shouzhan.frontline.services.common import department_tell, move_record
from shouzhan.frontline.tickets import TICKET_MOVE


def on_ticket_move(event: CaseTransitioned) -> None:
    demand = Demand.objects.select_for_update().select_related("case").get(case_id=event.case.pk)
    demand.case = event.case
    on = event.on or timezone.localdate(event.at)
    before = {"department": demand.department_id, "accepted_by": demand.accepted_by_id}
    if event.action == "redispatch":  # returned, so with nobody: the receiver's choice is the change
        before["department"] = None
    action, department, due = _apply(demand, event, on)
    demand.version += 1  # whichever door the move came through, a phone holding the old version is refused
    demand.save(update_fields=[*KEPT, "version"])
    move_record(
        demand=demand,
        action=action,
        actor=event.actor,
        on=on,
        department=department,
        due_on=due,
        note=event.note,
    )
    after = {"department": demand.department_id, "accepted_by": demand.accepted_by_id}
    if before != after:
        audit_record(
            actor=event.actor,
            action=aa.TICKET_MOVE,
            target=demand,
            before=before,
            after=after,
            enterprise_id=demand.enterprise_id,
            note=event.note,
        )
    if action == "dispatch":
        message = _("工单「%(t)s」已改派给本部门，请在 %(due)s 前签收。")
        department_tell(
            demand, message % {"t": demand.case.title, "due": demand.accept_due_on}, actor=event.actor
        )


KEPT = (
    "department",
    "accepted_by",
    "accept_due_on",
    "resolve_due_on",
    "first_accept_on_time",
    "accept_limit_on",
    "last_resolved",
    "last_satisfaction",
)


def _apply(demand: Demand, event: CaseTransitioned, on: dt.date) -> tuple[str, int | None, dt.date | None]:
    """Change the demand as the move says; the move's action, department and the limit it ran against."""
    action, department, due = event.action, demand.department_id, None
    if action == "accept":
        demand.accepted_by_id, due = demand.department_id, demand.accept_due_on
        demand.resolve_due_on = event.case.due_on
        if demand.first_accept_on_time is None:  # the response rate counts the first acceptance
            demand.first_accept_on_time = due is None or on <= due
    elif action == "return":
        demand.department_id, demand.accept_due_on = None, None  # accept_limit_on stays: still running
    elif action == "redispatch":
        if demand.department_id is None:  # re-dispatched without a choice: the catalogue's department
            rule = demand.dispatch_version.rules.filter(category=demand.category).first()
            demand.department_id = rule.department_id if rule else None
        department, demand.accepted_by_id = demand.department_id, None
        demand.accept_due_on = demand.accept_limit_on = event.case.due_on
        action = "dispatch"
    elif action == "reply":
        department, due = demand.accepted_by_id, demand.resolve_due_on
    elif action in ("confirm", "reopen"):
        last = _follow_up_ensure(demand, event, resolved=action == "confirm", on=on)
        demand.last_resolved = last.resolved
        if last.satisfaction:
            demand.last_satisfaction = last.satisfaction
        department = demand.accepted_by_id
        if action == "reopen":
            demand.resolve_due_on = event.case.due_on
        action = "resolved" if action == "confirm" else "reopen"
    elif action == "close":
        department = demand.accepted_by_id
    return action, department, due


def _follow_up_ensure(demand: Demand, event: CaseTransitioned, *, resolved: bool, on: dt.date) -> FollowUp:
    """A follow-up answered on the case page (no frontline service before it) is recorded, unrated."""
    last_reply = demand.moves.filter(action="reply").order_by("-at").values_list("at", flat=True).first()
    answered = demand.follow_ups.filter(at__gte=last_reply) if last_reply else demand.follow_ups.all()
    found = answered.order_by("-at", "-pk").first()
    if found is not None:
        return found
    from shouzhan.frontline.permissions import is_requester

    channel = FollowUp.Channel.SITE if is_requester(event.actor, demand) else FollowUp.Channel.PHONE
    return FollowUp.objects.create(
        demand=demand, resolved=resolved, channel=channel, note=event.note[:500], on=on
    )


def register() -> None:
    effect_handler_register(TICKET_MOVE, on_ticket_move)

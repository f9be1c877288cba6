"""A ticket's moves as a department and a receiver take them: accept, return (退单), re-dispatch, reply; the
requester's follow-up (回访); a likely repeat merged into its original; exclusion from the three rates.

Each move is a transition of the ticket's case (cases.case_transition): the case records the state, the
clock and its audit entry; the transition's effect (frontline/effects.py) records the move with its
department. `expected_version` is the demand's: a second department or an offline phone acting on a
ticket that changed meanwhile gets `Conflict`, never a silent overwrite.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.cases.services import case_transition
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.core.limits import required_text
from shouzhan.core.workdays import working_days_between
from shouzhan.frontline import audit_actions as aa
from shouzhan.frontline.models import Demand, Department, FollowUp, TicketMove
from shouzhan.frontline.permissions import (
    can_receive,
    is_requester,
    require_demand_read,
    require_department_member,
    require_exclude,
)
from shouzhan.frontline.services.common import (
    FRONTLINE,
    REASON_MAX,
    demand_lock,
    optional_text,
)

FOLLOW_UP_DAYS = 5  # working days the requester has to answer before a replied ticket is closed unrated


def _move(actor: Actor, demand: Demand, action: str, *, note: str = "", on: dt.date | None = None) -> Demand:
    """Take the case transition; the demand comes back as the transition's effect left it."""
    case_transition(
        actor=actor, case=demand.case, action=action, expected_version=demand.case.version, note=note, on=on
    )
    demand.refresh_from_db()  # the effect (frontline/effects.py) bumped its version and recorded the move
    return demand


def _with_department(actor: Actor, demand: Demand, expected_version: int) -> Demand:
    """The demand locked at the version the actor saw, for a member of the department it is with now."""
    require_demand_read(actor, demand)
    locked = demand_lock(demand, expected_version=expected_version)
    require_department_member(actor, locked.department_id)
    return locked


@transaction.atomic
def ticket_accept(
    *, actor: Actor, demand: Demand, expected_version: int, on: dt.date | None = None
) -> Demand:
    """The department responsible accepts (签收) the ticket: it owns it from now on."""
    return _move(actor, _with_department(actor, demand, expected_version), "accept", on=on)


@transaction.atomic
def ticket_return(
    *, actor: Actor, demand: Demand, reason: str, expected_version: int, on: dt.date | None = None
) -> Demand:
    """The department returns a misrouted ticket (退单) with its reason; the first receiver re-dispatches it."""
    locked = _with_department(actor, demand, expected_version)
    reason = required_text(reason, field="reason", limit=REASON_MAX, missing=_("请写明退单理由。"))
    return _move(actor, locked, "return", note=reason, on=on)


@transaction.atomic
def ticket_redispatch(
    *,
    actor: Actor,
    demand: Demand,
    department: Department,
    expected_version: int,
    note: str = "",
    on: dt.date | None = None,
) -> Demand:
    """The receiver sends a returned ticket to another department, with a fresh accept limit."""
    require_demand_read(actor, demand)
    locked = demand_lock(demand, expected_version=expected_version)
    if not can_receive(actor):
        raise PermissionDenied(_("只有营商专员可以改派工单。"))
    if not department.active:
        raise ValidationError({"department": [_("该部门已停用，请选择其他部门。")]})
    Demand.objects.filter(pk=locked.pk).update(department=department)  # the effect dispatches to it
    locked.department = department
    return _move(actor, locked, "redispatch", note=optional_text(note, field="note", limit=REASON_MAX), on=on)


@transaction.atomic
def ticket_reply(
    *, actor: Actor, demand: Demand, answer: str, expected_version: int, on: dt.date | None = None
) -> Demand:
    """The department answers (答复办结): the requester is asked whether it was resolved."""
    locked = _with_department(actor, demand, expected_version)
    answer = required_text(answer, field="answer", limit=REASON_MAX, missing=_("请填写答复内容。"))
    return _move(actor, locked, "reply", note=answer, on=on)


@transaction.atomic
def follow_up_record(
    *,
    actor: Actor,
    demand: Demand,
    resolved: bool,
    satisfaction: str = "",
    channel: str = FollowUp.Channel.SITE,
    note: str = "",
    expected_version: int | None = None,
    on: dt.date | None = None,
) -> FollowUp:
    """The requester's answer to a reply: resolved or not, how satisfied. "Not resolved" reopens the ticket.

    In the site by the requester (channel site), or by a caseworker who called them (channel phone).
    """
    require_demand_read(actor, demand)
    locked = demand_lock(demand, expected_version=expected_version)
    if channel not in FollowUp.Channel.values:
        raise ValidationError({"channel": [_("回访方式不正确。")]})
    if channel == FollowUp.Channel.SITE and not is_requester(actor, locked):
        raise ValidationError({"channel": [_("在线评价只能由诉求人本人（或其企业）填写。")]})
    if channel == FollowUp.Channel.PHONE and not can_receive(actor):
        raise ValidationError({"channel": [_("电话回访由营商专员记录。")]})
    if locked.case.state != "replied":
        raise ValidationError({"resolved": [_("工单答复后才能回访评价。")]})
    if satisfaction and satisfaction not in FollowUp.Satisfaction.values:
        raise ValidationError({"satisfaction": [_("满意度不正确。")]})
    note = optional_text(note, field="note", limit=REASON_MAX)
    if not resolved and not note:
        raise ValidationError({"note": [_("请说明还有什么没有解决。")]})
    today = on or timezone.localdate()
    follow_up = FollowUp.objects.create(
        demand=locked,
        resolved=bool(resolved),
        satisfaction=satisfaction,
        channel=channel,
        note=note,
        recorded_by=actor_user(actor),
        on=today,
    )
    audit_record(
        actor=actor,
        action=aa.FOLLOW_UP,
        target=locked,
        enterprise_id=locked.enterprise_id,
        after={"resolved": bool(resolved), "satisfaction": satisfaction, "channel": channel, "note": note},
    )
    _move(
        actor,
        locked,
        "confirm" if resolved else "reopen",
        note=note or str(FollowUp.Satisfaction(satisfaction).label if satisfaction else ""),
        on=on,
    )
    return follow_up


def tickets_close_unanswered(*, actor: Actor = FRONTLINE, today: dt.date | None = None) -> int:
    """The worker's pass: a reply nobody answered within FOLLOW_UP_DAYS working days is closed, unrated."""
    today = today or timezone.localdate()
    closed = 0
    replied = TicketMove.objects.filter(action="reply").values("demand_id")
    for demand in Demand.objects.filter(case__state="replied", pk__in=replied).select_related("case"):
        last = demand.moves.filter(action="reply").order_by("-at").first()
        if last is None or working_days_between(last.on, today) < FOLLOW_UP_DAYS:
            continue
        with transaction.atomic():
            locked = demand_lock(demand)
            if locked.case.state == "replied":
                _move(actor, locked, "close", note=_("回访期满未评价，自动结单。"), on=today)
                closed += 1
    return closed


@transaction.atomic
def demand_link_repeat(
    *, actor: Actor, demand: Demand, original: Demand, expected_version: int, on: dt.date | None = None
) -> Demand:
    """The receiver links a likely repeat to its original: the repeat is merged, the requester told."""
    require_demand_read(actor, demand)
    require_demand_read(actor, original)
    if not can_receive(actor):
        raise PermissionDenied(_("只有营商专员可以关联重复诉求。"))
    if original.pk == demand.pk or original.repeat_of_id == demand.pk:
        raise ValidationError({"original": [_("不能把诉求关联到它自己。")]})
    locked = demand_lock(demand, expected_version=expected_version)
    root = original.repeat_of or original
    Demand.objects.filter(pk=locked.pk).update(repeat_of=root)
    audit_record(
        actor=actor,
        action=aa.LINK_REPEAT,
        target=locked,
        enterprise_id=locked.enterprise_id,
        after={"original": root.case.title},
    )
    note = _("与此前反映的「%(t)s」是同一问题，已并入一并办理。") % {"t": root.case.title}
    return _move(actor, locked, "merge", note=note, on=on)


@transaction.atomic
def demand_exclude(
    *,
    actor: Actor,
    demand: Demand,
    reason: str,
    expected_version: int | None = None,
    on: dt.date | None = None,
) -> Demand:
    """A supervisor takes a demand out of the three rates (e.g. judged unreasonable), with a reason."""
    require_demand_read(actor, demand)
    require_exclude(actor, demand)
    reason = required_text(reason, field="reason", limit=REASON_MAX, missing=_("请写明不计入三率的理由。"))
    locked = demand_lock(demand, expected_version=expected_version)
    if locked.excluded_reason:
        raise ValidationError({"reason": [_("这条诉求已不计入三率。")]})
    Demand.objects.filter(pk=locked.pk).update(
        excluded_reason=reason, excluded_by=actor_user(actor), version=locked.version + 1
    )
    _bookkeep(actor, locked, "exclude", reason, on)
    audit_record(
        actor=actor,
        action=aa.DEMAND_EXCLUDE,
        target=locked,
        enterprise_id=locked.enterprise_id,
        before={"excluded_reason": ""},
        after={"excluded_reason": reason},
        note=reason,
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def demand_include(
    *,
    actor: Actor,
    demand: Demand,
    reason: str,
    expected_version: int | None = None,
    on: dt.date | None = None,
) -> Demand:
    """Undo an exclusion (a supervisor, with a reason): the demand counts in the rates again."""
    require_demand_read(actor, demand)
    require_exclude(actor, demand)
    reason = required_text(reason, field="reason", limit=REASON_MAX, missing=_("请写明恢复计入的理由。"))
    locked = demand_lock(demand, expected_version=expected_version)
    if not locked.excluded_reason:
        raise ValidationError({"reason": [_("这条诉求本来就计入三率。")]})
    before = locked.excluded_reason
    Demand.objects.filter(pk=locked.pk).update(
        excluded_reason="", excluded_by=None, version=locked.version + 1
    )
    _bookkeep(actor, locked, "include", reason, on)
    audit_record(
        actor=actor,
        action=aa.DEMAND_INCLUDE,
        target=locked,
        enterprise_id=locked.enterprise_id,
        before={"excluded_reason": before},
        after={"excluded_reason": ""},
        note=reason,
    )
    locked.refresh_from_db()
    return locked


def _bookkeep(actor: Actor, demand: Demand, action: str, note: str, on: dt.date | None) -> None:
    from shouzhan.frontline.services.common import move_record

    move_record(
        demand=demand,
        action=action,
        actor=actor,
        on=on or timezone.localdate(),
        department=demand.accepted_by_id or demand.department_id,
        note=note,
    )

"""The frontline ticket as a case type (data): the states a demand goes through once dispatched.

dispatched (待签收) → accepted (办理中) → replied (已答复·待回访, the clock stopped) → closed (已办结)
                  ↘ returned (已退单·待改派) → dispatched again (改派)
replied → accepted again when the requester says it is not resolved (reopen); a likely repeat is merged
into its original. The limits are not the case type's own: they come from the dispatch catalogue the
ticket was sent under (Demand.accept_days / resolve_days), so `due_for` reads them from the demand.
Every transition carries one effect, handled in frontline/effects.py: the demand and its moves (the
three rates' events) stay in step whichever door the transition came through.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _l

from shouzhan.cases import workflow as wf
from shouzhan.cases.events import Effect
from shouzhan.core.workdays import Due, add_working_days

TICKET_MOVE = Effect("frontline.ticket_move", _l("一线工单：记录派单、签收、退单、答复和回访，更新三率"))

KEY = "frontline_ticket"
MOVE = (TICKET_MOVE,)  # every transition of the type carries it
DEPT = frozenset({wf.DEPARTMENT})
RECEIVER = frozenset({wf.ASSIGNEE, wf.CASEWORKER, wf.SYSTEM})
REQUESTER = frozenset({wf.APPLICANT, wf.CASEWORKER, wf.SYSTEM})


def due_for(case: Any, t: wf.Transition, today: dt.date) -> Due | None:
    """The deadline from this step on: accept within N working days of each dispatch, resolve within M of the
    receipt (of the reopening, after a 'not resolved'); None keeps the deadline as it is."""
    demand = getattr(case, "demand", None)
    if demand is None:
        return None
    if t.action == "redispatch":
        return add_working_days(today, demand.accept_days)
    if t.action == "accept":
        return add_working_days(demand.received_on, demand.resolve_days)
    if t.action == "reopen":
        return add_working_days(today, demand.resolve_days)
    return None


FRONTLINE_TICKET = wf.CaseType(
    key=KEY,
    label=_l("诉求工单"),
    group="ticket",
    listed=False,
    initial="dispatched",
    limit_days=1,  # never used: case_submit is given the catalogue's accept limit
    description=_l(
        "走访、窗口、热线或企业提出的诉求，按派单目录派给承办部门，按工作日时限签收、办结并回访。"
    ),
    due_for=due_for,
    # Shown on the case page; the demand itself (frontline.models.Demand) is the record.
    fields=(
        wf.Field("need", _l("诉求内容"), "textarea"),
        wf.Field("category_label", _l("类别")),
        wf.Field("place", _l("地点")),
        wf.Field("requester", _l("反映人")),
        wf.Field("requester_contact", _l("反映人联系方式"), staff_only=True),
    ),
    states=(
        wf.State("dispatched", _l("已派单·待签收"), _l("已转交承办部门")),
        wf.State("returned", _l("已退单·待改派"), _l("正在转交承办部门")),
        wf.State("accepted", _l("办理中"), _l("承办部门办理中")),
        wf.State("replied", _l("已答复·待回访"), _l("已答复，请告诉我们是否解决"), stops_clock=True),
        wf.State("closed", _l("已办结"), _l("已办结"), final=True, outcome="ok"),
        wf.State("merged", _l("已并入原诉求"), _l("已并入您此前反映的同一问题"), final=True, outcome="ok"),
    ),
    transitions=(
        wf.Transition("accept", _l("签收"), ("dispatched",), "accepted", DEPT, effects=MOVE),
        wf.Transition(
            "return",
            _l("退单"),
            ("dispatched",),
            "returned",
            DEPT,
            needs_note=True,
            style="danger",
            effects=MOVE,
        ),
        wf.Transition("redispatch", _l("改派"), ("returned",), "dispatched", RECEIVER, effects=MOVE),
        wf.Transition("reply", _l("答复办结"), ("accepted",), "replied", DEPT, needs_note=True, effects=MOVE),
        wf.Transition("confirm", _l("确认已解决"), ("replied",), "closed", REQUESTER, effects=MOVE),
        wf.Transition(
            "reopen",
            _l("未解决，重新办理"),
            ("replied", "closed"),
            "accepted",
            REQUESTER,
            needs_note=True,
            style="accent",
            effects=MOVE,
        ),
        wf.Transition(
            "close",
            _l("回访期满结单"),
            ("replied",),
            "closed",
            frozenset({wf.SYSTEM}),
            style="ghost",
            effects=MOVE,
        ),
        wf.Transition(
            "merge",
            _l("并入原诉求"),
            ("dispatched", "returned", "accepted"),
            "merged",
            RECEIVER,
            needs_note=True,
            style="ghost",
            effects=MOVE,
        ),
    ),
)

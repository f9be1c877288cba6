"""Dispatch by the catalogue, working-day limits over holidays, first-receiver, returns, versioning."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shouzhan.core.errors import Conflict
from shouzhan.frontline import services
from shouzhan.frontline.models import TicketMove

pytestmark = pytest.mark.django_db
D = dt.date


def test_a_demand_received_before_the_national_day_is_due_after_it(record: Any, urban: Any) -> None:
    # 2026-09-30 (Wed): 10-01…10-07 are the National Day holidays, 10-10 (Sat) a working day (调休).
    demand = record("licence", "营业执照地址变更一直办不下来", on=D(2026, 9, 30))
    assert demand.department.key == "amr" and demand.accept_days == 1 and demand.resolve_days == 5
    assert (demand.accept_due_on, demand.resolve_due_on) == (D(2026, 10, 8), D(2026, 10, 13))
    demand = record("financing", "申请创业担保贷款无人对接", on=D(2026, 9, 30))
    assert (demand.accept_days, demand.accept_due_on) == (2, D(2026, 10, 9))  # the example
    assert demand.case.due_on == demand.accept_due_on
    assert demand.resolve_due_on == D(2026, 10, 20)  # 10 working days: 10-08, 09, 10, 12…16, 19, 20


def test_the_receiver_owns_it_until_a_department_accepts(record: Any, urban: Any, receiver: Any) -> None:
    demand = record(on=D(2026, 11, 2))
    assert demand.receiver == receiver and demand.case.assignee == receiver
    assert demand.department.key == "urban" and demand.case.state == "dispatched"
    demand = services.ticket_accept(
        actor=urban, demand=demand, expected_version=demand.version, on=D(2026, 11, 3)
    )
    assert demand.case.state == "accepted" and demand.accepted_by.key == "urban"
    assert demand.case.due_on == D(2026, 11, 9)  # 5 working days from the receipt, 11-02
    moves = list(TicketMove.objects.filter(demand=demand).values_list("action", "department__key", "on_time"))
    assert moves == [("dispatch", "urban", None), ("accept", "urban", True)]


def test_a_misrouted_ticket_is_returned_and_redispatched(
    record: Any, urban: Any, amr: Any, dept: Any, receiver: Any
) -> None:
    demand = record("environment", "店招审批材料被退回", on=D(2026, 11, 2))
    with pytest.raises(ValidationError):
        services.ticket_return(actor=urban, demand=demand, reason="", expected_version=demand.version)
    demand = services.ticket_return(
        actor=urban,
        demand=demand,
        reason="属于证照审批，应派市场监管",
        expected_version=demand.version,
        on=D(2026, 11, 2),
    )
    assert demand.case.state == "returned" and demand.department is None
    with pytest.raises(PermissionDenied):  # a department cannot act on what is no longer with it
        services.ticket_accept(actor=urban, demand=demand, expected_version=demand.version)
    demand = services.ticket_redispatch(
        actor=receiver,
        demand=demand,
        department=dept("amr"),
        expected_version=demand.version,
        on=D(2026, 11, 3),
    )
    assert demand.case.state == "dispatched" and demand.department.key == "amr"
    assert demand.accept_due_on == D(2026, 11, 4)
    demand = services.ticket_accept(
        actor=amr, demand=demand, expected_version=demand.version, on=D(2026, 11, 4)
    )
    history = list(demand.moves.values_list("action", "department__key", "note"))
    assert history == [
        ("dispatch", "urban", ""),
        ("return", "urban", "属于证照审批，应派市场监管"),
        ("dispatch", "amr", ""),
        ("accept", "amr", ""),
    ]


def test_a_stale_version_is_a_conflict(record: Any, urban: Any) -> None:
    demand = record()
    old = demand.version
    services.ticket_accept(actor=urban, demand=demand, expected_version=old)
    with pytest.raises(Conflict):
        services.ticket_return(actor=urban, demand=demand, reason="x", expected_version=old)


def test_a_ticket_keeps_the_limits_it_was_dispatched_under(record: Any, urban: Any, catalogue: Any) -> None:
    before = record(on=D(2026, 11, 2))
    rules = [
        {
            "category": r.category,
            "label": r.label,
            "department": r.department.key,
            "accept_days": r.accept_days,
            "resolve_days": 3 if r.category == "environment" else r.resolve_days,
            "keywords": r.keywords,
        }
        for r in catalogue.rules.select_related("department")
    ]
    v2 = services.dispatch_catalogue_publish(
        actor=_system(), valid_from=D(2026, 11, 16), rules=rules, note="城管办结时限缩短为3天"
    )
    after = record(on=D(2026, 11, 16))
    assert (before.dispatch_version.number, before.resolve_days) == (1, 5)
    assert (after.dispatch_version, after.resolve_days) == (v2, 3)
    before = services.ticket_accept(
        actor=urban, demand=before, expected_version=before.version, on=D(2026, 11, 17)
    )
    assert before.case.due_on == D(2026, 11, 9)  # still 5 working days from 11-02


def _system() -> Any:
    from shouzhan.core.actors import system_actor

    return system_actor("frontline")


def test_bad_input_is_refused_in_words(record: Any) -> None:
    with pytest.raises(ValidationError) as e:
        record("no-such", "x")
    assert "不在派单目录中" in str(e.value)
    with pytest.raises(ValidationError) as e:
        record(text="   ")
    assert "请填写诉求内容" in str(e.value)
    with pytest.raises(ValidationError) as e:
        record(on=dt.date.today() + dt.timedelta(days=3))
    assert "不能晚于今天" in str(e.value)

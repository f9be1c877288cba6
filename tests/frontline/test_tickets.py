"""Replies and follow-ups (回访), reopening with a fresh limit, closing unanswered, repeats, exclusions, and the
case page as a second door that keeps the demand in step."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shouzhan.cases.services import case_transition
from shouzhan.frontline import services
from shouzhan.frontline.models import DepartmentMember, FollowUp

pytestmark = pytest.mark.django_db
D = dt.date


def _replied(record: Any, urban: Any, on: dt.date = D(2026, 11, 2)) -> Any:
    demand = record(on=on)
    demand = services.ticket_accept(actor=urban, demand=demand, expected_version=demand.version, on=on)
    return services.ticket_reply(
        actor=urban,
        demand=demand,
        answer="已责令施工方夜间停工",
        expected_version=demand.version,
        on=D(2026, 11, 4),
    )


def test_the_requester_confirms_and_rates(record: Any, urban: Any, firm: Any) -> None:
    demand = _replied(record, urban)
    assert demand.case.state == "replied" and demand.case.clock_stopped_on == D(2026, 11, 4)
    assert demand.case.due_on == demand.resolve_due_on == D(2026, 11, 9)  # the reply keeps the deadline
    follow_up = services.follow_up_record(
        actor=firm[1], demand=demand, resolved=True, satisfaction="satisfied", on=D(2026, 11, 5)
    )
    demand.refresh_from_db()
    assert (follow_up.channel, follow_up.satisfaction) == ("site", "satisfied")
    assert demand.case.state == "closed" and demand.case.closed_on == D(2026, 11, 5)
    assert list(demand.moves.values_list("action", "on_time")) == [
        ("dispatch", None),
        ("accept", True),
        ("reply", True),
        ("resolved", None),
    ]
    assert FollowUp.objects.filter(demand=demand).count() == 1


def test_not_resolved_reopens_it_with_a_fresh_limit(record: Any, urban: Any, receiver: Any) -> None:
    demand = _replied(record, urban)
    with pytest.raises(ValidationError) as e:
        services.follow_up_record(actor=receiver, demand=demand, resolved=False, channel="phone")
    assert "请说明还有什么没有解决" in str(e.value)
    services.follow_up_record(
        actor=receiver,
        demand=demand,
        resolved=False,
        satisfaction="unsatisfied",
        channel="phone",
        note="夜里还在施工",
        on=D(2026, 11, 6),
    )
    demand.refresh_from_db()
    assert demand.case.state == "accepted"
    # 5 working days from the reopening (Fri 11-06): 11-09 … 11-13.
    assert demand.case.due_on == demand.resolve_due_on == D(2026, 11, 13)
    assert demand.moves.last().action == "reopen"


def test_only_the_requester_rates_in_the_site(record: Any, urban: Any, make_enterprise: Any) -> None:
    demand = _replied(record, urban)
    _other, stranger = make_enterprise("别家公司")
    with pytest.raises(Exception) as e:  # another enterprise does not even know of it
        services.follow_up_record(actor=stranger, demand=demand, resolved=True, satisfaction="satisfied")
    assert e.type.__name__ == "Http404"


def test_an_unanswered_reply_is_closed_after_five_working_days(record: Any, urban: Any) -> None:
    demand = _replied(record, urban)  # replied on Wed 11-04
    assert services.tickets_close_unanswered(today=D(2026, 11, 10)) == 0  # 4 working days
    assert services.tickets_close_unanswered(today=D(2026, 11, 11)) == 1
    demand.refresh_from_db()
    assert demand.case.state == "closed" and not demand.follow_ups.exists()
    assert services.tickets_close_unanswered(today=D(2026, 11, 12)) == 0


def test_a_repeat_is_merged_into_its_original(record: Any, receiver: Any) -> None:
    first = record(on=D(2026, 11, 2))
    second = record(text="门口工地晚上还在施工，吵得睡不着", on=D(2026, 11, 3))
    second = services.demand_link_repeat(
        actor=receiver, demand=second, original=first, expected_version=second.version, on=D(2026, 11, 3)
    )
    assert second.repeat_of == first and second.case.state == "merged"
    assert "已并入一并办理" in second.moves.last().note
    third = record(text="还是施工噪音", on=D(2026, 11, 4))
    third = services.demand_link_repeat(
        actor=receiver, demand=third, original=second, expected_version=third.version
    )
    assert third.repeat_of == first  # linked to the root, not to another repeat


def test_only_a_supervisor_excludes_and_it_is_audited(record: Any, urban: Any, member: Any) -> None:
    from shouzhan.core.models import AuditEntry

    demand = record()
    with pytest.raises(PermissionDenied):
        services.demand_exclude(actor=urban, demand=demand, reason="诉求不合理")
    chief = member("urban", DepartmentMember.Role.SUPERVISOR, name="城管队长")
    with pytest.raises(ValidationError):
        services.demand_exclude(actor=chief, demand=demand, reason=" ")
    demand = services.demand_exclude(actor=chief, demand=demand, reason="要求拆除合法建筑，诉求不合理")
    assert demand.excluded_reason == "要求拆除合法建筑，诉求不合理" and demand.excluded_by == chief
    entry = AuditEntry.objects.filter(action="frontline.demand_exclude").get()
    assert (entry.actor, entry.note) == (chief, "要求拆除合法建筑，诉求不合理")
    demand = services.demand_include(actor=chief, demand=demand, reason="复核后认定合理")
    assert demand.excluded_reason == "" and list(demand.moves.values_list("action", flat=True))[-2:] == [
        "exclude",
        "include",
    ]


def test_an_enterprise_raises_its_own_demand(firm: Any, catalogue: Any, make_enterprise: Any) -> None:
    enterprise, owner = firm
    demand = services.demand_record(
        actor=owner,
        source="enterprise",
        category="space",
        description="直播间空调坏了",
        enterprise=enterprise,
        received_on=D(2026, 11, 2),
    )
    assert demand.requester == owner and demand.receiver is None and demand.department.key == "centre-space"
    other, _owner = make_enterprise("别家公司")
    with pytest.raises(ValidationError):
        services.demand_record(
            actor=owner, source="enterprise", category="space", description="x", enterprise=other
        )
    with pytest.raises(PermissionDenied):  # only the centre's staff record desk and hotline demands
        services.demand_record(
            actor=owner, source="hotline", category="space", description="x", enterprise=enterprise
        )


def test_the_case_page_door_keeps_the_demand_in_step(record: Any, urban: Any) -> None:
    demand = record(on=D(2026, 11, 2))
    case_transition(
        actor=urban,
        case=demand.case,
        action="accept",
        expected_version=demand.case.version,
        on=D(2026, 11, 3),
    )
    demand.refresh_from_db()
    assert demand.accepted_by.key == "urban" and demand.version == 2
    assert list(demand.moves.values_list("action", "on_time")) == [("dispatch", None), ("accept", True)]


def test_the_same_record_sent_twice_is_one(record: Any) -> None:
    first = record(client_key="phone-1-demand-1")
    again = record(client_key="phone-1-demand-1")
    assert first.pk == again.pk


def test_a_step_without_a_demand_keeps_the_deadline() -> None:
    from types import SimpleNamespace

    from shouzhan.frontline.tickets import FRONTLINE_TICKET, due_for

    # the case type's hook reads the demand; a case that has none (never made by frontline) keeps its deadline
    assert due_for(SimpleNamespace(), FRONTLINE_TICKET.transition("accept"), D(2026, 11, 2)) is None

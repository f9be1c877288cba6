"""PostgreSQL: two people accepting the same ticket at once → exactly one acceptance, one `accept` move, the
other refused (Conflict, or PermissionDenied / 404 for a department it is not with); the same visit sent by
two phones' threads at once → one visit, the same answer to both."""

from __future__ import annotations

import base64
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404

from shouzhan.core.errors import Conflict
from shouzhan.frontline import services
from shouzhan.frontline.models import Demand, TicketMove, Visit, VisitPhoto

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def monday(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path)
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each thread's answer, or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            answers[i] = calls[i]()
        except Exception as exc:  # the refusal is the answer under test
            answers[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def accept(actor: Any, demand: Demand) -> Callable[[], Any]:
    return lambda: services.ticket_accept(
        actor=actor, demand=Demand.objects.get(pk=demand.pk), expected_version=demand.version
    )


def test_two_members_of_the_department_accept_at_once(record: Callable[..., Demand], member: Any) -> None:
    demand = record()
    first, second = member("urban", name="城管甲"), member("urban", name="城管乙")
    answers = at_once(accept(first, demand), accept(second, demand))
    accepted = [a for a in answers if isinstance(a, Demand)]
    refused = [a for a in answers if not isinstance(a, Demand)]
    assert (len(accepted), [type(r) for r in refused]) == (1, [Conflict])
    assert refused[0].detail == {"current_version": 2, "state": "accepted"}
    assert TicketMove.objects.filter(demand=demand, action="accept").count() == 1
    demand.refresh_from_db()
    assert (demand.case.state, getattr(demand.accepted_by, "key", None), demand.version) == (
        "accepted",
        "urban",
        2,
    )


def test_a_department_it_is_not_with_never_wins_the_race(
    record: Callable[..., Demand], member: Any, receiver: Any, dept: Any
) -> None:
    demand = record()
    urban, amr = member("urban", name="城管甲"), member("amr", name="市监甲")
    # amr never had it: 404 (it may not know of it), whoever is first.
    answers = at_once(accept(amr, demand), accept(urban, demand))
    assert [type(a) for a in answers] == [Http404, Demand]
    # Returned by urban and re-dispatched to amr: urban still reads it, but only amr may accept it.
    other = record(text="店招审批材料被退回")
    other = services.ticket_return(actor=urban, demand=other, reason="应派市场监管", expected_version=1)
    other = services.ticket_redispatch(
        actor=receiver, demand=other, department=dept("amr"), expected_version=other.version
    )
    answers = at_once(accept(urban, other), accept(amr, other))
    assert isinstance(answers[0], PermissionDenied | Conflict) and isinstance(answers[1], Demand)
    assert list(TicketMove.objects.filter(demand=other, action="accept").values_list("department__key")) == [
        ("amr",)
    ]
    assert TicketMove.objects.filter(action="accept").count() == 2


@pytest.mark.parametrize("keys", [(None, None), ("sync-1", "sync-1"), ("tab-1", "tab-2")])
def test_the_same_visit_sent_twice_at_once_is_one_visit(
    keys: tuple[str | None, str | None],
    receiver: Any,
    firm: tuple[Any, Any],
    catalogue: Any,
    login_client: Any,
) -> None:
    body = {
        "enterprise_id": firm[0].pk,
        "met": "林经理",
        "demands": [
            {"category": "environment", "description": "园区门口夜间施工噪音扰民", "client_key": "d1"}
        ],
        "photos": [{"name": "门口.png", "content_base64": base64.b64encode(PNG).decode()}],
        "client_key": "phone-visit-1",
    }
    clients = [login_client(receiver) for _ in keys]

    def send(i: int) -> Callable[[], Any]:
        headers = {"Idempotency-Key": keys[i]} if keys[i] else {}
        return lambda: clients[i].post(
            "/api/v1/frontline/visits", body, content_type="application/json", headers=headers
        )

    answers = at_once(send(0), send(1))
    assert [a.status_code for a in answers] == [201, 201], [a.content for a in answers]
    assert answers[0].json() == answers[1].json()
    visit = Visit.objects.get()
    assert answers[0].json()["id"] == visit.pk
    assert (Demand.objects.count(), VisitPhoto.objects.count()) == (1, 1)
    assert TicketMove.objects.filter(action="dispatch").count() == 1

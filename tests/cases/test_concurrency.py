"""Two caseworkers acting on one case at once: exactly one wins, the other is told (PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from shouzhan.cases.models import Case, CaseEvent
from shouzhan.cases.services import CaseConflict, case_submit, case_transition


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_transitions_exactly_one_wins(studio: Any, make_user: Any) -> None:
    enterprise, owner = studio
    case = case_submit(
        actor=owner, case_type="service.financing", enterprise=enterprise, title="融资", data={"need": "贷款"}
    )
    workers = [make_user(role="caseworker", name=f"专员{i}") for i in range(6)]
    actions = ["accept", "reject"] * 3
    barrier = threading.Barrier(len(workers))
    outcomes: list[str] = []
    lock = threading.Lock()

    def act(user: Any, action: str) -> None:
        try:
            mine = Case.objects.get(pk=case.pk)
            barrier.wait()
            case_transition(actor=user, case=mine, action=action, expected_version=1, note="并发")
            result = "won"
        except CaseConflict:
            result = "conflict"
        except Exception as exc:  # pragma: no cover - reported in the assertion
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=act, args=(u, a)) for u, a in zip(workers, actions, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 5 + ["won"]
    case.refresh_from_db()
    assert case.version == 2 and case.state in ("accepted", "rejected")
    assert CaseEvent.objects.filter(case=case).exclude(action="submit").count() == 1

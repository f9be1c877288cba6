"""The staff queue and the case page from a fixed number of queries (the queue's four counts in one, the
on-time rates from plain values, the case page's notices from its timeline), whatever the number of cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from shouzhan.cases import selectors
from shouzhan.cases.models import Case
from shouzhan.cases.services import case_submit, case_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(studio: Any, caseworker: Any, caseworker2: Any) -> dict[str, Any]:
    enterprise, owner = studio
    today = timezone.localdate()

    def submit(title: str, days_ago: int, case_type: str = "service.consultation") -> Any:
        return case_submit(
            actor=owner,
            case_type=case_type,
            enterprise=enterprise,
            title=title,
            data={"need": title},
            submitted_on=today - dt.timedelta(days=days_ago),
        )

    late = [submit(f"逾期{i}", 40 + i) for i in range(3)]
    fresh = [submit(f"新的{i}", 0, "service.overseas") for i in range(2)]
    waiting = submit("等材料", 1)
    for case, worker in ((late[0], caseworker), (late[1], caseworker2), (waiting, caseworker)):
        case_transition(actor=worker, case=case, action="accept", expected_version=case.version)
    waiting.refresh_from_db()
    case_transition(
        actor=caseworker, case=waiting, action="request_info", expected_version=waiting.version, note="补材料"
    )
    done = submit("办完了", 2)
    case_transition(actor=caseworker, case=done, action="accept", expected_version=done.version)
    done.refresh_from_db()
    for action in ("start", "complete"):
        case_transition(actor=caseworker, case=done, action=action, expected_version=done.version)
        done.refresh_from_db()
    return {"late": late, "fresh": fresh, "waiting": waiting, "done": done}


def test_queue_counts_in_one_query_equal_the_queue(
    queue: Any, caseworker: Any, django_assert_num_queries: Any
) -> None:
    today = timezone.localdate()
    cases = list(selectors.case_queue(actor=caseworker))
    with django_assert_num_queries(1):
        counts = selectors.queue_counts(actor=caseworker, today=today)
    running = [c for c in cases if c.clock_stopped_on is None]
    assert counts == {
        "open": len(cases),
        "overdue": sum(c.due_on < today for c in running),
        "today": sum(c.due_on == today for c in running),
        "stopped": sum(c.clock_stopped_on is not None for c in cases),
    }
    assert (counts["open"], counts["overdue"], counts["stopped"]) == (6, 3, 1)


def test_on_time_rates_by_type_and_caseworker(
    queue: Any, caseworker: Any, caseworker2: Any, django_assert_num_queries: Any
) -> None:
    by_type = {r.key: (r.on_time, r.late, r.open_overdue) for r in selectors.on_time_rates(actor=caseworker)}
    assert by_type == {"service.consultation": (1, 0, 3)}
    by_worker = {
        r.label: (r.on_time, r.late, r.open_overdue)
        for r in selectors.on_time_rates(actor=caseworker, by="caseworker")
    }
    assert by_worker == {caseworker.name: (1, 0, 1), caseworker2.name: (0, 0, 1), "未分派": (0, 0, 1)}
    # The queue page reads both tables from one query.
    with django_assert_num_queries(1):
        both = selectors.on_time_rates_by_type_and_caseworker(actor=caseworker)
    assert both == (
        selectors.on_time_rates(actor=caseworker),
        selectors.on_time_rates(actor=caseworker, by="caseworker"),
    )


def test_queue_page_queries_do_not_grow_with_cases(
    queue: Any, caseworker: Any, login_client: Any, django_assert_num_queries: Any
) -> None:
    client = login_client(caseworker)
    client.get("/cases/queue/")
    # session, user and the header's reads (1, and 1 for the caseworker's departments in the menu), then the
    # page: its figures (1: counts, response times, on-time rates by type and by caseworker) and the rows (1;
    # their count is the figures' open count).
    with django_assert_num_queries(7):
        response = client.get("/cases/queue/")
    assert response.status_code == 200
    assert response.content.decode().count("逾期") >= 3
    # Filtered, the rows are counted (1 more); htmx asks for the rows only (no figures).
    with django_assert_num_queries(8):
        assert client.get("/cases/queue/?assigned=unassigned").status_code == 200
    with django_assert_num_queries(7):
        assert client.get("/cases/queue/?q=逾期", HTTP_HX_REQUEST="true").status_code == 200


def test_queue_figures_in_one_query_equal_the_three_selectors(
    queue: Any, caseworker: Any, make_enterprise: Any, django_assert_num_queries: Any
) -> None:
    today = timezone.localdate()
    done = queue["done"]
    # A case closed long ago (outside the response-time window, still in the on-time rates) and one due today.
    Case.objects.filter(pk=done.pk).update(closed_on=today - dt.timedelta(days=200), closed_on_time=False)
    Case.objects.filter(pk=queue["fresh"][0].pk).update(due_on=today)
    for day in (today, today + dt.timedelta(days=30)):
        with django_assert_num_queries(1):
            figures = selectors.queue_figures(actor=caseworker, today=day)
        assert figures.counts == selectors.queue_counts(actor=caseworker, today=day)
        assert (figures.by_type, figures.by_worker) == selectors.on_time_rates_by_type_and_caseworker(
            actor=caseworker, today=day
        )
        assert figures.times == selectors.response_times(actor=caseworker, today=day)
    figures = selectors.queue_figures(actor=caseworker, today=today)
    assert figures.counts == {"open": 6, "overdue": 3, "today": 1, "stopped": 1}
    assert {r.key: (r.on_time, r.late, r.open_overdue) for r in figures.by_type} == {
        "service.consultation": (0, 1, 3)
    }
    # Nobody outside the centre gets figures.
    _enterprise, owner = make_enterprise(name="别家")
    assert selectors.queue_figures(actor=owner) == selectors.QueueFigures(
        {"open": 0, "overdue": 0, "today": 0, "stopped": 0}, [], [], []
    )


def test_case_page_reads_its_notices_from_the_timeline(
    queue: Any, caseworker: Any, login_client: Any, django_assert_num_queries: Any
) -> None:
    done = queue["done"]
    client = login_client(caseworker)
    client.get(f"/cases/{done.pk}/")
    # session, user, the case, the actor's enterprises, assignable caseworkers, the timeline, the
    # documents, the caseworker's departments (the menu): the notices (2 more before) and the changes since a
    # request (1 more) come from the timeline.
    with django_assert_num_queries(9):
        body = client.get(f"/cases/{done.pk}/").content.decode()
    assert (
        f"/cases/{done.pk}/notice/acceptance.pdf" in body and f"/cases/{done.pk}/notice/decision.pdf" in body
    )
    fresh = queue["fresh"][0]
    assert "/notice/" not in client.get(f"/cases/{fresh.pk}/").content.decode()

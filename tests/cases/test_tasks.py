"""Deadline reminders run as django-tasks on the database backend, processed by `db_worker`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from shouzhan.cases.services import case_submit, case_transition
from shouzhan.cases.tasks import deadlines_pass, deadlines_schedule
from shouzhan.core.models import Notification

# The worker closes connections that are not in autocommit mode (Django's close_old_connections):
# on PostgreSQL that would end the test's wrapping transaction, so this test commits for real.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_runs_the_deadline_pass_and_schedules_the_next(studio: Any, caseworker: Any) -> None:
    enterprise, owner = studio
    late = case_submit(
        actor=owner,
        case_type="service.consultation",
        enterprise=enterprise,
        title="逾期的咨询",
        data={"need": "政策咨询"},
        submitted_on=dt.date.today() - dt.timedelta(days=40),
    )
    case_transition(actor=caseworker, case=late, action="accept", expected_version=1)

    assert deadlines_schedule() is True
    assert deadlines_schedule() is False  # one pass waiting is enough
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.task_path == deadlines_pass.module_path

    call_command("db_worker", max_tasks=1, startup_delay=False, interval=0, reload=False, verbosity=0)

    done = DBTaskResult.objects.get(pk=waiting.pk)
    assert done.status == "SUCCESSFUL"
    assert done.return_value == {"reminded": 0, "alerted": 1}
    assert list(
        Notification.objects.filter(user=caseworker, kind="overdue").values_list("target_id", flat=True)
    ) == [late.pk]
    # The pass put the next one in the queue, about five minutes later.
    following = DBTaskResult.objects.get(status="READY")
    assert following.run_after > done.finished_at

"""The cases' in-site messages move to core (cases 0003 after core 0005): every row keeps its id, user,
words, time and read state, and links to its case (generic target and the case page's address); new
messages get new ids after them (PostgreSQL's sequence moved on); going back puts them back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from shouzhan.cases.models import Case
from shouzhan.core.models import Notification
from shouzhan.core.notifications import notify, target_is

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("cases", "0002_clock_waited_days")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    return list(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _old_rows(apps: Any) -> tuple[Any, list[tuple[Any, ...]]]:
    User = apps.get_model("accounts", "User")
    OldCase = apps.get_model("cases", "Case")
    Old = apps.get_model("cases", "Notification")
    user = User.objects.create(name="老用户", mobile="13800000001")
    case = OldCase.objects.create(
        case_type="service.consultation", state="submitted", title="旧办件", submitted_on=dt.date(2026, 1, 5)
    )
    read = timezone.now()
    rows = [
        Old.objects.create(user=user, case=case, kind=kind, message=f"消息{i}", read_at=read if i else None)
        for i, kind in enumerate(["state", "reminder", "overdue"])
    ]
    return case, [(n.pk, user.pk, n.kind, n.message, n.created_at, n.read_at) for n in rows]


def test_messages_move_to_core_and_back() -> None:
    latest = _latest()
    try:
        old_case, before = _old_rows(_migrate(BEFORE))
        _migrate(latest)
        moved = list(Notification.objects.order_by("id"))
        assert [(n.pk, n.user_id, n.kind, n.message, n.created_at, n.read_at) for n in moved] == before
        case = Case.objects.get(pk=old_case.pk)
        assert all(target_is(n, Case) and n.target_id == case.pk for n in moved)
        assert {n.url for n in moved} == {f"/cases/{case.pk}/"}
        assert list(Notification.objects.filter(case=case).order_by("id")) == moved
        newer = notify(users=[moved[0].user], message="新消息", target=case)
        assert newer[0].pk is not None and newer[0].pk > before[-1][0]

        old = _migrate(BEFORE)
        back = old.get_model("cases", "Notification").objects.order_by("id")
        assert [(n.pk, n.case_id, n.message) for n in back] == [
            *((pk, case.pk, message) for pk, _u, _k, message, _c, _r in before),
            (newer[0].pk, case.pk, "新消息"),
        ]
    finally:
        _migrate(latest)

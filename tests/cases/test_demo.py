"""The demo cases: believable states, one overdue and one due today, loaded once."""

from __future__ import annotations

from typing import Any

import pytest

from shouzhan.cases.demo import load_demo
from shouzhan.cases.models import Case
from shouzhan.cases.selectors import case_clock

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent(catalogue: Any) -> None:
    from shouzhan.site.demo_data import load_demo as registry_demo

    registry_demo()
    first = load_demo()
    assert first.startswith("办件：新建 5 件演示办件")
    assert load_demo().startswith("办件：新建 0 件演示办件（共 5 件")
    statuses = [case_clock(c).status for c in Case.objects.all()]
    assert statuses.count("overdue") == 1
    assert Case.objects.filter(state="more_info").count() == 1
    assert Case.objects.filter(state="completed").count() == 1

"""A month-end snapshot stores the month's figures once: the register changing afterwards (revenue lowered, an
enterprise added) leaves the stored month as it was, taking it again changes nothing, and the pages show the
stored history beside the figure now."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shouzhan.core.audit import AuditEntry
from shouzhan.insight.models import Snapshot
from shouzhan.insight.selectors import snapshot_series, targets_measure
from shouzhan.insight.services.figures import month_end, month_start, snapshot_take
from tests.insight.conftest import SYSTEM

pytestmark = pytest.mark.django_db
CLUSTER = {"district": "徐汇", "in_cluster": True, "sector": "micro_drama"}
TEN_MILLION = 1_000_000_000  # fen


def last_month() -> dt.date:
    return month_start(month_start(timezone.localdate()) - dt.timedelta(days=1))


def quality_now() -> Decimal | None:
    figures = {f.key: f for f in targets_measure(as_of=timezone.localdate())}
    return figures["quality_enterprises"].value


def test_a_month_end_stays_as_it_was(
    insight_data: Any, make_enterprise: Any, leader: Any, login_client: Any
) -> None:
    month = last_month()
    long_ago = timezone.now() - dt.timedelta(days=120)
    first, _o = make_enterprise(
        name="老牌剧场", annual_revenue_fen=2 * TEN_MILLION, created_at=long_ago, **CLUSTER
    )
    make_enterprise(name="专精剧场", annual_revenue_fen=TEN_MILLION, created_at=long_ago, **CLUSTER)
    make_enterprise(name="新来的剧场", annual_revenue_fen=5 * TEN_MILLION, **CLUSTER)  # on the platform today

    rows = snapshot_take(actor=SYSTEM, month=month)
    stored = {r.key: r for r in rows}
    assert set(stored) >= {"quality_enterprises", "city_share", "cases_on_time", "voucher_use"}
    assert stored["quality_enterprises"].figure["value"] == "2"
    assert (stored["quality_enterprises"].month, stored["quality_enterprises"].as_of) == (
        month,
        month_end(month),
    )
    assert quality_now() == Decimal(3)

    # the register changes: the first one's revenue falls below the line, another old one is found
    first.annual_revenue_fen = TEN_MILLION - 1
    first.save(update_fields=["annual_revenue_fen"])
    make_enterprise(name="补登的剧场", annual_revenue_fen=3 * TEN_MILLION, created_at=long_ago, **CLUSTER)
    assert quality_now() == Decimal(3)

    again = snapshot_take(actor=SYSTEM, month=month + dt.timedelta(days=10))  # any day of the month
    assert {r.pk for r in again} == {r.pk for r in rows}
    assert (
        Snapshot.objects.get(month=month, key="quality_enterprises").figure
        == stored["quality_enterprises"].figure
    )
    history = snapshot_series(keys=["quality_enterprises"])["quality_enterprises"]
    assert [(m, f.value) for m, f in history] == [(month, Decimal(2))]
    assert AuditEntry.objects.filter(action="insight.snapshot_take").count() == 1

    page = re.sub(
        r"\s+", " ", login_client(leader).get("/insight/targets/quality_enterprises/").content.decode()
    )
    assert f'<td>{month:%Y-%m}</td><td class="num">2</td>' in page  # the stored month
    assert '<span class="target-value">3</span>' in page  # and the figure now


def test_a_month_not_over_is_refused(insight_data: Any) -> None:
    with pytest.raises(ValidationError, match="尚未结束"):
        snapshot_take(actor=SYSTEM, month=timezone.localdate())
    assert not Snapshot.objects.exists()

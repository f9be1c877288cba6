"""The frames' facts from the records, exactly, at a day's end: whole months rented and who rents that day,
granted patents, approved finished films, salon check-ins, each filing's kind, outcome, decision day and
fields — and only what the day had seen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from django.utils import timezone

from shouzhan.cases.models import Case
from shouzhan.insight.frames import day_after, enterprise_frame, filing_frame, months_between
from shouzhan.registry.models import Patent
from shouzhan.spaces.models import Resource, Site, Tenancy

pytestmark = pytest.mark.django_db
D = dt.date
AS_OF = D(2026, 10, 31)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (D(2026, 3, 15), D(2026, 6, 15), 3),
        (D(2026, 3, 15), D(2026, 6, 14), 2),
        (D(2026, 3, 15), D(2026, 6, 16), 3),
        (D(2026, 1, 31), D(2026, 2, 28), 0),
        (D(2026, 1, 31), D(2026, 3, 1), 1),
        (D(2025, 11, 10), D(2026, 2, 10), 3),
        (D(2026, 5, 1), D(2026, 5, 1), 0),
        (D(2026, 5, 2), D(2026, 5, 1), 0),
        (D(2025, 5, 1), D(2026, 5, 1), 12),
    ],
)
def test_months_between(start: dt.date, end: dt.date, months: int) -> None:
    assert months_between(start, end) == months


def test_the_day_ends_at_local_midnight() -> None:
    after = day_after(D(2026, 10, 31))
    assert timezone.localtime(after).replace(tzinfo=None) == dt.datetime(2026, 11, 1, 0, 0)


def _rent(enterprise: Any, start: dt.date, end: dt.date, status: str = Tenancy.Status.ACTIVE) -> None:
    site, _new = Site.objects.get_or_create(name="徐汇创业首站", kind=Site.Kind.FIRST_STOP, district="徐汇")
    room = Resource.objects.create(
        site=site, kind=Resource.Kind.DESK, unit=Resource.Unit.MONTH, name=f"D{start}{end}"
    )
    Tenancy.objects.create(enterprise=enterprise, resource=room, start_on=start, end_on=end, months=1,
                           monthly_fee_fen=80_000, status=status)  # fmt: skip


def _film(enterprise: Any, state: str, submitted: dt.date, closed: dt.date | None, kind: str = "finished_film_filing",
          **data: Any) -> Case:  # fmt: skip
    return Case.objects.create(case_type=kind, state=state, enterprise=enterprise, title="《剧》备案", data=data,
                               submitted_on=submitted, closed_on=closed)  # fmt: skip


@pytest.fixture
def records(make_enterprise: Any) -> dict[str, Any]:
    made = timezone.make_aware(dt.datetime(2026, 1, 5, 9))
    a, _ = make_enterprise(name="甲", district="徐汇", created_at=made)
    b, _ = make_enterprise(name="乙", district="杨浦", created_at=made)
    late, _ = make_enterprise(
        name="丙", district="徐汇", created_at=timezone.make_aware(dt.datetime(2026, 11, 1, 0, 0))
    )
    _rent(a, D(2026, 3, 15), D(2026, 6, 15))  # 3 months, over
    _rent(a, D(2026, 9, 1), D(2027, 9, 1))  # renting on the day: 2 whole months by 10-31 (Sep, Oct)
    _rent(b, D(2026, 11, 1), D(2027, 1, 1))  # begins after the day: nothing
    for n, status in enumerate((Patent.Status.GRANTED, Patent.Status.GRANTED, Patent.Status.EXPIRED)):
        Patent.objects.create(number=f"CN20261000{n}", title="专利", holder_enterprise=a, status=status)
    films = {
        "ok": _film(a, "approved", D(2026, 9, 1), D(2026, 9, 5), ai_share=40, episodes=12),
        "later": _film(a, "approved", D(2026, 10, 20), D(2026, 11, 2), ai_share="90", episodes="30"),
        "returned": _film(a, "returned", D(2026, 8, 1), D(2026, 8, 3), ai_share=10),
        "plan": _film(b, "approved", D(2026, 7, 1), D(2026, 7, 2), kind="planning_filing", ai_share="x"),
        "future": _film(b, "approved", D(2026, 11, 3), D(2026, 11, 4)),
    }
    return {"a": a, "b": b, "late": late, "films": films}


def test_an_enterprise_frame_at_the_day(records: dict[str, Any]) -> None:
    frame = enterprise_frame(as_of=AS_OF)
    assert frame.columns[:2] == ["id", "name"] and len(frame.columns) == 16
    rows = {r["name"]: r for r in frame.iter_rows(named=True)}
    assert sorted(rows) == ["乙", "甲"]  # 丙 registered on the platform after the day
    a, b = rows["甲"], rows["乙"]
    assert (a["enterprise.tenancy_months"], a["enterprise.has_tenancy"]) == (5, True)
    assert (b["enterprise.tenancy_months"], b["enterprise.has_tenancy"]) == (0, False)
    assert (a["enterprise.patents"], b["enterprise.patents"]) == (2, 0)
    assert (a["enterprise.approved_filings"], b["enterprise.approved_filings"]) == (1, 0)
    assert (a["enterprise.salons_attended"], a["enterprise.district"], b["enterprise.district"]) == (
        0,
        "徐汇",
        "杨浦",
    )
    assert (
        frame.schema["enterprise.tenancy_months"] == pl.Int64
        and frame.schema["enterprise.has_tenancy"] == pl.Boolean
    )
    later = {r["name"]: r for r in enterprise_frame(as_of=D(2026, 11, 30)).iter_rows(named=True)}
    assert later["甲"]["enterprise.approved_filings"] == 2 and later["乙"]["enterprise.has_tenancy"] is True
    assert sorted(later) == ["丙", "乙", "甲"]


def test_only_the_facts_asked_for(records: dict[str, Any]) -> None:
    frame = enterprise_frame(as_of=AS_OF, facts={"enterprise.has_tenancy", "enterprise.salons_attended"})
    assert frame.columns == ["id", "enterprise.has_tenancy", "enterprise.salons_attended"]
    assert enterprise_frame(as_of=AS_OF, facts=set()).columns == ["id"]
    assert enterprise_frame(as_of=AS_OF, where={"district": ("杨浦",)})["name"].to_list() == ["乙"]


def test_a_filing_frame_at_the_day(records: dict[str, Any]) -> None:
    films = records["films"]
    frame = filing_frame(as_of=AS_OF)
    rows = {r["id"]: r for r in frame.iter_rows(named=True)}
    assert sorted(rows) == sorted(f.pk for k, f in films.items() if k != "future")  # submitted by the day
    ok, later = rows[films["ok"].pk], rows[films["later"].pk]
    assert (ok["filing.kind"], ok["filing.approved"], ok["filing.decided_on"]) == (
        "finished_film",
        True,
        D(2026, 9, 5),
    )
    assert (ok["filing.ai_share_percent"], ok["filing.episodes"], ok["enterprise.district"]) == (
        40,
        12,
        "徐汇",
    )
    assert (later["filing.approved"], later["filing.decided_on"], later["filing.ai_share_percent"]) == (
        False,
        None,
        90,
    )
    assert rows[films["returned"].pk]["filing.approved"] is False
    plan = rows[films["plan"].pk]
    assert (plan["filing.kind"], plan["filing.approved"], plan["filing.ai_share_percent"]) == (
        "planning",
        True,
        None,
    )
    assert plan["enterprise.district"] == "杨浦"
    pushed = filing_frame(as_of=AS_OF, where={"district": ("徐汇",)})
    assert sorted(pushed["id"].to_list()) == sorted([films["ok"].pk, films["later"].pk, films["returned"].pk])
    assert "name" not in pushed.columns

"""The facts insight measures, as Polars frames at a day's end: one query per table, whatever the register's
size. Every record is taken as it stood by `as_of` where the records say when (an enterprise registered on the
platform, a tenancy begun, a filing decided, a salon attended); what they do not date (revenue, stage, patents
held) is read as it is now, which is why month-end figures are kept as snapshots (`Snapshot`). A patent is held
when granted: a pending or an expired one is not counted.

Columns are named like the facts (`enterprise.district`, `filing.approved` …), money in Int64 fen, so a target's
definition compiled by `shouzhan.rules.polars_backend.compile_polars` runs on them directly."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import polars as pl
from django.db.models import Count
from django.utils import timezone

from shouzhan.cases.models import Case
from shouzhan.cases.workflow import case_type_get
from shouzhan.community.models import Registration
from shouzhan.registry.models import Enterprise, Patent
from shouzhan.spaces.models import Tenancy

FILING_KINDS = {"planning_filing": "planning", "finished_film_filing": "finished_film"}

ENTERPRISE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "id": pl.Int64,
    "name": pl.String,
    "enterprise.district": pl.String,
    "enterprise.registered_on": pl.Date,
    "enterprise.employees": pl.Int64,
    "enterprise.annual_revenue_yuan": pl.Int64,
    "enterprise.is_one_person_company": pl.Boolean,
    "enterprise.sector": pl.String,
    "enterprise.in_cluster": pl.Boolean,
    "enterprise.is_startup": pl.Boolean,
    "enterprise.stage": pl.String,
    "enterprise.tenancy_months": pl.Int64,
    "enterprise.has_tenancy": pl.Boolean,
    "enterprise.patents": pl.Int64,
    "enterprise.approved_filings": pl.Int64,
    "enterprise.salons_attended": pl.Int64,
}


def day_after(as_of: dt.date) -> dt.datetime:
    """The first instant after the day, local time: records made before it count for the day."""
    return timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from `start` to `end` (exclusive): 3-15 → 6-15 is 3, 3-15 → 6-14 is 2."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return max(months - (1 if end.day < start.day else 0), 0)


def _ok_states(case_type: str) -> set[str]:
    return {s.key for s in case_type_get(case_type).states if s.outcome == "ok"}


def _tenancies(as_of: dt.date) -> tuple[Counter[int], set[int]]:
    """Months rented by each enterprise up to the day, and who is renting that day (one query)."""
    months: Counter[int] = Counter()
    renting: set[int] = set()
    rows = Tenancy.objects.filter(start_on__lte=as_of).values_list("enterprise_id", "start_on", "end_on")
    next_day = as_of + dt.timedelta(days=1)  # calendar arithmetic on one date, not a deadline
    for enterprise_id, start, end in rows:
        months[enterprise_id] += months_between(start, min(end, next_day))
        if end > as_of:
            renting.add(enterprise_id)
    return months, renting


def _filings(as_of: dt.date) -> list[tuple[int, int, str, bool, dt.date | None, int | None, int | None]]:
    """(id, enterprise, kind, approved by the day, decided on, AI share %, episodes) of every filing (one query)."""
    ok = {key: _ok_states(key) for key in FILING_KINDS}
    out = []
    rows = Case.objects.filter(case_type__in=FILING_KINDS, submitted_on__lte=as_of).values_list(
        "id", "enterprise_id", "case_type", "state", "closed_on", "data"
    )
    for pk, enterprise_id, case_type, state, closed_on, data in rows:
        decided = closed_on if closed_on is not None and closed_on <= as_of else None
        approved = decided is not None and state in ok[case_type]
        data = data if isinstance(data, dict) else {}
        out.append((pk, enterprise_id, FILING_KINDS[case_type], approved, decided,
                    _int(data.get("ai_share")), _int(data.get("episodes"))))  # fmt: skip
    return out


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def enterprise_frame(*, as_of: dt.date) -> pl.DataFrame:
    """One row per enterprise registered on the platform by the day's end, with every measured fact."""
    end = day_after(as_of)
    rows = list(
        Enterprise.objects.filter(created_at__lt=end).values_list(
            "id",
            "name",
            "district",
            "registered_on",
            "employees",
            "annual_revenue_fen",
            "is_one_person_company",
            "sector",
            "in_cluster",
            "is_startup",
            "stage",
        )
    )
    months, renting = _tenancies(as_of)
    patents = dict(
        Patent.objects.filter(holder_enterprise__isnull=False, status=Patent.Status.GRANTED)
        .values("holder_enterprise_id")
        .annotate(n=Count("id"))
        .values_list("holder_enterprise_id", "n")
    )
    approved: Counter[int] = Counter(f[1] for f in _filings(as_of) if f[2] == "finished_film" and f[3])
    salons = dict(
        Registration.objects.filter(checked_in_at__lt=end, user__person__enterprise__isnull=False)
        .values("user__person__enterprise_id")
        .annotate(n=Count("id"))
        .values_list("user__person__enterprise_id", "n")
    )
    columns: dict[str, list[object]] = defaultdict(list)
    for r in rows:
        pk = r[0]
        for name, value in zip(list(ENTERPRISE_SCHEMA)[:11], r, strict=True):
            columns[name].append(value if value != "" else None)
        columns["enterprise.tenancy_months"].append(months.get(pk, 0))
        columns["enterprise.has_tenancy"].append(pk in renting)
        columns["enterprise.patents"].append(patents.get(pk, 0))
        columns["enterprise.approved_filings"].append(approved.get(pk, 0))
        columns["enterprise.salons_attended"].append(salons.get(pk, 0))
    return pl.DataFrame({name: columns.get(name, []) for name in ENTERPRISE_SCHEMA}, schema=ENTERPRISE_SCHEMA)


FILING_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "id": pl.Int64,
    "enterprise_id": pl.Int64,
    "filing.kind": pl.String,
    "filing.approved": pl.Boolean,
    "filing.decided_on": pl.Date,
    "filing.ai_share_percent": pl.Int64,
    "filing.episodes": pl.Int64,
}


def filing_frame(*, as_of: dt.date, enterprises: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per filing submitted by the day, joined with its enterprise's facts (`enterprise.*`)."""
    rows = _filings(as_of)
    frame = pl.DataFrame(rows, schema=FILING_SCHEMA, orient="row")
    enterprises = enterprise_frame(as_of=as_of) if enterprises is None else enterprises
    facts = enterprises.drop("name").rename({"id": "enterprise_id"})
    return frame.join(facts, on="enterprise_id", how="left")

"""The register read in bulk into Polars, in the rules' engine types — no model objects.

PostgreSQL: `COPY (SELECT …) TO STDOUT (FORMAT csv)` streamed into Polars' CSV reader (the same
columns and the same COPY the benchmark's floor reads). SQLite: one cursor, rows straight into a frame.
Money stays integer fen, dates are dates, booleans booleans; the project facts kept in
`extra_facts` (JSON) are taken out by the database, as text. A value there that is not of the fact's type is a broken
row: it is reported (enterprise, project, fact, value) and read as unknown, and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import connection

from shouzhan.registry.choices import PROJECT_EXTRA_FACTS
from shouzhan.rules.vocabulary import FACTS

# (fact, SQL expression, Polars type read) — booleans are read as 0/1 on both databases.
ENTERPRISE_COLUMNS: tuple[tuple[str, str, Any], ...] = (
    ("enterprise.district", "NULLIF(district, '')", pl.String),
    ("enterprise.registered_on", "registered_on", pl.Date),
    ("enterprise.employees", "employees", pl.Int64),
    ("enterprise.annual_revenue_yuan", "annual_revenue_fen", pl.Int64),
    ("enterprise.is_one_person_company", "CAST(is_one_person_company AS integer)", pl.Int8),
    ("enterprise.sector", "NULLIF(sector, '')", pl.String),
    ("enterprise.in_cluster", "CAST(in_cluster AS integer)", pl.Int8),
    ("enterprise.is_startup", "CAST(is_startup AS integer)", pl.Int8),
)
PROJECT_COLUMNS: tuple[tuple[str, str, Any], ...] = (
    ("project.kind", "NULLIF(kind, '')", pl.String),
    ("project.rd_investment_yuan", "rd_investment_fen", pl.Int64),
    ("project.self_developed", "CAST(self_developed AS integer)", pl.Int8),
    ("project.market_recognized", "CAST(market_recognized AS integer)", pl.Int8),
    ("project.national_selection", "CAST(national_selection AS integer)", pl.Int8),
    ("project.excellent", "CAST(excellent AS integer)", pl.Int8),
    ("project.promotes_city_image", "CAST(promotes_city_image AS integer)", pl.Int8),
    ("project.trainees", "trainees", pl.Int64),
    ("project.year", "year", pl.Int64),
)
EXTRA_FACTS: tuple[tuple[str, str], ...] = tuple((f"project.{n}", t) for n, _l, t in PROJECT_EXTRA_FACTS)


@dataclass
class Register:
    """Enterprises (`id` = enterprise id), projects (`id` = project id, with `enterprise_id`) and the people
    with a talent record who work for them (`id` = person id, with `enterprise_id`: `people_read`)."""

    enterprises: pl.DataFrame
    projects: pl.DataFrame
    people: pl.DataFrame | None = None
    broken: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Scope:
    """Which enterprises to read: all, these ids, or those changed (themselves or a project) since."""

    enterprise_ids: Sequence[int] | None = None
    changed_since: dt.datetime | None = None

    def where(self, column: str, project_table: bool = False) -> tuple[str, list[Any]]:
        if self.enterprise_ids is not None:
            ids = list(self.enterprise_ids)
            if not ids:
                return " WHERE 1 = 0", []
            if connection.vendor == "postgresql":
                return f" WHERE {column} = ANY(%s)", [ids]
            return f" WHERE {column} IN ({', '.join('%s' for _ in ids)})", ids
        if self.changed_since is not None:
            changed = (
                "SELECT id FROM registry_enterprise WHERE updated_at >= %s "
                "UNION SELECT enterprise_id FROM registry_project WHERE updated_at >= %s"
            )
            return f" WHERE {column} IN ({changed})", [self.changed_since, self.changed_since]
        return "", []


def _frame(sql: str, params: list[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """One query's rows as a frame with `schema` (names and types in the query's column order)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            raw = cursor.cursor  # psycopg's own cursor: COPY streams the rows as CSV
            with raw.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params or None) as copy:
                for chunk in copy:
                    buffer.write(chunk)
            if not buffer.tell():
                return pl.DataFrame(schema=schema)
            buffer.seek(0)
            return pl.read_csv(buffer, has_header=False, new_columns=list(schema), schema=schema)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # Django's SQLite connection already turns a date column into dates.
    return pl.DataFrame(rows, schema=schema, orient="row")


def _booleans(frame: pl.DataFrame, columns: tuple[tuple[str, str, Any], ...]) -> pl.DataFrame:
    return frame.with_columns([pl.col(n).cast(pl.Boolean) for n, _sql, t in columns if t == pl.Int8])


def enterprise_query(scope: Scope = Scope()) -> tuple[str, list[Any], dict[str, Any]]:
    """The enterprises' facts: SQL, its parameters, and the frame's schema (the benchmark's floor reads
    the very same query)."""
    where, params = scope.where("id")
    sql = "SELECT id, " + ", ".join(sql for _n, sql, _t in ENTERPRISE_COLUMNS) + " FROM registry_enterprise"
    schema = {"id": pl.Int64, **{n: t for n, _sql, t in ENTERPRISE_COLUMNS}}
    return sql + where + " ORDER BY id", params, schema


def project_query(scope: Scope = Scope()) -> tuple[str, list[Any], dict[str, Any]]:
    """The projects' facts, those kept in `extra_facts` taken out by the database as text."""
    where, params = scope.where("enterprise_id")
    extras = [_extra_sql(name.split(".", 1)[1]) for name, _kind in EXTRA_FACTS]
    sql = (
        "SELECT id, enterprise_id, "
        + ", ".join([*(sql for _n, sql, _t in PROJECT_COLUMNS), *extras])
        + " FROM registry_project"
    )
    schema = {
        "id": pl.Int64,
        "enterprise_id": pl.Int64,
        **{n: t for n, _sql, t in PROJECT_COLUMNS},
        **{name: pl.String for name, _kind in EXTRA_FACTS},
    }
    return sql + where + " ORDER BY id", params, schema


def register_read(scope: Scope = Scope()) -> Register:
    """The enterprises and projects in `scope`, facts in the engine's types, sorted by id."""
    enterprises = _booleans(_frame(*enterprise_query(scope)), ENTERPRISE_COLUMNS)
    projects = _booleans(_frame(*project_query(scope)), PROJECT_COLUMNS)
    projects, broken = _extra_facts(projects)
    return Register(enterprises=enterprises, projects=projects, broken=broken)


def _extra_sql(key: str) -> str:
    """A fact kept in `extra_facts`, as text ("true"/"false" for booleans), taken out by the database
    (one JSON parse per row in C, where Polars would parse the document once per fact)."""
    if connection.vendor == "postgresql":
        return f"extra_facts ->> '{key}'"
    path = f"'$.{key}'"
    return (
        f"CASE json_type(extra_facts, {path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
        f"ELSE json_extract(extra_facts, {path}) END"
    )


def _extra_facts(projects: pl.DataFrame) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """The facts kept in the JSON column, typed; values of the wrong type become unknown and are reported."""
    broken: list[dict[str, Any]] = []
    exprs: list[pl.Expr] = []
    for name, kind in EXTRA_FACTS:
        raw = pl.col(name)
        if kind == "bool":
            bad = raw.is_not_null() & ~raw.is_in(["true", "false"])
            typed = pl.when(raw == "true").then(True).when(raw == "false").then(False).otherwise(None)
        elif (
            kind == "int"
        ):  # the database gives a JSON number as text ("12"); one that is not a whole number is unknown
            typed = raw.cast(pl.Int64, strict=False)
            bad = raw.is_not_null() & typed.is_null()
        else:
            continue
        exprs.append(typed.alias(name))
        rows = projects.filter(bad).select("enterprise_id", "id", raw.alias("value")).head(1000)
        broken += [
            {"enterprise": e, "project": p, "fact": name, "value": str(v)[:100]}
            for e, p, v in rows.iter_rows()
        ]
    return projects.with_columns(exprs), broken


GRANTED_STATES = ("approved", "published", "disbursed")
ENDED_BADLY = ("not_supported", "cancelled", "withdrawn")
APPLICATION_TYPES = ("policy_application", "policy_fast_track")


def cases_read(scope: Scope = Scope()) -> pl.DataFrame:
    """Policy applications of the enterprises in `scope` that count against a clause: granted (with the
    approved amount) or still in progress. Those that ended without support do not count."""
    sql = (
        "SELECT enterprise_id, COALESCE(project_id, 0), clause_id, year, "
        f"CASE WHEN state IN {_sql_list(GRANTED_STATES)} THEN 1 ELSE 0 END, "
        "COALESCE(amount_approved_fen, 0) FROM cases_case"
    )
    where, params = scope.where("enterprise_id")
    sql += (where or " WHERE 1 = 1") + (
        f" AND case_type IN {_sql_list(APPLICATION_TYPES)} AND clause_id <> '' "
        f"AND state NOT IN {_sql_list(ENDED_BADLY)} AND enterprise_id IS NOT NULL"
    )
    schema = {
        "enterprise_id": pl.Int64,
        "project_id": pl.Int64,
        "clause_id": pl.String,
        "year": pl.Int64,
        "granted": pl.Int8,
        "amount_fen": pl.Int64,
    }
    frame = _frame(sql, params, schema)
    return frame.with_columns(pl.col("granted").cast(pl.Boolean), pl.col("year").fill_null(0))


def _sql_list(values: tuple[str, ...]) -> str:
    # Constants of this module only (never user input).
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def excluded_read(*, on: dt.date) -> frozenset[int]:
    """Enterprises on the exclusion list on `on`."""
    from shouzhan.offers.models import Exclusion

    rows = Exclusion.objects.filter(valid_from__lte=on, revoked_at__isnull=True).exclude(valid_to__lt=on)
    return frozenset(rows.values_list("enterprise_id", flat=True))


# ----------------------------------------------------------------------------- people (talent records)
PERSON_COLUMNS: tuple[tuple[str, Any], ...] = tuple(
    (name, {"str": pl.String, "int": pl.Int64, "bool": pl.Boolean}[fact.type])
    for name, fact in FACTS.items()
    if fact.entity == "person"
)


def people_read(enterprise_ids: Collection[int], *, on: dt.date) -> pl.DataFrame:
    """One row per talent record whose person works for one of `enterprise_ids` (`id` = person id, with
    `enterprise_id` = the employer as `registry.talent.facts.person_employer` gives it): the `person.*` facts,
    the category the talent rules give included. A person with no employer gets no row — every clause about
    a person is also about where they work (the policies' applies_to reads the employer's district).

    Talent records are few beside enterprises: the facts are made by the talent module's own functions,
    record by record (titles, certificates and trainings read at once), so they are the calculator's."""
    from shouzhan.accounts.models import Membership
    from shouzhan.registry.talent.facts import category_decide, person_own_facts
    from shouzhan.registry.talent.models import TalentRecord
    from shouzhan.registry.talent.training import trainings_by_person

    schema = {"id": pl.Int64, "enterprise_id": pl.Int64, **dict(PERSON_COLUMNS)}
    wanted = set(enterprise_ids)
    if not wanted:
        return pl.DataFrame(schema=schema)
    records = list(
        TalentRecord.objects.select_related("person")
        .prefetch_related("titles", "certificates")
        .order_by("person_id")
    )
    # An account's employer is its first enterprise (lowest id), as person_employer reads it.
    first: dict[int, int] = {}
    memberships = Membership.objects.filter(
        user_id__in=[r.person.user_id for r in records if r.person.user_id is not None],
        organisation__enterprise__isnull=False,
    ).values_list("user_id", "organisation__enterprise")
    for user_id, enterprise_id in memberships:
        first[user_id] = min(first.get(user_id, enterprise_id), enterprise_id)
    rows: list[dict[str, Any]] = []
    chosen: list[tuple[TalentRecord, int]] = []
    for record in records:
        person = record.person
        employer = (
            person.enterprise_id if person.enterprise_id is not None else first.get(person.user_id or 0)
        )
        if employer is not None and employer in wanted:
            chosen.append((record, employer))
    trainings = trainings_by_person([r.person_id for r, _e in chosen])
    for record, employer in chosen:
        own = person_own_facts(record, on=on, trainings=trainings.get(record.person_id, []))
        own["category"] = category_decide(own, on=on).key
        rows.append(
            {"id": record.person_id, "enterprise_id": employer, **{f"person.{k}": v for k, v in own.items()}}
        )
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)

"""Reconcile what the rules give with the offers there are — decided on whole frames, written in bulk.

For each key (subject × clause × period) the current offer row is compared with the new result:
  new result, no offer                      → a new offer (or prompt)
  new result, open offer, same clause       → updated in place when its amount, facts or status moved
  new result, open offer, clause changed    → the old one withdrawn (clause changed), a new one made
  new result, withdrawn offer               → offered again (a new row; the old one stays as history)
  new result, declined / expired offer      → kept, unless the clause changed (then offered anew)
  new result, confirmed / granted / refused → kept (answered)
  no result, open offer                     → withdrawn (not eligible any more, or applied for)
So a second run over the same register changes nothing, and a run that died before its one write
transaction committed left nothing behind: the next run does the same work again.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import connection, transaction

from shouzhan.offers.caps import expiry_dates
from shouzhan.offers.engine import RESULT_SCHEMA
from shouzhan.offers.models import Offer
from shouzhan.offers.register import Scope, _frame

OPEN = ["prompt", "offered"]
KEPT_UNLESS_CHANGED = ["declined", "expired"]
# enterprise_id moves only for a person's offer (keyed by the person): they changed employer.
COMPARED = [
    "rule_status",
    "max_amount_fen",
    "cap_remaining_fen",
    "facts",
    "policy_version_id",
    "enterprise_id",
]
EXISTING_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "key": pl.String,
    "enterprise_id": pl.Int64,
    "state": pl.String,
    "rule_status": pl.String,
    "max_amount_fen": pl.Int64,
    "cap_remaining_fen": pl.Int64,
    "facts": pl.String,
    "policy_version_id": pl.Int64,
    "clause_digest": pl.String,
}
_LOCK = 7_140_141  # PostgreSQL advisory lock: one reconciliation writes at a time


@dataclass
class Plan:
    inserts: pl.DataFrame  # RESULT_SCHEMA + state
    updates: pl.DataFrame  # id + COMPARED + state
    withdraw: pl.DataFrame  # id, cause
    supersede: list[int]  # current rows a new row replaces (current → false)
    kept: int
    seconds: dict[str, float] = field(default_factory=dict)  # reconcile (read + plan), write

    @property
    def new(self) -> int:
        return self.inserts.height

    @property
    def changed(self) -> int:
        return self.updates.height


_EXISTING_SQL = (
    "SELECT id, key, enterprise_id, state, rule_status, max_amount_fen, cap_remaining_fen, facts, "
    "policy_version_id, clause_digest FROM offers_offer"
)


def existing_read(scope: Scope, people: list[int] | None = None) -> pl.DataFrame:
    """The current offers of the enterprises in `scope`, and of the `people` evaluated wherever their offers
    stand (a person's offer keyed by the person stays with their former employer until this run moves it)."""
    where, params = scope.where("enterprise_id")
    sql = _EXISTING_SQL + (where + " AND" if where else " WHERE") + ' "current" = %s'
    found = _frame(sql, [*params, True], EXISTING_SCHEMA)
    if not people or not where:
        return found
    theirs, their_params = Scope(enterprise_ids=people).where("person_id")  # ids of people, same SQL
    more = _frame(_EXISTING_SQL + theirs + ' AND "current" = %s', [*their_params, True], EXISTING_SCHEMA)
    return pl.concat([found, more]).unique("id", keep="first", maintain_order=True)


def plan(new: pl.DataFrame, existing: pl.DataFrame) -> Plan:
    """What to write so that the current offers equal `new` (both for the same enterprises)."""
    new = new.with_columns(
        pl.when(pl.col("rule_status") == "eligible")
        .then(pl.lit("offered"))
        .otherwise(pl.lit("prompt"))
        .alias("state")
    )
    joined = new.join(existing, on="key", how="full", suffix="_old", coalesce=True)
    has_new = pl.col("clause_id").is_not_null()
    has_old = pl.col("id").is_not_null()
    old_state = pl.col("state_old")
    changed_clause = pl.col("clause_digest") != pl.col("clause_digest_old")
    differs = pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"{c}_old")) for c in COMPARED]) | (
        pl.col("state") != old_state
    )
    renew = (
        has_new
        & has_old
        & (
            (old_state.is_in(OPEN) & changed_clause)
            | (old_state == "withdrawn")
            | (old_state.is_in(KEPT_UNLESS_CHANGED) & changed_clause)
        )
    )
    insert = has_new & (~has_old | renew)
    update = has_new & has_old & old_state.is_in(OPEN) & ~changed_clause & differs
    vanish = ~has_new & has_old & old_state.is_in(OPEN)
    j = joined.with_columns(
        insert.alias("_insert"), update.alias("_update"), vanish.alias("_vanish"), renew.alias("_renew")
    )
    inserts = j.filter("_insert").select([*RESULT_SCHEMA, "state"])
    updates = j.filter("_update").select("id", *COMPARED, "state", "expires_days")
    withdraw = pl.concat(
        [
            j.filter("_vanish").select("id", pl.lit(Offer.Cause.NOT_ELIGIBLE.value).alias("cause")),
            j.filter(pl.col("_renew") & old_state.is_in(OPEN)).select(
                "id", pl.lit(Offer.Cause.CLAUSE_CHANGED.value).alias("cause")
            ),
        ]
    )
    supersede = j.filter("_renew").get_column("id").to_list()
    kept = j.filter(has_new & has_old & ~pl.col("_insert") & ~pl.col("_update")).height
    return Plan(inserts=inserts, updates=updates, withdraw=withdraw, supersede=supersede, kept=kept)


def _expiry(frame: pl.DataFrame, on: dt.date) -> pl.Expr:
    """An offer's confirmation deadline: its clause's working days from `on` (a prompt has none)."""
    days = frame.get_column("expires_days").drop_nulls().to_list() if "expires_days" in frame.columns else []
    chain: Any = pl.when(pl.lit(False)).then(pl.lit(None, dtype=pl.Date))
    for n, due in expiry_dates(days, on).items():
        chain = chain.when(pl.col("expires_days") == n).then(pl.lit(due))
    return pl.when(pl.col("state") == "offered").then(chain.otherwise(None)).otherwise(None)


def write(*, plan: Plan, run_id: int | None, on: dt.date, now: dt.datetime) -> None:
    """Apply a plan in the caller's transaction."""
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if pg:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        withdrawn = plan.withdraw
        if withdrawn.height:
            for cause in withdrawn.get_column("cause").unique().to_list():
                ids = withdrawn.filter(pl.col("cause") == cause).get_column("id").to_list()
                _update_ids(
                    cursor,
                    "state = 'withdrawn', withdraw_cause = %s, changed_run_id = %s, updated_at = %s",
                    [cause, run_id, now],
                    ids,
                )
        if plan.supersede:
            _update_ids(cursor, '"current" = %s', [False], plan.supersede)
        if plan.updates.height:
            _apply_updates(cursor, plan.updates, run_id=run_id, on=on, now=now)
        if plan.inserts.height:
            _insert(cursor, plan.inserts, run_id=run_id, on=on, now=now)


def _update_ids(cursor: Any, assignments: str, params: list[Any], ids: list[int]) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(f"UPDATE offers_offer SET {assignments} WHERE id = ANY(%s)", [*params, ids])
        return
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ", ".join("%s" for _ in part)
        cursor.execute(f"UPDATE offers_offer SET {assignments} WHERE id IN ({marks})", [*params, *part])


INSERT_COLUMNS = [
    "key",
    '"current"',
    "enterprise_id",
    "project_id",
    "person_id",
    "clause_id",
    "period",
    "policy_version_id",
    "clause_digest",
    "state",
    "rule_status",
    "max_amount_fen",
    "cap_remaining_fen",
    "facts",
    "evaluated_on",
    "offered_on",
    "expires_on",
    "created_run_id",
    "changed_run_id",
    "created_at",
    "updated_at",
    "withdraw_cause",
    "reason",
    "contact",
]


def _insert(cursor: Any, inserts: pl.DataFrame, *, run_id: int | None, on: dt.date, now: dt.datetime) -> None:
    rows = inserts.select(
        "key",
        pl.lit(True).alias("current"),
        "enterprise_id",
        pl.when(pl.col("project_id") == 0).then(None).otherwise(pl.col("project_id")).alias("project_id"),
        "person_id",
        "clause_id",
        "period",
        "policy_version_id",
        "clause_digest",
        "state",
        "rule_status",
        "max_amount_fen",
        "cap_remaining_fen",
        "facts",
        pl.lit(on).alias("evaluated_on"),
        pl.lit(on).alias("offered_on"),
        _expiry(inserts, on).alias("expires_on"),
        pl.lit(run_id, dtype=pl.Int64).alias("created_run_id"),
        pl.lit(run_id, dtype=pl.Int64).alias("changed_run_id"),
        pl.lit(now.isoformat()).alias("created_at"),
        pl.lit(now.isoformat()).alias("updated_at"),
        pl.lit("").alias("withdraw_cause"),
        pl.lit("").alias("reason"),
        pl.lit("").alias("contact"),
    )
    columns = ", ".join(INSERT_COLUMNS)
    if connection.vendor == "postgresql":
        not_null = ["period", "withdraw_cause", "reason", "contact"]
        _copy_in(cursor, f"offers_offer ({columns})", rows, not_null=not_null)
        return
    marks = ", ".join("%s" for _ in INSERT_COLUMNS)
    sql = f"INSERT INTO offers_offer ({columns}) VALUES ({marks})"
    for start in range(0, rows.height, 1000):
        cursor.executemany(sql, rows.slice(start, 1000).rows())


def _copy_in(cursor: Any, target: str, rows: pl.DataFrame, *, not_null: list[str]) -> None:
    """COPY a frame into `target` as CSV (an empty field is NULL except in the `not_null` columns)."""
    buffer = io.BytesIO()
    rows.write_csv(buffer, include_header=False, null_value="", datetime_format="%Y-%m-%dT%H:%M:%S%.f%z")
    force = f", FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else ""
    with cursor.cursor.copy(f"COPY {target} FROM STDIN (FORMAT csv{force})") as copy:
        copy.write(buffer.getvalue())


def _apply_updates(
    cursor: Any, updates: pl.DataFrame, *, run_id: int | None, on: dt.date, now: dt.datetime
) -> None:
    """Changed offers: the new amount, facts and status; a prompt that became an offer starts its clock."""
    rows = updates.with_columns(
        pl.lit(run_id, dtype=pl.Int64).alias("changed_run_id"), _expiry(updates, on).alias("expires_on")
    )
    sets = (
        "rule_status = t.rule_status, state = t.state, max_amount_fen = t.max_amount_fen, "
        "cap_remaining_fen = t.cap_remaining_fen, facts = t.facts, policy_version_id = t.policy_version_id, "
        "changed_run_id = t.changed_run_id, enterprise_id = t.enterprise_id, evaluated_on = %s, updated_at = %s, "
        "offered_on = CASE WHEN offers_offer.state = 'prompt' AND t.state = 'offered' THEN %s ELSE offers_offer.offered_on END, "
        "expires_on = CASE WHEN t.state = 'prompt' THEN NULL WHEN offers_offer.state = 'prompt' THEN t.expires_on "
        "ELSE offers_offer.expires_on END"
    )
    cols = [
        "id",
        "rule_status",
        "state",
        "max_amount_fen",
        "cap_remaining_fen",
        "facts",
        "policy_version_id",
        "changed_run_id",
        "expires_on",
        "enterprise_id",
    ]
    rows = rows.select(cols)
    if connection.vendor == "postgresql":
        cursor.execute(
            "CREATE TEMP TABLE offers_changed (id bigint, rule_status text, state text, max_amount_fen bigint, "
            "cap_remaining_fen bigint, facts text, policy_version_id bigint, changed_run_id bigint, "
            "expires_on date, enterprise_id bigint) ON COMMIT DROP"
        )
        _copy_in(cursor, "offers_changed", rows, not_null=[])
        cursor.execute(
            f"UPDATE offers_offer SET {sets} FROM offers_changed t WHERE offers_offer.id = t.id",
            [on, now, on],
        )
        cursor.execute("DROP TABLE offers_changed")
        return
    for row in rows.iter_rows(named=True):
        cursor.execute(
            "UPDATE offers_offer SET rule_status = %s, state = %s, max_amount_fen = %s, cap_remaining_fen = %s, "
            "facts = %s, policy_version_id = %s, changed_run_id = %s, enterprise_id = %s, evaluated_on = %s, "
            "updated_at = %s, "
            "offered_on = CASE WHEN state = 'prompt' AND %s = 'offered' THEN %s ELSE offered_on END, "
            "expires_on = CASE WHEN %s = 'prompt' THEN NULL WHEN state = 'prompt' THEN %s ELSE expires_on END "
            "WHERE id = %s",
            [
                row["rule_status"],
                row["state"],
                row["max_amount_fen"],
                row["cap_remaining_fen"],
                row["facts"],
                row["policy_version_id"],
                row["changed_run_id"],
                row["enterprise_id"],
                on,
                now,
                row["state"],
                on,
                row["state"],
                row["expires_on"],
                row["id"],
            ],
        )


def reconcile(
    *,
    new: pl.DataFrame,
    scope: Scope,
    run_id: int | None,
    on: dt.date,
    now: dt.datetime,
    people: list[int] | None = None,
) -> Plan:
    """Read the current offers of `scope` (and of the `people` evaluated), plan, write — in one transaction."""
    started = time.perf_counter()
    with transaction.atomic():
        existing = existing_read(scope, people)
        the_plan = plan(new, existing)
        planned = time.perf_counter()
        write(plan=the_plan, run_id=run_id, on=on, now=now)
    the_plan.seconds = {"reconcile": planned - started, "write": time.perf_counter() - planned}
    return the_plan

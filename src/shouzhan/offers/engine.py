"""From the register to the offers the rules give, in bulk: one row per (subject, clause, period).

1. The catalogue in force is split: clauses about an enterprise are decided once per enterprise, clauses
   that read project facts once per project (with its enterprise's facts), clauses that read person facts
   once per talent record (with the employer's facts).
2. The rules' batch back end (Polars, or Spark by way of a Parquet export) gives, per subject and
   clause, `eligible` or `unknown` and the maximum amount.
3. Each result gets the facts it was computed from (a JSON snapshot of the facts the clause reads),
   its period, and what the enterprise has already had: no offer where a case for the clause is open or
   was granted within the cap period, and an amount no more than what remains under the cap. An
   excluded enterprise gets nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from shouzhan import rules
from shouzhan.offers import caps
from shouzhan.offers.register import Register

RESULT_SCHEMA: dict[str, Any] = {
    "key": pl.String,
    "enterprise_id": pl.Int64,
    "project_id": pl.Int64,
    "person_id": pl.Int64,
    "clause_id": pl.String,
    "period": pl.String,
    "rule_status": pl.String,
    "max_amount_fen": pl.Int64,
    "cap_remaining_fen": pl.Int64,
    "facts": pl.String,
    "policy_version_id": pl.Int64,
    "clause_digest": pl.String,
    "expires_days": pl.Int64,
}
Compute = Callable[[rules.Catalogue, pl.DataFrame, dt.date], pl.DataFrame]


def clause_digest(policy: rules.Policy, clause: rules.Clause) -> str:
    """What makes a clause the same clause for an offer: its text, expressions, cap and decision."""
    parts = [
        clause.text,
        clause.decision,
        repr(clause.cap),
        policy.applies_to.source if policy.applies_to else "",
        *(e.source for e in clause.expressions()),
    ]
    return hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()


def _status(clause: rules.Clause) -> pl.Expr:
    """The rules' status; an eligible formula clause whose amount is unknown is a prompt too (its amount
    needs facts the enterprise has not given, e.g. the R&D investment a share is taken of)."""
    if clause.decision != "formula":
        return pl.col("status")
    unpriced = (pl.col("status") == "eligible") & pl.col("max_amount_fen").is_null()
    return pl.when(unpriced).then(pl.lit("unknown")).otherwise(pl.col("status"))


def polars_compute(catalogue: rules.Catalogue, frame: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    return rules.batch_polars(catalogue, frame, on)


def spark_compute(catalogue: rules.Catalogue, frame: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """The same results from the Spark back end, over a Parquet export of the frame.

    The frame is in the engine's types already (money in fen), as the Polars back end takes it: Spark
    reads it as it is — never through `normalize`, which reads integer money columns as yuan (× 100).
    """
    from shouzhan.rules import spark_backend

    spark = spark_backend.session()
    spark.sparkContext.setLogLevel("ERROR")
    wanted = catalogue.facts()
    with tempfile.TemporaryDirectory(prefix="shouzhan-push-") as tmp:
        source, target = Path(tmp) / "register.parquet", Path(tmp) / "results.parquet"
        frame.select(c for c in frame.columns if c == "id" or c in wanted).write_parquet(source)
        results = spark_backend.run(catalogue, spark.read.parquet(str(source)), on)
        spark_backend.write_single_parquet(results, target)
        out = pl.read_parquet(target)
    return out.select(
        pl.col("id").cast(pl.Int64),
        pl.col("clause_id").cast(pl.String),
        pl.col("status").cast(pl.String),
        pl.col("max_amount_fen").cast(pl.Int64),
    )


ENGINES: dict[str, Compute] = {"polars": polars_compute, "spark": spark_compute}


@dataclass
class Evaluation:
    results: pl.DataFrame  # RESULT_SCHEMA: what the offers should be, for the enterprises evaluated
    clause_stats: dict[str, dict[str, int]] = field(default_factory=dict)
    subjects: int = 0


@dataclass(frozen=True)
class History:
    """What the enterprises evaluated have had: policy-application cases and exclusions."""

    cases: pl.DataFrame  # enterprise_id, project_id (0), clause_id, year, granted (bool), amount_fen
    excluded: frozenset[int] = frozenset()


def evaluate(
    *,
    catalogue: rules.Catalogue,
    versions: dict[str, int],
    register: Register,
    history: History,
    on: dt.date,
    engine: str = "polars",
    progress: Callable[[int], None] | None = None,
) -> Evaluation:
    """The offers the rules give on `on` for every enterprise and project of `register`.

    `versions` maps a policy id to the id of its version in force (what an offer records).
    """
    compute = ENGINES[engine]

    def pushed(clause: rules.Clause) -> bool:
        return clause.push.offer and clause.in_force(on)

    # A person's clauses are decided per talent record, never over an enterprise's facts alone.
    about_enterprise = catalogue.select(
        lambda c: pushed(c) and not c.reads_project() and not c.reads_person()
    )
    about_project = catalogue.select(lambda c: pushed(c) and c.reads_project() and not c.reads_person())
    # A person's clauses once per talent record, with the employer's facts (never a project's).
    about_person = catalogue.select(lambda c: pushed(c) and c.reads_person() and not c.reads_project())
    enterprises = register.enterprises
    project_subjects = register.projects.join(
        enterprises.rename({"id": "enterprise_id"}), on="enterprise_id", how="inner"
    )
    people = register.people if register.people is not None else pl.DataFrame(schema={"id": pl.Int64})
    person_subjects = (
        people.join(enterprises.rename({"id": "enterprise_id"}), on="enterprise_id", how="inner")
        if "enterprise_id" in people.columns
        else people
    )
    pieces: list[pl.DataFrame] = []
    stats: dict[str, dict[str, int]] = {}
    done = 0
    for sub, subjects, kind in (
        (about_enterprise, enterprises, "enterprise"),
        (about_project, project_subjects, "project"),
        (about_person, person_subjects, "person"),
    ):
        if not sub.policies or not subjects.height:
            _count_none(sub, stats, subjects.height)
            continue
        long = compute(sub, subjects.drop("enterprise_id", strict=False), on)
        done += subjects.height
        if progress is not None:
            progress(done)
        _count(sub, long, stats, subjects.height)
        pieces.append(_with_snapshot(sub, versions, long, subjects, kind, on))
    results = pl.concat(pieces) if pieces else pl.DataFrame(schema=_PIECE_SCHEMA)
    results = caps.history_apply(
        results, caps.clause_terms(catalogue, on), history.cases, history.excluded, on
    )
    # A person's offer is keyed by the person, not the employer: one per (person, clause, period) even when
    # they change jobs (reconcile then moves it to the new employer).
    person_key = pl.concat_str(
        [pl.lit("p"), pl.col("person_id"), pl.lit(":0:"), pl.col("clause_id"), pl.lit(":"), pl.col("period")]
    )
    results = results.with_columns(
        pl.when(pl.col("person_id").is_null()).then(pl.col("key")).otherwise(person_key).alias("key")
    ).select(list(RESULT_SCHEMA))
    return Evaluation(results=results, clause_stats=stats, subjects=done)


_PIECE_SCHEMA: dict[str, Any] = {
    "enterprise_id": pl.Int64,
    "project_id": pl.Int64,
    "person_id": pl.Int64,
    "clause_id": pl.String,
    "rule_status": pl.String,
    "max_amount_fen": pl.Int64,
    "facts": pl.String,
    "policy_version_id": pl.Int64,
    "clause_digest": pl.String,
    "expires_days": pl.Int64,
}


def _count_none(sub: rules.Catalogue, stats: dict[str, dict[str, int]], subjects: int) -> None:
    for clause in sub.clauses:
        stats[clause.id] = {"eligible": 0, "unknown": 0, "not_eligible": subjects, "potential_fen": 0}


def _count(sub: rules.Catalogue, long: pl.DataFrame, stats: dict[str, dict[str, int]], subjects: int) -> None:
    counted = long.group_by("clause_id", "status").agg(
        pl.len().alias("n"), pl.col("max_amount_fen").sum().alias("fen")
    )
    found = {(c, s): (n, fen or 0) for c, s, n, fen in counted.iter_rows()}
    for clause in sub.clauses:
        eligible, fen = found.get((clause.id, "eligible"), (0, 0))
        unknown, _fen = found.get((clause.id, "unknown"), (0, 0))
        stats[clause.id] = {
            "eligible": eligible,
            "unknown": unknown,
            "not_eligible": subjects - eligible - unknown,
            "potential_fen": int(fen),
        }


def _with_snapshot(
    sub: rules.Catalogue,
    versions: dict[str, int],
    long: pl.DataFrame,
    subjects: pl.DataFrame,
    kind: str,
    on: dt.date,
) -> pl.DataFrame:
    """Each result with its subject's ids and the JSON of the facts its clause reads."""
    parts = []
    for policy in sub.policies:
        policy_facts = policy.applies_to.tree.facts() if policy.applies_to else set()
        for clause in policy.clauses:
            names = sorted((clause.facts() | policy_facts) & set(subjects.columns))
            mine = long.filter(pl.col("clause_id") == clause.id)
            if not mine.height:
                continue
            owned = kind in ("project", "person")  # subjects of an enterprise: `id` is theirs
            ids = ["id", "enterprise_id"] if owned else ["id"]
            joined = mine.join(subjects.select(*ids, *names), on="id", how="left")
            facts = pl.struct([pl.col(n) for n in names]).struct.json_encode() if names else pl.lit("{}")
            parts.append(
                joined.select(
                    (pl.col("enterprise_id") if owned else pl.col("id")).alias("enterprise_id"),
                    (pl.col("id") if kind == "project" else pl.lit(0, dtype=pl.Int64)).alias("project_id"),
                    (pl.col("id") if kind == "person" else pl.lit(None, dtype=pl.Int64)).alias("person_id"),
                    pl.col("clause_id"),
                    _status(clause).alias("rule_status"),
                    pl.col("max_amount_fen"),
                    facts.alias("facts"),
                    pl.lit(versions[policy.id], dtype=pl.Int64).alias("policy_version_id"),
                    pl.lit(clause_digest(policy, clause)).alias("clause_digest"),
                    pl.lit(clause.push.expires_after_days, dtype=pl.Int64).alias("expires_days"),
                )
            )
    return pl.concat(parts) if parts else pl.DataFrame(schema=_PIECE_SCHEMA)

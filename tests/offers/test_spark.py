"""Spark and Polars push runs give identical offers on the same register (PySpark local[2], a JDK).

The register is the offers' own (tests/offers/conftest.py) plus subjects that reach every corner of the
back ends: an R&D investment with fen (20 % of it rounded to the fen), a training course priced by a
bracket table, a national selection with its +50 % city-image bonus read from the project's extra facts,
a broken extra fact (read as unknown), and enterprises whose facts are missing (prompts).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from polars.testing import assert_frame_equal

from shouzhan import rules
from shouzhan.offers import engine
from shouzhan.offers.models import Offer, PushRun
from shouzhan.offers.register import Scope, cases_read, excluded_read, register_read
from shouzhan.policies.selectors import catalogue_in_force, versions_in_force
from tests.offers.conftest import ON, project, run_push

pytestmark = [pytest.mark.spark, pytest.mark.django_db]

FIELDS = (
    "key",
    "enterprise_id",
    "project_id",
    "clause_id",
    "period",
    "state",
    "rule_status",
    "max_amount_fen",
    "cap_remaining_fen",
    "facts",
    "policy_version_id",
    "clause_digest",
    "evaluated_on",
    "offered_on",
    "expires_on",
)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """A local[2] session: spark_backend.session() takes the active one."""
    if shutil.which("java") is None:
        pytest.skip("no Java runtime on PATH: PySpark local mode needs a JDK (make sysdeps)")
    pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (make install)")
    session = (
        pyspark.sql.SparkSession.builder.master("local[2]")
        .appName("shouzhan-offers-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def wide(register: dict[str, Any], make_enterprise: Any) -> dict[str, Any]:
    """The register and more: fen amounts, a bracket table, a bonus, extra facts, a broken row, gaps."""
    hongkou, _owner = make_enterprise(
        "虹口智能体实验室",
        district="虹口",
        registered_on=dt.date(2025, 7, 15),
        employees=3,
        annual_revenue_fen=12_345_67,
        is_one_person_company=True,
        sector="ai_agent",
        in_cluster=False,
        is_startup=True,
    )
    fen_agent = project(
        hongkou,
        "agent",
        "带分的研发投入",
        rd_investment_fen=12_345_679,  # 123,456.79 yuan: 20 % is 2,469,135.8 fen → 2,469,136
        self_developed=True,
        market_recognized=True,
    )
    course = project(hongkou, "course", "AI视听创制课程", trainees=57)
    unknown_rd = project(hongkou, "agent", "研发投入未填", self_developed=True, market_recognized=True)
    studio = register["studio"]
    selected = project(
        studio,
        "micro_drama",
        "《入选的剧》",
        national_selection=True,
        promotes_city_image=True,
        extra_facts={"script_copyright_holder": True, "award_winning": True},
    )
    broken = project(studio, "micro_drama", "坏数据", extra_facts={"award_winning": "是"})
    blank, _owner = make_enterprise("空白企业")  # no district: unknown for every city clause
    blank_course = project(blank, "course", "人数未填")
    return {
        **register,
        "hongkou": hongkou,
        "fen_agent": fen_agent,
        "course": course,
        "unknown_rd": unknown_rd,
        "selected": selected,
        "broken": broken,
        "blank": blank,
        "blank_course": blank_course,
    }


def offers_now() -> list[tuple[Any, ...]]:
    return list(Offer.objects.filter(current=True).order_by("key").values_list(*FIELDS))


def test_spark_and_polars_runs_give_identical_offers(spark: Any, wide: dict[str, Any], settings: Any) -> None:
    settings.PUSH_CHUNK = 3  # several chunks, each a Spark job of its own
    polars_run = run_push(engine="polars")
    assert polars_run.status == PushRun.Status.DONE, polars_run.error
    by_polars = offers_now()
    Offer.objects.all().delete()

    spark_run = run_push(engine="spark")
    assert spark_run.status == PushRun.Status.DONE, spark_run.error
    assert spark_run.engine == "spark"
    assert offers_now() == by_polars
    assert spark_run.offers_new == polars_run.offers_new == len(by_polars)
    assert spark_run.clause_stats == polars_run.clause_stats
    assert (
        spark_run.broken_rows
        == polars_run.broken_rows
        == [
            {
                "enterprise": wide["studio"].pk,
                "project": wide["broken"].pk,
                "fact": "project.award_winning",
                "value": "是",
            }
        ]
    )
    # Not identical by accident: the corners the register was built for are there, to the fen.
    offers = {key: (state, status, fen) for key, _e, _p, _c, _y, state, status, fen, *_rest in by_polars}
    hongkou, studio, blank = wide["hongkou"], wide["studio"], wide["blank"]
    assert offers[f"{hongkou.pk}:{wide['fen_agent'].pk}:hu8.agent_rd:"] == ("offered", "eligible", 2_469_136)
    assert offers[f"{hongkou.pk}:{wide['course'].pk}:hu8.training_course:"] == (
        "offered",
        "eligible",
        10_000_000,
    )
    # Eligible, but the share of an unknown R&D investment has no amount: a prompt for the investment.
    assert offers[f"{hongkou.pk}:{wide['unknown_rd'].pk}:hu8.agent_rd:"] == ("prompt", "unknown", None)
    # (Its amount, the +50 % city-image bonus above the clause's cap, is test_push's business.)
    assert offers[f"{studio.pk}:{wide['selected'].pk}:hu8.national_selection:"][:2] == ("offered", "eligible")
    assert offers[f"{studio.pk}:{wide['selected'].pk}:xuhui.excellent_work:"] == (
        "offered",
        "eligible",
        100_000_000,
    )
    assert offers[f"{studio.pk}:{wide['broken'].pk}:xuhui.excellent_work:"] == (
        "prompt",
        "unknown",
        100_000_000,
    )
    assert offers[f"{blank.pk}:{wide['blank_course'].pk}:hu8.training_course:"] == ("prompt", "unknown", None)
    assert offers[f"{wide['gaps'].pk}:{wide['unknown_drama'].pk}:xuhui.excellent_work:"][:2] == (
        "prompt",
        "unknown",
    )


def test_a_spark_run_after_a_polars_run_changes_nothing(spark: Any, wide: dict[str, Any]) -> None:
    first = run_push(engine="polars")
    before = list(Offer.objects.order_by("pk").values_list("pk", *FIELDS, "updated_at", "changed_run"))
    second = run_push(engine="spark")
    assert second.status == PushRun.Status.DONE, second.error
    assert (second.offers_new, second.offers_changed, second.offers_withdrawn) == (0, 0, 0)
    assert second.offers_kept == first.offers_new > 0
    after = list(Offer.objects.order_by("pk").values_list("pk", *FIELDS, "updated_at", "changed_run"))
    assert after == before


def test_evaluate_gives_equal_frames_on_both_engines(spark: Any, wide: dict[str, Any]) -> None:
    """engine.evaluate itself, without the database writes: the same results frame, row for row."""
    on = ON
    catalogue = catalogue_in_force(on=on)
    versions = {v.document.code: v.pk for v in versions_in_force(on=on)}
    register = register_read(Scope())
    history = engine.History(cases=cases_read(Scope()), excluded=excluded_read(on=on))
    by = {
        name: engine.evaluate(
            catalogue=catalogue, versions=versions, register=register, history=history, on=on, engine=name
        )
        for name in ("polars", "spark")
    }
    polars_results, spark_results = by["polars"].results, by["spark"].results
    assert spark_results.schema == polars_results.schema == pl.Schema(engine.RESULT_SCHEMA)
    assert_frame_equal(spark_results, polars_results)
    assert by["spark"].clause_stats == by["polars"].clause_stats
    assert (
        by["spark"].subjects
        == by["polars"].subjects
        == register.enterprises.height + register.projects.height
    )
    statuses = polars_results.get_column("rule_status").value_counts().sort("rule_status").rows()
    assert statuses == [("eligible", 12), ("unknown", 16)]


def test_spark_compute_reads_fen_as_fen(spark: Any) -> None:
    """The register frame holds money in fen already (as the Polars back end takes it): the Spark back end
    must not read those integers as yuan."""
    hu8 = [p for p in rules.load_catalogue(django_settings.CATALOGUE_DIR).policies if p.id == "hu8"]
    catalogue = rules.Catalogue(tuple(hu8))
    frame = pl.DataFrame(
        {
            "id": [1, 2, 3],
            "enterprise.district": ["徐汇", "徐汇", None],
            "project.kind": ["agent", "agent", "agent"],
            "project.self_developed": [True, True, True],
            "project.market_recognized": [True, True, None],
            "project.rd_investment_yuan": [12_345_679, 1, None],
        },
        schema_overrides={"project.rd_investment_yuan": pl.Int64},
    )
    expected = engine.polars_compute(catalogue, frame, ON).sort("id", "clause_id")
    got = engine.spark_compute(catalogue, frame, ON).sort("id", "clause_id")
    assert_frame_equal(got, expected)
    assert got.filter(pl.col("clause_id") == "hu8.agent_rd").rows() == [
        (1, "hu8.agent_rd", "eligible", 2_469_136),
        (2, "hu8.agent_rd", "eligible", 0),
        (3, "hu8.agent_rd", "unknown", None),
    ]


def test_the_push_command_runs_on_spark(spark: Any, register: dict[str, Any]) -> None:
    """`shouzhan push --engine spark`: the same counts as the Polars run gives on this register."""
    out = io.StringIO()
    call_command("push", "--engine", "spark", "--on", ON.isoformat(), stdout=out)
    lines = out.getvalue().splitlines()
    run = PushRun.objects.get()
    assert run.engine == "spark"
    assert lines[0].endswith("引擎 engine spark · 范围 scope full · 评估日期 on 2026-12-07")
    assert lines[5] == "完成 / done: 新增 new 15 · 变更 changed 0 · 撤回 withdrawn 0 · 未变 kept 0"

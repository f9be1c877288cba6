"""Every clause of the catalogue, hand-computed: amounts, caps, the +50% modifier,
district limits, unknown facts; plus loader errors, dated parameters and diffs."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from shouzhan.rules import Catalogue, RuleError, diff_policies, load_policy
from shouzhan.rules.vocabulary import FACTS

from .conftest import REPO, results

XUHUI = {"district": "徐汇", "sector": "micro_drama"}
ALL_IDS = {
    "hu8.agent_rd",
    "hu8.national_selection",
    "hu8.excellent_drama",
    "hu8.production_entity",
    "hu8.overseas",
    "hu8.training_course",
    "xuhui.settlement",
    "xuhui.base_operator",
    "xuhui.desk_fee_relief",
    "xuhui.asset_library",
    "xuhui.excellent_work",
    "xuhui.agent_rd",
    "xuhui.compute_voucher",
    "xuhui.model_voucher",
    "xuhui.corpus_voucher",
    "xuhui.benchmark_work",
    "xuhui.events",
    # a person's clauses (person.*), decided per talent record
    "hu8.talent_introduction",
    "hu8.composite_training",
    "hu8.title_review",
    "hu8.ai_av_skill_certification",
    "xuhui.talent_settling",
    "xuhui.talent_housing",
    "xuhui.talent_schooling",
}


def one(
    catalogue: Catalogue, clause: str, project: dict[str, Any], enterprise: dict[str, Any] | None = None
) -> tuple[str, str | None, list[str]]:
    r = results(catalogue, {"enterprise": XUHUI if enterprise is None else enterprise, "project": project})[
        clause
    ]
    json.dumps(r.to_dict(), ensure_ascii=False)  # always JSON-serialisable
    return r.status, r.max_amount_yuan, r.missing_facts


def test_catalogue_has_every_clause_with_quoted_text(catalogue: Catalogue) -> None:
    assert {c.id for c in catalogue.clauses} == ALL_IDS
    for c in catalogue.clauses:
        assert c.text and c.note, c.id
    hu8 = catalogue.policy("hu8")
    assert hu8.service_limits["planning_filing"]["working_days"] == 2
    assert hu8.service_limits["finished_film_filing"]["working_days"] == 5
    assert catalogue.facts() <= set(FACTS)


# ---------------------------------------------------------------- 沪8条
AGENT = {"kind": "agent", "self_developed": True, "market_recognized": True}


@pytest.mark.parametrize(
    ("rd", "expected"),
    [
        ("0.02", "0.00"),  # 0.4 fen → 0
        ("0.03", "0.01"),  # 0.6 fen → 1 fen (half up)
        ("12345678.91", "2469135.78"),
        ("49999999.95", "9999999.99"),  # just under the cap
        ("50000000", "10000000.00"),  # at the cap
        ("50000000.05", "10000000.00"),  # over: capped
        (10**9, "10000000.00"),
    ],
)
def test_agent_rd_twenty_percent_capped(catalogue: Catalogue, rd: object, expected: str) -> None:
    assert one(catalogue, "hu8.agent_rd", {**AGENT, "rd_investment_yuan": rd}) == ("eligible", expected, [])


def test_agent_rd_conditions_and_unknowns(catalogue: Catalogue) -> None:
    assert one(catalogue, "hu8.agent_rd", AGENT) == ("eligible", None, ["project.rd_investment_yuan"])
    p = {**AGENT, "rd_investment_yuan": 1000, "self_developed": False}
    assert one(catalogue, "hu8.agent_rd", p) == ("not_eligible", None, [])
    p = {"kind": "agent", "market_recognized": True, "rd_investment_yuan": 1000}
    assert one(catalogue, "hu8.agent_rd", p) == ("unknown", "200.00", ["project.self_developed"])
    # A city policy: any Shanghai district; outside Shanghai no; unknown district unknown.
    p = {**AGENT, "rd_investment_yuan": 1000}
    assert one(catalogue, "hu8.agent_rd", p, {"district": "杨浦"}) == ("eligible", "200.00", [])
    assert one(catalogue, "hu8.agent_rd", p, {"district": "北京"}) == ("not_eligible", None, [])
    assert one(catalogue, "hu8.agent_rd", p, {}) == ("unknown", "200.00", ["enterprise.district"])


NATIONAL = {"kind": "micro_drama", "national_selection": True, "script_copyright_holder": True}


def test_national_selection_fixed_sum_and_city_image_bonus(catalogue: Catalogue) -> None:
    assert one(catalogue, "hu8.national_selection", {**NATIONAL, "promotes_city_image": False}) == (
        "eligible",
        "50000.00",
        [],
    )
    assert one(catalogue, "hu8.national_selection", {**NATIONAL, "promotes_city_image": True}) == (
        "eligible",
        "75000.00",
        [],
    )
    assert one(catalogue, "hu8.national_selection", NATIONAL) == (
        "eligible",
        None,
        ["project.promotes_city_image"],
    )
    p = {**NATIONAL, "script_copyright_holder": False, "promotes_city_image": True}
    assert one(catalogue, "hu8.national_selection", p) == ("not_eligible", None, [])


def test_excellent_drama_cap_and_modifier_shown_separately(catalogue: Catalogue) -> None:
    p = {"kind": "micro_drama", "excellent": True, "promotes_city_image": True}
    r = results(catalogue, {"enterprise": XUHUI, "project": p})["hu8.excellent_drama"]
    assert (r.status, r.max_amount_yuan, r.decision) == ("eligible", "4500000.00", "caseworker")
    steps = [t["step"] for t in r.trace]
    assert steps == ["clause", "in_force", "applies_to", "condition", "amount", "cap", "modifier", "result"]
    cap = next(t for t in r.trace if t["step"] == "cap")
    assert cap["value_yuan"] == "3000000.00"
    mod = next(t for t in r.trace if t["step"] == "modifier")
    assert mod["id"] == "hu8.city_image"
    assert (mod["value"], mod["bonus_rate"], mod["bonus_yuan"], mod["value_yuan"]) == (
        True,
        "50%",
        "1500000.00",
        "4500000.00",
    )
    assert "增加50%的扶持额度" in mod["text"]
    assert r.trace[0]["text"].startswith("对价值、内容、品质并重的优秀微短剧项目")
    cond = next(t for t in r.trace if t["step"] == "condition")
    assert cond["conditions"] == [
        {"expr": 'project.kind == "micro_drama"', "value": True},
        {"expr": "project.excellent", "value": True},
    ]
    p["promotes_city_image"] = False
    assert one(catalogue, "hu8.excellent_drama", p) == ("eligible", "3000000.00", [])
    assert one(catalogue, "hu8.excellent_drama", {"kind": "micro_drama", "excellent": False}) == (
        "not_eligible",
        None,
        [],
    )


def test_modifier_applies_only_to_creation_clauses(catalogue: Catalogue) -> None:
    p = {
        "kind": "production_entity",
        "stable_capacity": True,
        "excellent": True,
        "market_recognized": True,
        "promotes_city_image": True,
    }
    assert one(catalogue, "hu8.production_entity", p) == ("eligible", "2000000.00", [])
    p["stable_capacity"] = False
    assert one(catalogue, "hu8.production_entity", p) == ("not_eligible", None, [])


def test_overseas(catalogue: Catalogue) -> None:
    p = {"kind": "overseas", "excellent": True, "overseas_at_scale": True}
    assert one(catalogue, "hu8.overseas", p) == ("eligible", "500000.00", [])
    assert one(catalogue, "hu8.overseas", {"kind": "overseas", "excellent": True}) == (
        "unknown",
        "500000.00",
        ["project.overseas_at_scale"],
    )


@pytest.mark.parametrize(
    ("trainees", "status", "amount"),
    [
        (19, "not_eligible", None),
        (20, "eligible", "50000.00"),
        (49, "eligible", "50000.00"),
        (50, "eligible", "100000.00"),
        (199, "eligible", "150000.00"),
        (200, "eligible", "200000.00"),  # at the cap
        (100000, "eligible", "200000.00"),
    ],
)
def test_training_course_scale(catalogue: Catalogue, trainees: int, status: str, amount: str | None) -> None:
    assert one(catalogue, "hu8.training_course", {"kind": "course", "trainees": trainees}) == (
        status,
        amount,
        [],
    )


def test_training_course_unknown_trainees(catalogue: Catalogue) -> None:
    assert one(catalogue, "hu8.training_course", {"kind": "course"}) == (
        "unknown",
        None,
        ["project.trainees"],
    )


# ---------------------------------------------------------------- 徐汇
@pytest.mark.parametrize(
    ("clause", "project", "amount"),
    [
        ("xuhui.settlement", {"kind": "settlement"}, "30000000.00"),
        ("xuhui.base_operator", {"kind": "base_operation"}, "3000000.00"),
        ("xuhui.asset_library", {"kind": "asset_library"}, "3000000.00"),
        ("xuhui.asset_library", {"kind": "ip_library"}, "3000000.00"),
        ("xuhui.excellent_work", {"kind": "micro_drama", "excellent": True}, "1000000.00"),
        (
            "xuhui.excellent_work",
            {"kind": "micro_drama", "excellent": False, "award_winning": True},
            "1000000.00",
        ),
        ("xuhui.agent_rd", {"kind": "agent"}, "3000000.00"),
        ("xuhui.agent_rd", {"kind": "skill_library"}, "3000000.00"),
        ("xuhui.compute_voucher", {"kind": "vouchers", "voucher_item": "compute"}, "1000000.00"),
        ("xuhui.model_voucher", {"kind": "vouchers", "voucher_item": "model"}, "1000000.00"),
        ("xuhui.corpus_voucher", {"kind": "vouchers", "voucher_item": "corpus"}, "1000000.00"),
        ("xuhui.benchmark_work", {"kind": "micro_drama", "benchmark_work": True}, "2000000.00"),
        ("xuhui.events", {"kind": "event"}, "3000000.00"),
    ],
)
def test_xuhui_caps_and_district_limit(
    catalogue: Catalogue, clause: str, project: dict[str, Any], amount: str
) -> None:
    assert one(catalogue, clause, project) == ("eligible", amount, [])
    assert one(catalogue, clause, project, {**XUHUI, "district": "杨浦"}) == ("not_eligible", None, [])
    status, _, missing = one(catalogue, clause, project, {"sector": "micro_drama"})
    assert (status, missing) == ("unknown", ["enterprise.district"])
    assert catalogue.clause(clause).cap is not None
    assert catalogue.clause(clause).decision == "caseworker"


def test_cap_periods(catalogue: Catalogue) -> None:
    assert catalogue.clause("xuhui.settlement").cap.per == "year"  # type: ignore[union-attr]
    assert catalogue.clause("xuhui.base_operator").cap.per == "year"  # type: ignore[union-attr]
    assert catalogue.clause("xuhui.compute_voucher").cap.per == "item_per_year"  # type: ignore[union-attr]
    assert catalogue.clause("hu8.production_entity").cap.per == "once"  # type: ignore[union-attr]


def test_settlement_sector_and_voucher_items(catalogue: Catalogue) -> None:
    assert (
        one(catalogue, "xuhui.settlement", {"kind": "settlement"}, {**XUHUI, "sector": "cross_border"})[0]
        == "not_eligible"
    )
    assert (
        one(catalogue, "xuhui.model_voucher", {"kind": "vouchers", "voucher_item": "compute"})[0]
        == "not_eligible"
    )
    assert one(catalogue, "xuhui.model_voucher", {"kind": "vouchers"}) == (
        "unknown",
        "1000000.00",
        ["project.voucher_item"],
    )


def test_excellent_work_three_valued(catalogue: Catalogue) -> None:
    assert one(catalogue, "xuhui.excellent_work", {"kind": "micro_drama", "excellent": False}) == (
        "unknown",
        "1000000.00",
        ["project.award_winning"],
    )
    assert one(catalogue, "xuhui.excellent_work", {"kind": "micro_drama", "excellent": True})[0] == "eligible"


def test_desk_fee_relief_in_kind(catalogue: Catalogue) -> None:
    assert one(catalogue, "xuhui.desk_fee_relief", {}, {**XUHUI, "is_startup": True, "in_cluster": True}) == (
        "eligible",
        None,
        [],
    )
    assert (
        one(catalogue, "xuhui.desk_fee_relief", {}, {**XUHUI, "is_startup": True, "in_cluster": False})[0]
        == "not_eligible"
    )
    assert one(catalogue, "xuhui.desk_fee_relief", {}, {**XUHUI, "is_startup": True}) == (
        "unknown",
        None,
        ["enterprise.in_cluster"],
    )


def test_empty_facts_everything_unknown_or_not(catalogue: Catalogue) -> None:
    for r in results(catalogue, {}).values():
        assert r.status == "unknown"
        assert "enterprise.district" in r.missing_facts


def test_not_in_force_before_effective_date(catalogue: Catalogue) -> None:
    p = {"kind": "event"}
    r = results(catalogue, {"enterprise": XUHUI, "project": p}, dt.date(2025, 5, 31))["xuhui.events"]
    assert r.status == "not_eligible"
    assert r.trace[1] == {
        "step": "in_force",
        "on": "2025-05-31",
        "effective_from": "2025-06-01",
        "effective_to": None,
        "value": False,
    }


def test_facts_json_errors(catalogue: Catalogue) -> None:
    with pytest.raises(RuleError, match=r"did you mean project\.rd_investment_yuan"):
        results(catalogue, {"project": {"rd_investment": 5}})
    with pytest.raises(RuleError, match="not float"):
        results(catalogue, {"project": {"rd_investment_yuan": 1.5}})
    with pytest.raises(RuleError, match="expected true or false"):
        results(catalogue, {"project": {"excellent": "yes"}})
    with pytest.raises(RuleError, match="unknown fact group"):
        results(catalogue, {"company": {}})


# ---------------------------------------------------------------- rule files
RULE = """\
policy:
  id: demo
  title: 示例
  issuer: 测试
  effective_from: 2025-01-01
parameters:
  share:
    type: rate
    values:
      - {from: 2025-01-01, value: 10%}
      - {from: 2026-01-01, value: 50%}
clauses:
  - id: demo.grant
    text: 按投入给予支持，最高100万元。
    condition: project.kind == "agent"
    amount: >-
      project.rd_investment_yuan
      * param("share")
    cap: {yuan: 1000000, per: project}
"""


def test_dated_parameter_changes_on_its_date() -> None:
    cat = Catalogue.from_text(RULE, "demo.yaml")
    facts = {"project": {"kind": "agent", "rd_investment_yuan": "0.01"}}
    assert results(cat, facts, dt.date(2025, 12, 31))["demo.grant"].max_amount_yuan == "0.00"  # 0.1 fen
    assert results(cat, facts, dt.date(2026, 1, 1))["demo.grant"].max_amount_yuan == "0.01"  # 0.5 fen → 1
    facts = {"project": {"kind": "agent", "rd_investment_yuan": "1999999.99"}}
    assert (
        results(cat, facts, dt.date(2026, 6, 1))["demo.grant"].max_amount_yuan == "1000000.00"
    )  # 999,999.995 → cap? no: rounds up
    facts = {"project": {"kind": "agent", "rd_investment_yuan": "1999999.97"}}
    assert (
        results(cat, facts, dt.date(2026, 6, 1))["demo.grant"].max_amount_yuan == "999999.99"
    )  # 999,999.985 → .99


@pytest.mark.parametrize(
    ("old", "new", "line", "column", "fragment"),
    [
        (
            'condition: project.kind == "agent"',
            'condition: project.knd == "agent"',
            15,
            16,
            "unknown fact 'project.knd'",
        ),
        ('      * param("share")', '      * param("shares")', 18, 15, "unknown parameter 'shares'"),
        (
            "    cap: {yuan: 1000000, per: project}",
            "    cap: {yuan: 1000000, per: decade}",
            19,
            31,
            "cap per must be one of",
        ),
        ("    text: 按投入", "    txt: 按投入", 14, 5, "unknown key 'txt'"),
        ("  - id: demo.grant", "  - id: other.grant", 13, 9, "clause id must be demo.<name>"),
        (
            "      - {from: 2026-01-01, value: 50%}",
            "      - {from: 2024-01-01, value: 50%}",
            11,
            16,
            "dates must increase",
        ),
        ('condition: project.kind == "agent"', "condition: project.kind == [", 15, 33, "expected a value"),
        ("clauses:", "clauses: [", 13, 3, "not valid YAML"),
    ],
)
def test_rule_errors_name_file_clause_line_column(
    old: str, new: str, line: int, column: int, fragment: str
) -> None:
    text = RULE.replace(old, new)
    assert text != RULE
    with pytest.raises(RuleError) as info:
        load_policy(text, "demo.yaml")
    e = info.value
    assert fragment in e.message, str(e)
    assert (e.file, e.line, e.column) == ("demo.yaml", line, column), str(e)
    assert str(e).startswith(f"demo.yaml:{line}:{column}: ")


def test_error_names_the_clause() -> None:
    with pytest.raises(RuleError) as info:
        load_policy(RULE.replace("project.kind ==", "project.kinds =="), "demo.yaml")
    assert info.value.clause == "demo.grant"
    assert "clause demo.grant" in str(info.value)


def test_caseworker_needs_cap_and_duplicates_refused() -> None:
    with pytest.raises(RuleError, match="needs a cap"):
        load_policy(
            RULE.replace("    cap: {yuan: 1000000, per: project}", "    decision: caseworker"), "d.yaml"
        )
    dup = RULE + RULE[RULE.index("  - id: demo.grant") :]
    with pytest.raises(RuleError, match="duplicate clause id"):
        load_policy(dup, "d.yaml")


def test_diff_two_versions() -> None:
    old = load_policy(RULE, "demo.yaml")
    new = load_policy(
        RULE.replace("value: 50%", "value: 40%").replace("最高100万元", "最高80万元"), "demo.yaml"
    )
    changes = diff_policies(old, new)
    kinds = {(c["kind"], c["id"], c["field"]) for c in changes}
    assert ("clause", "demo.grant", "text") in kinds
    assert ("parameter", "share", "values") in kinds
    assert diff_policies(old, old) == []


SEEDS = REPO.parent / "shared" / "seeds"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed newspaper pages are not next to the repository")
def test_clause_text_is_quoted_verbatim_from_the_seeds(catalogue: Catalogue) -> None:
    seeds = "".join("".join(p.read_text(encoding="utf-8").split()) for p in sorted(SEEDS.glob("*.txt")))
    quoted = [(c.id, c.text) for c in catalogue.clauses]
    quoted += [(m.id, m.text) for p in catalogue.policies for m in p.modifiers]
    for ident, text in quoted:
        assert "".join(text.split()).rstrip("。") in seeds, ident

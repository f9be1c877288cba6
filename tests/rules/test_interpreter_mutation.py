"""The interpreter, exactly: each operator at its boundaries, rate arithmetic, Kleene logic,
fact conversion and every field of the explain result and trace (issue #20)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shouzhan.rules import Catalogue, RuleError, load_policy, normalize_facts
from shouzhan.rules.interpreter import ClauseResult, convert_fact, explain, scale_lookup

ON = dt.date(2025, 9, 1)

POLICY = """\
policy:
  id: t
  title: 测试政策
  issuer: 测试局
  effective_from: 2025-01-01
  {policy_applies}
parameters:
  r5: {{type: rate, values: [{{from: 2025-01-01, value: 5%}}]}}
  r20: {{type: rate, values: [{{from: 2025-01-01, value: 20%}}]}}
  m: {{type: money, values: [{{from: 2025-01-01, value: 1000}}]}}
  r125: {{type: rate, values: [{{from: 2025-01-01, value: 12.5%}}]}}
  zero: {{type: rate, values: [{{from: 2025-01-01, value: 0%}}]}}
  sc:
    type: scale
    values:
      - from: 2025-01-01
        brackets:
          - {{at_least: 20, yuan: 500}}
          - {{at_least: 50, yuan: 1000}}
stacking_groups:
  t.g: {{rule: stack, note: 可叠加}}
clauses:
  - id: t.c
    title: 条款
    text: 原文
    condition: {condition}
    amount: {amount}
    {extra}
"""


def policy(
    condition: str = "true",
    amount: str = "100",
    extra: str = "",
    policy_applies: str = "",
    modifiers: str = "",
) -> Catalogue:
    text = POLICY.format(condition=condition, amount=amount, extra=extra, policy_applies=policy_applies)
    return Catalogue((load_policy(text + modifiers, "t.yaml"),))


def run(
    condition: str = "true",
    amount: str = "100",
    facts: dict[str, Any] | None = None,
    on: dt.date = ON,
    **kw: str,
) -> ClauseResult:
    [r] = explain(policy(condition, amount, **kw), facts or {}, on)
    return r


def cond(expr: str, **facts: Any) -> object:
    """The value of a condition as the trace shows it (True/False/"unknown")."""
    nested: dict[str, dict[str, Any]] = {}
    for k, v in facts.items():
        entity, name = k.split("__")
        nested.setdefault(entity, {})[name] = v
    r = run(expr, facts=nested)
    step = next(s for s in r.trace if s["step"] == "condition")
    return step["value"]


def amount(expr: str, **facts: Any) -> str | None:
    nested: dict[str, dict[str, Any]] = {}
    for k, v in facts.items():
        entity, name = k.split("__")
        nested.setdefault(entity, {})[name] = v
    return run("true", expr, facts=nested).max_amount_yuan


# --------------------------------------------------------------------------- comparisons
@pytest.mark.parametrize(
    ("op", "below", "equal", "above"),
    [
        ("<", True, False, False),
        ("<=", True, True, False),
        (">", False, False, True),
        (">=", False, True, True),
        ("==", False, True, False),
        ("!=", True, False, True),
    ],
)
def test_comparison_at_the_threshold(op: str, below: bool, equal: bool, above: bool) -> None:
    got = [cond(f"enterprise.employees {op} 10", enterprise__employees=n) for n in (9, 10, 11)]
    assert got == [below, equal, above]


def test_comparison_of_money_and_dates() -> None:
    assert cond("project.rd_investment_yuan >= 100", project__rd_investment_yuan="100.00") is True
    assert cond("project.rd_investment_yuan >= 100", project__rd_investment_yuan="99.99") is False
    assert (
        cond('enterprise.registered_on < date("2024-01-01")', enterprise__registered_on="2023-12-31") is True
    )
    assert (
        cond('enterprise.registered_on < date("2024-01-01")', enterprise__registered_on="2024-01-01") is False
    )


def test_comparison_with_unknown_is_unknown_and_names_the_fact() -> None:
    r = run("enterprise.employees < 10")
    assert (r.status, r.missing_facts) == ("unknown", ["enterprise.employees"])
    r = run("enterprise.employees < project.trainees", facts={"project": {"trainees": 3}})
    assert r.missing_facts == ["enterprise.employees"]
    r = run("enterprise.employees < project.trainees")
    assert r.missing_facts == ["enterprise.employees", "project.trainees"]


def test_in_and_not_in() -> None:
    assert cond('enterprise.district in ["徐汇", "杨浦"]', enterprise__district="杨浦") is True
    assert cond('enterprise.district in ["徐汇", "杨浦"]', enterprise__district="黄浦") is False
    assert cond('enterprise.district not in ["徐汇"]', enterprise__district="黄浦") is True
    assert cond('enterprise.district not in ["徐汇"]', enterprise__district="徐汇") is False
    r = run('enterprise.district not in ["徐汇"]')
    assert (r.status, r.missing_facts) == ("unknown", ["enterprise.district"])


# --------------------------------------------------------------------------- logic
@pytest.mark.parametrize(
    ("a", "b", "and_", "or_"),
    [
        (True, True, True, True),
        (True, False, False, True),
        (False, True, False, True),
        (False, False, False, False),
        (True, None, "unknown", True),
        (None, True, "unknown", True),
        (False, None, False, "unknown"),
        (None, False, False, "unknown"),
        (None, None, "unknown", "unknown"),
    ],
)
def test_kleene(a: bool | None, b: bool | None, and_: object, or_: object) -> None:
    facts = {"project": {k: v for k, v in (("excellent", a), ("award_winning", b)) if v is not None}}
    missing = sorted(f"project.{k}" for k, v in (("excellent", a), ("award_winning", b)) if v is None)
    for op, want in (("and", and_), ("or", or_)):
        r = run(f"project.excellent {op} project.award_winning", facts=facts)
        step = next(s for s in r.trace if s["step"] == "condition")
        assert step["value"] == want, op
        assert r.missing_facts == (missing if want == "unknown" else []), op
        assert r.status == {True: "eligible", False: "not_eligible", "unknown": "unknown"}[want]


def test_unknown_or_unknown_names_only_the_unknown_side() -> None:
    r = run(
        "(project.excellent and project.award_winning) or (project.benchmark_work and enterprise.in_cluster)",
        facts={"project": {"award_winning": True}, "enterprise": {"in_cluster": True}},
    )
    assert r.missing_facts == ["project.benchmark_work", "project.excellent"]


def test_not() -> None:
    assert cond("not project.excellent", project__excellent=True) is False
    assert cond("not project.excellent", project__excellent=False) is True
    r = run("not project.excellent")
    assert (r.status, r.missing_facts) == ("unknown", ["project.excellent"])


def test_known() -> None:
    assert cond("known(project.trainees)", project__trainees=0) is True
    assert cond("known(project.trainees)") is False


# --------------------------------------------------------------------------- arithmetic
def test_money_arithmetic() -> None:
    assert amount("project.rd_investment_yuan + 5", project__rd_investment_yuan="10.50") == "15.50"
    assert amount("project.rd_investment_yuan - 5", project__rd_investment_yuan="10.50") == "5.50"
    assert amount("project.rd_investment_yuan * 3", project__rd_investment_yuan="10.50") == "31.50"
    assert (
        amount("project.rd_investment_yuan / 4", project__rd_investment_yuan="0.10") == "0.03"
    )  # 2.5 fen up
    assert amount("-project.rd_investment_yuan", project__rd_investment_yuan="10.50") == "-10.50"


def test_rate_arithmetic() -> None:
    x = {"project__rd_investment_yuan": "1000"}
    assert amount('project.rd_investment_yuan * (rate("r20") + 5%)', **x) == "250.00"
    assert amount('project.rd_investment_yuan * (rate("r20") - 5%)', **x) == "150.00"
    assert amount('project.rd_investment_yuan * (rate("r20") * 2)', **x) == "400.00"
    assert amount('project.rd_investment_yuan * (rate("r20") / 2)', **x) == "100.00"
    assert amount('project.rd_investment_yuan * (rate("r20") + rate("r5"))', **x) == "250.00"
    assert amount('project.rd_investment_yuan * (rate("r20") - rate("r5"))', **x) == "150.00"
    assert amount('project.rd_investment_yuan * (rate("r20") * rate("r5"))', **x) == "10.00"
    assert amount('param("m") * (rate("r20") / rate("r5"))') == "4000.00"
    assert amount('param("m") / rate("r5")') == "20000.00"
    assert (
        amount('project.rd_investment_yuan * rate("r5")', project__rd_investment_yuan="0.10") == "0.01"
    )  # 0.5 fen up


def test_rate_division_by_zero() -> None:
    with pytest.raises(RuleError, match=r"^division by zero in a rate$"):
        amount('param("m") / rate("zero")')


def test_rate_times_unknown_money_is_unknown() -> None:
    r = run("true", 'project.rd_investment_yuan * rate("r20")')
    assert (r.status, r.max_amount_yuan, r.missing_facts) == (
        "eligible",
        None,
        ["project.rd_investment_yuan"],
    )


def test_min_max() -> None:
    x = {"project__rd_investment_yuan": "300"}
    assert amount("min(project.rd_investment_yuan, 200, 500)", **x) == "200.00"
    assert amount("max(project.rd_investment_yuan, 200, 100)", **x) == "300.00"
    assert amount("max(project.rd_investment_yuan, 400)", **x) == "400.00"
    r = run("true", "max(project.rd_investment_yuan, enterprise.annual_revenue_yuan, 1)")
    assert r.max_amount_yuan is None
    assert r.missing_facts == ["enterprise.annual_revenue_yuan", "project.rd_investment_yuan"]
    r = run("true", "max(project.rd_investment_yuan, 1)", facts={"project": {"rd_investment_yuan": 5}})
    assert (r.max_amount_yuan, r.missing_facts) == ("5.00", [])


def test_scale_brackets() -> None:
    got = [amount('scale("sc", project.trainees)', project__trainees=n) for n in (19, 20, 49, 50, 51)]
    assert got == ["0.00", "500.00", "500.00", "1000.00", "1000.00"]
    assert amount('scale("sc", project.trainees)') is None
    assert scale_lookup(((20, 1), (50, 2)), 20) == 1
    assert scale_lookup(((20, 1), (50, 2)), 19) == 0


def test_dates_today_and_year() -> None:
    assert cond("today - enterprise.registered_on <= 10", enterprise__registered_on="2025-08-22") is True
    assert cond("today - enterprise.registered_on <= 10", enterprise__registered_on="2025-08-21") is False
    assert (
        cond('enterprise.registered_on + 10 == date("2025-01-11")', enterprise__registered_on="2025-01-01")
        is True
    )
    assert (
        cond('enterprise.registered_on - 10 == date("2024-12-22")', enterprise__registered_on="2025-01-01")
        is True
    )
    assert (
        cond(
            "year(enterprise.registered_on) == project.year",
            enterprise__registered_on="2024-12-31",
            project__year=2024,
        )
        is True
    )
    assert cond("year(enterprise.registered_on) == 2025") == "unknown"
    assert cond("year(today) == 2025") is True


# --------------------------------------------------------------------------- facts in
def test_bool_facts_from_text() -> None:
    assert convert_fact("project.excellent", "true") is True
    assert convert_fact("project.excellent", " FALSE ") is False
    assert convert_fact("project.excellent", "True") is True
    assert convert_fact("project.excellent", False) is False
    for bad in ("yes", 1, "tru"):
        with pytest.raises(RuleError, match=r"project.excellent: expected true or false"):
            convert_fact("project.excellent", bad)
    assert cond("project.excellent", project__excellent=" FALSE ") is False
    assert cond("project.excellent", project__excellent="true") is True


def test_int_facts() -> None:
    assert convert_fact("project.trainees", " 42 ") == 42
    assert convert_fact("project.trainees", "-3") == -3
    assert convert_fact("project.trainees", 7) == 7
    assert convert_fact("project.trainees", 10**9) == 10**9
    assert convert_fact("project.trainees", str(-(10**9))) == -(10**9)
    for bad in (True, "4.5", 4.0, 10**9 + 1, -(10**9) - 1, "x", "X3", "--3", "²", "", " "):
        with pytest.raises(RuleError, match=r"project\.trainees: expected a whole number"):
            convert_fact("project.trainees", bad)


def test_date_facts() -> None:
    d = dt.date(2024, 2, 29)
    assert convert_fact("enterprise.registered_on", " 2024-02-29 ") == d
    assert convert_fact("enterprise.registered_on", d) == d
    got = convert_fact("enterprise.registered_on", dt.datetime(2024, 2, 29, 23, 59))
    assert got == d and type(got) is dt.date
    for bad in ("2024-02-30", 20240229, "yesterday"):
        with pytest.raises(RuleError, match=r"enterprise\.registered_on: expected a date YYYY-MM-DD"):
            convert_fact("enterprise.registered_on", bad)


def test_text_and_money_facts() -> None:
    assert convert_fact("enterprise.district", "徐汇") == "徐汇"
    with pytest.raises(RuleError, match=r"enterprise\.district: expected text, found 3"):
        convert_fact("enterprise.district", 3)
    assert convert_fact("project.rd_investment_yuan", "1,234.5") == 123450


def test_normalize_facts() -> None:
    assert normalize_facts({"project": None, "enterprise": {"district": None, "employees": "12"}}) == {
        "enterprise.employees": 12
    }
    with pytest.raises(RuleError) as exc:
        normalize_facts([])  # type: ignore[arg-type]
    assert str(exc.value) == 'facts must be an object such as {"enterprise": {...}, "project": {...}}'
    with pytest.raises(
        RuleError, match=r"unknown fact group 'firm' \(expected: enterprise, project, person\)"
    ):
        normalize_facts({"firm": {}})
    with pytest.raises(RuleError, match="enterprise must be an object of facts"):
        normalize_facts({"enterprise": 3})
    with pytest.raises(
        RuleError, match=r"unknown fact 'project.self_developd' \(did you mean project.self_developed\?\)"
    ):
        normalize_facts({"project": {"self_developd": True}})
    with pytest.raises(RuleError, match=r"^unknown fact 'project.zzzzzzzz'$"):
        normalize_facts({"project": {"zzzzzzzz": True}})
    assert normalize_facts({"firm": {}, "project": {"zzz": 1, "trainees": 2}}, strict=False) == {
        "project.trainees": 2
    }


# --------------------------------------------------------------------------- applies_to
def test_clause_applies_to_is_evaluated() -> None:
    kw = {"extra": "applies_to: enterprise.employees < 10"}
    assert run(facts={"enterprise": {"employees": 9}}, **kw).status == "eligible"
    r = run(facts={"enterprise": {"employees": 10}}, **kw)
    assert (r.status, r.max_amount_yuan) == ("not_eligible", None)
    r = run(**kw)
    assert (r.status, r.missing_facts, r.max_amount_yuan) == ("unknown", ["enterprise.employees"], "100.00")
    step = next(s for s in r.trace if s["step"] == "applies_to")
    assert step == {
        "step": "applies_to",
        "scope": "clause",
        "expr": "enterprise.employees < 10",
        "value": "unknown",
        "conditions": [{"expr": "enterprise.employees < 10", "value": "unknown"}],
    }


def test_policy_and_clause_applies_to_together() -> None:
    kw = {
        "policy_applies": 'applies_to: enterprise.district == "徐汇"',
        "extra": "applies_to: enterprise.employees < 10",
    }
    r = run(facts={"enterprise": {"district": "徐汇"}}, **kw)
    assert (r.status, r.missing_facts) == ("unknown", ["enterprise.employees"])
    assert [(s["step"], s.get("scope")) for s in r.trace] == [
        ("clause", None),
        ("in_force", None),
        ("applies_to", "policy"),
        ("applies_to", "clause"),
        ("condition", None),
        ("amount", None),
        ("result", None),
    ]
    r = run("project.excellent", facts={"enterprise": {"district": "黄浦"}}, **kw)
    assert (r.status, r.missing_facts) == ("not_eligible", [])
    r = run("project.excellent", **kw)
    assert r.missing_facts == ["enterprise.district", "enterprise.employees", "project.excellent"]


# --------------------------------------------------------------------------- the whole result
FULL_EXTRA = """cap: {yuan: 150, per: project}
    stacking_group: t.g
    note: 假设
    effective_from: 2025-02-01
    effective_to: 2025-12-31"""

MODIFIERS = """modifiers:
  - id: t.m
    title: 加成
    text: 增加50%
    clauses: [t.c]
    condition: project.promotes_city_image
    bonus: 50%
"""


def test_to_dict_and_trace_every_field() -> None:
    r = run(
        "project.excellent and project.trainees >= 20",
        'project.rd_investment_yuan * rate("r20")',
        facts={
            "project": {
                "excellent": True,
                "trainees": 20,
                "rd_investment_yuan": "1000.05",
                "promotes_city_image": "true",
            }
        },
        extra=FULL_EXTRA,
        modifiers=MODIFIERS,
    )
    assert r.to_dict() == {
        "id": "t.c",
        "policy": "t",
        "title": "条款",
        "status": "eligible",
        "max_amount_yuan": "225.00",
        "decision": "formula",
        "cap": {"yuan": "150.00", "per": "project"},
        "stacking_group": "t.g",
        "missing_facts": [],
        "note": "假设",
        "trace": [
            {"step": "clause", "id": "t.c", "title": "条款", "text": "原文"},
            {
                "step": "in_force",
                "on": "2025-09-01",
                "effective_from": "2025-02-01",
                "effective_to": "2025-12-31",
                "value": True,
            },
            {
                "step": "condition",
                "expr": "project.excellent and project.trainees >= 20",
                "value": True,
                "conditions": [
                    {"expr": "project.excellent", "value": True},
                    {"expr": "project.trainees >= 20", "value": True},
                ],
            },
            {
                "step": "amount",
                "expr": 'project.rd_investment_yuan * rate("r20")',
                "decision": "formula",
                "value_yuan": "200.01",
                "parameters": {"r20": "20%"},
            },
            {"step": "cap", "cap_yuan": "150.00", "per": "project", "value_yuan": "150.00"},
            {
                "step": "modifier",
                "id": "t.m",
                "title": "加成",
                "text": "增加50%",
                "expr": "project.promotes_city_image",
                "value": True,
                "conditions": [{"expr": "project.promotes_city_image", "value": True}],
                "bonus_rate": "50%",
                "bonus_yuan": "75.00",
                "value_yuan": "225.00",
            },
            {"step": "result", "status": "eligible", "max_amount_yuan": "225.00"},
        ],
    }
    assert r.max_amount_fen == 22500


def test_cap_below_and_modifier_false_or_unknown() -> None:
    base = {"rd_investment_yuan": "100"}
    r = run(
        "true",
        "project.rd_investment_yuan",
        facts={"project": {**base, "promotes_city_image": False}},
        extra=FULL_EXTRA,
        modifiers=MODIFIERS,
    )
    cap = next(s for s in r.trace if s["step"] == "cap")
    mod = next(s for s in r.trace if s["step"] == "modifier")
    assert cap["value_yuan"] == "100.00"
    assert (mod["value"], mod["bonus_yuan"], mod["value_yuan"]) == (False, "0.00", "100.00")
    assert r.max_amount_yuan == "100.00"
    r = run(
        "true", "project.rd_investment_yuan", facts={"project": base}, extra=FULL_EXTRA, modifiers=MODIFIERS
    )
    mod = next(s for s in r.trace if s["step"] == "modifier")
    assert (mod["value"], mod["bonus_yuan"], mod["value_yuan"]) == ("unknown", None, None)
    assert (r.status, r.max_amount_yuan, r.missing_facts) == (
        "eligible",
        None,
        ["project.promotes_city_image"],
    )
    r = run(
        "true",
        "project.rd_investment_yuan",
        facts={"project": {"promotes_city_image": True}},
        extra=FULL_EXTRA,
        modifiers=MODIFIERS,
    )
    cap = next(s for s in r.trace if s["step"] == "cap")
    mod = next(s for s in r.trace if s["step"] == "modifier")
    assert cap == {"step": "cap", "cap_yuan": "150.00", "per": "project", "value_yuan": None}
    assert (mod["bonus_yuan"], mod["value_yuan"]) == (None, None)
    assert r.missing_facts == ["project.rd_investment_yuan"]


def test_amount_equal_to_cap() -> None:
    r = run("true", "150", extra="cap: {yuan: 150, per: year}")
    assert r.max_amount_yuan == "150.00"
    r = run("true", "151", extra="cap: {yuan: 150, per: year}")
    assert r.max_amount_yuan == "150.00"
    r = run("true", "149", extra="cap: {yuan: 150, per: year}")
    assert r.max_amount_yuan == "149.00"


def test_not_in_force_days() -> None:
    extra = "effective_from: 2025-02-01\n    effective_to: 2025-12-31"
    for day, status in (
        (dt.date(2025, 1, 31), "not_eligible"),
        (dt.date(2025, 2, 1), "eligible"),
        (dt.date(2025, 12, 31), "eligible"),
        (dt.date(2026, 1, 1), "not_eligible"),
    ):
        r = run(extra=extra, on=day)
        assert r.status == status, day
    r = run(extra=extra, on=dt.date(2026, 1, 1))
    assert r.trace[1:] == [
        {
            "step": "in_force",
            "on": "2026-01-01",
            "effective_from": "2025-02-01",
            "effective_to": "2025-12-31",
            "value": False,
        },
        {"step": "result", "status": "not_eligible", "max_amount_yuan": None},
    ]
    assert r.max_amount_yuan is None and r.missing_facts == []


def test_open_ended_clause_and_defaults() -> None:
    r = run()
    assert r.trace[1]["effective_to"] is None
    assert (r.cap, r.stacking_group, r.note, r.decision) == (None, None, "", "formula")
    assert r.to_dict()["cap"] is None
    amount_step = next(s for s in r.trace if s["step"] == "amount")
    assert "parameters" not in amount_step
    assert amount_step["value_yuan"] == "100.00"


def test_not_eligible_has_no_amount_and_in_kind_none() -> None:
    r = run("false")
    assert (r.status, r.max_amount_yuan) == ("not_eligible", None)
    assert [s["step"] for s in r.trace] == ["clause", "in_force", "condition", "result"]
    [c] = explain(
        Catalogue(
            (
                load_policy(
                    POLICY.format(
                        condition="true", amount="null", extra="decision: in_kind", policy_applies=""
                    ),
                    "t.yaml",
                ),
            )
        ),
        {},
        ON,
    )
    assert (c.status, c.max_amount_yuan, c.decision) == ("eligible", None, "in_kind")
    assert [s["step"] for s in c.trace] == ["clause", "in_force", "condition", "result"]


def test_caseworker_decision_and_show_of_values() -> None:
    r = run(
        'enterprise.registered_on == date("2024-01-01")',
        "150",
        facts={"enterprise": {"registered_on": "2024-01-01"}},
        extra="decision: caseworker\n    cap: {yuan: 150, per: item_per_year}",
    )
    assert r.decision == "caseworker"
    amount_step = next(s for s in r.trace if s["step"] == "amount")
    assert amount_step["decision"] == "caseworker"
    assert r.to_dict()["cap"] == {"yuan": "150.00", "per": "item_per_year"}


def test_normalized_facts_are_used_as_given() -> None:
    cat = policy("enterprise.employees < 10")
    [r] = explain(cat, {"enterprise.employees": 9}, ON, normalized=True)
    assert r.status == "eligible"


def test_parameters_in_the_trace() -> None:
    r = run(
        "true",
        'project.rd_investment_yuan * (rate("r125") + rate("r5"))',
        facts={"project": {"rd_investment_yuan": 800}},
    )
    step = next(s for s in r.trace if s["step"] == "amount")
    assert step["parameters"] == {"r125": "1/8", "r5": "5%"}
    assert step["value_yuan"] == "140.00"


def test_unknown_amount_and_unknown_modifier_name_both_facts() -> None:
    r = run("true", "project.rd_investment_yuan", extra=FULL_EXTRA, modifiers=MODIFIERS)
    assert (r.status, r.max_amount_yuan) == ("eligible", None)
    assert r.missing_facts == ["project.promotes_city_image", "project.rd_investment_yuan"]


def test_arithmetic_with_unknown_is_unknown() -> None:
    r = run("true", "-project.rd_investment_yuan")
    assert (r.max_amount_yuan, r.missing_facts) == (None, ["project.rd_investment_yuan"])
    total = "project.rd_investment_yuan + enterprise.annual_revenue_yuan"
    r = run("true", total, facts={"project": {"rd_investment_yuan": 1}})
    assert (r.max_amount_yuan, r.missing_facts) == (None, ["enterprise.annual_revenue_yuan"])
    r = run("true", total, facts={"enterprise": {"annual_revenue_yuan": 1}})
    assert (r.max_amount_yuan, r.missing_facts) == (None, ["project.rd_investment_yuan"])
    r = run("true", total)
    assert r.missing_facts == ["enterprise.annual_revenue_yuan", "project.rd_investment_yuan"]
    r = run(
        "true", total, facts={"project": {"rd_investment_yuan": 1}, "enterprise": {"annual_revenue_yuan": 2}}
    )
    assert (r.max_amount_yuan, r.missing_facts) == ("3.00", [])

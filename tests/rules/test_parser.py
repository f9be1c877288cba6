"""Lexer, parser and type checker: precedence, literal typing, limits, positions."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from shouzhan.rules import ir
from shouzhan.rules import parser as ast
from shouzhan.rules.errors import RuleError
from shouzhan.rules.interpreter import Evaluator
from shouzhan.rules.lexer import tokenize
from shouzhan.rules.money import fen_to_yuan, mul_rate, yuan_to_fen
from shouzhan.rules.types import ParamInfo, compile_expression

PARAMS = {
    "r": ParamInfo("rate", Fraction(1, 5)),
    "m": ParamInfo("money", Fraction(100_000_000)),
    "t": ParamInfo("scale", Fraction(20_000_000)),
}
VALUES = {"r": Fraction(1, 5), "m": 1_000_000, "t": ((20, 5_000_000), (50, 10_000_000))}


def ev(source: str, expect: ir.Type = "bool", facts: dict[str, object] | None = None) -> object:
    tree = compile_expression(source, expect, PARAMS)
    value, _ = Evaluator(facts or {}, dt.date(2025, 9, 1), VALUES).eval(tree)
    return value


def err(source: str, expect: ir.Type = "bool") -> RuleError:
    with pytest.raises(RuleError) as info:
        compile_expression(source, expect, PARAMS)
    return info.value


def test_tokens_and_dotted_names() -> None:
    kinds = [(t.kind, t.text) for t in tokenize('enterprise.district == "徐汇" and 20% < 1000万')]
    assert kinds == [
        ("NAME", "enterprise.district"),
        ("OP", "=="),
        ("STRING", "徐汇"),
        ("KEYWORD", "and"),
        ("PERCENT", "20%"),
        ("OP", "<"),
        ("NUMBER", "1000万"),
        ("EOF", ""),
    ]
    assert tokenize("1000万")[0].number == 10_000_000
    assert tokenize("1_000")[0].number == 1000


def test_precedence() -> None:
    tree = ast.parse("a or b and not c")
    assert isinstance(tree, ast.Binary) and tree.op == "or"
    assert isinstance(tree.right, ast.Binary) and tree.right.op == "and"
    assert isinstance(tree.right.right, ast.Unary) and tree.right.right.op == "not"
    prod = ast.parse("1 + 2 * 3")
    assert isinstance(prod, ast.Binary) and prod.op == "+"
    assert ev("1 + 2 * 3 == 7")
    assert ev("(1 + 2) * 3 == 9")
    assert ev("-2 * 3 == -6")


def test_literal_typing_follows_the_other_side() -> None:
    facts = {"project.rd_investment_yuan": 12_345}  # 123.45 yuan in fen
    assert ev("project.rd_investment_yuan == 123.45", facts=facts) is True
    assert ev("project.rd_investment_yuan * 0.2", "money", facts) == 2469  # 24.69 yuan
    assert ev("project.rd_investment_yuan * 20%", "money", facts) == 2469
    assert ev("project.rd_investment_yuan * 2", "money", facts) == 24_690
    assert ev("min(project.rd_investment_yuan, 100)", "money", facts) == 10_000
    assert ev("project.rd_investment_yuan / 2", "money", facts) == 6173  # 61.725 → 61.73
    assert ev('project.rd_investment_yuan * param("r")', "money", facts) == 2469
    assert ev('param("m") == 10000', facts=facts) is True


def test_dates_and_functions() -> None:
    facts = {"enterprise.registered_on": dt.date(2024, 3, 1)}
    assert ev("today - enterprise.registered_on == 549", facts=facts) is True
    assert ev('enterprise.registered_on + 30 == date("2024-03-31")', facts=facts) is True
    assert ev("year(enterprise.registered_on) == 2024", facts=facts) is True
    assert ev('enterprise.registered_on >= date("2024-01-01")', facts=facts) is True
    assert ev("known(enterprise.registered_on) and not known(project.year)", facts=facts) is True
    assert ev('scale("t", project.trainees)', "money", {"project.trainees": 49}) == 5_000_000
    assert ev('scale("t", project.trainees)', "money", {"project.trainees": 50}) == 10_000_000
    assert ev('scale("t", project.trainees)', "money", {"project.trainees": 19}) == 0
    assert ev('project.kind in ["agent", "course"]', facts={"project.kind": "course"}) is True
    assert ev('project.kind not in ["agent", "course"]', facts={"project.kind": "event"}) is True


def test_three_valued_logic() -> None:
    f = {"project.excellent": False, "project.award_winning": True}
    assert ev("project.excellent and project.self_developed", facts=f) is False
    assert ev("project.award_winning or project.self_developed", facts=f) is True
    assert ev("project.award_winning and project.self_developed", facts=f) is None
    assert ev("not project.self_developed", facts=f) is None
    tree = compile_expression(
        "project.excellent or project.self_developed or project.trainees > 3", "bool", PARAMS
    )
    value, missing = Evaluator(f, dt.date(2025, 1, 1), VALUES).eval(tree)
    assert value is None
    assert missing == {"project.self_developed", "project.trainees"}


@pytest.mark.parametrize(
    ("source", "expect", "fragment", "offset"),
    [
        ("project.kind == 3", "bool", "expected text, found a number", 16),
        ("project.rd_investmnt_yuan > 1", "bool", "did you mean project.rd_investment_yuan", 0),
        ("project.trainees", "bool", "expected a true/false expression", 0),
        ("project.kind = 'a'", "bool", "use == to compare", 13),
        ("enterprise.district == ", "bool", "expected a value", 23),
        ("1 < 2 < 3", "bool", "cannot be chained", 6),
        (
            "project.rd_investment_yuan * project.rd_investment_yuan",
            "money",
            "cannot multiply money by money",
            0,
        ),
        ("project.rd_investment_yuan * project.trainees * 1", "money", "", 0),
        ("project.rd_investment_yuan / project.trainees", "money", "divide only by a constant", 29),
        ("project.rd_investment_yuan * 0.123", "money", "", -1),
        ("foo(1)", "bool", "unknown function 'foo'", 0),
        ('param("nope") > 1', "bool", "unknown parameter 'nope'", 6),
        ("project.excellent and 1", "bool", "expected true/false", 22),
        ("100.001 > project.rd_investment_yuan", "bool", "two decimal places", 0),
        ("(project.excellent", "bool", "expected ')'", 18),
        ("project.kind in []", "bool", "empty list", 16),
    ],
)
def test_errors_have_positions(source: str, expect: ir.Type, fragment: str, offset: int) -> None:
    if fragment == "" and offset == -1:
        compile_expression(source, expect, PARAMS)  # accepted (rate with three decimals)
        return
    if fragment == "":
        with pytest.raises(RuleError, match="exact integer range"):
            compile_expression(source, expect, PARAMS)
        return
    e = err(source, expect)
    assert fragment in e.message
    assert e.offset == offset


def test_limits() -> None:
    assert "nested too deeply" in err("(" * 100 + "true" + ")" * 100).message
    assert "nested too deeply" in err("not " * 100 + "true").message
    assert "too large" in err("10000000000000000 > project.trainees").message
    assert "too long" in err("true or " * 1000 + "true").message
    assert "'__'" in err("__import__('os')").message
    assert (
        "attribute access" in err("().__class__").message or "expected a value" in err("().__class__").message
    )


def test_mul_rate_rounds_half_away_from_zero() -> None:
    assert mul_rate(1, Fraction(1, 2)) == 1
    assert mul_rate(-1, Fraction(1, 2)) == -1
    assert mul_rate(3, Fraction(1, 2)) == 2
    assert mul_rate(2, Fraction(1, 5)) == 0  # 0.4 fen
    assert mul_rate(3, Fraction(1, 5)) == 1  # 0.6 fen
    assert mul_rate(12_345, Fraction(1, 3)) == 4115
    assert mul_rate(10, Fraction(-1, 4)) == -3  # −2.5 → −3
    assert mul_rate(5_000_000_000, Fraction(1, 5)) == 1_000_000_000


def test_money_edges() -> None:
    assert yuan_to_fen("12345.67") == 1_234_567
    assert yuan_to_fen(12) == 1200
    assert yuan_to_fen("-0.05") == -5
    assert fen_to_yuan(1_234_567) == "12345.67"
    assert fen_to_yuan(-5) == "-0.05"
    for bad in (1.5, "1.234", "abc", True, "NaN"):
        with pytest.raises(RuleError):
            yuan_to_fen(bad)

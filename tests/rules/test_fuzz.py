"""Hostile and random rule text: the parser and loader only ever raise RuleError."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shouzhan.rules import Catalogue, RuleError, load_policy
from shouzhan.rules.parser import parse
from shouzhan.rules.types import compile_expression

ALPHABET = st.sampled_from(
    [
        *list("abcdeknoprtyz_.()[],'\"+-*/<>=!%0123456789 \n万"),
        "and ",
        "or ",
        "not ",
        "in ",
        "project.kind",
        "min(",
        "param(",
        "__",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join) | st.text(max_size=80))
def test_random_text_never_crashes(text: str) -> None:
    for expect in ("bool", "money"):
        try:
            compile_expression(text, expect)  # type: ignore[arg-type]
        except RuleError:
            pass


TEMPLATE = """\
policy:
  id: demo
  title: t
  issuer: i
  effective_from: 2025-01-01
clauses:
  - id: demo.c
    text: x
    condition: {condition}
    amount: 1
"""


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_random_yaml_values_never_crash(value: str) -> None:
    try:
        load_policy(TEMPLATE.format(condition=value), "fuzz.yaml")
    except RuleError:
        pass


@pytest.mark.parametrize(
    "expr",
    [
        "__import__('os').system('true')",
        "().__class__.__bases__[0].__subclasses__()",
        "project.kind.__class__",
        "eval('1')",
        "exec('import os')",
        "open('/etc/passwd')",
        "lambda: 1",
        "project.kind if true else 1",
        "(" * 10_000 + "true" + ")" * 10_000,
        "not " * 10_000 + "true",
        "- " * 10_000 + "1 > 0",
        "project.rd_investment_yuan > 1" + "0" * 400,
        "project.trainees > 10e400",
        "project.trainees > 10**400",
        "1" * 5000,
        "project.kind == '" + "x" * 500 + "'",
        "project.kind in [" + ", ".join(["'a'"] * 500) + "]",
    ],
)
def test_hostile_rules_refused(expr: str) -> None:
    text = TEMPLATE.format(condition='"' + expr.replace("\\", "\\\\").replace('"', '\\"') + '"')
    with pytest.raises(RuleError) as info:
        Catalogue.from_text(text, "hostile.yaml")
    assert info.value.file == "hostile.yaml"
    assert info.value.line == 9
    assert info.value.clause == "demo.c"


def test_parse_depth_is_bounded_without_recursion_error() -> None:
    with pytest.raises(RuleError, match="nested too deeply"):
        parse("(" * 400 + "1" + ")" * 400)

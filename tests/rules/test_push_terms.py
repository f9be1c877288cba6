"""The clause's `push:` mapping (how the offers module treats it): defaults, values, refusals."""

from __future__ import annotations

import pytest

from shouzhan import rules
from shouzhan.rules.catalogue import PushTerms

BASE = """
policy:
  id: p
  title: t
  issuer: i
  effective_from: 2025-01-01
clauses:
  - id: p.a
    text: 原文
    condition: enterprise.employees > 1
    amount: 100
{push}
"""


def load(push: str) -> rules.Policy:
    return rules.load_policy(BASE.format(push=push), "p.yaml")


def test_defaults_when_absent() -> None:
    assert load("").clauses[0].push == PushTerms(True, 30, 5)


def test_values_given() -> None:
    clause = load("    push: {offer: false, expires_after_days: 10, fast_track_days: 3}").clauses[0]
    assert clause.push == PushTerms(False, 10, 3)
    assert not clause.reads_project()


@pytest.mark.parametrize(
    ("push", "message"),
    [
        ("    push: {offer: maybe}", "push offer must be true or false"),
        (
            "    push: {expires_after_days: 0}",
            "push expires_after_days must be between 1 and 250 working days",
        ),
        ("    push: {fast_track: 5}", "push: unknown key 'fast_track'"),
    ],
)
def test_refusals_name_the_problem(push: str, message: str) -> None:
    with pytest.raises(rules.RuleError) as exc:
        load(push)
    assert message in str(exc.value)

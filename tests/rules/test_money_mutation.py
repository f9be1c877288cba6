"""rules.money exactly: half-away-from-zero rounding of money × rate, yuan ↔ fen at the edges (issue #20)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from shouzhan.rules import RuleError
from shouzhan.rules.money import fen_to_yuan, mul_rate, yuan_to_fen
from shouzhan.rules.vocabulary import MAX_MONEY_FEN


@pytest.mark.parametrize(
    ("fen", "rate", "want"),
    [
        (1, Fraction(1, 2), 1),  # 0.5 fen → 1
        (-1, Fraction(1, 2), -1),  # −0.5 fen → −1
        (1, Fraction(-1, 2), -1),
        (-1, Fraction(-1, 2), 1),
        (3, Fraction(1, 4), 1),  # 0.75 → 1
        (1, Fraction(1, 4), 0),  # 0.25 → 0
        (2, Fraction(1, 5), 0),  # 0.4 → 0
        (3, Fraction(1, 5), 1),  # 0.6 → 1
        (5, Fraction(1, 10), 1),  # 0.5 → 1
        (4, Fraction(1, 10), 0),
        (15, Fraction(1, 10), 2),  # 1.5 → 2
        (25, Fraction(1, 10), 3),  # 2.5 → 3 (not banker's 2)
        (-25, Fraction(1, 10), -3),
        (100, Fraction(1, 3), 33),
        (200, Fraction(1, 3), 67),
        (1234567, Fraction(7, 3), 2880656),  # 2880656.33
        (1234568, Fraction(7, 3), 2880659),  # 2880658.67
        (10, Fraction(3, 1), 30),
        (0, Fraction(5, 7), 0),
        (7, Fraction(0), 0),
        (-7, Fraction(3, 2), -11),  # −10.5 → −11
        (1000, Fraction(1, 1000), 1),
        (999, Fraction(1, 1000), 1),  # 0.999
        (499, Fraction(1, 1000), 0),  # 0.499
        (500, Fraction(1, 1000), 1),  # 0.5
    ],
)
def test_mul_rate_rounds_half_away_from_zero(fen: int, rate: Fraction, want: int) -> None:
    assert mul_rate(fen, rate) == want


def test_mul_rate_large_exact() -> None:
    assert mul_rate(MAX_MONEY_FEN, Fraction(1, 3)) == 333_333_333_333_333
    assert mul_rate(MAX_MONEY_FEN - 1, Fraction(2, 3)) == 666_666_666_666_666
    assert mul_rate(-MAX_MONEY_FEN, Fraction(2, 3)) == -666_666_666_666_667


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        (0, 0),
        (1, 100),
        (-1, -100),
        ("12345.67", 1234567),
        (" 12,345.6 ", 1234560),
        ("-0.01", -1),
        ("0.10", 10),
        (Decimal("3.5"), 350),
        (Decimal("3.50"), 350),
        ("1e2", 10000),
        (MAX_MONEY_FEN // 100, MAX_MONEY_FEN),
        (-(MAX_MONEY_FEN // 100), -MAX_MONEY_FEN),
    ],
)
def test_yuan_to_fen(value: object, fen: int) -> None:
    got = yuan_to_fen(value)
    assert got == fen and type(got) is int


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.5, "x: give yuan as a string or whole number, not float (1.5)"),
        (True, "x: give yuan as a string or whole number, not bool (True)"),
        (False, "x: give yuan as a string or whole number, not bool (False)"),
        ("abc", "x: not an amount of yuan: 'abc'"),
        ("", "x: not an amount of yuan: ''"),
        (None, "x: not an amount of yuan: None"),
        ([1], "x: not an amount of yuan: [1]"),
        ("NaN", "x: not an amount of yuan: 'NaN'"),
        ("Infinity", "x: not an amount of yuan: 'Infinity'"),
        (Decimal("-Infinity"), "x: not an amount of yuan: Decimal('-Infinity')"),
        ("0.001", "x: at most two decimal places (fen): '0.001'"),
        (Decimal("1.234"), "x: at most two decimal places (fen): Decimal('1.234')"),
        ("10000000000000.01", "x: amount out of range: '10000000000000.01'"),
        ("-10000000000000.01", "x: amount out of range: '-10000000000000.01'"),
        (MAX_MONEY_FEN // 100 + 1, f"x: amount out of range: {MAX_MONEY_FEN // 100 + 1}"),
    ],
)
def test_yuan_to_fen_refuses(value: object, message: str) -> None:
    with pytest.raises(RuleError) as exc:
        yuan_to_fen(value, what="x")
    assert str(exc.value) == message


def test_yuan_to_fen_default_what() -> None:
    with pytest.raises(RuleError) as exc:
        yuan_to_fen("abc")
    assert str(exc.value) == "money: not an amount of yuan: 'abc'"
    with pytest.raises(RuleError) as exc:
        yuan_to_fen(0.5)
    assert str(exc.value).startswith("money: ")


@pytest.mark.parametrize(
    ("fen", "yuan"),
    [
        (0, "0.00"),
        (1, "0.01"),
        (10, "0.10"),
        (99, "0.99"),
        (100, "1.00"),
        (12345, "123.45"),
        (-1, "-0.01"),
        (-100, "-1.00"),
        (-12345, "-123.45"),
        (MAX_MONEY_FEN, "10000000000000.00"),
    ],
)
def test_fen_to_yuan(fen: int, yuan: str) -> None:
    assert fen_to_yuan(fen) == yuan

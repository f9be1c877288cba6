from decimal import Decimal

import pytest

from shouzhan.core.money import MoneyError, fen_to_yuan, format_wan, format_yuan, parse_yuan, yuan_to_fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1,234.56", 123456),
        ("１２００", 120000),
        ("￥30", 3000),
        ("10000000", 1_000_000_000),
        ("0.01", 1),
        (3000, 300000),
    ],
)
def test_yuan_to_fen(text: object, fen: int) -> None:
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("bad", ["-1", "abc", "1.234", "", 1.5, None, "NaN", "1e20"])
def test_bad_amounts_are_refused(bad: object) -> None:
    with pytest.raises(MoneyError):
        parse_yuan(bad)


def test_formatting() -> None:
    assert fen_to_yuan(123456) == Decimal("1234.56")
    assert format_yuan(1_000_000_000) == "10,000,000.00 元"
    assert format_yuan(None) == "—"
    assert format_wan(300_000_000) == "300 万元"
    assert format_wan(123_456_789) == "123.46 万元"

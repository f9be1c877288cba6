from decimal import Decimal

import pytest

from shouzhan.core.money import (
    YUAN_FORMAT,
    MoneyError,
    format_wan,
    format_yuan,
    parse_yuan,
    parse_yuan_fen,
    yuan_decimal,
)


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1,234.56", 123456),
        ("1234.56", 123456),
        ("1,234,567", 123456700),
        (" 1200 ", 120000),
        ("10000000", 1_000_000_000),
        ("0.01", 1),
        ("0.5", 50),
        (3000, 300000),
        (Decimal("1234.5"), 123450),
    ],
)
def test_yuan_to_fen(text: object, fen: int) -> None:
    assert parse_yuan_fen(text) == fen


@pytest.mark.parametrize("bad", ["-1", "abc", "1.234", "", 1.5, None, "NaN", "1e20", Decimal("NaN")])
def test_bad_amounts_are_refused(bad: object) -> None:
    with pytest.raises(MoneyError):
        parse_yuan(bad)


# Issue #11, defect 9: each of these was read as a number (1e5 as 100,000.00 yuan). One format only:
# ASCII digits, commas grouping thousands in threes, up to two decimals.
@pytest.mark.parametrize(
    "bad",
    [
        "1e5",
        "1E5",
        "1_000",
        "١٢٣",  # Arabic-Indic digits
        "１２００",  # full-width digits
        "￥30",
        "¥100",
        "100元",
        "1,00",  # commas that do not group in threes
        "1234,567",
        "1,234,56",
        ",100",
        "1,,000",
        "1 000",
        "+5",
        "1.",
        ".5",
        "0x10",
        "Infinity",
    ],
)
def test_only_the_documented_format_is_accepted(bad: str) -> None:
    with pytest.raises(MoneyError) as exc:
        parse_yuan(bad)
    assert str(exc.value) == f"“{bad}”不是有效金额：{YUAN_FORMAT}"


def test_the_format_is_named_in_the_message() -> None:
    assert YUAN_FORMAT == "请只填阿拉伯数字，可用逗号按三位分隔，最多两位小数，如 1,234.56"


def test_specific_refusals_keep_their_reason() -> None:
    with pytest.raises(MoneyError, match="金额不能为负数"):
        parse_yuan("-1,000")
    with pytest.raises(MoneyError, match="金额最多保留两位小数"):
        parse_yuan("1.234")
    with pytest.raises(MoneyError, match="金额过大"):
        parse_yuan("1,000,000,000,001")
    with pytest.raises(MoneyError, match="不接受浮点数"):
        parse_yuan(100000.0)


def test_formatting() -> None:
    assert yuan_decimal(123456) == Decimal("1234.56")
    assert format_yuan(1_000_000_000) == "10,000,000.00 元"
    assert format_yuan(None) == "—"
    assert format_wan(300_000_000) == "300 万元"
    assert format_wan(123_456_789) == "123.46 万元"

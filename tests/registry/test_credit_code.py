import pytest

from shouzhan.registry import credit_code as cc


@pytest.mark.parametrize("code", ["91330100799655058B", "9144030071526726XG"])
def test_real_codes_are_valid(code: str) -> None:
    assert cc.validate(code) == code
    assert cc.is_valid(code)


def test_normalises_lowercase_spaces_and_fullwidth() -> None:
    assert cc.validate(" 9144030071526726xg ") == "9144030071526726XG"
    assert cc.validate("９１３３０１００７９９６５５０５８Ｂ") == "91330100799655058B"


def test_wrong_check_character() -> None:
    with pytest.raises(cc.CreditCodeError) as exc:
        cc.validate("91330100799655058C")
    assert str(exc.value) == "统一社会信用代码校验位错误：最后一位应为“B”"


def test_wrong_length() -> None:
    with pytest.raises(cc.CreditCodeError) as exc:
        cc.validate("9133010079965505")
    assert str(exc.value) == "统一社会信用代码应为 18 位，当前为 16 位"


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "*"])
def test_bad_characters(bad: str) -> None:
    with pytest.raises(cc.CreditCodeError) as exc:
        cc.validate("9133010079965505" + bad + "B")
    assert f"无效字符“{bad}”" in str(exc.value)


def test_region_must_be_digits() -> None:
    with pytest.raises(cc.CreditCodeError) as exc:
        cc.validate(cc.make("91A30100799655058"))
    assert str(exc.value) == "统一社会信用代码第 3–8 位应为行政区划代码（数字）"


def test_make_completes_check_character() -> None:
    assert cc.make("91330100799655058") == "91330100799655058B"
    assert cc.check_char("9144030071526726X") == "G"

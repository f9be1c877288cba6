"""统一社会信用代码 (GB 32100-2015): 18 characters with a check digit.

Layout: 1 registration authority, 1 organisation type, 6 administrative region,
9 organisation code (GB 11714, itself ending in a check character), 1 check character.
"""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUES = {c: i for i, c in enumerate(CHARSET)}
_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ", "0123456789ABCDEFGHJKLMNPQRTUWXY"
)


class CreditCodeError(ValueError):
    pass


def normalize(code: str) -> str:
    return code.strip().translate(_FULLWIDTH).upper().replace(" ", "")


def check_char(first17: str) -> str:
    total = sum(_VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate(code: str) -> str:
    """Return the normalised code, or raise CreditCodeError with a reason in Chinese."""
    text = normalize(code)
    if len(text) != 18:
        raise CreditCodeError(f"统一社会信用代码应为 18 位，当前为 {len(text)} 位")
    bad = [c for c in text if c not in _VALUES]
    if bad:
        raise CreditCodeError(f"统一社会信用代码含有无效字符“{bad[0]}”（不使用 I、O、S、V、Z）")
    if not text[2:8].isdigit():
        raise CreditCodeError("统一社会信用代码第 3–8 位应为行政区划代码（数字）")
    expected = check_char(text[:17])
    if text[17] != expected:
        raise CreditCodeError(f"统一社会信用代码校验位错误：最后一位应为“{expected}”")
    return text


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except CreditCodeError:
        return False
    return True


def make(prefix17: str) -> str:
    """Complete 17 characters with their check character (used by the demo and tests)."""
    return prefix17 + check_char(prefix17)

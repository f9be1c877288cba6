"""Chinese patent numbers (申请号 / 专利号) since 2003: YYYY + type + 7 serial digits, '.', check.

Type digit: 1 invention, 2 utility model, 3 design, 8 PCT invention, 9 PCT utility model.
Check: the 12 digits weighted 2,3,4,5,6,7,8,9,2,3,4,5, summed, modulo 11; 10 is written X.
Accepted spellings: 'ZL202310123456.7', 'CN 2023 1 0123456.7', '2023101234567'.
"""

from __future__ import annotations

import re

WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_SHAPE = re.compile(r"^(?:ZL|CN)?(\d{12})\.?([0-9X])$")
TYPES = {"1": "发明", "2": "实用新型", "3": "外观设计", "8": "PCT 发明", "9": "PCT 实用新型"}


class PatentNumberError(ValueError):
    pass


def check_char(digits12: str) -> str:
    rest = sum(int(d) * w for d, w in zip(digits12, WEIGHTS, strict=True)) % 11
    return "X" if rest == 10 else str(rest)


def validate(number: str) -> str:
    """Normalise to 'ZL' + 12 digits + '.' + check, or raise PatentNumberError (reason in Chinese)."""
    text = re.sub(r"[\s　]", "", number).upper()
    match = _SHAPE.match(text)
    if not match:
        raise PatentNumberError("专利号格式应为 ZL + 12 位数字 + “.” + 校验位，如 ZL202310123456.7")
    digits, check = match.groups()
    year = int(digits[:4])
    if not 1985 <= year <= 2100:
        raise PatentNumberError(f"专利号中的申请年份 {year} 无效")
    if digits[4] not in TYPES:
        raise PatentNumberError(f"专利号第 5 位（专利类型）应为 1、2、3、8 或 9，而不是 {digits[4]}")
    expected = check_char(digits)
    if check != expected:
        raise PatentNumberError(f"专利号校验位错误：应为 {expected}")
    return f"ZL{digits}.{check}"


def make(digits12: str) -> str:
    return f"ZL{digits12}.{check_char(digits12)}"

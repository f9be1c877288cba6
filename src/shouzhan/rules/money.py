"""Exact money: integer fen inside, Decimal yuan at the edges, never float.

The rule language has exactly one rounding: money × rate is rounded to the fen, half
away from zero ("half up" as accountants say: 0.5 fen → 1 fen, −0.5 fen → −1 fen).
Every back end implements `mul_rate` with the same integer steps, so they agree to the
fen; no engine's ROUND or CAST is ever relied on.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from shouzhan.rules.errors import RuleError
from shouzhan.rules.vocabulary import MAX_MONEY_FEN


def mul_rate(fen: int, rate: Fraction) -> int:
    """round_half_away_from_zero(fen × rate), by the split the batch engines use.

    With a = |fen|, a = q·d + r (0 ≤ r < d) and rate = n/d:
    a·n/d = q·n + r·n/d, so the rounded result is q·n + (2·r·n + d) // (2·d) and no
    intermediate is larger than the result or d·n. Signs are applied at the end.
    """
    n, d = rate.numerator, rate.denominator
    sign = -1 if (fen < 0) != (n < 0) else 1
    a, n = abs(fen), abs(n)
    q, r = divmod(a, d)
    return sign * (q * n + (2 * r * n + d) // (2 * d))


def yuan_to_fen(value: object, *, what: str = "money") -> int:
    """Yuan as int, Decimal or string ("12345.67") → fen. Floats are refused: not exact."""
    if isinstance(value, bool) or isinstance(value, float):
        raise RuleError(
            f"{what}: give yuan as a string or whole number, not {type(value).__name__} ({value!r})"
        )
    if isinstance(value, int):
        dec = Decimal(value)
    elif isinstance(value, Decimal):
        dec = value
    elif isinstance(value, str):
        try:
            dec = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise RuleError(f"{what}: not an amount of yuan: {value!r}") from None
    else:
        raise RuleError(f"{what}: not an amount of yuan: {value!r}")
    if not dec.is_finite():
        raise RuleError(f"{what}: not an amount of yuan: {value!r}")
    fen = dec * 100
    if fen != fen.to_integral_value():
        raise RuleError(f"{what}: at most two decimal places (fen): {value!r}")
    result = int(fen)
    if abs(result) > MAX_MONEY_FEN:
        raise RuleError(f"{what}: amount out of range: {value!r}")
    return result


def fen_to_yuan(fen: int) -> str:
    """12345 → "123.45" (the JSON form of money)."""
    sign = "-" if fen < 0 else ""
    q, r = divmod(abs(fen), 100)
    return f"{sign}{q}.{r:02d}"

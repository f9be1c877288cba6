"""Exact money for the Django side: integer fen in storage and computation, Decimal yuan at the edges. Never float.

The fen arithmetic is `shouzhan.rules.money` (the single source); this module adds what people type and read,
under names of its own: `parse_yuan` (text → Decimal yuan, in one format), `parse_yuan_fen` (text → fen),
`yuan_decimal` (fen → Decimal yuan), `format_yuan` / `format_wan` (fen → words on a page).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.rules import money as fen_money

MAX_YUAN = Decimal("1000000000000")  # 1e12 yuan: far above any district budget, bounds bad input


# The one format parse_yuan reads, said the same way in every refusal and form help text.
YUAN_FORMAT = _l("请只填阿拉伯数字，可用逗号按三位分隔，最多两位小数，如 1,234.56")
YUAN_HELP = _l("单位：元；只填阿拉伯数字，可用逗号按三位分隔，最多两位小数，如 1,234.56")


class MoneyError(ValueError):
    pass


def parse_yuan(value: object) -> Decimal:
    """Parse a yuan amount typed by a person or read from a file, in ONE format.

    Text: ASCII digits, optionally grouped in threes by commas, and at most two decimals
    after a point — '1234.56', '1,234.56', '1200', '0.5'. Spaces around it are ignored.
    Everything else is refused with a message naming the format (YUAN_FORMAT): exponents
    ('1e5'), underscores ('1_000'), full-width or other scripts' digits, currency signs
    ('¥100'), units ('100元'), a sign ('+5'), badly grouped commas ('1,00').
    From code or a spreadsheet cell: int and Decimal are taken as they are; float is refused
    (it is not exact). Negatives, more than two decimals and absurd sizes are refused too.
    """
    if isinstance(value, bool) or value is None:
        raise MoneyError(_("金额不能为空"))
    if isinstance(value, float):
        raise MoneyError(_("金额必须是精确的数字（不接受浮点数）"))
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    else:
        amount = _parse_text(str(value))
    if not amount.is_finite():
        raise MoneyError(_("金额必须是有限数字"))
    if amount < 0:
        raise MoneyError(_("金额不能为负数"))
    if amount > MAX_YUAN:
        raise MoneyError(_("金额过大"))
    if amount != amount.quantize(Decimal("0.01")):
        raise MoneyError(_("金额最多保留两位小数（到分）"))
    return amount.quantize(Decimal("0.01"))


# Digits are spelled [0-9], not \d: \d would also match full-width and Arabic-Indic digits.
_YUAN_TEXT = re.compile(r"(-?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?")


def _parse_text(raw: str) -> Decimal:
    text = raw.strip()
    if not text:
        raise MoneyError(_("金额不能为空"))
    match = _YUAN_TEXT.fullmatch(text)
    if match is None:
        raise MoneyError(
            _("“%(value)s”不是有效金额：%(format)s") % {"value": raw.strip()[:40], "format": YUAN_FORMAT}
        )
    sign, whole, decimals = match.groups()
    if sign:
        raise MoneyError(_("金额不能为负数"))
    if decimals is not None and len(decimals) > 2:
        raise MoneyError(_("金额最多保留两位小数（到分）"))
    return Decimal(whole.replace(",", "") + ("." + decimals if decimals else ""))


def parse_yuan_fen(value: object) -> int:
    """A yuan amount typed by a person (parse_yuan's one format, MoneyError otherwise) → fen."""
    # parse_yuan keeps it within MAX_YUAN and two decimals, so the rules' conversion cannot refuse it.
    return fen_money.yuan_to_fen(parse_yuan(value))


def yuan_decimal(fen: int) -> Decimal:
    """Fen → Decimal yuan with two places (12345 → Decimal("123.45")), for forms, sheets and sums."""
    return Decimal(fen_money.fen_to_yuan(int(fen)))


def format_yuan(fen: int | None, *, unit: bool = True) -> str:
    """'1,234,567.89 元' — or '—' for unknown."""
    if fen is None:
        return "—"
    text = f"{yuan_decimal(fen):,.2f}"
    return _("%(amount)s 元") % {"amount": text} if unit else text


def format_wan(fen: int | None) -> str:
    """Amounts as Chinese readers compare them: in 万元, exact up to two decimals."""
    if fen is None:
        return "—"
    wan = Decimal(int(fen)) / Decimal(1_000_000)
    text = f"{wan.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}".rstrip("0").rstrip(".")
    return _("%(amount)s 万元") % {"amount": text}

"""Exact money: integer fen in storage and computation, Decimal yuan at the edges. Never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

FEN_PER_YUAN = 100
MAX_YUAN = Decimal("1000000000000")  # 1e12 yuan: far above any district budget, bounds bad input


class MoneyError(ValueError):
    pass


def parse_yuan(value: object) -> Decimal:
    """Parse a yuan amount typed by a person or read from a file: '1,234.5', '１２００', 3000, Decimal.

    Refuses floats (they are not exact), negatives, more than two decimals, and absurd sizes.
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
        text = str(value).strip().translate(_FULLWIDTH).replace(",", "").replace("，", "")
        text = text.removeprefix("¥").removeprefix("￥").removesuffix("元").strip()
        if not text:
            raise MoneyError(_("金额不能为空"))
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise MoneyError(_("“%(value)s”不是有效金额") % {"value": value}) from exc
    if not amount.is_finite():
        raise MoneyError(_("金额必须是有限数字"))
    if amount < 0:
        raise MoneyError(_("金额不能为负数"))
    if amount > MAX_YUAN:
        raise MoneyError(_("金额过大"))
    if amount != amount.quantize(Decimal("0.01")):
        raise MoneyError(_("金额最多保留两位小数（到分）"))
    return amount.quantize(Decimal("0.01"))


def yuan_to_fen(value: object) -> int:
    return int(parse_yuan(value) * FEN_PER_YUAN)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(int(fen)) / FEN_PER_YUAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_yuan(fen: int | None, *, unit: bool = True) -> str:
    """'1,234,567.89 元' — or '—' for unknown."""
    if fen is None:
        return "—"
    text = f"{fen_to_yuan(fen):,.2f}"
    return _("%(amount)s 元") % {"amount": text} if unit else text


def format_wan(fen: int | None) -> str:
    """Amounts as Chinese readers compare them: in 万元, exact up to two decimals."""
    if fen is None:
        return "—"
    wan = Decimal(int(fen)) / Decimal(1_000_000)
    text = f"{wan.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}".rstrip("0").rstrip(".")
    return _("%(amount)s 万元") % {"amount": text}


_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")

"""Template helpers: money, form fields with inline errors, and simple bar charts."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField

from shouzhan.core.money import format_wan, format_yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """The one way a page or a PDF shows money: integer fen → "1,234,567.89 元" (core.money.format_yuan,
    which Python-made text such as the rule traces uses too; spreadsheets get numbers formatted #,##0.00)."""
    return format_yuan(fen)


@register.filter
def wan(fen: int | None) -> str:
    return format_wan(fen)


@register.filter
def tri(value: bool | None) -> str:
    """Three-valued facts: 是 / 否 / 未填写."""
    from django.utils.translation import gettext as _

    if value is None:
        return _("未填写")
    return _("是") if value else _("否")


@register.inclusion_tag("core/_field.html")
def field(bound: BoundField, wide: bool = False, help: str = "") -> dict[str, Any]:
    return {"f": bound, "wide": wide, "help": help or bound.help_text}


@register.inclusion_tag("core/_bars.html")
def bar_chart(rows: list[tuple[str, int]], unit: str = "") -> dict[str, Any]:
    """Horizontal bars, widths relative to the largest value; numbers are printed beside them."""
    top = max((v for _, v in rows), default=0) or 1
    return {"rows": [(label, value, round(100 * value / top, 1)) for label, value in rows], "unit": unit}

"""A rule in plain words: the typed tree read back as a sentence for the clause page and the calculator.

It walks the same tree the engines run, so what a policy officer reads is what is computed.
Chinese first; English when the person chose English (fact labels come from the vocabulary).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.money import format_yuan
from shouzhan.rules import ir, vocabulary
from shouzhan.rules.vocabulary import DISTRICTS

OPS = {
    "==": _l("为"),
    "!=": _l("不为"),
    "<": _l("小于"),
    "<=": _l("不超过"),
    ">": _l("大于"),
    ">=": _l("不少于"),
}


def _english() -> bool:
    return not (get_language() or "zh-hans").startswith("zh")


def fact_label(name: str, *, brackets: bool = True) -> str:
    """The vocabulary's label in the page's language, in the quotation marks a sentence uses."""
    label = vocabulary.fact_label(name, english=_english())
    if not brackets:
        return label
    return f"“{label}”" if _english() else f"「{label}」"


def value_label(fact: str, value: str) -> str:
    """A coded value of a fact in the page's language (the vocabulary's words)."""
    return vocabulary.value_label(fact, value, english=_english())


def _value(value: Any, type_: str = "", fact: str = "") -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Fraction):
        percent = value * 100
        return f"{float(percent):g}%" if percent.denominator != 1 else f"{percent.numerator}%"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return f"“{value_label(fact, value)}”"
    if type_ == "money" and isinstance(value, int):
        return format_yuan(value)
    return str(value)


def _is_yes(subject: str) -> str:
    return _("%(subject)s为“是”") % {"subject": subject}


def describe(node: ir.Expr, params: dict[str, Any] | None = None) -> str:
    """One expression as words."""
    p = params or {}
    if isinstance(node, ir.Const):
        return _value(node.value, node.type)
    if isinstance(node, ir.FactRef):
        return fact_label(node.name)
    if isinstance(node, ir.ParamRef):
        return _("参数「%(name)s」") % {"name": p.get(node.name) or node.name}
    if isinstance(node, ir.TodayRef):
        return _("当天")
    if isinstance(node, ir.Known):
        return _("已填写%(fact)s") % {"fact": fact_label(node.name)}
    if isinstance(node, ir.Not):
        return _("并非（%(x)s）") % {"x": describe(node.operand, p)}
    if isinstance(node, ir.Neg):
        return f"-{describe(node.operand, p)}"
    if isinstance(node, ir.Logic):
        joiner = _("，并且 ") if node.op == "and" else _("，或者 ")
        return joiner.join(_group(part, node.op, p) for part in _flatten(node, node.op))
    if isinstance(node, ir.Compare):
        if isinstance(node.right, ir.Const) and node.right.value is True and node.op == "==":
            return _is_yes(describe(node.left, p))
        right = (
            _value(node.right.value, node.right.type, node.left.name)
            if isinstance(node.right, ir.Const) and isinstance(node.left, ir.FactRef)
            else describe(node.right, p)
        )
        space = " " if _english() else ""
        return f"{describe(node.left, p)}{space}{OPS.get(node.op, node.op)}{space}{right}"
    if isinstance(node, ir.InList):
        subject = describe(node.operand, p)
        if set(node.values) >= set(DISTRICTS):
            template = _("%(subject)s不在上海市各区") if node.negated else _("%(subject)s在上海市各区")
            return template % {"subject": subject}
        fact = node.operand.name if isinstance(node.operand, ir.FactRef) else ""
        values = _("、").join(_value(v, fact=fact) for v in node.values)
        template = _("%(subject)s不属于 %(values)s") if node.negated else _("%(subject)s属于 %(values)s")
        return template % {"subject": subject, "values": values}
    if isinstance(node, ir.Arith):
        word = {"+": _("加"), "-": _("减"), "*": _("乘以")}[node.op]
        return f"{describe(node.left, p)} {word} {describe(node.right, p)}"
    if isinstance(node, ir.MulRate):
        return _("%(money)s × %(rate)s（四舍五入到分）") % {
            "money": describe(node.money, p),
            "rate": describe(node.rate, p),
        }
    if isinstance(node, ir.RateOp):
        return f"{describe(node.left, p)} {node.op} {describe(node.right, p)}"
    if isinstance(node, ir.MinMax):
        args = _("、").join(describe(a, p) for a in node.args)
        template = _("%(args)s中较小者") if node.op == "min" else _("%(args)s中较大者")
        return template % {"args": args}
    if isinstance(node, ir.Scale):
        return _("按参数「%(param)s」的档位查 %(x)s") % {
            "param": p.get(node.param) or node.param,
            "x": describe(node.operand, p),
        }
    if isinstance(node, ir.Year):
        return _("%(x)s的年份") % {"x": describe(node.operand, p)}
    return node.src


def _flatten(node: ir.Expr, op: str) -> list[ir.Expr]:
    if isinstance(node, ir.Logic) and node.op == op:
        return [*_flatten(node.left, op), *_flatten(node.right, op)]
    return [node]


def _group(node: ir.Expr, outer: str, p: dict[str, Any]) -> str:
    text = _is_yes(fact_label(node.name)) if isinstance(node, ir.FactRef) else describe(node, p)
    if isinstance(node, ir.Logic) and node.op != outer:
        return f"（{text}）"
    return text


def condition_lines(node: ir.Expr, params: dict[str, Any] | None = None) -> list[str]:
    """A top-level `and` as a list of conditions, each in words — how people read eligibility."""
    return [_group(part, "and", params or {}) for part in _flatten(node, "and")]

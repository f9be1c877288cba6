"""A rule in plain words: the typed tree read back as a Chinese sentence for the clause page.

It walks the same tree the engines run, so what a policy officer reads is what is computed.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from shouzhan.core.money import format_yuan
from shouzhan.rules import ir
from shouzhan.rules.vocabulary import DISTRICTS, FACTS

VALUE_LABELS = {
    "agent": "智能体",
    "skill_library": "技能库",
    "micro_drama": "微短剧",
    "asset_library": "数字资产库",
    "ip_library": "IP 库",
    "course": "培训课程",
    "event": "峰会 / 大赛",
    "overseas": "出海",
    "settlement": "企业落户",
    "base_operation": "基地运营",
    "production_entity": "创制主体",
    "vouchers": "算力·模型·语料券",
    "compute": "算力券",
    "model": "模型券",
    "corpus": "语料券",
    "ai_agent": "智能体",
    "live_streaming": "直播电商",
    "ip_design": "IP 设计",
    "cross_border": "跨境出海",
    "other": "其他",
}
OPS = {"==": "为", "!=": "不为", "<": "小于", "<=": "不超过", ">": "大于", ">=": "不少于"}


def fact_label(name: str) -> str:
    fact = FACTS.get(name)
    return f"「{fact.label_zh}」" if fact else f"「{name}」"


def _value(value: Any, type_: str = "") -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Fraction):
        percent = value * 100
        return f"{float(percent):g}%" if percent.denominator != 1 else f"{percent.numerator}%"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        label = VALUE_LABELS.get(value)
        return f"“{label}”" if label else f"“{value}”"
    if type_ == "money" and isinstance(value, int):
        return format_yuan(value)
    return str(value)


def describe(node: ir.Expr, params: dict[str, Any] | None = None) -> str:
    """One expression as Chinese words."""
    p = params or {}
    if isinstance(node, ir.Const):
        return _value(node.value, node.type)
    if isinstance(node, ir.FactRef):
        return fact_label(node.name)
    if isinstance(node, ir.ParamRef):
        label = p.get(node.name)
        return f"参数「{label or node.name}」"
    if isinstance(node, ir.TodayRef):
        return "当天"
    if isinstance(node, ir.Known):
        return f"已填写{fact_label(node.name)}"
    if isinstance(node, ir.Not):
        return f"并非（{describe(node.operand, p)}）"
    if isinstance(node, ir.Neg):
        return f"负的 {describe(node.operand, p)}"
    if isinstance(node, ir.Logic):
        joiner = "，并且 " if node.op == "and" else "，或者 "
        return joiner.join(_group(part, node.op, p) for part in _flatten(node, node.op))
    if isinstance(node, ir.Compare):
        if isinstance(node.right, ir.Const) and node.right.value is True and node.op == "==":
            return f"{describe(node.left, p)}为“是”"
        return f"{describe(node.left, p)}{OPS.get(node.op, node.op)}{describe(node.right, p)}"
    if isinstance(node, ir.InList):
        if set(node.values) >= set(DISTRICTS):
            return f"{describe(node.operand, p)}{'不在' if node.negated else '在'}上海市各区"
        values = "、".join(_value(v) for v in node.values)
        return f"{describe(node.operand, p)}{'不属于' if node.negated else '属于'} {values}"
    if isinstance(node, ir.Arith):
        word = {"+": "加", "-": "减", "*": "乘以"}[node.op]
        return f"{describe(node.left, p)} {word} {describe(node.right, p)}"
    if isinstance(node, ir.MulRate):
        return f"{describe(node.money, p)} × {describe(node.rate, p)}（四舍五入到分）"
    if isinstance(node, ir.RateOp):
        return f"{describe(node.left, p)} {node.op} {describe(node.right, p)}"
    if isinstance(node, ir.MinMax):
        args = "、".join(describe(a, p) for a in node.args)
        return f"{args}中{'较小' if node.op == 'min' else '较大'}者"
    if isinstance(node, ir.Scale):
        return f"按参数「{p.get(node.param) or node.param}」的档位查 {describe(node.operand, p)}"
    if isinstance(node, ir.Year):
        return f"{describe(node.operand, p)}的年份"
    if node.type == "bool":  # a bare boolean fact used as a condition
        return f"{describe(node, p)}为“是”"
    return node.src


def _flatten(node: ir.Expr, op: str) -> list[ir.Expr]:
    if isinstance(node, ir.Logic) and node.op == op:
        return [*_flatten(node.left, op), *_flatten(node.right, op)]
    return [node]


def _group(node: ir.Expr, outer: str, p: dict[str, Any]) -> str:
    text = describe(node, p) if not isinstance(node, ir.FactRef) else f"{fact_label(node.name)}为“是”"
    if isinstance(node, ir.Logic) and node.op != outer:
        return f"（{text}）"
    return text


def condition_lines(node: ir.Expr, params: dict[str, Any] | None = None) -> list[str]:
    """A top-level `and` as a list of conditions, each in words — how people read eligibility."""
    parts = _flatten(node, "and")
    return [_group(part, "and", params or {}) for part in parts]

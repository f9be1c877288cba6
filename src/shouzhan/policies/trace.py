"""One trace presenter: what the rules engine did for one clause, as sentences people read.

The calculator, the application form, the case page, the notices and the offers all show a clause's
trace through `trace_present` (or the calculator's `clause_reasons`): each condition as a sentence with
the fact's label and the value it had ("「项目类型」为“微短剧作品”：资料为“微短剧作品”，符合。"), an
either-or as one reason that names the side that decided it, the amount, cap and bonus in one money
format, and the conclusion. The expressions themselves (`expressions`) are for policy officers only;
templates put them behind a toggle.

The sentences come from the clause's typed tree in the catalogue, walked once per catalogue and
language (`_plans`), and the values the trace recorded for each leaf condition; a trace whose clause
is no longer in the catalogue falls back to the leaves' words, never to their expressions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan import rules
from shouzhan.core.money import MoneyError, format_yuan, parse_yuan_fen
from shouzhan.policies.plain import _is_yes, describe, fact_label, value_label
from shouzhan.rules import ir
from shouzhan.rules.catalogue import Expression
from shouzhan.rules.vocabulary import FACTS

UNKNOWN = "unknown"
NOT_NEEDED = "not_needed"  # an unknown side of an either-or another side already decided

STATUS_WORDS = {
    "eligible": _l("可申报"),
    "not_eligible": _l("不符合"),
    "unknown": _l("待补充信息"),
}
PER = {
    "once": _l("一次性"),
    "project": _l("每个项目"),
    "work": _l("每部作品"),
    "course": _l("每个课程"),
    "event": _l("每项活动"),
    "year": _l("每年"),
    "item_per_year": _l("每年每项"),
}
MARKS = {True: "✓", False: "✗", UNKNOWN: "?", NOT_NEEDED: "–"}


@dataclass(frozen=True)
class Line:
    """One sentence of a trace; `value` is True (met), False (not met), "unknown", "not_needed" or None
    (information only). `children` are the sides of an either-or."""

    words: str
    value: Any = None
    children: tuple[Line, ...] = ()

    @property
    def sentence(self) -> str:
        """The line with its sides in one sentence, for a page or a PDF that shows no sub-list."""
        if not self.children:
            return self.words
        return self.words + _("；").join(c.words.rstrip("。") for c in self.children) + _("。")

    @property
    def mark(self) -> str:
        if isinstance(self.value, bool):
            return MARKS[self.value]
        return MARKS.get(self.value, "") if self.value is not None else ""

    @property
    def css(self) -> str:
        """The class suffix (reason-true / reason-false / reason-unknown / reason-not_needed)."""
        return str(self.value).lower()


@dataclass
class TraceView:
    clause_id: str
    title: str
    policy_title: str
    text: str
    in_force: Line | None
    conditions: list[Line]
    amounts: list[Line]
    conclusion: Line | None
    missing: list[str] = field(default_factory=list)  # the missing facts' labels
    expressions: list[tuple[str, str, str]] = field(default_factory=list)  # (step, expression, value)

    @property
    def heading(self) -> str:
        """The policy's and the clause's titles, as a notice names them."""
        return f"{self.policy_title} · {self.title}" if self.policy_title else self.title


# ----------------------------------------------------------------------------- plans (per catalogue)
@dataclass(frozen=True)
class _Leaf:
    src: str
    requirement: str
    facts: tuple[str, ...]


@dataclass(frozen=True)
class _Group:
    op: str  # "and" | "or" | "not"
    parts: tuple[_Part, ...]
    src: str


_Part = _Leaf | _Group


@dataclass(frozen=True)
class _Plan:
    parts: tuple[_Part, ...]  # policy applies_to, clause applies_to and condition, each and split


def _flatten(node: ir.Expr, op: str) -> list[ir.Expr]:
    if isinstance(node, ir.Logic) and node.op == op:
        return [*_flatten(node.left, op), *_flatten(node.right, op)]
    return [node]


def _part(node: ir.Expr, params: dict[str, Any]) -> _Part:
    if isinstance(node, ir.Logic):
        return _Group(node.op, tuple(_part(n, params) for n in _flatten(node, node.op)), node.src.strip())
    if isinstance(node, ir.Not):
        return _Group("not", (_part(node.operand, params),), node.src.strip())
    words = _is_yes(fact_label(node.name)) if isinstance(node, ir.FactRef) else describe(node, params)
    facts = tuple(dict.fromkeys(n.name for n in node.walk() if isinstance(n, ir.FactRef)))
    return _Leaf(node.src.strip(), words, facts)


def _expression_parts(expressions: Iterable[Expression | None], params: dict[str, Any]) -> tuple[_Part, ...]:
    parts: list[_Part] = []
    for expression in expressions:
        if expression is not None:
            parts += [_part(n, params) for n in _flatten(expression.tree, "and")]
    return tuple(parts)


# (id of the catalogue, language) → (that catalogue, its plans by clause and modifier id).
_plans_cache: dict[tuple[int, str], tuple[rules.Catalogue, dict[str, _Plan]]] = {}


def _plans(catalogue: rules.Catalogue) -> dict[str, _Plan]:
    key = (id(catalogue), get_language() or "")
    hit = _plans_cache.get(key)
    if hit is not None and hit[0] is catalogue:
        return hit[1]
    plans: dict[str, _Plan] = {}
    for policy in catalogue.policies:
        params = {name: p.label_zh for name, p in policy.parameters.items()}
        for clause in policy.clauses:
            exprs = (policy.applies_to, clause.applies_to, clause.condition)
            plans[clause.id] = _Plan(_expression_parts(exprs, params))
        for m in policy.modifiers:
            plans[m.id] = _Plan(_expression_parts([m.condition], params))
    if len(_plans_cache) >= 64:
        _plans_cache.clear()
    _plans_cache[key] = (catalogue, plans)
    return plans


# ----------------------------------------------------------------------------- values
def _fact_value(facts: Mapping[str, Any] | None, name: str) -> Any:
    if facts is None:
        return None
    entity, _dot, attr = name.partition(".")
    group = facts.get(entity)
    if isinstance(group, Mapping):
        return group.get(attr)
    return facts.get(name)  # already flat


def fact_value_text(name: str, value: Any) -> str:
    """A fact's value as people read it: 是/否, money with separators, a code's words, a date."""
    fact = FACTS.get(name)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if fact is not None and fact.type == "money":
        try:
            return format_yuan(parse_yuan_fen(value if not isinstance(value, float) else str(value)))
        except (MoneyError, InvalidOperation):
            return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, str):
        return value_label(name, value)
    return str(value)


def _kleene(op: str, values: list[Any]) -> Any:
    if op == "not":
        v = values[0]
        return (not v) if isinstance(v, bool) else UNKNOWN
    if op == "and":
        if any(v is False for v in values):
            return False
        return True if all(v is True for v in values) else UNKNOWN
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else UNKNOWN


def _value_of(part: _Part, leaves: Mapping[str, Any]) -> Any:
    if isinstance(part, _Leaf):
        v = leaves.get(part.src, UNKNOWN)
        return v if isinstance(v, bool) else UNKNOWN
    return _kleene(part.op, [_value_of(p, leaves) for p in part.parts])


def _leaf_line(leaf: _Leaf, value: Any, facts: Mapping[str, Any] | None) -> Line:
    missing = [f for f in leaf.facts if facts is not None and _fact_value(facts, f) is None]
    if value in (UNKNOWN, NOT_NEEDED) and (missing or facts is None):
        names = _("、").join(fact_label(f) for f in (missing or leaf.facts))
        if value == NOT_NEEDED:
            template = _("%(req)s：尚未填写%(facts)s，已满足其中另一项，不影响结论。")
        else:
            template = _("%(req)s：尚未填写%(facts)s，待补充。")
        return Line(template % {"req": leaf.requirement, "facts": names}, value)
    verdict = _("不影响结论") if value == NOT_NEEDED else _verdict(value)
    known = [(f, _fact_value(facts, f)) for f in leaf.facts]
    known = [(f, v) for f, v in known if v is not None]
    if not known:
        return Line(_("%(req)s：%(verdict)s。") % {"req": leaf.requirement, "verdict": verdict}, value)
    if len(known) == 1:
        said = _("资料为“%(value)s”") % {"value": fact_value_text(*known[0])}
    else:
        said = _("资料为%(values)s") % {
            "values": _("、").join(f"{fact_label(f)}“{fact_value_text(f, v)}”" for f, v in known)
        }
    return Line(
        _("%(req)s：%(said)s，%(verdict)s。") % {"req": leaf.requirement, "said": said, "verdict": verdict},
        value,
    )


def _part_line(
    part: _Part, leaves: Mapping[str, Any], facts: Mapping[str, Any] | None, decided: bool = False
) -> Line:
    value = _value_of(part, leaves)
    shown = NOT_NEEDED if decided and value == UNKNOWN else value
    if isinstance(part, _Leaf):
        return _leaf_line(part, shown, facts)
    if part.op == "not":
        inner = _part_line(part.parts[0], leaves, facts)
        return Line(_("以下一项不成立：%(x)s") % {"x": inner.words}, shown)
    # An either-or decided by one side: the other sides cannot change the answer.
    settles = part.op == "or" and value is True
    children = tuple(_part_line(p, leaves, facts, decided=settles or decided) for p in part.parts)
    if part.op == "or":
        head = _("以下条件满足其一即可") + _("，") + _verdict(value)
    else:
        head = _("以下条件须全部满足") + _("，") + _verdict(value)
    return Line(head + _("："), shown, children)


def _leaf_values(trace: Iterable[Mapping[str, Any]], steps: set[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for step in trace:
        if step.get("step") in steps:
            for cond in step.get("conditions") or [{"expr": step.get("expr"), "value": step.get("value")}]:
                values[(cond.get("expr") or "").strip()] = cond.get("value")
    return values


def condition_lines(
    trace: Sequence[Mapping[str, Any]],
    catalogue: rules.Catalogue,
    facts: Mapping[str, Any] | None,
    clause_id: str,
    *,
    in_force: bool = True,
) -> list[Line]:
    """The eligibility conditions of one clause's trace, one line per condition (an either-or is one);
    with `in_force`, a clause out of force says so first."""
    leaves = _leaf_values(trace, {"applies_to", "condition"})
    plan = _plans(catalogue).get(clause_id)
    lines: list[Line] = []
    for step in trace:
        if in_force and step.get("step") == "in_force" and step.get("value") is not True:
            lines.append(Line(_("政策在计算日期有效"), step.get("value")))
    if plan is not None and all(leaf.src in leaves for leaf in _plan_leaves(plan.parts)):
        return lines + [_part_line(part, leaves, facts) for part in plan.parts]
    # The clause changed since this trace was made: each recorded condition in words, never its text.
    from shouzhan.policies.present import _leaf_words

    words = _leaf_words(catalogue)
    for src, value in leaves.items():
        text = words.get(src) or _("规则中的一项条件")
        lines.append(Line(f"{text}：{_verdict(value)}。", value if isinstance(value, bool) else UNKNOWN))
    return lines


def _plan_leaves(parts: Iterable[_Part]) -> Iterable[_Leaf]:
    for part in parts:
        if isinstance(part, _Leaf):
            yield part
        else:
            yield from _plan_leaves(part.parts)


def _verdict(value: Any) -> str:
    if value is True:
        return _("符合")
    if value is False:
        return _("不符合")
    return _("待补充")


# ----------------------------------------------------------------------------- amounts
def _yuan(text: Any) -> str:
    if text in (None, ""):
        return _("待定")
    try:
        return format_yuan(parse_yuan_fen(str(text)))
    except MoneyError:
        return str(text)


def modifier_line(
    step: Mapping[str, Any], catalogue: rules.Catalogue | None, facts: Mapping[str, Any] | None
) -> Line:
    """A bonus on the capped amount: applied (how much), possible (what is missing) or not applicable."""
    value = step.get("value")
    rate = step.get("bonus_rate", "")
    title = step.get("title", "")
    if value is True:
        words = _("加成「%(title)s」：符合，在封顶金额基础上增加 %(rate)s，即 %(bonus)s。") % {
            "title": title,
            "rate": rate,
            "bonus": _yuan(step.get("bonus_yuan")),
        }
        return Line(words, True)
    if value is False:
        return Line(_("加成「%(title)s」：不适用。") % {"title": title}, False)
    plan = _plans(catalogue).get(step.get("id", "")) if catalogue is not None else None
    leaves = [leaf for leaf in _plan_leaves(plan.parts)] if plan else []
    names = [f for leaf in leaves for f in leaf.facts if _fact_value(facts, f) is None] or [
        f for leaf in leaves for f in leaf.facts
    ]
    what = _("、").join(fact_label(f) for f in dict.fromkeys(names)) or _("相关信息")
    words = _("加成「%(title)s」：尚未填写%(facts)s，符合时可再增加 %(rate)s。") % {
        "title": title,
        "facts": what,
        "rate": rate,
    }
    return Line(words, UNKNOWN)


def amount_lines(
    trace: Sequence[Mapping[str, Any]], catalogue: rules.Catalogue | None, facts: Mapping[str, Any] | None
) -> list[Line]:
    lines: list[Line] = []
    for step in trace:
        kind = step.get("step")
        if kind == "amount":
            if step.get("decision") == "caseworker":
                lines.append(Line(_("金额：由经办人在上限内核定。")))
            elif step.get("value_yuan") is not None:
                lines.append(
                    Line(_("按公式计算的金额：%(amount)s。") % {"amount": _yuan(step.get("value_yuan"))})
                )
            else:
                lines.append(Line(_("按公式计算的金额：补充信息后才能算出。"), UNKNOWN))
        elif kind == "cap":
            words = _("封顶：%(per)s最高 %(cap)s") % {
                "per": PER.get(step.get("per", ""), ""),
                "cap": _yuan(step.get("cap_yuan")),
            }
            lines.append(Line(words + _("。")))
        elif kind == "modifier":
            lines.append(modifier_line(step, catalogue, facts))
    return lines


def bonus_rate(trace: Iterable[Mapping[str, Any]]) -> str:
    """The bonuses that apply, as one rate text ("50%"), or "" when none does."""
    return _("、").join(
        str(s.get("bonus_rate", "")) for s in trace if s.get("step") == "modifier" and s.get("value") is True
    )


def conclusion_line(status: str, max_amount_yuan: Any, missing: list[str], bonus_rate: str = "") -> Line:
    words = _("结论：%(status)s") % {"status": STATUS_WORDS.get(status, status)}
    if max_amount_yuan not in (None, ""):
        words += _("，最高 %(amount)s") % {"amount": _yuan(max_amount_yuan)}
        if bonus_rate:
            words += _("（含加成 %(rate)s）") % {"rate": bonus_rate}
    if status == "unknown" and missing:
        words += _("；还需填写%(facts)s") % {"facts": _("、").join(fact_label(f) for f in missing)}
    value = {"eligible": True, "not_eligible": False}.get(status, UNKNOWN)
    return Line(words + _("。"), value)


# ----------------------------------------------------------------------------- the whole trace
def _value_words(value: Any) -> str:
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if value in (None, "unknown"):
        return _("未知")
    return str(value)


def trace_present(
    trace: Sequence[Mapping[str, Any]] | None,
    *,
    catalogue: rules.Catalogue,
    facts: Mapping[str, Any] | None = None,
    missing: list[str] | None = None,
) -> TraceView | None:
    """A clause's trace (from rules.explain, or stored on a case) as sentences; None for no trace."""
    if not trace:
        return None
    head = next((s for s in trace if s.get("step") == "clause"), {})
    clause_id = str(head.get("id", ""))
    policy_title = ""
    try:
        clause = catalogue.clause(clause_id)
        policy = catalogue.policy_of(clause)
        policy_title = policy.short_title or policy.title
    except KeyError:
        pass
    in_force = next((s for s in trace if s.get("step") == "in_force"), None)
    in_force_line = None
    if in_force is not None:
        period = _("%(start)s 起，%(end)s") % {
            "start": in_force.get("effective_from", ""),
            "end": (_("至 %(end)s") % {"end": in_force["effective_to"]})
            if in_force.get("effective_to")
            else _("长期有效"),
        }
        template = (
            _("政策在 %(on)s 有效（%(period)s）。")
            if in_force.get("value")
            else _("政策在 %(on)s 不在有效期（%(period)s）。")
        )
        in_force_line = Line(
            template % {"on": in_force.get("on", ""), "period": period}, bool(in_force.get("value"))
        )
    result = next((s for s in trace if s.get("step") == "result"), {})
    missing = list(missing or [])
    conditions = condition_lines(trace, catalogue, facts, clause_id, in_force=in_force is None)
    expressions = [
        (
            str(STEP_WORDS.get(s.get("step", ""), s.get("step", ""))),
            str(s["expr"]),
            _yuan(s.get("value_yuan")) if s.get("step") == "amount" else _value_words(s.get("value")),
        )
        for s in trace
        if s.get("expr")
    ]
    return TraceView(
        clause_id=clause_id,
        title=str(head.get("title", "")),
        policy_title=policy_title,
        text=str(head.get("text", "")),
        in_force=in_force_line,
        conditions=conditions,
        amounts=amount_lines(trace, catalogue, facts),
        conclusion=conclusion_line(
            str(result.get("status", "")), result.get("max_amount_yuan"), missing, bonus_rate(trace)
        )
        if result
        else None,
        missing=[fact_label(f, brackets=False) for f in missing],
        expressions=expressions,
    )


STEP_WORDS = {
    "applies_to": _l("适用对象"),
    "condition": _l("申报条件"),
    "amount": _l("金额"),
    "modifier": _l("加成"),
}

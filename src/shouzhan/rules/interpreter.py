"""Explain one case: evaluate every clause for one enterprise/project, with a trace.

Three-valued (Kleene) logic: a missing fact is *unknown* (None); `unknown and false` is
false, `unknown or true` is true, anything else touching unknown is unknown. Each value
carries the set of missing facts that made it unknown, so the result can say which
facts would decide it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Final

from shouzhan.rules import ir
from shouzhan.rules.catalogue import Catalogue, Clause, Expression, ParamValue, Policy
from shouzhan.rules.errors import RuleError
from shouzhan.rules.money import fen_to_yuan, mul_rate, yuan_to_fen
from shouzhan.rules.vocabulary import ENTITIES, FACTS, MAX_INT, suggest

Facts = dict[str, object]  # flat: "enterprise.district" → value (money in fen, dates as date)
_NONE: Final[frozenset[str]] = frozenset()


# --------------------------------------------------------------------------- facts in
def normalize_facts(data: Mapping[str, Any], *, strict: bool = True) -> Facts:
    """Nested JSON facts {"enterprise": {...}, "project": {...}} → flat typed facts.

    Money may be a number or a string of yuan ("12345.67"); it becomes integer fen via
    Decimal. null means unknown. Unknown names are errors when `strict` (typos must not
    pass as "unknown").
    """
    if not isinstance(data, Mapping):
        raise RuleError('facts must be an object such as {"enterprise": {...}, "project": {...}}')
    flat: Facts = {}
    for entity, fields in data.items():
        if entity not in ENTITIES:
            if strict:
                raise RuleError(f"unknown fact group {entity!r} (expected: {', '.join(ENTITIES)})")
            continue
        if fields is None:
            continue
        if not isinstance(fields, Mapping):
            raise RuleError(f"{entity} must be an object of facts")
        for name, value in fields.items():
            full = f"{entity}.{name}"
            if full not in FACTS:
                if strict:
                    hint = suggest(full)
                    raise RuleError(f"unknown fact {full!r}" + (f" (did you mean {hint}?)" if hint else ""))
                continue
            if value is None:
                continue
            flat[full] = convert_fact(full, value)
    return flat


def convert_fact(name: str, value: object) -> object:
    t = FACTS[name].type
    if t == "money":
        return yuan_to_fen(value, what=name)
    if t == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise RuleError(f"{name}: expected true or false, found {value!r}")
    if t == "int":
        if isinstance(value, str):
            digits = value.strip().removeprefix("-")
            if digits.isascii() and digits.isdigit():  # not "--3" or "²": int() refuses those
                value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INT:
            raise RuleError(f"{name}: expected a whole number, found {value!r}")
        return value
    if t == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise RuleError(f"{name}: expected a date YYYY-MM-DD, found {value!r}")
    if not isinstance(value, str):
        raise RuleError(f"{name}: expected text, found {value!r}")
    return value


# --------------------------------------------------------------------------- results
@dataclass
class ClauseResult:
    id: str
    policy_id: str
    title: str
    status: str  # eligible | not_eligible | unknown
    max_amount_fen: int | None
    missing_facts: list[str]
    trace: list[dict[str, Any]]
    decision: str
    cap: dict[str, str] | None = None
    stacking_group: str | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def max_amount_yuan(self) -> str | None:
        return None if self.max_amount_fen is None else fen_to_yuan(self.max_amount_fen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "policy": self.policy_id,
            "title": self.title,
            "status": self.status,
            "max_amount_yuan": self.max_amount_yuan,
            "decision": self.decision,
            "cap": self.cap,
            "stacking_group": self.stacking_group,
            "missing_facts": self.missing_facts,
            "note": self.note,
            "trace": self.trace,
        }


def _show(value: object) -> object:
    if value is None:
        return "unknown"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return _rate_text(value)
    return value


def _rate_text(r: Fraction) -> str:
    pct = r * 100
    return f"{pct.numerator}%" if pct.denominator == 1 else f"{r.numerator}/{r.denominator}"


# --------------------------------------------------------------------------- evaluation
Value = tuple[object, frozenset[str]]  # (value or None, missing facts when None)


class Evaluator:
    """Evaluates typed trees for one case. `conditions` collects leaf conditions for traces."""

    def __init__(self, facts: Facts, on: dt.date, params: Mapping[str, ParamValue]) -> None:
        self.facts = facts
        self.on = on
        self.params = params
        self.conditions: list[dict[str, Any]] | None = None

    def eval(self, node: ir.Expr) -> Value:
        result = self._eval(node)
        if self.conditions is not None and ir.is_leaf_condition(node):
            self.conditions.append({"expr": node.src.strip(), "value": _show(result[0])})
        return result

    def _eval(self, node: ir.Expr) -> Value:
        if isinstance(node, ir.Const):
            return node.value, _NONE
        if isinstance(node, ir.FactRef):
            v = self.facts.get(node.name)
            return (v, _NONE) if v is not None else (None, frozenset((node.name,)))
        if isinstance(node, ir.Known):
            return node.name in self.facts, _NONE
        if isinstance(node, ir.ParamRef):
            pv = self.params.get(node.name)
            if pv is None:
                raise RuleError(f"parameter {node.name!r} has no value on {self.on}")
            return pv, _NONE
        if isinstance(node, ir.TodayRef):
            return self.on, _NONE
        if isinstance(node, ir.Logic):
            (a, ma), (b, mb) = self.eval(node.left), self.eval(node.right)
            if node.op == "and":
                if a is False or b is False:
                    return False, _NONE
                if a is True and b is True:
                    return True, _NONE
            else:
                if a is True or b is True:
                    return True, _NONE
                if a is False and b is False:
                    return False, _NONE
            return None, (ma if a is None else _NONE) | (mb if b is None else _NONE)
        if isinstance(node, ir.Not):
            a, ma = self.eval(node.operand)
            return (None, ma) if a is None else (not a, _NONE)
        if isinstance(node, ir.Compare):
            (a, ma), (b, mb) = self.eval(node.left), self.eval(node.right)
            if a is None or b is None:
                return None, ma | mb
            return _compare(node.op, a, b), _NONE
        if isinstance(node, ir.InList):
            a, ma = self.eval(node.operand)
            if a is None:
                return None, ma
            return (a in node.values) != node.negated, _NONE
        if isinstance(node, ir.Neg):
            a, ma = self.eval(node.operand)
            return (None, ma) if a is None else (-a, _NONE)  # type: ignore[operator]
        if isinstance(node, ir.Arith):
            (a, ma), (b, mb) = self.eval(node.left), self.eval(node.right)
            if a is None or b is None:
                return None, ma | mb
            return _arith(node, a, b), _NONE
        if isinstance(node, ir.MulRate):
            (a, ma), (r, mr) = self.eval(node.money), self.eval(node.rate)
            if a is None or r is None:
                return None, ma | mr
            assert isinstance(a, int) and isinstance(r, Fraction | int)
            return mul_rate(a, Fraction(r)), _NONE
        if isinstance(node, ir.RateOp):
            (a, _), (b, _) = self.eval(node.left), self.eval(node.right)
            assert isinstance(a, Fraction | int) and isinstance(b, Fraction | int)
            return _rate_op(node.op, Fraction(a), Fraction(b)), _NONE
        if isinstance(node, ir.MinMax):
            values = [self.eval(arg) for arg in node.args]
            if any(v is None for v, _ in values):
                return None, frozenset().union(*(m for v, m in values if v is None))
            pick = min if node.op == "min" else max
            return pick(v for v, _ in values), _NONE  # type: ignore[type-var]
        if isinstance(node, ir.Scale):
            x, mx = self.eval(node.operand)
            if x is None:
                return None, mx
            table = self.params.get(node.param)
            if not isinstance(table, tuple):
                raise RuleError(f"scale {node.param!r} has no value on {self.on}")
            return scale_lookup(table, x), _NONE  # type: ignore[arg-type]
        if isinstance(node, ir.Year):
            d, md = self.eval(node.operand)
            return (None, md) if d is None else (d.year, _NONE)  # type: ignore[attr-defined]
        raise TypeError(f"unknown node {type(node).__name__}")


def scale_lookup(table: tuple[tuple[int, int], ...], x: int) -> int:
    """The amount of the highest bracket whose threshold ≤ x; 0 below the first."""
    found = 0
    for threshold, fen in table:
        if x >= threshold:
            found = fen
    return found


def _compare(op: str, a: Any, b: Any) -> bool:
    if op == "==":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def _arith(node: ir.Arith, a: Any, b: Any) -> object:
    if node.type == "date":
        return a + dt.timedelta(days=b) if node.op == "+" else a - dt.timedelta(days=b)
    if isinstance(a, dt.date):  # date − date → days
        return (a - b).days
    if node.op == "+":
        return a + b
    if node.op == "-":
        return a - b
    return a * b


def _rate_op(op: str, a: Fraction, b: Fraction) -> Fraction:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        raise RuleError("division by zero in a rate")
    return a / b


# --------------------------------------------------------------------------- explain
def explain(
    catalogue: Catalogue, facts: Mapping[str, Any], on: dt.date, *, normalized: bool = False
) -> list[ClauseResult]:
    """Every clause of the catalogue for one case, in catalogue order, with traces.

    `facts` is the nested JSON form; pass `normalized=True` with flat typed facts
    (as `normalize_facts` returns) to skip conversion.
    """
    flat: Facts = dict(facts) if normalized else normalize_facts(facts)
    results: list[ClauseResult] = []
    for policy in catalogue.policies:
        ev = Evaluator(flat, on, policy.params_at(on))
        for clause in policy.clauses:
            results.append(explain_clause(ev, policy, clause))
    return results


def _check(ev: Evaluator, expr: Expression, step: str, **extra: Any) -> tuple[dict[str, Any], Value]:
    ev.conditions = []
    value = ev.eval(expr.tree)
    entry = {
        "step": step,
        **extra,
        "expr": expr.source.strip(),
        "value": _show(value[0]),
        "conditions": ev.conditions,
    }
    ev.conditions = None
    return entry, value


def explain_clause(ev: Evaluator, policy: Policy, clause: Clause) -> ClauseResult:
    trace: list[dict[str, Any]] = [
        {"step": "clause", "id": clause.id, "title": clause.title, "text": clause.text}
    ]
    result = ClauseResult(
        id=clause.id,
        policy_id=policy.id,
        title=clause.title,
        status="not_eligible",
        max_amount_fen=None,
        missing_facts=[],
        trace=trace,
        decision=clause.decision,
        cap=clause.cap.to_dict() if clause.cap else None,
        stacking_group=clause.stacking_group,
        note=clause.note,
    )
    in_force = clause.in_force(ev.on)
    trace.append(
        {
            "step": "in_force",
            "on": ev.on.isoformat(),
            "effective_from": clause.effective_from.isoformat(),
            "effective_to": clause.effective_to.isoformat() if clause.effective_to else None,
            "value": in_force,
        }
    )
    if not in_force:
        trace.append({"step": "result", "status": "not_eligible", "max_amount_yuan": None})
        return result

    # Eligibility: policy applies_to ∧ clause applies_to ∧ condition (Kleene and).
    parts: list[Value] = []
    if policy.applies_to is not None:
        entry, v = _check(ev, policy.applies_to, "applies_to", scope="policy")
        trace.append(entry)
        parts.append(v)
    if clause.applies_to is not None:
        entry, v = _check(ev, clause.applies_to, "applies_to", scope="clause")
        trace.append(entry)
        parts.append(v)
    entry, v = _check(ev, clause.condition, "condition")
    trace.append(entry)
    parts.append(v)
    if any(p[0] is False for p in parts):
        eligible: object = False
        missing: set[str] = set()
    elif all(p[0] is True for p in parts):
        eligible, missing = True, set()
    else:
        eligible, missing = None, set().union(*(p[1] for p in parts if p[0] is None))

    amount: int | None = None
    if eligible is not False and clause.decision != "in_kind" and clause.amount is not None:
        amount, amount_missing = _amount(ev, clause, trace)
        missing |= amount_missing
    result.status = {True: "eligible", False: "not_eligible", None: "unknown"}[eligible]  # type: ignore[index]
    result.max_amount_fen = amount
    result.missing_facts = sorted(missing)
    trace.append({"step": "result", "status": result.status, "max_amount_yuan": result.max_amount_yuan})
    return result


def _amount(ev: Evaluator, clause: Clause, trace: list[dict[str, Any]]) -> tuple[int | None, set[str]]:
    assert clause.amount is not None
    value, missing = ev.eval(clause.amount.tree)
    params = {
        n.name: _show(ev.params.get(n.name)) for n in clause.amount.tree.walk() if isinstance(n, ir.ParamRef)
    }
    entry: dict[str, Any] = {
        "step": "amount",
        "expr": clause.amount.source.strip(),
        "decision": clause.decision,
        "value_yuan": None if value is None else fen_to_yuan(value),  # type: ignore[arg-type]
    }
    if params:
        entry["parameters"] = params
    trace.append(entry)
    missing_set = set(missing) if value is None else set()
    amount = value if isinstance(value, int) else None
    if clause.cap is not None:
        capped = None if amount is None else min(amount, clause.cap.fen)
        trace.append(
            {
                "step": "cap",
                "cap_yuan": fen_to_yuan(clause.cap.fen),
                "per": clause.cap.per,
                "value_yuan": None if capped is None else fen_to_yuan(capped),
            }
        )
        amount = capped
    # Modifiers (e.g. +50% for the city image) are shown separately, after the cap.
    for m in clause.modifiers:
        entry, (cond, mmissing) = _check(ev, m.condition, "modifier", id=m.id, title=m.title, text=m.text)
        bonus = None
        if cond is True and amount is not None:
            bonus = mul_rate(amount, m.bonus)
        entry["bonus_rate"] = _rate_text(m.bonus)
        entry["bonus_yuan"] = fen_to_yuan(bonus) if bonus is not None else ("0.00" if cond is False else None)
        if cond is None:
            missing_set |= mmissing
            amount = None
        elif cond is True and amount is not None and bonus is not None:
            amount += bonus
        entry["value_yuan"] = None if amount is None else fen_to_yuan(amount)
        trace.append(entry)
    return amount, missing_set

"""Type checker: syntax tree + vocabulary + parameters → typed tree (ir.py).

Numbers written in a rule take their type from where they stand: beside money a number
is yuan (`min(x, 1000万)`), in `money * 0.2` it is a rate, beside an int it is an int.
Every numeric node carries a magnitude bound; anything that could exceed 2**62 in the
batch back ends' 64-bit integers is refused here, before it can run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, Literal

from shouzhan.rules import ir
from shouzhan.rules import parser as ast
from shouzhan.rules.errors import RuleError
from shouzhan.rules.vocabulary import FACTS, MAX_INT, MAX_MONEY_FEN, Fact, suggest

INT_LIMIT: Final = 2**62  # headroom below 2**63 for the rounding step
DATE_BOUND: Final = 3_000_000  # days since 1970 stay well inside this
MAX_RATE_TERM: Final = 10**12  # numerator/denominator limit for rates in batch arithmetic

ParamType = Literal["rate", "money", "int", "scale"]


@dataclass(frozen=True, slots=True)
class ParamInfo:
    type: ParamType
    bound: Fraction  # largest magnitude over every dated value (for scale: largest amount, fen)


_FUNCTIONS: Final = ("min", "max", "param", "rate", "scale", "date", "year", "known")
_ORDERED: Final = frozenset({"int", "money", "rate", "date"})


def check(
    node: ast.Node,
    source: str,
    expect: ir.Type,
    params: Mapping[str, ParamInfo] | None = None,
    facts: Mapping[str, Fact] | None = None,
) -> ir.Expr:
    """Check `node` (parsed from `source`) and return the typed tree; raises RuleError with offset.
    `facts`: the vocabulary the expression may read (default: the policies' `FACTS`); a module that
    measures other records (insight's targets) passes its own, a superset of `FACTS`."""
    result = _Checker(source, params or {}, FACTS if facts is None else facts).check(node, expect)
    if result.type != expect:
        raise RuleError(
            f"expected a {_NAMES[expect]} expression, this is {_NAMES[result.type]}", offset=node.start
        )
    return result


def compile_expression(
    source: str,
    expect: ir.Type,
    params: Mapping[str, ParamInfo] | None = None,
    facts: Mapping[str, Fact] | None = None,
) -> ir.Expr:
    return check(ast.parse(source), source, expect, params, facts)


_NAMES: Final[dict[str, str]] = {
    "bool": "true/false",
    "int": "whole-number",
    "money": "money",
    "rate": "rate",
    "str": "text",
    "date": "date",
}


def _is_literal(node: ast.Node) -> bool:
    return isinstance(node, ast.Number) or (
        isinstance(node, ast.Unary) and node.op == "-" and _is_literal(node.operand)
    )


class _Checker:
    def __init__(self, source: str, params: Mapping[str, ParamInfo], facts: Mapping[str, Fact]) -> None:
        self.facts = facts
        self.source = source
        self.params = params
        self.bounds: dict[int, Fraction] = {}  # id(ir node) → magnitude bound

    # -- helpers -----------------------------------------------------------------
    def src(self, node: ast.Node) -> str:
        return self.source[node.start : node.end]

    def err(self, node: ast.Node, message: str) -> RuleError:
        return RuleError(message, offset=node.start)

    def bound(self, expr: ir.Expr) -> Fraction:
        return self.bounds.get(id(expr), Fraction(0))

    def bounded(self, node: ast.Node, expr: ir.Expr, bound: Fraction | int) -> ir.Expr:
        bound = Fraction(bound)
        if expr.type in ("int", "money") and bound > INT_LIMIT:
            raise self.err(
                node, "the value of this expression could exceed the exact integer range; simplify it"
            )
        if expr.type == "rate" and bound > MAX_RATE_TERM:
            raise self.err(node, "rate too large")
        self.bounds[id(expr)] = bound
        return expr

    def is_const(self, expr: ir.Expr) -> bool:
        return not any(isinstance(n, ir.FactRef | ir.Known) for n in expr.walk())

    # -- entry ---------------------------------------------------------------------
    def check(self, node: ast.Node, expect: ir.Type | None) -> ir.Expr:
        method = getattr(self, "_" + type(node).__name__.lower())
        result: ir.Expr = method(node, expect)
        return result

    def _number(self, node: ast.Number, expect: ir.Type | None) -> ir.Expr:
        value = node.value
        if node.percent or expect == "rate" or (expect is None and value != value.to_integral_value()):
            if expect not in (None, "rate") and node.percent:
                raise self.err(node, f"a percentage is a rate, not {_NAMES[str(expect)]}")
            frac = Fraction(value)
            return self.bounded(node, ir.Const("rate", self.src(node), node.start, frac), abs(frac))
        if expect == "money":
            fen = value * 100
            if fen != fen.to_integral_value():
                raise self.err(node, "money has at most two decimal places (fen)")
            return self.bounded(node, ir.Const("money", self.src(node), node.start, int(fen)), abs(int(fen)))
        if value != value.to_integral_value():
            raise self.err(node, f"expected a whole number here, found {self.src(node)}")
        if expect not in (None, "int"):
            raise self.err(node, f"expected {_NAMES[str(expect)]}, found a number")
        return self.bounded(node, ir.Const("int", self.src(node), node.start, int(value)), abs(int(value)))

    def _string(self, node: ast.String, expect: ir.Type | None) -> ir.Expr:
        return ir.Const("str", self.src(node), node.start, node.value)

    def _boolean(self, node: ast.Boolean, expect: ir.Type | None) -> ir.Expr:
        return ir.Const("bool", self.src(node), node.start, node.value)

    def _today(self, node: ast.Today, expect: ir.Type | None) -> ir.Expr:
        return self.bounded(node, ir.TodayRef("date", self.src(node), node.start), DATE_BOUND)

    def _name(self, node: ast.Name, expect: ir.Type | None) -> ir.Expr:
        fact = self.facts.get(node.name)
        if fact is None:
            hint = suggest(node.name, self.facts)
            extra = f" (did you mean {hint}?)" if hint else ""
            if node.name in self.params:
                extra = f' (write param("{node.name}") for a parameter)'
            raise self.err(node, f"unknown fact {node.name!r}{extra}")
        t: ir.Type = "money" if fact.type == "money" else fact.type
        expr = ir.FactRef(t, self.src(node), node.start, fact.name)
        bound = {"money": MAX_MONEY_FEN, "int": MAX_INT, "date": DATE_BOUND}.get(t, 0)
        return self.bounded(node, expr, bound)

    def _listexpr(self, node: ast.ListExpr, expect: ir.Type | None) -> ir.Expr:
        raise self.err(node, "a list can only follow 'in'")

    def _unary(self, node: ast.Unary, expect: ir.Type | None) -> ir.Expr:
        if node.op == "not":
            operand = self.check(node.operand, "bool")
            self.want(node.operand, operand, "bool")
            return ir.Not("bool", self.src(node), node.start, operand)
        operand = self.check(node.operand, expect)
        if operand.type not in ("int", "money", "rate"):
            raise self.err(node, f"cannot negate {_NAMES[operand.type]}")
        if isinstance(operand, ir.Const) and isinstance(operand.value, int | Fraction):
            return self.bounded(
                node, ir.Const(operand.type, self.src(node), node.start, -operand.value), self.bound(operand)
            )
        return self.bounded(
            node, ir.Neg(operand.type, self.src(node), node.start, operand), self.bound(operand)
        )

    def want(self, node: ast.Node, expr: ir.Expr, t: ir.Type) -> None:
        if expr.type != t:
            raise self.err(node, f"expected {_NAMES[t]}, found {_NAMES[expr.type]} ({self.src(node)})")

    def pair(self, node: ast.Binary, expect: ir.Type | None = None) -> tuple[ir.Expr, ir.Expr]:
        """Check both sides; a bare number takes the type of the other side."""
        if _is_literal(node.left) and not _is_literal(node.right):
            right = self.check(node.right, expect)
            left = self.check(node.left, right.type)
        elif _is_literal(node.right) and not _is_literal(node.left):
            left = self.check(node.left, expect)
            right = self.check(node.right, left.type)
        else:
            left = self.check(node.left, expect)
            right = self.check(node.right, left.type if _is_literal(node.right) else expect)
        return left, right

    def _binary(self, node: ast.Binary, expect: ir.Type | None) -> ir.Expr:
        op, src, start = node.op, self.src(node), node.start
        if op in ("and", "or"):
            left = self.check(node.left, "bool")
            self.want(node.left, left, "bool")
            right = self.check(node.right, "bool")
            self.want(node.right, right, "bool")
            return ir.Logic("bool", src, start, op, left, right)  # type: ignore[arg-type]
        if op in ("in", "notin"):
            return self._in(node)
        if op in ("==", "!=", "<", "<=", ">", ">="):
            left, right = self.pair(node)
            if left.type != right.type:
                raise self.err(node, f"cannot compare {_NAMES[left.type]} with {_NAMES[right.type]}")
            if op not in ("==", "!=") and left.type not in _ORDERED:
                raise self.err(node, f"{_NAMES[left.type]} values cannot be ordered with {op}")
            return ir.Compare("bool", src, start, op, left, right)
        if op in ("+", "-"):
            return self._additive(node, expect)
        if op == "*":
            return self._multiply(node, expect)
        return self._divide(node, expect)

    def _additive(self, node: ast.Binary, expect: ir.Type | None) -> ir.Expr:
        op: Any = node.op  # "+" or "-"
        src, start = self.src(node), node.start
        left = self.check(node.left, expect if not _is_literal(node.left) else None)
        if left.type == "date":
            right = self.check(node.right, "int" if _is_literal(node.right) else None)
            if right.type == "int":
                return self.bounded(
                    node, ir.Arith("date", src, start, op, left, right), DATE_BOUND + self.bound(right)
                )
            if right.type == "date" and op == "-":
                return self.bounded(node, ir.Arith("int", src, start, "-", left, right), 2 * DATE_BOUND)
            raise self.err(node, "a date takes + or − a number of days, or − another date")
        left, right = self.pair(node, expect)
        if left.type == "int" and right.type == "date" and op == "+":
            return self.bounded(
                node, ir.Arith("date", src, start, "+", right, left), DATE_BOUND + self.bound(left)
            )
        if left.type != right.type or left.type not in ("int", "money", "rate"):
            raise self.err(
                node,
                f"cannot {'add' if op == '+' else 'subtract'} {_NAMES[right.type]} and {_NAMES[left.type]}",
            )
        if left.type == "rate":
            self.want_const(node, left, right)
            return self.bounded(
                node, ir.RateOp("rate", src, start, op, left, right), self.bound(left) + self.bound(right)
            )
        return self.bounded(
            node,
            ir.Arith(left.type, src, start, op, left, right),
            self.bound(left) + self.bound(right),
        )

    def want_const(self, node: ast.Node, *exprs: ir.Expr) -> None:
        for e in exprs:
            if not self.is_const(e):
                raise self.err(node, "a rate cannot depend on a fact; rates are numbers or parameters")

    def _multiply(self, node: ast.Binary, expect: ir.Type | None) -> ir.Expr:
        src, start = self.src(node), node.start
        left, right = self._operands_for_product(node)
        types = {left.type, right.type}
        if types == {"money", "rate"}:
            money, rate = (left, right) if left.type == "money" else (right, left)
            self.want_const(node, rate)
            bound = self.bound(money) * self.bound(rate) + 1
            return self.bounded(node, ir.MulRate("money", src, start, money, rate), bound)
        if types == {"money", "int"} or types == {"int"}:
            t: ir.Type = "money" if "money" in types else "int"
            return self.bounded(
                node, ir.Arith(t, src, start, "*", left, right), self.bound(left) * self.bound(right)
            )
        if types == {"rate"}:
            self.want_const(node, left, right)
            return self.bounded(
                node, ir.RateOp("rate", src, start, "*", left, right), self.bound(left) * self.bound(right)
            )
        raise self.err(node, f"cannot multiply {_NAMES[left.type]} by {_NAMES[right.type]}")

    def _operands_for_product(self, node: ast.Binary) -> tuple[ir.Expr, ir.Expr]:
        # A bare number beside money or an int is an int if whole, else a rate.
        if _is_literal(node.left) and not _is_literal(node.right):
            right = self.check(node.right, None)
            return self.check(node.left, "rate" if right.type == "rate" else None), right
        left = self.check(node.left, None)
        return left, self.check(node.right, "rate" if left.type == "rate" else None)

    def _divide(self, node: ast.Binary, expect: ir.Type | None) -> ir.Expr:
        src, start = self.src(node), node.start
        left = self.check(node.left, None)
        right = self.check(node.right, "rate" if _is_literal(node.right) else None)
        if right.type not in ("int", "rate") or not self.is_const(right):
            raise self.err(node.right, "divide only by a constant number or parameter")
        if isinstance(right, ir.Const) and right.value == 0:
            raise self.err(node.right, "division by zero")
        if right.type == "int":
            right = (
                ir.Const("rate", right.src, right.start, right.value)
                if isinstance(right, ir.Const)
                else right
            )
        one = ir.Const("rate", "1", start, Fraction(1))
        # Bound of 1/x is unknown for parameters: assume the divisor is at least 1/MAX_RATE_TERM.
        inv_bound = Fraction(MAX_RATE_TERM)  # a parameter divisor: assume it is at least 1/MAX_RATE_TERM
        if isinstance(right, ir.Const) and isinstance(right.value, Fraction | int) and right.value != 0:
            inv_bound = 1 / min(abs(Fraction(right.value)), Fraction(1))
        inverse = self.bounded(
            node,
            ir.RateOp("rate", src, start, "/", one, right),
            min(Fraction(inv_bound), Fraction(MAX_RATE_TERM)),
        )
        if left.type == "money":
            return self.bounded(
                node,
                ir.MulRate("money", src, start, left, inverse),
                self.bound(left) * self.bound(inverse) + 1,
            )
        if left.type == "rate":
            self.want_const(node, left)
            return self.bounded(
                node,
                ir.RateOp("rate", src, start, "*", left, inverse),
                self.bound(left) * self.bound(inverse),
            )
        raise self.err(node, f"cannot divide {_NAMES[left.type]}; only money and rates divide")

    def _in(self, node: ast.Binary) -> ir.Expr:
        operand = self.check(node.left, None)
        if operand.type not in ("str", "int"):
            raise self.err(node.left, f"'in' works on text or whole numbers, not {_NAMES[operand.type]}")
        assert isinstance(node.right, ast.ListExpr)
        values: list[object] = []
        for item in node.right.items:
            value = self.check(item, operand.type)
            if not isinstance(value, ir.Const) or value.type != operand.type:
                raise self.err(item, f"list items must be {_NAMES[operand.type]} literals")
            values.append(value.value)
        if not values:
            raise self.err(node.right, "empty list")
        return ir.InList("bool", self.src(node), node.start, operand, tuple(values), node.op == "notin")

    def _call(self, node: ast.Call, expect: ir.Type | None) -> ir.Expr:
        f, args, src, start = node.func, node.args, self.src(node), node.start
        if f not in _FUNCTIONS:
            raise self.err(node, f"unknown function {f!r} (known: {', '.join(_FUNCTIONS)})")
        if f in ("min", "max"):
            if len(args) < 2:
                raise self.err(node, f"{f}() needs at least two values")
            typed: list[ir.Expr | None] = [None if _is_literal(a) else self.check(a, expect) for a in args]
            t = next((e.type for e in typed if e is not None), expect or "int")
            checked = [e if e is not None else self.check(a, t) for a, e in zip(args, typed, strict=True)]
            for a, e in zip(args, checked, strict=True):
                if e.type != t:
                    raise self.err(a, f"{f}() values must all be {_NAMES[t]}, this is {_NAMES[e.type]}")
            if t not in ("int", "money", "date", "rate"):
                raise self.err(node, f"{f}() works on numbers, money and dates")
            if t == "rate":
                self.want_const(node, *checked)
            minmax: Any = f
            return self.bounded(
                node, ir.MinMax(t, src, start, minmax, tuple(checked)), max(self.bound(e) for e in checked)
            )
        if f in ("param", "rate", "scale", "date"):
            if not args or not isinstance(args[0], ast.String):
                raise self.err(node, f'{f}() takes a quoted name first, e.g. {f}("...")')
            name = args[0].value
            if f == "date":
                if len(args) != 1:
                    raise self.err(node, "date() takes one argument")
                try:
                    day = dt.date.fromisoformat(name)
                except ValueError:
                    raise self.err(args[0], f"not a date (YYYY-MM-DD): {name!r}") from None
                return self.bounded(node, ir.Const("date", src, start, day), DATE_BOUND)
            info = self.params.get(name)
            if info is None:
                known = ", ".join(sorted(self.params)) or "none declared"
                raise self.err(args[0], f"unknown parameter {name!r} (declared: {known})")
            if f == "scale":
                if info.type != "scale" or len(args) != 2:
                    raise self.err(
                        node, 'scale() takes a scale parameter and a whole number: scale("name", x)'
                    )
                operand = self.check(args[1], "int")
                self.want(args[1], operand, "int")
                return self.bounded(node, ir.Scale("money", src, start, name, operand), info.bound)
            if len(args) != 1:
                raise self.err(node, f"{f}() takes one argument")
            if info.type == "scale":
                raise self.err(node, f'{name!r} is a scale table; use scale("{name}", value)')
            if f == "rate" and info.type != "rate":
                raise self.err(node, f"{name!r} is a {info.type} parameter, not a rate")
            return self.bounded(node, ir.ParamRef(info.type, src, start, name), info.bound)
        if f == "year":
            if len(args) != 1:
                raise self.err(node, "year() takes one date")
            operand = self.check(args[0], "date")
            self.want(args[0], operand, "date")
            return self.bounded(node, ir.Year("int", src, start, operand), 10_000)
        # known(fact)
        if len(args) != 1 or not isinstance(args[0], ast.Name):
            raise self.err(node, "known() takes one fact name, e.g. known(project.year)")
        fact = self.check(args[0], None)
        assert isinstance(fact, ir.FactRef)
        return ir.Known("bool", src, start, fact.name)


def decimal_to_fen(value: Decimal) -> int:
    fen = value * 100
    if fen != fen.to_integral_value():
        raise RuleError(f"money has at most two decimal places: {value}")
    return int(fen)

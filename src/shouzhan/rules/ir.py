"""The typed tree every back end runs (interpreter, Polars, Spark).

Built by `types.check` from a syntax tree. Each node knows its type, the text it came
from (for traces) and, for numbers, a bound on its magnitude so the checker can prove
that 64-bit integer arithmetic in the batch back ends never overflows.

Value representation, the same in every back end:
  money → integer fen; int → integer; date → date (days since 1970-01-01 in batch);
  rate → exact Fraction, always a constant for a given evaluation date (it never
  depends on a fact, so batch engines see it as two integer literals).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

Type = Literal["bool", "int", "money", "rate", "str", "date"]


@dataclass(frozen=True, slots=True, eq=False)
class Expr:
    type: Type
    src: str = field(repr=False)  # the expression text this node was written as
    start: int = field(repr=False)  # offset of src inside the whole expression text

    def children(self) -> tuple[Expr, ...]:
        return ()

    def walk(self) -> Iterator[Expr]:
        yield self
        for child in self.children():
            yield from child.walk()

    def facts(self) -> set[str]:
        return {n.name for n in self.walk() if isinstance(n, FactRef)}


@dataclass(frozen=True, slots=True, eq=False)
class Const(Expr):
    value: object  # int (money fen/int), Fraction, str, bool, date


@dataclass(frozen=True, slots=True, eq=False)
class FactRef(Expr):
    name: str


@dataclass(frozen=True, slots=True, eq=False)
class ParamRef(Expr):
    name: str


@dataclass(frozen=True, slots=True, eq=False)
class TodayRef(Expr):
    pass


@dataclass(frozen=True, slots=True, eq=False)
class Not(Expr):
    operand: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True, eq=False)
class Neg(Expr):
    operand: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True, eq=False)
class Logic(Expr):
    op: Literal["and", "or"]
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True, eq=False)
class Compare(Expr):
    op: str  # == != < <= > >=
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True, eq=False)
class InList(Expr):
    operand: Expr
    values: tuple[object, ...]
    negated: bool

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True, eq=False)
class Arith(Expr):
    """+ - and exact * (int×int, money×int); dates: date±int, date−date (days)."""

    op: Literal["+", "-", "*"]
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True, eq=False)
class MulRate(Expr):
    """money × rate, rounded to the fen, half away from zero (the language's one rounding)."""

    money: Expr
    rate: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.money, self.rate)


@dataclass(frozen=True, slots=True, eq=False)
class RateOp(Expr):
    """Constant rate arithmetic (rate+rate, rate×rate, 1/rate …), exact."""

    op: Literal["+", "-", "*", "/"]
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True, eq=False)
class MinMax(Expr):
    op: Literal["min", "max"]
    args: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.args


@dataclass(frozen=True, slots=True, eq=False)
class Scale(Expr):
    """A bracket table parameter: the value of the highest threshold ≤ operand, else 0."""

    param: str
    operand: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True, eq=False)
class Year(Expr):
    operand: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True, eq=False)
class Known(Expr):
    """known(fact): true when the fact is present; never unknown itself."""

    name: str


def is_leaf_condition(node: Expr) -> bool:
    """Boolean nodes a trace lists one by one (everything but and/or/not)."""
    return node.type == "bool" and not isinstance(node, Logic | Not)


RateValue = Fraction

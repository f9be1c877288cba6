"""Recursive-descent (Pratt) parser: rule expression text → syntax tree.

The syntax tree only records what was written and where; `types.py` checks it against
the vocabulary and turns it into the typed tree the back ends run.

Grammar, lowest precedence first::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("=="|"!="|"<"|"<="|">"|">=") sum | ["not"] "in" list)?
    sum     := product (("+"|"-") product)*
    product := unary (("*"|"/") unary)*
    unary   := "-" unary | primary
    primary := NUMBER | PERCENT | STRING | "true" | "false" | "today"
             | NAME | NAME "(" args ")" | "(" expr ")" | list
    list    := "[" (expr ("," expr)*)? "]"
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from shouzhan.rules.errors import RuleError
from shouzhan.rules.lexer import Token, tokenize

MAX_DEPTH: Final = 50
MAX_LIST_ITEMS: Final = 100


@dataclass(frozen=True, slots=True)
class Node:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Number(Node):
    value: Decimal
    percent: bool


@dataclass(frozen=True, slots=True)
class String(Node):
    value: str


@dataclass(frozen=True, slots=True)
class Boolean(Node):
    value: bool


@dataclass(frozen=True, slots=True)
class Today(Node):
    pass


@dataclass(frozen=True, slots=True)
class Name(Node):
    name: str


@dataclass(frozen=True, slots=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ListExpr(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "not" or "-"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str  # and or == != < <= > >= + - * / in notin
    left: Node
    right: Node


_COMPARE: Final = frozenset({"==", "!=", "<", "<=", ">", ">="})


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, kind: str, text: str | None = None) -> bool:
        tok = self.tok
        return tok.kind == kind and (text is None or tok.text == text)

    def expect(self, kind: str, text: str) -> Token:
        if not self.at(kind, text):
            raise RuleError(f"expected {text!r}, found {self._describe(self.tok)}", offset=self.tok.start)
        return self.advance()

    @staticmethod
    def _describe(tok: Token) -> str:
        return "end of expression" if tok.kind == "EOF" else repr(tok.text)

    def enter(self) -> None:
        # Bounded depth: deep nesting is refused, not a RecursionError.
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RuleError(f"expression nested too deeply (limit {MAX_DEPTH})", offset=self.tok.start)

    def parse(self) -> Node:
        if self.at("EOF"):
            raise RuleError("empty expression", offset=0)
        node = self.expr()
        if not self.at("EOF"):
            raise RuleError(f"unexpected {self._describe(self.tok)}", offset=self.tok.start)
        return node

    def expr(self) -> Node:
        self.enter()
        try:
            return self.or_()
        finally:
            self.depth -= 1

    def or_(self) -> Node:
        left = self.and_()
        while self.at("KEYWORD", "or"):
            self.advance()
            right = self.and_()
            left = Binary(left.start, right.end, "or", left, right)
        return left

    def and_(self) -> Node:
        left = self.not_()
        while self.at("KEYWORD", "and"):
            self.advance()
            right = self.not_()
            left = Binary(left.start, right.end, "and", left, right)
        return left

    def not_(self) -> Node:
        if self.at("KEYWORD", "not"):
            tok = self.advance()
            self.enter()
            try:
                operand = self.not_()
            finally:
                self.depth -= 1
            return Unary(tok.start, operand.end, "not", operand)
        return self.compare()

    def compare(self) -> Node:
        left = self.sum()
        tok = self.tok
        if tok.kind == "OP" and tok.text in _COMPARE:
            self.advance()
            right = self.sum()
            node: Node = Binary(left.start, right.end, tok.text, left, right)
        elif self.at("KEYWORD", "in") or (
            self.at("KEYWORD", "not")
            and self.tokens[self.i + 1].kind == "KEYWORD"
            and self.tokens[self.i + 1].text == "in"
        ):
            op = "in"
            if self.advance().text == "not":
                self.advance()
                op = "notin"
            right = self.list_()
            node = Binary(left.start, right.end, op, left, right)
        else:
            return left
        nxt = self.tok
        if nxt.kind == "OP" and nxt.text in _COMPARE:
            raise RuleError("comparisons cannot be chained; join them with 'and'", offset=nxt.start)
        return node

    def sum(self) -> Node:
        left = self.product()
        while self.tok.kind == "OP" and self.tok.text in ("+", "-"):
            op = self.advance().text
            right = self.product()
            left = Binary(left.start, right.end, op, left, right)
        return left

    def product(self) -> Node:
        left = self.unary()
        while self.tok.kind == "OP" and self.tok.text in ("*", "/"):
            op = self.advance().text
            right = self.unary()
            left = Binary(left.start, right.end, op, left, right)
        return left

    def unary(self) -> Node:
        if self.at("OP", "-"):
            tok = self.advance()
            self.enter()
            try:
                operand = self.unary()
            finally:
                self.depth -= 1
            return Unary(tok.start, operand.end, "-", operand)
        return self.primary()

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind in ("NUMBER", "PERCENT"):
            self.advance()
            assert tok.number is not None
            return Number(tok.start, tok.end, tok.number, tok.kind == "PERCENT")
        if tok.kind == "STRING":
            self.advance()
            return String(tok.start, tok.end, tok.text)
        if tok.kind == "KEYWORD" and tok.text in ("true", "false"):
            self.advance()
            return Boolean(tok.start, tok.end, tok.text == "true")
        if tok.kind == "KEYWORD" and tok.text == "today":
            self.advance()
            return Today(tok.start, tok.end)
        if tok.kind == "NAME":
            self.advance()
            if self.at("OP", "("):
                self.advance()
                args: list[Node] = []
                if not self.at("OP", ")"):
                    args.append(self.expr())
                    while self.at("OP", ","):
                        self.advance()
                        if len(args) >= MAX_LIST_ITEMS:
                            raise RuleError("too many arguments", offset=self.tok.start)
                        args.append(self.expr())
                close = self.expect("OP", ")")
                return Call(tok.start, close.end, tok.text, tuple(args))
            return Name(tok.start, tok.end, tok.text)
        if self.at("OP", "("):
            self.advance()
            inner = self.expr()
            self.expect("OP", ")")
            return inner
        if self.at("OP", "["):
            return self.list_()
        raise RuleError(f"expected a value, found {self._describe(tok)}", offset=tok.start)

    def list_(self) -> ListExpr:
        open_ = self.expect("OP", "[")
        items: list[Node] = []
        if not self.at("OP", "]"):
            items.append(self.expr())
            while self.at("OP", ","):
                self.advance()
                if self.at("OP", "]"):  # trailing comma
                    break
                if len(items) >= MAX_LIST_ITEMS:
                    raise RuleError(f"list too long (limit {MAX_LIST_ITEMS} items)", offset=self.tok.start)
                items.append(self.expr())
        close = self.expect("OP", "]")
        return ListExpr(open_.start, close.end, tuple(items))


def parse(source: str) -> Node:
    """Parse one expression; raises RuleError (with `offset`) on any problem."""
    if not isinstance(source, str):
        raise RuleError("an expression must be text")
    return _Parser(source).parse()

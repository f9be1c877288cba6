"""Tokenizer for rule expressions.

Hand-written and bounded: rule text is data from a policy office, never Python, so the
lexer accepts only the small alphabet of the rule language and refuses the rest with a
position. Dotted names (`enterprise.district`) are one token: a dot is not an operator,
so there is no attribute access to abuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from shouzhan.rules.errors import RuleError

MAX_EXPRESSION_CHARS: Final = 4000
MAX_TOKENS: Final = 1000
MAX_STRING_CHARS: Final = 200
MAX_LITERAL: Final = Decimal(10) ** 15  # larger than any sum of money a rule may name
MAX_FRACTION_DIGITS: Final = 6

KEYWORDS: Final = frozenset({"and", "or", "not", "in", "true", "false", "today"})
OPERATORS: Final = ("==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",")

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_NUMBER = re.compile(r"[0-9][0-9_]*(?:\.[0-9][0-9_]*)?")
_SCALE_SUFFIX: Final = {"万": 10_000, "亿": 100_000_000}
_QUOTES: Final = {'"': '"', "'": "'", "“": "”", "‘": "’"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # NAME, NUMBER, PERCENT, STRING, OP, KEYWORD, EOF
    text: str
    start: int
    end: int
    number: Decimal | None = None


def tokenize(source: str) -> list[Token]:
    if len(source) > MAX_EXPRESSION_CHARS:
        raise RuleError(
            f"expression too long ({len(source)} characters, limit {MAX_EXPRESSION_CHARS})", offset=0
        )
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch in " \t\r\n":
            i += 1
            continue
        if len(tokens) >= MAX_TOKENS:
            raise RuleError(f"expression has too many tokens (limit {MAX_TOKENS})", offset=i)
        if ch.isascii() and (ch.isalpha() or ch == "_"):
            m = _NAME.match(source, i)
            assert m is not None
            text = m.group()
            if "__" in text:
                raise RuleError(f"names may not contain '__': {text!r}", offset=i)
            kind = "KEYWORD" if text in KEYWORDS else "NAME"
            tokens.append(Token(kind, text, i, m.end()))
            i = m.end()
            continue
        if ch.isascii() and ch.isdigit():
            m = _NUMBER.match(source, i)
            assert m is not None
            tokens.append(_number(source, m.group(), i, m.end()))
            i = tokens[-1].end
            continue
        if ch in _QUOTES:
            close = _QUOTES[ch]
            j = source.find(close, i + 1)
            if j < 0:
                raise RuleError("unterminated string", offset=i)
            text = source[i + 1 : j]
            if len(text) > MAX_STRING_CHARS:
                raise RuleError(f"string too long (limit {MAX_STRING_CHARS} characters)", offset=i)
            if "\n" in text:
                raise RuleError("a string may not span lines", offset=i)
            tokens.append(Token("STRING", text, i, j + 1))
            i = j + 1
            continue
        for op in OPERATORS:
            if source.startswith(op, i):
                tokens.append(Token("OP", op, i, i + len(op)))
                i += len(op)
                break
        else:
            hint = ""
            if ch == "=":
                hint = " (use == to compare)"
            elif ch == ".":
                hint = " (there is no attribute access; facts are written enterprise.district)"
            elif ch == "&" or ch == "|":
                hint = " (use and / or)"
            raise RuleError(f"unexpected character {ch!r}{hint}", offset=i)
    tokens.append(Token("EOF", "", n, n))
    return tokens


def _number(source: str, digits: str, start: int, end: int) -> Token:
    if digits.endswith("_") or "__" in digits or "_." in digits or "._" in digits:
        raise RuleError(f"malformed number {digits!r}", offset=start)
    value = Decimal(digits.replace("_", ""))
    kind = "NUMBER"
    suffix = source[end : end + 1]
    if suffix in _SCALE_SUFFIX:  # 1000万 reads as it does in the policy text
        value *= _SCALE_SUFFIX[suffix]
        end += 1
    elif suffix == "%":
        value /= 100
        kind = "PERCENT"
        end += 1
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if abs(value) > MAX_LITERAL:
        raise RuleError(f"number too large: {source[start:end]} (limit {MAX_LITERAL:,})", offset=start)
    if -exponent > MAX_FRACTION_DIGITS + (2 if kind == "PERCENT" else 0):
        raise RuleError(f"number has too many decimal places: {source[start:end]}", offset=start)
    if end < len(source) and (source[end].isalnum() or source[end] == "_") and source[end].isascii():
        raise RuleError(f"malformed number {source[start : end + 1]!r}", offset=start)
    return Token(kind, source[start:end], start, end, value)

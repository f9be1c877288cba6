"""Rule files (YAML, one per policy document) → checked Policy / Clause objects.

The loader works on PyYAML's node tree rather than plain dicts so that every error can
name the file, the clause and the line/column, down to the character inside a
multi-line expression. Unknown keys are errors (a typo must not silently drop a rule),
and numbers are read from their text as Decimal, never through float.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, Final, Literal

import yaml

from shouzhan.rules import ir, types
from shouzhan.rules import parser as ast
from shouzhan.rules.errors import RuleError
from shouzhan.rules.money import fen_to_yuan
from shouzhan.rules.vocabulary import MAX_INT, Fact

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
MAX_FILE_CHARS: Final = 1_000_000

CAP_PERIODS: Final = ("once", "project", "work", "course", "event", "year", "item_per_year")
DECISIONS: Final = ("formula", "caseworker", "in_kind")
ParamValue = Fraction | int | tuple[tuple[int, int], ...]


# --------------------------------------------------------------------------- model
@dataclass(frozen=True, slots=True)
class Expression:
    """A checked expression and where its text sits in the rule file."""

    source: str
    tree: ir.Expr
    file: str
    line: int
    column: int
    offsets: tuple[tuple[int, int], ...] = field(repr=False, default=())  # per char: (line, col)

    def position(self, offset: int) -> tuple[int, int]:
        if 0 <= offset < len(self.offsets):
            return self.offsets[offset]
        return self.line, self.column


@dataclass(frozen=True, slots=True)
class DatedValue:
    start: dt.date
    value: ParamValue


def param_number(params: Mapping[str, ParamValue], name: str, on: dt.date) -> Fraction | int:
    """A number parameter's value on `on`, as the batch compilers fold it (RuleError when it has none)."""
    value = params.get(name)
    if value is None or isinstance(value, tuple):
        raise RuleError(f"parameter {name!r} has no value on {on}")
    return value


def param_scale(params: Mapping[str, ParamValue], name: str, on: dt.date) -> tuple[tuple[int, int], ...]:
    """A scale parameter's brackets (threshold, fen) on `on` (RuleError when it has none)."""
    table = params.get(name)
    if not isinstance(table, tuple):
        raise RuleError(f"scale {name!r} has no value on {on}")
    return table


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    type: types.ParamType
    label_zh: str
    label_en: str
    values: tuple[DatedValue, ...]  # sorted by start
    note: str = ""

    def at(self, on: dt.date) -> ParamValue | None:
        found: ParamValue | None = None
        for v in self.values:
            if v.start <= on:
                found = v.value
        return found

    def info(self) -> types.ParamInfo:
        bound = Fraction(0)
        for v in self.values:
            if isinstance(v.value, tuple):
                bound = max([bound, *(Fraction(abs(fen)) for _, fen in v.value)])
            else:
                bound = max(bound, abs(Fraction(v.value)))
        return types.ParamInfo(self.type, bound)


@dataclass(frozen=True, slots=True)
class Cap:
    fen: int
    per: str

    def to_dict(self) -> dict[str, str]:
        return {"yuan": fen_to_yuan(self.fen), "per": self.per}


@dataclass(frozen=True, slots=True)
class Modifier:
    id: str
    title: str
    text: str
    clauses: tuple[str, ...]
    condition: Expression
    bonus: Fraction  # +50% → 1/2, applied to the (capped) clause amount
    note: str = ""


@dataclass(frozen=True, slots=True)
class PushTerms:
    """How the proactive push treats a clause (the `push:` mapping of a clause; all optional)."""

    offer: bool = True  # False: never offered proactively (e.g. a clause that needs an open call first)
    expires_after_days: int = 30  # working days an offer waits for the enterprise's confirmation
    fast_track_days: int = 5  # working days the fast-track case has, from the confirmation


@dataclass(frozen=True, slots=True)
class Clause:
    id: str
    policy_id: str
    title: str
    text: str
    condition: Expression
    applies_to: Expression | None
    amount: Expression | None
    decision: Literal["formula", "caseworker", "in_kind"]
    cap: Cap | None
    stacking_group: str | None
    effective_from: dt.date
    effective_to: dt.date | None
    note: str
    file: str
    line: int
    modifiers: tuple[Modifier, ...] = ()
    push: PushTerms = PushTerms()

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def expressions(self) -> list[Expression]:
        """Every expression deciding this clause: its own, and its modifiers' conditions."""
        own = [self.applies_to, self.condition, self.amount, *(m.condition for m in self.modifiers)]
        return [e for e in own if e is not None]

    def facts(self) -> set[str]:
        """The facts this clause's own expressions read (its policy's applies_to not included)."""
        names: set[str] = set()
        for e in self.expressions():
            names |= e.tree.facts() | {n.name for n in e.tree.walk() if isinstance(n, ir.Known)}
        return names

    def reads_project(self) -> bool:
        """True when the clause is about a project (it reads project facts): it is decided per project."""
        return any(name.startswith("project.") for name in self.facts())

    def reads_person(self) -> bool:
        """True when the clause is about a person (it reads person facts): it is decided per talent record,
        never over an enterprise's facts alone (where every person fact would be unknown)."""
        return any(name.startswith("person.") for name in self.facts())


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    title: str
    short_title: str
    issuer: str
    effective_from: dt.date
    effective_to: dt.date | None
    source: dict[str, str]
    applies_to: Expression | None
    note: str
    service_limits: dict[str, dict[str, Any]]
    parameters: dict[str, Parameter]
    stacking_groups: dict[str, dict[str, str]]
    clauses: tuple[Clause, ...]
    modifiers: tuple[Modifier, ...]
    file: str
    text: str = field(repr=False)

    def params_at(self, on: dt.date) -> dict[str, ParamValue]:
        values: dict[str, ParamValue] = {}
        for name, p in self.parameters.items():
            v = p.at(on)
            if v is not None:
                values[name] = v
        return values


@dataclass(frozen=True)
class Catalogue:
    policies: tuple[Policy, ...]

    @property
    def clauses(self) -> tuple[Clause, ...]:
        return tuple(c for p in self.policies for c in p.clauses)

    def policy(self, policy_id: str) -> Policy:
        for p in self.policies:
            if p.id == policy_id:
                return p
        raise KeyError(policy_id)

    def clause(self, clause_id: str) -> Clause:
        for c in self.clauses:
            if c.id == clause_id:
                return c
        raise KeyError(clause_id)

    def policy_of(self, clause: Clause) -> Policy:
        return self.policy(clause.policy_id)

    def select(self, keep: Callable[[Clause], bool]) -> Catalogue:
        """The same catalogue with only the clauses `keep` accepts (a policy left with none is dropped)."""
        policies = []
        for p in self.policies:
            clauses = tuple(c for c in p.clauses if keep(c))
            if clauses:
                policies.append(dataclasses.replace(p, clauses=clauses))
        return Catalogue(tuple(policies))

    def facts(self) -> set[str]:
        """Every fact any clause reads (the batch engines load only these columns)."""
        names: set[str] = set()
        for p in self.policies:
            exprs = [p.applies_to, *(m.condition for m in p.modifiers)]
            for c in p.clauses:
                exprs += [c.applies_to, c.condition, c.amount]
            for e in exprs:
                if e is not None:
                    names |= e.tree.facts() | {n.name for n in e.tree.walk() if isinstance(n, ir.Known)}
        return names

    @classmethod
    def from_text(cls, text: str, filename: str = "<text>") -> Catalogue:
        return cls((load_policy(text, filename),))

    @classmethod
    def from_policies(cls, policies: Iterable[Policy]) -> Catalogue:
        policies = tuple(policies)
        seen: dict[str, str] = {}
        for p in policies:
            if p.id in seen:
                raise RuleError(f"policy id {p.id!r} also used in {seen[p.id]}", file=p.file)
            seen[p.id] = p.file
            for c in p.clauses:
                if c.id in seen:
                    raise RuleError(
                        f"clause id {c.id!r} also used in {seen[c.id]}", file=p.file, line=c.line, clause=c.id
                    )
                seen[c.id] = p.file
        return cls(policies)


def load_catalogue(path: str | Path) -> Catalogue:
    """Load one rule file or every *.yaml / *.yml file in a directory (sorted by name)."""
    path = Path(path)
    if path.is_dir():
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        if not files:
            raise RuleError("no rule files (*.yaml) in this directory", file=str(path))
    elif path.is_file():
        files = [path]
    else:
        raise RuleError("no such file or directory", file=str(path))
    policies = []
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RuleError(f"cannot read: {exc}", file=str(f)) from None
        policies.append(load_policy(text, str(f)))
    return Catalogue.from_policies(policies)


# --------------------------------------------------------------------------- YAML nodes
class _Ctx:
    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.clause: str | None = None

    def err(self, node: yaml.Node | None, message: str) -> RuleError:
        line = node.start_mark.line + 1 if node is not None else None
        col = node.start_mark.column + 1 if node is not None else None
        return RuleError(message, file=self.file, clause=self.clause, line=line, column=col)

    def section(self, node: yaml.Node | None, what: str) -> list[tuple[yaml.Node, yaml.Node]]:
        """The key/value pairs of an optional section of the file (none when it is absent or null)."""
        if node is None or _is_null(node):
            return []
        if not isinstance(node, yaml.MappingNode):
            raise self.err(node, f"{what} must be a mapping")
        return list(node.value)

    def mapping(
        self, node: yaml.Node, what: str, allowed: Iterable[str], required: Iterable[str] = ()
    ) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.err(node, f"{what} must be a mapping (key: value)")
        out: dict[str, yaml.Node] = {}
        allowed = tuple(allowed)
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise self.err(k, f"{what}: keys must be text")
            if key in out:
                raise self.err(k, f"{what}: duplicate key {key!r}")
            if key not in allowed:
                raise self.err(k, f"{what}: unknown key {key!r} (allowed: {', '.join(allowed)})")
            out[key] = v
        for key in required:
            if key not in out or _is_null(out[key]):
                raise self.err(node, f"{what}: missing {key!r}")
        return out

    def seq(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.err(node, f"{what} must be a list")
        return list(node.value)

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.err(node, f"{what} must be a single value")
        return str(node.value)

    def text_(self, node: yaml.Node | None, what: str, default: str | None = None) -> str:
        if node is None or _is_null(node):
            if default is None:
                raise self.err(node, f"missing {what}")
            return default
        return self.scalar(node, what).strip()

    def date(self, node: yaml.Node | None, what: str) -> dt.date | None:
        if node is None or _is_null(node):
            return None
        raw = self.scalar(node, what)
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise self.err(node, f"{what}: not a date (YYYY-MM-DD): {raw!r}") from None

    def decimal(self, node: yaml.Node, what: str) -> Decimal:
        raw = self.scalar(node, what).strip().replace("_", "").replace(",", "")
        percent = raw.endswith("%")
        mult = Decimal(1)
        if raw.endswith("万"):
            raw, mult = raw[:-1], Decimal(10_000)
        try:
            value = Decimal(raw[:-1] if percent else raw) * mult
        except InvalidOperation:
            raise self.err(node, f"{what}: not a number: {node.value!r}") from None
        if not value.is_finite() or abs(value) > Decimal(10) ** 15:
            raise self.err(node, f"{what}: number out of range: {node.value!r}")
        return value / 100 if percent else value

    def fen(self, node: yaml.Node, what: str) -> int:
        fen = self.decimal(node, what) * 100
        if fen != fen.to_integral_value():
            raise self.err(node, f"{what}: money has at most two decimal places")
        return int(fen)

    def integer(self, node: yaml.Node, what: str) -> int:
        value = self.decimal(node, what)
        if value != value.to_integral_value() or abs(value) > MAX_INT:
            raise self.err(node, f"{what}: expected a whole number: {node.value!r}")
        return int(value)

    def expression(
        self,
        node: yaml.Node,
        what: str,
        expect: ir.Type,
        params: dict[str, types.ParamInfo],
        facts: Mapping[str, Fact] | None = None,
    ) -> Expression:
        source = self.scalar(node, what)
        if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:str":
            source = str(node.value)  # `amount: 50000` is an expression too
        offsets = _offsets(self.text, node, source)
        try:
            tree = types.check(ast.parse(source), source, expect, params, facts)
        except RuleError as exc:
            line, col = (
                offsets[exc.offset]
                if exc.offset is not None and exc.offset < len(offsets)
                else (
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                )
            )
            raise exc.located(file=self.file, clause=self.clause, line=line, column=col) from None
        except RecursionError:
            raise self.err(node, f"{what}: expression nested too deeply") from None
        return Expression(
            source, tree, self.file, node.start_mark.line + 1, node.start_mark.column + 1, offsets
        )


# Other modules' data files (insight's chains and targets) read their YAML with the same checks and the
# same `file:line:column: reason` errors: `parse_yaml(text, file)` → nodes, `NodeReader(text, file)`.
NodeReader = _Ctx


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _offsets(text: str, node: yaml.Node, value: str) -> tuple[tuple[int, int], ...]:
    """Map each character of a scalar's value back to (line, column) in the file.

    Greedy alignment of the value against the raw text between the node's marks: it is
    exact for plain and block scalars and close for quoted ones, which is what an error
    message needs.
    """
    start, end = node.start_mark.index, node.end_mark.index
    raw = text[start:end] if 0 <= start <= end <= len(text) else ""
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    positions: list[tuple[int, int]] = []
    j = 0
    for ch in value:
        while j < len(raw) and raw[j] != ch:
            line, col = (line + 1, 1) if raw[j] == "\n" else (line, col + 1)
            j += 1
        positions.append((line, col))
        if j < len(raw):
            line, col = (line + 1, 1) if raw[j] == "\n" else (line, col + 1)
            j += 1
    if positions:  # one past the end, for "unexpected end of expression"
        last_line, last_col = positions[-1]
        positions.append((last_line, last_col + 1))
    return tuple(positions)


# --------------------------------------------------------------------------- loader
_POLICY_KEYS: Final = (
    "id",
    "title",
    "short_title",
    "issuer",
    "effective_from",
    "effective_to",
    "source",
    "applies_to",
    "note",
)
_CLAUSE_KEYS: Final = (
    "id",
    "title",
    "text",
    "applies_to",
    "condition",
    "amount",
    "decision",
    "cap",
    "stacking_group",
    "effective_from",
    "effective_to",
    "note",
    "push",
)

# What the proactive push (免申即享, the offers module) does with a clause unless its rule file says
# otherwise: offer it, expire an unconfirmed offer after 30 working days, and give the fast-track case
# that a confirmation opens 5 working days.
PUSH_DEFAULT_EXPIRES_DAYS: Final = 30
PUSH_DEFAULT_FAST_TRACK_DAYS: Final = 5


def load_policy(text: str, filename: str = "<text>") -> Policy:
    """Parse and check one rule file. Raises RuleError naming file, clause, line/column."""
    if len(text) > MAX_FILE_CHARS:
        raise RuleError(f"rule file too large (limit {MAX_FILE_CHARS} characters)", file=filename)
    ctx = _Ctx(text, filename)
    top = ctx.mapping(
        _compose(text, filename),
        "rule file",
        ("policy", "service_limits", "parameters", "stacking_groups", "clauses", "modifiers"),
        ("policy", "clauses"),
    )
    meta = ctx.mapping(top["policy"], "policy", _POLICY_KEYS, ("id", "title", "issuer", "effective_from"))
    policy_id, effective_from, effective_to = _policy_header(ctx, meta)

    parameters = _parameters(ctx, top.get("parameters"), effective_from)
    infos = {name: p.info() for name, p in parameters.items()}
    groups = _stacking_groups(ctx, top.get("stacking_groups"))

    ctx.clause = None
    applies_to = None
    if "applies_to" in meta and not _is_null(meta["applies_to"]):
        applies_to = ctx.expression(meta["applies_to"], "policy applies_to", "bool", infos)

    clauses, ids = _clauses(
        ctx,
        top["clauses"],
        lambda item: _clause(ctx, item, policy_id, effective_from, effective_to, infos, groups),
    )
    ctx.clause = None
    modifiers = _modifiers(ctx, top.get("modifiers"), policy_id, ids, infos)
    source = _source(ctx, meta)
    return Policy(
        id=policy_id,
        title=ctx.text_(meta["title"], "title"),
        short_title=ctx.text_(meta.get("short_title"), "short_title", ""),
        issuer=ctx.text_(meta["issuer"], "issuer"),
        effective_from=effective_from,
        effective_to=effective_to,
        source=source,
        applies_to=applies_to,
        note=ctx.text_(meta.get("note"), "note", ""),
        service_limits=_service_limits(ctx, top.get("service_limits")),
        parameters=parameters,
        stacking_groups=groups,
        clauses=_clauses_with_modifiers(clauses, modifiers),
        modifiers=tuple(modifiers),
        file=filename,
        text=text,
    )


def _compose(text: str, filename: str) -> yaml.Node:
    """The YAML node tree of a rule file (nodes keep their line numbers for the messages)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise RuleError(
            f"not valid YAML: {exc.problem or exc}", file=filename, line=line, column=col
        ) from None
    except yaml.YAMLError as exc:
        raise RuleError(f"not valid YAML: {exc}", file=filename) from None
    if root is None:
        raise RuleError("empty rule file", file=filename)
    return root


def _policy_header(ctx: _Ctx, meta: dict[str, yaml.Node]) -> tuple[str, dt.date, dt.date | None]:
    """The policy's id and the dates it is in force."""
    policy_id = ctx.text_(meta["id"], "policy id")
    if not _ID.match(policy_id):
        raise ctx.err(meta["id"], f"policy id {policy_id!r}: use lower-case letters, digits and _")
    effective_from = ctx.date(meta["effective_from"], "effective_from")
    assert effective_from is not None
    effective_to = ctx.date(meta.get("effective_to"), "effective_to")
    if effective_to is not None and effective_to < effective_from:
        raise ctx.err(meta["effective_to"], "effective_to is before effective_from")
    return policy_id, effective_from, effective_to


def _clauses(
    ctx: _Ctx, node: yaml.Node, clause: Callable[[yaml.Node], Clause]
) -> tuple[list[Clause], dict[str, int]]:
    """The policy's clauses, each read by `clause` (at least one, ids unique), and the line each id is on."""
    clauses = [clause(item) for item in ctx.seq(node, "clauses")]
    if not clauses:
        raise ctx.err(node, "a policy needs at least one clause")
    ids: dict[str, int] = {}
    for c in clauses:
        if c.id in ids:
            raise RuleError(
                f"duplicate clause id (first on line {ids[c.id]})", file=ctx.file, clause=c.id, line=c.line
            )
        ids[c.id] = c.line
    return clauses, ids


def _clauses_with_modifiers(clauses: list[Clause], modifiers: list[Modifier]) -> tuple[Clause, ...]:
    by_clause: dict[str, list[Modifier]] = {}
    for m in modifiers:
        for cid in m.clauses:
            by_clause.setdefault(cid, []).append(m)
    return tuple(_with_modifiers(c, tuple(by_clause.get(c.id, ()))) for c in clauses)


def _source(ctx: _Ctx, meta: dict[str, yaml.Node]) -> dict[str, str]:
    """Where the policy was published, as the file quotes it."""
    if "source" not in meta or _is_null(meta["source"]):
        return {}
    src_map = ctx.mapping(
        meta["source"], "policy source", ("publication", "date", "seed", "url", "document", "note")
    )
    return {k: ctx.text_(v, f"source {k}", "") for k, v in src_map.items()}


def _with_modifiers(c: Clause, modifiers: tuple[Modifier, ...]) -> Clause:
    from dataclasses import replace

    return replace(c, modifiers=modifiers)


def _parameters(ctx: _Ctx, node: yaml.Node | None, policy_start: dt.date) -> dict[str, Parameter]:
    if node is None or _is_null(node):
        return {}
    out: dict[str, Parameter] = {}
    for key_node, pnode in node.value if isinstance(node, yaml.MappingNode) else []:
        name = str(key_node.value)
        if not re.match(r"^[a-z][a-z0-9_]*$", name):
            raise ctx.err(key_node, f"parameter name {name!r}: use lower-case letters, digits and _")
        if name in out:
            raise ctx.err(key_node, f"duplicate parameter {name!r}")
        spec = ctx.mapping(
            pnode, f"parameter {name}", ("type", "label_zh", "label_en", "values", "note"), ("type", "values")
        )
        ptype = ctx.text_(spec["type"], "type")
        if ptype not in ("rate", "money", "int", "scale"):
            raise ctx.err(spec["type"], f"parameter {name}: type must be rate, money, int or scale")
        values: list[DatedValue] = []
        for vnode in ctx.seq(spec["values"], f"parameter {name} values"):
            keys = ("from", "brackets", "note") if ptype == "scale" else ("from", "value", "note")
            v = ctx.mapping(vnode, f"parameter {name} value", keys, keys[:2])
            start = ctx.date(v["from"], "from")
            assert start is not None
            value: ParamValue
            if ptype == "rate":
                dec = ctx.decimal(v["value"], f"parameter {name}")
                frac = Fraction(dec)
                if frac.numerator > types.MAX_RATE_TERM or frac.denominator > types.MAX_RATE_TERM:
                    raise ctx.err(v["value"], f"parameter {name}: rate too large or too precise")
                value = frac
            elif ptype == "money":
                value = ctx.fen(v["value"], f"parameter {name}")
            elif ptype == "int":
                value = ctx.integer(v["value"], f"parameter {name}")
            else:
                value = _brackets(ctx, v["brackets"], name)
            if values and start <= values[-1].start:
                raise ctx.err(v["from"], f"parameter {name}: dates must increase")
            values.append(DatedValue(start, value))
        if not values:
            raise ctx.err(spec["values"], f"parameter {name}: no values")
        if values[0].start > policy_start:
            raise ctx.err(
                spec["values"], f"parameter {name}: no value on the policy's effective_from {policy_start}"
            )
        out[name] = Parameter(
            name,
            ptype,  # type: ignore[arg-type]
            ctx.text_(spec.get("label_zh"), "label_zh", ""),
            ctx.text_(spec.get("label_en"), "label_en", ""),
            tuple(values),
            ctx.text_(spec.get("note"), "note", ""),
        )
    if not isinstance(node, yaml.MappingNode):
        raise ctx.err(node, "parameters must be a mapping of name: {type, values}")
    return out


def _brackets(ctx: _Ctx, node: yaml.Node, name: str) -> tuple[tuple[int, int], ...]:
    rows: list[tuple[int, int]] = []
    for b in ctx.seq(node, f"scale {name} brackets"):
        m = ctx.mapping(b, f"scale {name} bracket", ("at_least", "yuan", "note"), ("at_least", "yuan"))
        threshold = ctx.integer(m["at_least"], "at_least")
        if rows and threshold <= rows[-1][0]:
            raise ctx.err(m["at_least"], f"scale {name}: thresholds must increase")
        rows.append((threshold, ctx.fen(m["yuan"], "yuan")))
    if not rows:
        raise ctx.err(node, f"scale {name}: no brackets")
    return tuple(rows)


def _stacking_groups(ctx: _Ctx, node: yaml.Node | None) -> dict[str, dict[str, str]]:
    groups: dict[str, dict[str, str]] = {}
    for k, v in ctx.section(node, "stacking_groups"):
        spec = ctx.mapping(v, f"stacking group {k.value}", ("rule", "note"), ("rule",))
        rule = ctx.text_(spec["rule"], "rule")
        if rule not in ("stack", "exclusive"):
            raise ctx.err(
                spec["rule"],
                "stacking rule must be 'stack' (amounts add up) or 'exclusive' (one of the group)",
            )
        groups[str(k.value)] = {"rule": rule, "note": ctx.text_(spec.get("note"), "note", "")}
    return groups


def _service_limits(ctx: _Ctx, node: yaml.Node | None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for k, v in ctx.section(node, "service_limits"):
        spec = ctx.mapping(
            v,
            f"service limit {k.value}",
            ("working_days", "label_zh", "label_en", "text", "note"),
            ("working_days",),
        )
        out[str(k.value)] = {
            "working_days": ctx.integer(spec["working_days"], "working_days"),
            **{key: ctx.text_(spec.get(key), key, "") for key in ("label_zh", "label_en", "text", "note")},
        }
    return out


def _clause(
    ctx: _Ctx,
    node: yaml.Node,
    policy_id: str,
    policy_from: dt.date,
    policy_to: dt.date | None,
    infos: dict[str, types.ParamInfo],
    groups: dict[str, dict[str, str]],
) -> Clause:
    ctx.clause = None
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == "id" and isinstance(v, yaml.ScalarNode):
                ctx.clause = str(v.value)
    spec = ctx.mapping(node, "clause", _CLAUSE_KEYS, ("id", "text", "condition"))
    cid = ctx.text_(spec["id"], "id")
    if not _ID.match(cid) or not cid.startswith(policy_id + "."):
        raise ctx.err(spec["id"], f"clause id must be {policy_id}.<name> in lower case, found {cid!r}")
    decision = ctx.text_(spec.get("decision"), "decision", "formula")
    if decision not in DECISIONS:
        raise ctx.err(spec["decision"], f"decision must be one of {', '.join(DECISIONS)}")
    amount = None
    if "amount" in spec and not _is_null(spec["amount"]):
        if decision == "in_kind":
            raise ctx.err(spec["amount"], "an in_kind clause has no amount")
        amount = ctx.expression(spec["amount"], "amount", "money", infos)
    elif decision != "in_kind":
        raise ctx.err(node, "missing 'amount' (or say decision: in_kind for a benefit with no sum)")
    cap = None
    if "cap" in spec and not _is_null(spec["cap"]):
        cmap = ctx.mapping(spec["cap"], "cap", ("yuan", "per", "note"), ("yuan", "per"))
        per = ctx.text_(cmap["per"], "per")
        if per not in CAP_PERIODS:
            raise ctx.err(cmap["per"], f"cap per must be one of {', '.join(CAP_PERIODS)}")
        cap = Cap(ctx.fen(cmap["yuan"], "cap yuan"), per)
        if cap.fen <= 0:
            raise ctx.err(cmap["yuan"], "cap must be positive")
    if decision == "caseworker" and cap is None:
        raise ctx.err(node, "decision: caseworker needs a cap (the caseworker decides within it)")
    group = None
    if "stacking_group" in spec and not _is_null(spec["stacking_group"]):
        group = ctx.text_(spec["stacking_group"], "stacking_group")
        if group not in groups:
            raise ctx.err(
                spec["stacking_group"], f"unknown stacking group {group!r} (declare it under stacking_groups)"
            )
    eff_from = ctx.date(spec.get("effective_from"), "effective_from") or policy_from
    eff_to = ctx.date(spec.get("effective_to"), "effective_to") or policy_to
    if eff_from < policy_from:
        raise ctx.err(spec["effective_from"], "a clause cannot start before its policy")
    applies_to = None
    if "applies_to" in spec and not _is_null(spec["applies_to"]):
        applies_to = ctx.expression(spec["applies_to"], "applies_to", "bool", infos)
    return Clause(
        id=cid,
        policy_id=policy_id,
        title=ctx.text_(spec.get("title"), "title", ""),
        text=ctx.text_(spec["text"], "text"),
        condition=ctx.expression(spec["condition"], "condition", "bool", infos),
        applies_to=applies_to,
        amount=amount,
        decision=decision,  # type: ignore[arg-type]
        cap=cap,
        stacking_group=group,
        effective_from=eff_from,
        effective_to=eff_to,
        note=ctx.text_(spec.get("note"), "note", ""),
        file=ctx.file,
        line=node.start_mark.line + 1,
        push=_push_terms(ctx, spec.get("push")),
    )


def _push_terms(ctx: _Ctx, node: yaml.Node | None) -> PushTerms:
    if node is None or _is_null(node):
        return PushTerms(True, PUSH_DEFAULT_EXPIRES_DAYS, PUSH_DEFAULT_FAST_TRACK_DAYS)
    spec = ctx.mapping(node, "push", ("offer", "expires_after_days", "fast_track_days"), ())
    offer = True
    if "offer" in spec:
        text = ctx.text_(spec["offer"], "offer").lower()
        if text not in ("true", "false"):
            raise ctx.err(spec["offer"], "push offer must be true or false")
        offer = text == "true"
    days = {}
    for key, default in (
        ("expires_after_days", PUSH_DEFAULT_EXPIRES_DAYS),
        ("fast_track_days", PUSH_DEFAULT_FAST_TRACK_DAYS),
    ):
        days[key] = ctx.integer(spec[key], key) if key in spec else default
        if not 1 <= days[key] <= 250:
            raise ctx.err(spec[key], f"push {key} must be between 1 and 250 working days")
    return PushTerms(offer, days["expires_after_days"], days["fast_track_days"])


def _modifiers(
    ctx: _Ctx,
    node: yaml.Node | None,
    policy_id: str,
    clause_ids: dict[str, int],
    infos: dict[str, types.ParamInfo],
) -> list[Modifier]:
    if node is None or _is_null(node):
        return []
    out = []
    for mnode in ctx.seq(node, "modifiers"):
        spec = ctx.mapping(
            mnode,
            "modifier",
            ("id", "title", "text", "clauses", "condition", "bonus", "note"),
            ("id", "text", "clauses", "condition", "bonus"),
        )
        mid = ctx.text_(spec["id"], "id")
        ctx.clause = mid
        if not _ID.match(mid) or not mid.startswith(policy_id + "."):
            raise ctx.err(spec["id"], f"modifier id must be {policy_id}.<name>, found {mid!r}")
        targets = []
        for t in ctx.seq(spec["clauses"], "modifier clauses"):
            cid = ctx.scalar(t, "clause id")
            if cid not in clause_ids:
                raise ctx.err(t, f"modifier names unknown clause {cid!r}")
            targets.append(cid)
        bonus = Fraction(ctx.decimal(spec["bonus"], "bonus"))
        if not 0 < bonus <= 10:
            raise ctx.err(spec["bonus"], "bonus must be a positive rate such as 50%")
        out.append(
            Modifier(
                id=mid,
                title=ctx.text_(spec.get("title"), "title", ""),
                text=ctx.text_(spec["text"], "text"),
                clauses=tuple(targets),
                condition=ctx.expression(spec["condition"], "condition", "bool", infos),
                bonus=bonus,
                note=ctx.text_(spec.get("note"), "note", ""),
            )
        )
    ctx.clause = None
    return out


# --------------------------------------------------------------------------- diff
def diff_policies(old: Policy, new: Policy) -> list[dict[str, Any]]:
    """What changed between two versions of one rule file, for the policy officer's review."""
    changes: list[dict[str, Any]] = []

    def note(kind: str, ident: str, fld: str, a: object, b: object) -> None:
        if a != b:
            changes.append({"kind": kind, "id": ident, "field": fld, "old": _plain(a), "new": _plain(b)})

    for fld in (
        "id",
        "title",
        "short_title",
        "issuer",
        "effective_from",
        "effective_to",
        "note",
        "source",
        "service_limits",
    ):
        note("policy", old.id, fld, getattr(old, fld), getattr(new, fld))
    note("policy", old.id, "applies_to", _src(old.applies_to), _src(new.applies_to))
    for kind, a_items, b_items in (
        ("clause", {c.id: c for c in old.clauses}, {c.id: c for c in new.clauses}),
        ("modifier", {m.id: m for m in old.modifiers}, {m.id: m for m in new.modifiers}),
        ("parameter", old.parameters, new.parameters),
    ):
        for ident in a_items.keys() - b_items.keys():
            changes.append({"kind": kind, "id": ident, "field": None, "old": "present", "new": "removed"})
        for ident in b_items.keys() - a_items.keys():
            changes.append({"kind": kind, "id": ident, "field": None, "old": "absent", "new": "added"})
        for ident in sorted(a_items.keys() & b_items.keys()):
            a, b = a_items[ident], b_items[ident]
            for fld in _fields(a):
                note(kind, ident, fld, _field(a, fld), _field(b, fld))
    return changes


def _fields(obj: object) -> Iterator[str]:
    skip = {"file", "line", "modifiers", "policy_id", "text_", "name"}
    for fld in getattr(obj, "__dataclass_fields__", {}):
        if fld not in skip:
            yield fld


def _field(obj: object, fld: str) -> object:
    value = getattr(obj, fld)
    return _src(value) if isinstance(value, Expression) else value


def _src(e: Expression | None) -> str | None:
    return None if e is None else e.source.strip()


def _plain(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, Cap):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, DatedValue):
        return {"from": value.start.isoformat(), "value": _plain(value.value)}
    return value


parse_yaml = _compose

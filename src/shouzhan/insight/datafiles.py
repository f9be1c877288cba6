"""Read insight's data files — the chains (`data/chains/*.yaml`) and the targets (`data/targets.yaml`) — into
plain specs, refusing anything wrong with `file:line:column: reason` (the rules' YAML reader and errors):
an unknown key, a node named twice, an edge to an unknown node, a cycle in a chain that may have none, an
unknown sector, space kind or policy clause, a target whose definition does not type-check."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

import yaml

from shouzhan.insight.models import STAGE_ORDER, Target
from shouzhan.insight.vocabulary import facts_for
from shouzhan.rules.catalogue import NodeReader, parse_yaml
from shouzhan.rules.errors import RuleError

KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True)
class NodeSpec:
    key: str
    title: str
    stage: str
    description: str
    sectors: list[str]
    keywords: list[str]
    project_kinds: list[str]
    clauses: list[str]
    space_kinds: list[str]
    target_count: int
    line: int


@dataclass(frozen=True)
class ChainSpec:
    key: str
    title: str
    description: str
    acyclic: bool
    nodes: list[NodeSpec]
    edges: list[tuple[str, str, str]]  # (source, target, label)
    file: str
    digest: str


@dataclass(frozen=True)
class TargetSpec:
    key: str
    title: str
    description: str
    measure: str
    counts: str
    definition: str
    sum_fact: str
    goal: Decimal
    source: str
    line: int


@dataclass(frozen=True)
class TargetsSpec:
    title: str
    period_from: dt.date
    period_to: dt.date
    targets: list[TargetSpec] = field(default_factory=list)
    file: str = ""
    digest: str = ""


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _key(r: NodeReader, node: yaml.Node, what: str) -> str:
    value = r.text_(node, what)
    if not value or len(value) > 40 or not set(value) <= KEY_CHARS:
        raise r.err(node, f"{what} {value!r}: use 1–40 lower-case letters, digits and _")
    return value


def _words(
    r: NodeReader, node: yaml.Node | None, what: str, allowed: Collection[str] | None = None
) -> list[str]:
    if node is None:
        return []
    out: list[str] = []
    for item in r.seq(node, what):
        word = r.scalar(item, what).strip()
        if not word or len(word) > 60:
            raise r.err(item, f"{what}: an entry must be 1–60 characters")
        if allowed is not None and word not in allowed:
            raise r.err(item, f"{what}: unknown {word!r} (known: {', '.join(sorted(allowed))})")
        if word in out:
            raise r.err(item, f"{what}: {word!r} is listed twice")
        out.append(word)
    if len(out) > 50:
        raise r.err(node, f"{what}: at most 50 entries")
    return out


def load_chain(
    text: str,
    file: str,
    *,
    sectors: Collection[str],
    space_kinds: Collection[str],
    clauses: Collection[str] | None = None,
) -> ChainSpec:
    """One chain file. `clauses`: the policy clause ids a node may name (None: not checked)."""
    r = NodeReader(text, file)
    root = parse_yaml(text, file)
    top = r.mapping(root, "chain file", ("chain", "nodes", "edges"), ("chain", "nodes"))
    head = r.mapping(top["chain"], "chain", ("key", "title", "description", "acyclic"), ("key", "title"))
    acyclic_raw = r.text_(head.get("acyclic"), "acyclic", "true").lower()
    if acyclic_raw not in ("true", "false"):
        raise r.err(head["acyclic"], "acyclic: write true or false")
    nodes: list[NodeSpec] = []
    seen: dict[str, NodeSpec] = {}
    for item in r.seq(top["nodes"], "nodes"):
        m = r.mapping(
            item,
            "node",
            ("key", "title", "stage", "description", "sectors", "keywords", "project_kinds", "clauses",
             "space_kinds", "target_count"),
            ("key", "title", "stage"),
        )  # fmt: skip
        key = _key(r, m["key"], "node key")
        if key in seen:
            raise r.err(m["key"], f"node {key!r} is defined twice (first on line {seen[key].line})")
        stage = r.text_(m["stage"], "stage")
        if stage not in STAGE_ORDER:
            raise r.err(m["stage"], f"stage {stage!r}: use one of {', '.join(STAGE_ORDER)}")
        title = r.text_(m["title"], "title")
        if len(title) > 60:
            raise r.err(m["title"], "title: at most 60 characters")
        target = r.integer(m["target_count"], "target_count") if "target_count" in m else 0
        if not 0 <= target <= 100_000:
            raise r.err(m["target_count"], "target_count: a whole number from 0 to 100000")
        spec = NodeSpec(
            key=key,
            title=title,
            stage=stage,
            description=r.text_(m.get("description"), "description", ""),
            sectors=_words(r, m.get("sectors"), "sectors", sectors),
            keywords=_words(r, m.get("keywords"), "keywords"),
            project_kinds=_words(r, m.get("project_kinds"), "project_kinds"),
            clauses=_words(r, m.get("clauses"), "clauses", clauses),
            space_kinds=_words(r, m.get("space_kinds"), "space_kinds", space_kinds),
            target_count=target,
            line=item.start_mark.line + 1,
        )
        seen[key] = spec
        nodes.append(spec)
    if not nodes:
        raise r.err(top["nodes"], "a chain needs at least one node")
    edges: list[tuple[str, str, str]] = []
    edge_lines: dict[tuple[str, str], yaml.Node] = {}
    for item in r.seq(top["edges"], "edges") if "edges" in top else []:
        parts = r.seq(item, "edge")
        if len(parts) not in (2, 3):
            raise r.err(item, "an edge is [from, to] or [from, to, label]")
        source, target_key = (r.scalar(p, "edge").strip() for p in parts[:2])
        for part, name in zip(parts[:2], (source, target_key), strict=True):
            if name not in seen:
                raise r.err(part, f"edge names an unknown node {name!r}")
        if source == target_key:
            raise r.err(item, f"edge from {source!r} to itself")
        if (source, target_key) in edge_lines:
            raise r.err(item, f"edge {source} → {target_key} is listed twice")
        edge_lines[(source, target_key)] = item
        label = r.scalar(parts[2], "edge label").strip()[:60] if len(parts) == 3 else ""
        edges.append((source, target_key, label))
    acyclic = acyclic_raw == "true"
    if acyclic:
        cycle_edge = _closing_edge(edges)
        if cycle_edge is not None:
            path = " → ".join(cycle_edge[1])
            raise r.err(edge_lines[cycle_edge[0]], f"this edge closes a cycle ({path}); the chain is acyclic")
    return ChainSpec(
        key=_key(r, head["key"], "chain key"),
        title=r.text_(head["title"], "title")[:80],
        description=r.text_(head.get("description"), "description", ""),
        acyclic=acyclic,
        nodes=nodes,
        edges=edges,
        file=file,
        digest=digest(text),
    )


def _closing_edge(edges: list[tuple[str, str, str]]) -> tuple[tuple[str, str], list[str]] | None:
    """The first edge (in file order) that closes a cycle with the edges before it, and the cycle's path."""
    succ: dict[str, list[str]] = {}
    for source, target, _label in edges:
        # Is `source` reachable from `target` already? Then this edge closes a cycle.
        stack, parent = [target], {target: ""}
        while stack:
            at = stack.pop()
            if at == source:
                return (source, target), _cycle(parent, source, target)
            for nxt in succ.get(at, []):
                if nxt not in parent:
                    parent[nxt] = at
                    stack.append(nxt)
        succ.setdefault(source, []).append(target)
    return None


def _cycle(parent: dict[str, str], source: str, target: str) -> list[str]:
    """source → target → … → source, from the search's parent links (target … source)."""
    back = [source]
    while back[-1] != target:
        back.append(parent[back[-1]])
    return [source, *reversed(back)]


def load_targets(text: str, file: str) -> TargetsSpec:
    """The targets file: a title, the period, and each target's definition checked against its facts."""
    r = NodeReader(text, file)
    root = parse_yaml(text, file)
    top = r.mapping(root, "targets file", ("title", "period", "targets"), ("title", "period", "targets"))
    period = r.mapping(top["period"], "period", ("from", "to"), ("from", "to"))
    start, end = r.date(period["from"], "period from"), r.date(period["to"], "period to")
    assert start is not None and end is not None
    if end <= start:
        raise r.err(period["to"], "period: to must be after from")
    targets: list[TargetSpec] = []
    keys: set[str] = set()
    for item in r.seq(top["targets"], "targets"):
        m = r.mapping(
            item,
            "target",
            ("key", "title", "description", "measure", "counts", "definition", "sum", "goal", "source"),
            ("key", "title", "counts", "definition", "goal", "source"),
        )
        key = _key(r, m["key"], "target key")
        if key in keys:
            raise r.err(m["key"], f"target {key!r} is defined twice")
        keys.add(key)
        measure = r.text_(m.get("measure"), "measure", Target.Measure.COUNT)
        if measure not in Target.Measure.values:
            raise r.err(m["measure"], f"measure {measure!r}: use one of {', '.join(Target.Measure.values)}")
        counts = r.text_(m["counts"], "counts")
        if counts not in Target.Counts.values:
            raise r.err(m["counts"], f"counts {counts!r}: use one of {', '.join(Target.Counts.values)}")
        facts = facts_for(counts)
        try:
            definition = r.expression(m["definition"], "definition", "bool", {}, facts)
        except RuleError as exc:
            exc.message = f"target {key}: {exc.message}"
            raise
        sum_fact = ""
        if measure == Target.Measure.SHARE:
            if "sum" not in m:
                raise r.err(
                    item, "a share target names the money fact it sums (sum: enterprise.annual_revenue_yuan)"
                )
            sum_fact = r.text_(m["sum"], "sum")
            fact = facts.get(sum_fact)
            if fact is None or fact.type != "money":
                raise r.err(m["sum"], f"sum: {sum_fact!r} is not a money fact of a {counts}")
        elif "sum" in m:
            raise r.err(m["sum"], "sum: only a share target sums a fact")
        goal = r.decimal(m["goal"], "goal")
        if goal <= 0 or (measure == Target.Measure.COUNT and goal != goal.to_integral_value()):
            raise r.err(m["goal"], "goal: a positive whole number (a share: a percent such as 20%)")
        if measure == Target.Measure.SHARE:
            goal = goal * 100 if goal <= 1 else goal  # 20% is read as 0.2; keep percent points
        targets.append(
            TargetSpec(
                key=key,
                title=r.text_(m["title"], "title")[:80],
                description=r.text_(m.get("description"), "description", ""),
                measure=measure,
                counts=counts,
                definition=definition.source,
                sum_fact=sum_fact,
                goal=goal,
                source=r.text_(m["source"], "source")[:200],
                line=item.start_mark.line + 1,
            )
        )
    if not targets:
        raise r.err(top["targets"], "at least one target")
    return TargetsSpec(
        title=r.text_(top["title"], "title")[:120],
        period_from=start,
        period_to=end,
        targets=targets,
        file=file,
        digest=digest(text),
    )

"""Publishing the chains and the targets from their data files: a new version only when a file's text changed;
a file with an error publishes nothing and says file, line and reason (a ValidationError carrying it)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.insight import audit_actions as aa
from shouzhan.insight.datafiles import ChainSpec, TargetsSpec, load_chain, load_targets
from shouzhan.insight.models import ChainEdge, ChainNode, ChainVersion, Target, TargetVersion
from shouzhan.insight.permissions import require_manage
from shouzhan.policies import selectors as policy_selectors
from shouzhan.registry.choices import Sector
from shouzhan.rules.errors import RuleError
from shouzhan.spaces.models import Resource

DATA = Path(__file__).resolve().parent.parent / "data"
CHAINS = DATA / "chains"
TARGETS = DATA / "targets.yaml"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path.name}: cannot read: {exc}") from None


def known_clause_ids() -> set[str] | None:
    """The clause ids of the catalogue in force today, which a node may name; None (not checked) before any
    policy is published, so chains can be loaded first on a new install."""
    clauses = policy_selectors.catalogue_in_force(on=timezone.localdate()).clauses
    return {c.id for c in clauses} or None


def chain_parse(*, text: str, file: str) -> ChainSpec:
    """A chain file checked against the register's sectors, the spaces' kinds and the catalogue's clauses."""
    try:
        return load_chain(
            text,
            file,
            sectors=Sector.values,
            space_kinds=Resource.Kind.values,
            clauses=known_clause_ids(),
        )
    except RuleError as exc:
        raise ValidationError(str(exc)) from None


def targets_parse(*, text: str, file: str) -> TargetsSpec:
    try:
        return load_targets(text, file)
    except RuleError as exc:
        raise ValidationError(str(exc)) from None


@transaction.atomic
def chain_publish(*, actor: Actor, text: str, file: str) -> ChainVersion | None:
    """Publish one chain file as its next version; None when the latest version has the same text."""
    require_manage(actor)
    spec = chain_parse(text=text, file=file)
    latest = ChainVersion.objects.select_for_update().filter(chain=spec.key).order_by("-number").first()
    if latest is not None and latest.digest == spec.digest:
        return None
    version = ChainVersion.objects.create(
        chain=spec.key,
        number=(latest.number + 1) if latest else 1,
        title=spec.title,
        description=spec.description,
        acyclic=spec.acyclic,
        source_file=Path(file).name,
        digest=spec.digest,
        published_by=actor_user(actor),
    )
    ChainNode.objects.bulk_create(
        ChainNode(
            version=version, key=n.key, title=n.title, stage=n.stage, description=n.description,
            sectors=n.sectors, keywords=n.keywords, project_kinds=n.project_kinds, clauses=n.clauses,
            space_kinds=n.space_kinds, target_count=n.target_count, order=i,
        )
        for i, n in enumerate(spec.nodes)
    )  # fmt: skip
    ChainEdge.objects.bulk_create(
        ChainEdge(version=version, source=s, target=t, label=label) for s, t, label in spec.edges
    )
    transaction.on_commit(aa.chain_titles.cache_clear)  # the audit pages' words for chains and nodes
    audit_record(
        actor=actor,
        action=aa.CHAIN_PUBLISH,
        target=version,
        after={
            "chain": spec.key,
            "number": version.number,
            "nodes": len(spec.nodes),
            "edges": len(spec.edges),
        },
    )
    return version


@transaction.atomic
def targets_publish(*, actor: Actor, text: str, file: str) -> TargetVersion | None:
    """Publish the targets file as the next version; None when the latest version has the same text."""
    require_manage(actor)
    spec = targets_parse(text=text, file=file)
    latest = TargetVersion.objects.select_for_update().order_by("-number").first()
    if latest is not None and latest.digest == spec.digest:
        return None
    number = (TargetVersion.objects.aggregate(m=Max("number"))["m"] or 0) + 1
    version = TargetVersion.objects.create(
        number=number,
        title=spec.title,
        period_from=spec.period_from,
        period_to=spec.period_to,
        source_file=Path(file).name,
        digest=spec.digest,
        published_by=actor_user(actor),
    )
    Target.objects.bulk_create(
        Target(
            version=version, key=t.key, title=t.title, description=t.description, measure=t.measure,
            counts=t.counts, definition=t.definition, sum_fact=t.sum_fact, goal=t.goal, source=t.source, order=i,
        )
        for i, t in enumerate(spec.targets)
    )  # fmt: skip
    audit_record(
        actor=actor,
        action=aa.TARGETS_PUBLISH,
        target=version,
        after={"number": number, "targets": [t.key for t in spec.targets]},
    )
    return version


def insight_data_load(*, actor: Actor) -> dict[str, int]:
    """Every shipped chain file and the targets file; how many new versions were published."""
    chains = 0
    for path in sorted(CHAINS.glob("*.yaml")):
        chains += (
            chain_publish(actor=actor, text=_read(path), file=str(path.relative_to(DATA.parent))) is not None
        )
    targets = (
        targets_publish(actor=actor, text=_read(TARGETS), file=str(TARGETS.relative_to(DATA.parent)))
        is not None
    )
    return {"chains": chains, "targets": int(targets)}

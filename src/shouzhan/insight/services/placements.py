"""Where enterprises sit on the chains, and the relations between them: each write in its own transaction
with its audit entry, refused by `permissions.require_place` for anyone but a caseworker or an administrator.

- `placements_suggest` (re)writes the suggestions from the records (insight.suggest); a caseworker's
  decision — confirmed or rejected — is never overridden, and a chain an enterprise was confirmed on gets no
  further suggestion.
- `placement_decide` confirms, rejects or changes a placement (change: this one rejected, the enterprise
  confirmed on another node of the same chain), checked against the version the caseworker read.
- `placement_place` places an enterprise by hand (confirmed at once).
- `relation_record` / `relation_delete`: relations between two enterprises with where they were learnt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.core.errors import Conflict
from shouzhan.insight import audit_actions as aa
from shouzhan.insight.models import Placement, Relation
from shouzhan.insight.permissions import require_place
from shouzhan.insight.selectors import chains_current
from shouzhan.insight.suggest import (
    CHUNK,
    chains_facts,
    enterprise_facts_load,
    suggest_nodes,
    vocabulary_labels,
)
from shouzhan.registry.models import Enterprise

DECISIONS = ("confirm", "reject", "change")
NOTE_MAX = 200


def chain_nodes() -> dict[str, dict[str, str]]:
    """The chains in force: chain key → node key → node title (for checking and naming a node)."""
    return {v.chain: {n.key: n.title for n in v.nodes.all()} for v in chains_current()}


def _node_check(chain: str, node: str, *, field: str = "node") -> None:
    nodes = chain_nodes()
    if chain not in nodes:
        raise ValidationError({field: _("没有这条产业链。")})
    if node not in nodes[chain]:
        raise ValidationError({field: _("这条产业链没有这个环节。")})


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("说明最多 %(n)s 个字。") % {"n": NOTE_MAX}})
    return note


# ----------------------------------------------------------------------------- suggestions
@transaction.atomic
def placements_suggest(*, actor: Actor, enterprise_ids: Sequence[int] | None = None) -> int:
    """Suggest nodes for these enterprises (all when None); how many suggestions were created or changed.

    A suggestion no longer made is removed while it waits; a confirmed or rejected placement stays as
    decided, and a chain where the enterprise is confirmed gets no new suggestion."""
    require_place(actor)
    chains = chains_facts(chains_current())
    labels = vocabulary_labels()
    ids = (
        list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
        if enterprise_ids is None
        else sorted(set(enterprise_ids))
    )
    counts = {"enterprises": len(ids), "created": 0, "updated": 0, "removed": 0, "kept_decided": 0}
    for start in range(0, len(ids), CHUNK):
        _suggest_chunk(ids[start : start + CHUNK], chains, labels, counts)
    audit_record(
        actor=actor,
        action=aa.PLACEMENT_SUGGEST,
        target_type="insight.placement",
        target_label=_("企业链位推荐"),
        after=counts,
    )
    return counts["created"] + counts["updated"]


def _suggest_chunk(ids: list[int], chains: Any, labels: dict[str, str], counts: dict[str, int]) -> None:
    existing: dict[tuple[int, str, str], Placement] = {
        (p.enterprise_id, p.chain, p.node): p
        for p in Placement.objects.select_for_update().filter(enterprise_id__in=ids)
    }
    confirmed = {(e, c) for (e, c, _n), p in existing.items() if p.status == Placement.Status.CONFIRMED}
    wanted: set[tuple[int, str, str]] = set()
    create: list[Placement] = []
    for facts in enterprise_facts_load(ids):
        for s in suggest_nodes(facts, chains, labels=labels):
            key = (s.enterprise_id, s.chain, s.node)
            if (s.enterprise_id, s.chain) in confirmed:
                counts["kept_decided"] += 1
                continue
            placement = existing.get(key)
            if placement is None:
                wanted.add(key)
                create.append(
                    Placement(
                        enterprise_id=s.enterprise_id,
                        chain=s.chain,
                        node=s.node,
                        confidence=s.confidence,
                        evidence=s.evidence,
                    )
                )
            elif placement.status != Placement.Status.SUGGESTED:
                counts["kept_decided"] += 1  # rejected: the caseworker said no to this node
            else:
                wanted.add(key)
                if placement.confidence != s.confidence or placement.evidence != s.evidence:
                    placement.confidence, placement.evidence = s.confidence, s.evidence
                    placement.version += 1
                    placement.save(update_fields=["confidence", "evidence", "version"])
                    counts["updated"] += 1
    Placement.objects.bulk_create(create)
    counts["created"] += len(create)
    stale = [
        p.pk for key, p in existing.items() if p.status == Placement.Status.SUGGESTED and key not in wanted
    ]
    if stale:
        Placement.objects.filter(pk__in=stale).delete()
        counts["removed"] += len(stale)


# ----------------------------------------------------------------------------- decisions
def _state(p: Placement) -> dict[str, Any]:
    return {"chain": p.chain, "node": p.node, "status": p.status, "version": p.version}


def _confirm(p: Placement, *, user: Any, note: str) -> None:
    p.status = Placement.Status.CONFIRMED
    p.decided_by, p.decided_at, p.note = user, timezone.now(), note
    p.version += 1
    p.save(update_fields=["status", "decided_by", "decided_at", "note", "version"])


@transaction.atomic
def placement_decide(
    *,
    actor: Actor,
    placement: Placement,
    decision: str,
    expected_version: int,
    node: str = "",
    note: str = "",
) -> Placement:
    """Confirm, reject or change (to `node` of the same chain) a placement; the placement that now stands
    is returned (for a change, the enterprise's placement on the new node). Someone deciding first since
    `expected_version` was read is a Conflict: nothing is written."""
    require_place(actor)
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("请选择确认、否定或改到其他环节。")})
    note = _note(note)
    current = Placement.objects.select_for_update().select_related("enterprise").get(pk=placement.pk)
    if current.version != expected_version:
        raise Conflict(
            _("这条链位已被他人处理（现为“%(s)s”），请看当前状态后再决定。")
            % {"s": current.get_status_display()},
            detail=_state(current),
            api_error="The placement was decided by someone else meanwhile.",
        )
    user = actor_user(actor)
    before = _state(current)
    standing = current
    if decision == "change":
        if not node:
            raise ValidationError({"node": _("请选择要改到的环节。")})
        if node == current.node:
            raise ValidationError({"node": _("要改到的环节与原环节相同；请直接确认。")})
        _node_check(current.chain, node)
        current.status = Placement.Status.REJECTED
        current.decided_by, current.decided_at, current.note = user, timezone.now(), note
        current.version += 1
        current.save(update_fields=["status", "decided_by", "decided_at", "note", "version"])
        standing, _created = Placement.objects.select_for_update().get_or_create(
            enterprise_id=current.enterprise_id, chain=current.chain, node=node
        )
        _confirm(standing, user=user, note=note)
    elif decision == "confirm":
        _confirm(current, user=user, note=note)
    else:
        current.status = Placement.Status.REJECTED
        current.decided_by, current.decided_at, current.note = user, timezone.now(), note
        current.version += 1
        current.save(update_fields=["status", "decided_by", "decided_at", "note", "version"])
    audit_record(
        actor=actor,
        action=aa.PLACEMENT_DECIDE,
        target=current,
        target_label=current.enterprise.name,
        before=before,
        after={**_state(standing), "decision": decision},
        note=note,
        enterprise_id=current.enterprise_id,
    )
    return standing


@transaction.atomic
def placement_place(
    *, actor: Actor, enterprise: Enterprise, chain: str, node: str, note: str = ""
) -> Placement:
    """A caseworker places an enterprise on a node by hand: confirmed at once (a waiting suggestion or an
    earlier rejection of the same node becomes this confirmation)."""
    require_place(actor)
    note = _note(note)
    _node_check(chain, node)
    placement, created = Placement.objects.select_for_update().get_or_create(
        enterprise=enterprise, chain=chain, node=node
    )
    if not created and placement.status == Placement.Status.CONFIRMED:
        raise ValidationError({"node": _("该企业已确认在这个环节上。")})
    before = None if created else _state(placement)
    _confirm(placement, user=actor_user(actor), note=note)
    audit_record(
        actor=actor,
        action=aa.PLACEMENT_DECIDE,
        target=placement,
        target_label=enterprise.name,
        before=before,
        after={**_state(placement), "decision": "place"},
        note=note,
        enterprise_id=enterprise.pk,
    )
    return placement


# ----------------------------------------------------------------------------- relations
@transaction.atomic
def relation_record(
    *, actor: Actor, source: Enterprise, target: Enterprise, kind: str, source_note: str
) -> Relation:
    require_place(actor)
    if kind not in Relation.Kind.values:
        raise ValidationError({"kind": _("请选择关系类型。")})
    if source.pk == target.pk:
        raise ValidationError({"target": _("企业不能与自身登记关系，请选择另一家企业。")})
    source_note = (source_note or "").strip()
    if not source_note:
        raise ValidationError({"source_note": _("请写明这条关系从哪里得知（走访、合同、工商登记……）。")})
    if len(source_note) > NOTE_MAX:
        raise ValidationError({"source_note": _("来源最多 %(n)s 个字。") % {"n": NOTE_MAX}})
    if Relation.objects.filter(source=source, target=target, kind=kind).exists():
        raise ValidationError(
            _("“%(a)s”与“%(b)s”的“%(k)s”关系已登记过。")
            % {"a": source.name, "b": target.name, "k": Relation.Kind(kind).label}
        )
    relation = Relation.objects.create(
        source=source, target=target, kind=kind, source_note=source_note, recorded_by=actor_user(actor)
    )
    audit_record(
        actor=actor,
        action=aa.RELATION_RECORD,
        target=relation,
        target_label=f"{source.name} → {target.name}",
        after={"source": source.pk, "target": target.pk, "kind": kind, "source_note": source_note},
        enterprise_id=source.pk,
    )
    return relation


@transaction.atomic
def relation_delete(*, actor: Actor, relation: Relation) -> None:
    require_place(actor)
    before = {
        "source": relation.source_id,
        "target": relation.target_id,
        "kind": relation.kind,
        "source_note": relation.source_note,
    }
    label = f"{relation.source.name} → {relation.target.name}"
    audit_record(
        actor=actor,
        action=aa.RELATION_DELETE,
        target_type="insight.relation",
        target_id=relation.pk,
        target_label=label,
        before=before,
        enterprise_id=relation.source_id,
    )
    relation.delete()

"""Reads of the policy catalogue: what is in force on a date, the library, the calculator, a version's review."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan import rules
from shouzhan.core.actors import Actor
from shouzhan.policies.models import PolicyDocument, PolicyVersion
from shouzhan.policies.permissions import (
    can_apply_from_calculator,
    can_see_drafts,
    require_draft_review,
    require_version_read,
)
from shouzhan.registry.models import Enterprise, Project
from shouzhan.registry.permissions import member_enterprise_ids, require_enterprise_read
from shouzhan.rules.vocabulary import DISTRICTS, FACTS, SECTORS

STATUS_LABELS = {"eligible": "可申报", "not_eligible": "不符合", "unknown": "待补充信息"}


@lru_cache(maxsize=256)
def _parse(version_id: int, sha256: str, text: str, filename: str) -> rules.Policy:
    # Keyed by id and hash: a version's text never changes, so the parse is cached for the process.
    return rules.load_policy(text, filename)


def version_policy(version: PolicyVersion) -> rules.Policy:
    return _parse(
        version.pk, version.sha256, version.text, version.filename or f"{version.document.code}.yaml"
    )


def versions_in_force(*, on: dt.date) -> list[PolicyVersion]:
    """For each document, the published version with the latest effective date on or before `on`."""
    published = (
        PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED, effective_from__lte=on)
        .select_related("document")
        .order_by("document__code", "-effective_from")
    )
    chosen: dict[int, PolicyVersion] = {}
    for version in published:
        chosen.setdefault(version.document_id, version)
    return list(chosen.values())


_catalogue_lock = threading.Lock()
_catalogue_cache: dict[tuple[tuple[int, str], ...], rules.Catalogue] = {}


def _version_ids_in_force(*, on: dt.date) -> list[tuple[int, str]]:
    """versions_in_force's choice as (id, SHA-256) only: which versions are in force needs no rule texts."""
    published = (
        PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED, effective_from__lte=on)
        .order_by("document__code", "-effective_from")
        .values_list("pk", "document_id", "sha256")
    )
    chosen: dict[int, tuple[int, str]] = {}
    for pk, document_id, sha256 in published:
        chosen.setdefault(document_id, (pk, sha256))
    return list(chosen.values())


def catalogue_in_force(*, on: dt.date) -> rules.Catalogue:
    # Ids first: on every view but the first after a publication, the catalogue is cached and the rule
    # texts of every published version (superseded ones included) need not be read. The key has each
    # version's hash too: an id alone may come back with other text (a test database rolled back).
    chosen = _version_ids_in_force(on=on)
    key = tuple(sorted(chosen))
    with _catalogue_lock:
        cached = _catalogue_cache.get(key)
    if cached is not None:
        return cached
    ids = [pk for pk, _sha in chosen]
    by_id = PolicyVersion.objects.select_related("document").in_bulk(ids)
    versions = [by_id[pk] for pk in ids]
    catalogue = rules.Catalogue.from_policies(version_policy(v) for v in versions)
    with _catalogue_lock:
        if len(_catalogue_cache) > 64:
            _catalogue_cache.clear()
        _catalogue_cache[key] = catalogue
    return catalogue


# ----------------------------------------------------------------------------- the library
_QUOTED = re.compile(r'"([^"]*)"')


def _literals(source: str | None) -> set[str]:
    return set(_QUOTED.findall(source or ""))


def policy_districts(policy: rules.Policy) -> list[str]:
    """The districts whose enterprises a policy can apply to, read off its applies_to expression."""
    source = policy.applies_to.source if policy.applies_to is not None else ""
    if "enterprise.district" not in source:
        return list(DISTRICTS)
    named = [d for d in DISTRICTS if d in _literals(source)]
    return named or list(DISTRICTS)


def clause_sectors(clause: rules.Clause) -> list[str]:
    """Sectors a clause names in its condition; empty means it does not restrict the sector."""
    source = clause.condition.source if clause.condition is not None else ""
    if "enterprise.sector" not in source:
        return []
    return [s for s in SECTORS if s in _literals(source)]


@dataclass
class LibraryEntry:
    document: PolicyDocument
    version: PolicyVersion
    policy: rules.Policy
    districts: list[str]
    clauses: list[rules.Clause] = field(default_factory=list)


def policy_library(
    *, on: dt.date, q: str = "", issuer: str = "", district: str = "", sector: str = ""
) -> list[LibraryEntry]:
    entries: list[LibraryEntry] = []
    needle = q.strip().lower()
    for version in versions_in_force(on=on):
        policy = version_policy(version)
        if issuer and policy.issuer != issuer:
            continue
        districts = policy_districts(policy)
        if district and district not in districts:
            continue
        clauses = []
        for clause in policy.clauses:
            sectors = clause_sectors(clause)
            if sector and sectors and sector not in sectors:
                continue
            haystack = " ".join(
                [clause.id, clause.title, clause.text, clause.note, policy.title, policy.short_title]
            )
            if needle and needle not in haystack.lower():
                continue
            clauses.append(clause)
        if clauses:
            entries.append(LibraryEntry(version.document, version, policy, districts, clauses))
    return entries


def issuers() -> list[str]:
    return sorted(set(PolicyDocument.objects.exclude(issuer="").values_list("issuer", flat=True)))


def clause_get(*, clause_id: str, on: dt.date) -> tuple[rules.Policy, rules.Clause, PolicyVersion]:
    for version in versions_in_force(on=on):
        policy = version_policy(version)
        for clause in policy.clauses:
            if clause.id == clause_id:
                return policy, clause, version
    raise Http404(_("没有找到条款 %(id)s。") % {"id": clause_id})


def clause_heading(*, clause_id: str, on: dt.date | None = None) -> str:
    """ "<policy's short title> · <clause's title>" as pages and notices name a clause (never its id);
    "" for a clause not in the catalogue in force that day."""
    catalogue = catalogue_in_force(on=on or timezone.localdate())
    try:
        clause = catalogue.clause(clause_id)
    except KeyError:
        return ""
    policy = catalogue.policy_of(clause)
    return f"{policy.short_title or policy.title} · {clause.title}"


def document_get(*, code: str) -> PolicyDocument:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(PolicyDocument, code=code)


def document_versions(*, actor: Actor, document: PolicyDocument) -> list[PolicyVersion]:
    """Every version stays readable; drafts and withdrawn ones only to policy staff."""
    versions = document.versions.select_related("uploaded_by", "published_by")
    if not can_see_drafts(actor):
        versions = versions.filter(status=PolicyVersion.Status.PUBLISHED)
    return list(versions)


def version_get(*, actor: Actor, pk: int) -> PolicyVersion:
    version = PolicyVersion.objects.select_related("document").filter(pk=pk).first()
    if version is None:
        raise Http404(_("没有找到该版本。"))
    require_version_read(actor, version)
    return version


# ----------------------------------------------------------------------------- the calculator
@dataclass
class CalculatorResult:
    on: dt.date
    results: list[rules.ClauseResult]
    policies: dict[str, rules.Policy]
    catalogue: rules.Catalogue | None = None  # the one the results came from
    facts: dict[str, Any] = field(default_factory=dict)  # the nested facts it was computed from

    @property
    def eligible(self) -> list[rules.ClauseResult]:
        return [r for r in self.results if r.status == "eligible"]

    @property
    def unknown(self) -> list[rules.ClauseResult]:
        return [r for r in self.results if r.status == "unknown"]

    @property
    def missing_facts(self) -> list[str]:
        """Facts that would decide at least one clause, most decisive first."""
        counts: dict[str, int] = {}
        for r in self.results:
            for f in r.missing_facts:
                counts[f] = counts.get(f, 0) + 1
        return sorted(counts, key=lambda f: (-counts[f], f))

    @property
    def total_eligible_fen(self) -> int:
        return sum(r.max_amount_fen or 0 for r in self.eligible)


# (id of a catalogue, about a person) → (that catalogue, its clauses about people or not): the same object for
# every calculation on one catalogue, so the presenters' per-catalogue caches keep working.
_about_cache: dict[tuple[int, bool], tuple[rules.Catalogue, rules.Catalogue]] = {}


def _about(catalogue: rules.Catalogue, *, person: bool) -> rules.Catalogue:
    hit = _about_cache.get((id(catalogue), person))
    if hit is not None and hit[0] is catalogue:
        return hit[1]
    if len(_about_cache) >= 32:
        _about_cache.clear()
    selected = catalogue.select(lambda c: c.reads_person() == person)
    _about_cache[(id(catalogue), person)] = (catalogue, selected)
    return selected


def calculate(
    *, facts: dict[str, Any], on: dt.date, catalogue: rules.Catalogue | None = None
) -> CalculatorResult:
    """Every clause in force for one case (nested facts), with status, maximum, reasons and missing facts.
    A caller calculating several cases on one date passes the catalogue it read once.

    A person's clauses (they read `person.*`) are calculated only for facts that have a person: over an
    enterprise's facts alone every one of them would be "missing information" about nobody in particular.
    With a person, only theirs are calculated (`person_calculate`)."""
    catalogue = _about(catalogue or catalogue_in_force(on=on), person=bool(facts.get("person")))
    results = rules.explain(catalogue, facts, on)
    return CalculatorResult(
        on=on,
        results=results,
        policies={p.id: p for p in catalogue.policies},
        catalogue=catalogue,
        facts=facts,
    )


@dataclass
class CalculatorSubject:
    """Whose facts the calculator starts from, and whether the actor may apply from its result."""

    enterprise: Enterprise | None = None
    project: Project | None = None
    projects: list[Project] = field(default_factory=list)
    can_apply: bool = False


def calculator_subject(*, actor: Actor, enterprise: str = "", project: str = "") -> CalculatorSubject:
    """The enterprise asked for (someone else's is "not found", never silently replaced by one's own),
    else the actor's own; and its project asked for, else its newest (none when asked for "none")."""
    from shouzhan.registry import selectors as registry

    ids = member_enterprise_ids(actor)
    if enterprise:
        if not enterprise.isdigit():
            raise Http404(_("没有找到该企业。"))
        chosen = registry.enterprise_get(actor=actor, pk=int(enterprise))
    elif ids:
        chosen = registry.enterprise_get(actor=actor, pk=min(ids))
    else:
        return CalculatorSubject()
    projects = list(registry.project_list(actor=actor, enterprise=chosen).order_by("-year", "title"))
    picked = None
    if project.isdigit():
        picked = next((p for p in projects if p.pk == int(project)), None)
    elif project != "none" and projects:
        picked = projects[0]
    return CalculatorSubject(
        enterprise=chosen,
        project=picked,
        projects=projects,
        can_apply=can_apply_from_calculator(actor, chosen.pk),
    )


def enterprise_calculate(
    *, actor: Actor, enterprise: Enterprise, project: Project | None = None, on: dt.date
) -> CalculatorResult:
    from shouzhan.registry.selectors import enterprise_facts

    require_enterprise_read(actor, enterprise.pk)
    return calculate(facts=enterprise_facts(enterprise=enterprise, project=project), on=on)


def person_calculate(*, actor: Actor, record: Any, on: dt.date) -> tuple[CalculatorResult, Any]:
    """The calculator for a person: the clauses about people, over the facts of their talent record and their
    employer; and the talent category the rules gave, with its reasons (`registry.talent.facts`)."""
    from shouzhan.registry.talent.facts import person_facts
    from shouzhan.registry.talent.permissions import require_record_read

    require_record_read(actor, record)
    facts, category = person_facts(record=record, on=on)
    return calculate(facts=facts, on=on), category


def enterprise_matches(
    *, actor: Actor, enterprise: Enterprise, projects: Iterable[Project], on: dt.date
) -> list[dict[str, Any]]:
    """What the calculator says for the enterprise and each of the projects, one line each (the catalogue
    is read once, whatever the number of projects)."""
    from shouzhan.registry.selectors import enterprise_facts

    require_enterprise_read(actor, enterprise.pk)
    catalogue = catalogue_in_force(on=on)
    rows = []
    for project in [None, *projects]:
        facts = enterprise_facts(enterprise=enterprise, project=project)
        result = calculate(facts=facts, on=on, catalogue=catalogue)
        rows.append(
            {
                "project": project,
                "eligible": len(result.eligible),
                "unknown": len(result.unknown),
                "total_fen": result.total_eligible_fen,
            }
        )
    return rows


# ----------------------------------------------------------------------------- reviewing a draft
@dataclass
class ImpactRow:
    subject: str
    enterprise_id: int
    enterprise_name: str
    project_title: str
    clause_id: str
    old_status: str | None
    new_status: str | None
    old_fen: int | None
    new_fen: int | None


def version_review(*, actor: Actor, version: PolicyVersion, on: dt.date) -> dict[str, Any]:
    """The diff of a draft against the version in force, and every registered subject whose result changes."""
    require_draft_review(actor)
    new_policy = version_policy(version)
    current = next((v for v in versions_in_force(on=on) if v.document_id == version.document_id), None)
    old_policy = version_policy(current) if current is not None and current.pk != version.pk else None
    changes = rules.diff_policies(old_policy, new_policy) if old_policy is not None else []
    others = [version_policy(v) for v in versions_in_force(on=on) if v.document_id != version.document_id]
    old_cat = rules.Catalogue.from_policies([*others, *([old_policy] if old_policy else [])])
    new_cat = rules.Catalogue.from_policies([*others, new_policy])
    impact = _impact(old_cat, new_cat, on=on, policy_id=new_policy.id)
    return {"current": current, "policy": new_policy, "changes": changes, "impact": impact}


def _impact(old: rules.Catalogue, new: rules.Catalogue, *, on: dt.date, policy_id: str) -> list[ImpactRow]:
    import polars as pl

    from shouzhan.rules.batch import normalize_polars

    subjects, labels = registry_subjects()
    if not subjects:
        return []
    frame = normalize_polars(pl.DataFrame(subjects, schema={k: pl.String for k in subjects[0]}))
    key = ["id", "clause_id"]

    def run(catalogue: rules.Catalogue) -> pl.DataFrame:
        # The registry's subjects are enterprises and projects: a clause about a person is not decided here.
        out = rules.batch_polars(catalogue.select(lambda c: not c.reads_person()), frame, on)
        return out.filter(pl.col("clause_id").str.starts_with(policy_id + "."))

    joined = run(old).join(run(new), on=key, how="full", suffix="_new", coalesce=True)
    changed = joined.filter(
        pl.col("status").ne_missing(pl.col("status_new"))
        | pl.col("max_amount_fen").ne_missing(pl.col("max_amount_fen_new"))
    ).sort(key)
    rows = []
    for r in changed.iter_rows(named=True):
        enterprise_id, enterprise_name, project_title = labels[r["id"]]
        rows.append(
            ImpactRow(
                subject=r["id"],
                enterprise_id=enterprise_id,
                enterprise_name=enterprise_name,
                project_title=project_title,
                clause_id=r["clause_id"],
                old_status=r["status"],
                new_status=r["status_new"],
                old_fen=r["max_amount_fen"],
                new_fen=r["max_amount_fen_new"],
            )
        )
    return rows


def registry_subjects() -> tuple[list[dict[str, str | None]], dict[str, tuple[int, str, str]]]:
    """One row of facts (as text) per enterprise and project in the registry, for batch evaluation."""
    from shouzhan.registry.models import Enterprise
    from shouzhan.registry.selectors import enterprise_facts

    rows: list[dict[str, str | None]] = []
    labels: dict[str, tuple[int, str, str]] = {}
    for enterprise in Enterprise.objects.prefetch_related("projects"):
        projects: Iterable[Any] = list(enterprise.projects.all()) or [None]
        for project in projects:
            subject = f"{enterprise.pk}:{project.pk if project else 0}"
            nested = enterprise_facts(enterprise=enterprise, project=project)
            row: dict[str, str | None] = {"id": subject}
            for name in FACTS:
                entity, fact = name.split(".", 1)
                value = (nested.get(entity) or {}).get(fact)
                row[name] = _as_text(value)
            rows.append(row)
            labels[subject] = (enterprise.pk, enterprise.name, project.title if project else "")
    return rows, labels


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)

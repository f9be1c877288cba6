"""Reads of the registry, scoped to what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.models import AuditEntry
from shouzhan.core.money import format_yuan, yuan_decimal
from shouzhan.core.permissions import is_staff_member
from shouzhan.registry.choices import PROJECT_EXTRA_FACTS, STAGE_OFFERS, STAGE_ORDER, Sector, Stage
from shouzhan.registry.models import Enterprise, ImportJob, Person, Project
from shouzhan.registry.permissions import (
    can_read_import_job,
    can_write_enterprise,
    member_enterprise_ids,
    require_enterprise_read,
    require_register_read,
    scope_to_enterprises,
)


def enterprise_stats(*, actor: Actor) -> dict[str, Any]:
    """Counts for the staff workspace and dashboards: by sector, stage and district."""
    enterprises = scope_to_enterprises(actor, Enterprise.objects.all(), field="id")
    sector_labels = dict(Sector.choices)
    stage_labels = dict(Stage.choices)

    def grouped(field: str, labels: dict[str, Any] | None = None) -> list[tuple[str, int]]:
        rows = enterprises.order_by().values(field).annotate(n=Count("id")).order_by("-n", field)
        return [(str((labels or {}).get(r[field], r[field]) or "—"), r["n"]) for r in rows]

    by_stage = dict(grouped("stage"))
    return {
        "total": enterprises.count(),
        "one_person": enterprises.filter(is_one_person_company=True).count(),
        "in_cluster": enterprises.filter(in_cluster=True).count(),
        "by_sector": grouped("sector", sector_labels),
        "by_district": grouped("district"),
        "by_stage": [(str(stage_labels[s]), by_stage.get(s, 0)) for s in Stage.values],
    }


def _filter(
    enterprises: QuerySet[Enterprise],
    *,
    q: str = "",
    district: str = "",
    sector: str = "",
    stage: str = "",
    in_cluster: bool | None = None,
) -> QuerySet[Enterprise]:
    q = (q or "").strip()
    if q:
        enterprises = enterprises.filter(
            Q(name__icontains=q) | Q(credit_code__icontains=q.upper()) | Q(legal_representative__icontains=q)
        )
    if district:
        enterprises = enterprises.filter(district=district)
    if sector:
        enterprises = enterprises.filter(sector=sector)
    if stage:
        enterprises = enterprises.filter(stage=stage)
    if in_cluster is not None:
        enterprises = enterprises.filter(in_cluster=in_cluster)
    return enterprises


def enterprise_list(
    *,
    actor: Actor,
    q: str = "",
    district: str = "",
    sector: str = "",
    stage: str = "",
    in_cluster: bool | None = None,
) -> QuerySet[Enterprise]:
    """The centre's enterprise register with search (name, credit code, legal representative) and filters."""
    require_register_read(actor)
    return _filter(
        Enterprise.objects.all(), q=q, district=district, sector=sector, stage=stage, in_cluster=in_cluster
    )


def enterprise_visible(*, actor: Actor, **filters: Any) -> QuerySet[Enterprise]:
    """Staff: the register (filtered); everyone else: their own enterprises."""
    if is_staff_member(actor):
        return enterprise_list(actor=actor, **filters)
    return _filter(Enterprise.objects.filter(id__in=member_enterprise_ids(actor)), **filters)


def enterprise_get(*, actor: Actor, pk: int) -> Enterprise:
    """One enterprise, or 404 for anyone who may not read it (no hint that it exists)."""
    require_enterprise_read(actor, pk)
    try:
        return Enterprise.objects.select_related("organisation").get(pk=pk)
    except Enterprise.DoesNotExist as exc:
        raise Http404(_("没有找到该企业。")) from exc


def enterprise_has_accounts(*, credit_code: str) -> bool:
    """An enterprise with this credit code already has an organisation (a founder registered it)."""
    return Enterprise.objects.filter(credit_code=credit_code, organisation__isnull=False).exists()


def enterprise_can_edit(*, actor: Actor, enterprise: Enterprise) -> bool:
    return can_write_enterprise(actor, enterprise.pk)


ENTERPRISE_FACT_NAMES = (
    "district",
    "registered_on",
    "employees",
    "annual_revenue_yuan",
    "is_one_person_company",
    "sector",
    "in_cluster",
    "is_startup",
)
PROJECT_FACT_NAMES = (
    "kind",
    "rd_investment_yuan",
    "self_developed",
    "market_recognized",
    "national_selection",
    "excellent",
    "promotes_city_image",
    "trainees",
    "year",
)


def enterprise_facts(*, enterprise: Enterprise, project: Project | None = None) -> dict[str, Any]:
    """The facts the rules read, nested as {"enterprise": {...}, "project": {...}}; None means unknown.

    Money is a string of yuan ("1234.50"), dates ISO — exact, JSON-safe, never float.
    """
    e = enterprise
    facts: dict[str, Any] = {
        "enterprise": {
            "district": e.district or None,
            "registered_on": e.registered_on.isoformat() if e.registered_on else None,
            "employees": e.employees,
            "annual_revenue_yuan": None
            if e.annual_revenue_fen is None
            else str(yuan_decimal(e.annual_revenue_fen)),
            "is_one_person_company": e.is_one_person_company,
            "sector": e.sector or None,
            "in_cluster": e.in_cluster,
            "is_startup": e.is_startup,
        },
        "project": {},
    }
    if project is not None:
        p = project
        project_facts: dict[str, Any] = {
            "kind": p.kind or None,
            "rd_investment_yuan": None
            if p.rd_investment_fen is None
            else str(yuan_decimal(p.rd_investment_fen)),
            "self_developed": p.self_developed,
            "market_recognized": p.market_recognized,
            "national_selection": p.national_selection,
            "excellent": p.excellent,
            "promotes_city_image": p.promotes_city_image,
            "trainees": p.trainees,
            "year": p.year,
        }
        extra = p.extra_facts if isinstance(p.extra_facts, dict) else {}
        for name, _label, _type in PROJECT_EXTRA_FACTS:
            project_facts[name] = extra.get(name)
        facts["project"] = project_facts
    return facts


def _field_label(name: str) -> str:
    if name == "annual_revenue_yuan":
        return _("年营业收入（元）")
    return str(getattr(Enterprise._meta.get_field(name), "verbose_name", name))


def enterprise_profile(*, enterprise: Enterprise) -> list[dict[str, Any]]:
    """Every fact of the profile as rows for display: label, shown value, and whether it is known."""
    e = enterprise
    rows: list[dict[str, Any]] = []

    def add(name: str, value: Any, shown: str | None = None) -> None:
        known = value is not None and value != ""
        rows.append(
            {"name": name, "label": _field_label(name), "value": shown if known else None, "known": known}
        )

    add("credit_code", e.credit_code, e.credit_code)
    add("district", e.district, e.district)
    add("registered_on", e.registered_on, e.registered_on.isoformat() if e.registered_on else None)
    add("employees", e.employees, str(e.employees))
    add("annual_revenue_yuan", e.annual_revenue_fen, format_yuan(e.annual_revenue_fen))
    for name in ("is_one_person_company", "in_cluster", "is_startup"):
        value = getattr(e, name)
        add(name, value, None if value is None else (_("是") if value else _("否")))
    add("sector", e.sector, e.get_sector_display() if e.sector else None)
    add("legal_representative", e.legal_representative, e.legal_representative)
    add("address", e.address, e.address)
    add("phone", e.phone, e.phone)
    return rows


def enterprise_next_steps(*, enterprise: Enterprise) -> dict[str, Any]:
    """What is next: facts still missing, the next incubation stage and what the centre offers for it."""
    missing = [
        {"name": name, "label": _field_label(name)}
        for name in (*ENTERPRISE_FACT_NAMES, "credit_code")
        if (enterprise.annual_revenue_fen if name == "annual_revenue_yuan" else getattr(enterprise, name))
        in (None, "")
    ]
    index = STAGE_ORDER.index(enterprise.stage) if enterprise.stage in STAGE_ORDER else 0
    labels = dict(Stage.choices)
    next_stage = STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None
    stages = [
        {
            "code": code,
            "label": str(labels[code]),
            "state": "done" if i < index else ("current" if i == index else ""),
            "offer": str(STAGE_OFFERS.get(code, "")),
        }
        for i, code in enumerate(STAGE_ORDER)
    ]
    return {
        "missing": missing,
        "stage": enterprise.stage,
        "stage_label": str(labels.get(enterprise.stage, enterprise.stage)),
        "stages": stages,
        "next_stage": next_stage,
        "next_stage_label": str(labels[next_stage]) if next_stage else None,
        "offer": str(STAGE_OFFERS[next_stage]) if next_stage else _("已进入最后阶段：可申报出海类扶持政策"),
        "has_projects": enterprise.projects.exists(),
    }


def project_list(*, actor: Actor, enterprise: Enterprise) -> QuerySet[Project]:
    require_enterprise_read(actor, enterprise.pk)
    return Project.objects.filter(enterprise=enterprise)


def project_get(*, actor: Actor, enterprise: Enterprise, pk: int) -> Project:
    """A project of this enterprise, or 404 (also when it belongs to another enterprise)."""
    require_enterprise_read(actor, enterprise.pk)
    try:
        return Project.objects.get(pk=pk, enterprise=enterprise)
    except Project.DoesNotExist as exc:
        raise Http404(_("没有找到该项目。")) from exc


def person_list(*, actor: Actor, enterprise: Enterprise) -> QuerySet[Person]:
    require_enterprise_read(actor, enterprise.pk)
    return Person.objects.filter(enterprise=enterprise)


def person_get(*, actor: Actor, enterprise: Enterprise, pk: int) -> Person:
    require_enterprise_read(actor, enterprise.pk)
    try:
        return Person.objects.get(pk=pk, enterprise=enterprise)
    except Person.DoesNotExist as exc:
        raise Http404(_("没有找到该人员。")) from exc


def _history_label(name: str) -> tuple[str, bool]:
    """(label, is_money_in_fen) for an audit key of an enterprise, project or person."""
    for model in (Enterprise, Project, Person):
        try:
            field = model._meta.get_field(name.removesuffix("_id"))
        except Exception:  # noqa: S112 - try the next model
            continue
        label = str(getattr(field, "verbose_name", name))
        if name.endswith("_fen"):
            return label.replace(str(_("（分）")), str(_("（元）"))), True
        return label, False
    extra = {n: str(label) for n, label, _t in PROJECT_EXTRA_FACTS}
    return extra.get(name, name), False


def _show(value: Any, money: bool) -> str | None:
    if value is None:
        return None
    if money and isinstance(value, int):
        return format_yuan(value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dict):
        return "；".join(f"{_history_label(k)[0]}：{_show(v, False)}" for k, v in value.items()) or "—"
    return str(value)


def history_changes(entry: Any) -> list[dict[str, Any]]:
    """An audit entry's field-level changes with labels and shown values (before → after)."""
    rows = []
    for name, before, after in entry.changes:
        label, money = _history_label(name)
        rows.append(
            {"field": name, "label": label, "before": _show(before, money), "after": _show(after, money)}
        )
    return rows


def import_job_get(*, actor: Actor, pk: int) -> ImportJob:
    """An import job, for the user who started it (and administrators); 404 for anyone else."""
    job = ImportJob.objects.filter(pk=pk).first()
    if job is None or not can_read_import_job(actor, job):
        raise Http404(_("没有找到该导入任务。"))
    return job


def import_jobs_recent(*, actor: Actor, limit: int = 5) -> list[ImportJob]:
    """The user's latest background imports, newest first (the file bytes are not read)."""
    user = actor_user(actor)
    if user is None:
        return []
    return list(ImportJob.objects.filter(actor=user).defer("data", "report")[:limit])


def enterprise_history(*, actor: Actor, enterprise_id: int) -> QuerySet[AuditEntry]:
    """An enterprise's own change history: visible to its members and to staff (moved from core, #12)."""
    require_enterprise_read(actor, enterprise_id)
    return AuditEntry.objects.filter(enterprise_id=enterprise_id).select_related("actor")

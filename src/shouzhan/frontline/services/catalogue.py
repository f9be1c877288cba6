"""Departments and the dispatch catalogue (派单目录), versioned like the policy catalogue: a new version is
valid from a date, who published it and why is recorded, and a ticket keeps the limits it was sent under."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record, snapshot
from shouzhan.core.limits import required_text
from shouzhan.core.permissions import user_role
from shouzhan.core.workdays import DateOutOfRange, check_date
from shouzhan.frontline import audit_actions as aa
from shouzhan.frontline.models import (
    CoverageRule,
    Department,
    DepartmentMember,
    DispatchRule,
    DispatchVersion,
)
from shouzhan.frontline.permissions import MEMBER_ROLES, require_manage_catalogue
from shouzhan.frontline.services.common import optional_text

DATA = Path(__file__).resolve().parent.parent / "data"
MAX_RULES = 200
MAX_DAYS = 60
RULE_FIELDS = (
    "category",
    "label",
    "department",
    "accept_days",
    "resolve_days",
    "urgent_resolve_days",
    "keywords",
)


@transaction.atomic
def department_save(
    *, actor: Actor, key: str, name: str, kind: str = Department.Kind.REGULATOR, phone: str = ""
) -> Department:
    """Create a department, or change its name, kind and phone (by key)."""
    require_manage_catalogue(actor)
    key = required_text(key, field="key", limit=40, missing=_("请填写部门代码。"))
    name = required_text(name, field="name", limit=80, missing=_("请填写部门名称。"))
    if kind not in Department.Kind.values:
        raise ValidationError({"kind": [_("部门类型不正确。")]})
    department = Department.objects.select_for_update().filter(key=key).first()
    before = snapshot(department, ["name", "kind", "phone"]) if department else None
    if department is None:
        department = Department(key=key)
    department.name, department.kind, department.phone = (
        name,
        kind,
        optional_text(phone, field="phone", limit=40),
    )
    department.save()
    after = snapshot(department, ["name", "kind", "phone"])
    if before != after:
        audit_record(actor=actor, action=aa.DEPARTMENT_SAVE, target=department, before=before, after=after)
    return department


@transaction.atomic
def department_member_add(
    *, actor: Actor, department: Department, user: Any, role: str = DepartmentMember.Role.HANDLER
) -> DepartmentMember:
    require_manage_catalogue(actor)
    if role not in DepartmentMember.Role.values:
        raise ValidationError({"role": [_("部门角色不正确。")]})
    if user_role(user) not in MEMBER_ROLES:
        raise ValidationError({"user": [_("承办部门的成员须是部门工作人员、营商专员或管理员。")]})
    member, created = DepartmentMember.objects.get_or_create(
        department=department, user=user, defaults={"role": role}
    )
    if created or member.role != role:
        before = None if created else {"role": member.role}
        member.role = role
        member.save(update_fields=["role"])
        audit_record(
            actor=actor,
            action=aa.MEMBER_ADD,
            target=department,
            before=before,
            after={"user": str(user), "role": role},
        )
    return member


@transaction.atomic
def department_member_remove(*, actor: Actor, department: Department, user: Any) -> None:
    require_manage_catalogue(actor)
    deleted, _rows = DepartmentMember.objects.filter(department=department, user=user).delete()
    if deleted:
        audit_record(actor=actor, action=aa.MEMBER_REMOVE, target=department, before={"user": str(user)})


def _rule_clean(raw: Any, departments: dict[str, Department], row: int) -> dict[str, Any]:
    """One catalogue entry, checked; the message names the row."""
    where = _("第 %(n)s 条：") % {"n": row}
    if not isinstance(raw, dict):
        raise ValidationError({"rules": [where + _("格式不正确。")]})
    category = str(raw.get("category") or "").strip()
    label = str(raw.get("label") or "").strip()
    if not category or not label or len(category) > 40 or len(label) > 80:
        raise ValidationError({"rules": [where + _("请填写类别代码（最多40字）和类别名称（最多80字）。")]})
    department = departments.get(str(raw.get("department") or ""))
    if department is None:
        raise ValidationError(
            {"rules": [where + _("承办部门“%(d)s”不存在。") % {"d": raw.get("department")}]}
        )
    days: dict[str, int | None] = {}
    for name in ("accept_days", "resolve_days", "urgent_resolve_days"):
        value = raw.get(name)
        if value in (None, "") and name == "urgent_resolve_days":
            days[name] = None
            continue
        if isinstance(value, bool) or (not isinstance(value, int) and not str(value).isdigit()):
            raise ValidationError({"rules": [where + _("时限须为工作日天数（整数）。")]})
        number = int(str(value))
        if not 1 <= number <= MAX_DAYS:
            raise ValidationError(
                {"rules": [where + _("时限须在 1 至 %(max)s 个工作日之间。") % {"max": MAX_DAYS}]}
            )
        days[name] = number
    keywords = " ".join(str(raw.get("keywords") or "").split())[:500]
    return {"category": category, "label": label, "department": department, "keywords": keywords, **days}


@transaction.atomic
def dispatch_catalogue_publish(
    *, actor: Actor, valid_from: dt.date, rules: list[dict[str, Any]], note: str = "", source: str = ""
) -> DispatchVersion:
    """Publish a new version of the dispatch catalogue, valid from `valid_from`.

    `rules`: one dict per category (category, label, department key, accept_days, resolve_days,
    urgent_resolve_days, keywords). Every category once; every department existing.
    """
    require_manage_catalogue(actor)
    try:
        check_date(valid_from)
    except DateOutOfRange:
        raise ValidationError({"valid_from": [_("生效日期超出日历范围。")]}) from None
    if not isinstance(rules, list) or not rules:
        raise ValidationError({"rules": [_("派单目录至少要有一个类别。")]})
    if len(rules) > MAX_RULES:
        raise ValidationError({"rules": [_("派单目录最多 %(n)s 个类别。") % {"n": MAX_RULES}]})
    departments = {d.key: d for d in Department.objects.filter(active=True)}
    cleaned = [_rule_clean(raw, departments, i) for i, raw in enumerate(rules, start=1)]
    seen: set[str] = set()
    for i, rule in enumerate(cleaned, start=1):
        if rule["category"] in seen:
            raise ValidationError(
                {"rules": [_("第 %(n)s 条：类别“%(c)s”重复。") % {"n": i, "c": rule["label"]}]}
            )
        seen.add(rule["category"])
    number = (DispatchVersion.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0) + 1
    version = DispatchVersion.objects.create(
        number=number,
        valid_from=valid_from,
        note=optional_text(note, field="note", limit=500),
        published_by=actor_user(actor),
        source=source[:200],
    )
    DispatchRule.objects.bulk_create(DispatchRule(version=version, **rule) for rule in cleaned)
    audit_record(
        actor=actor,
        action=aa.CATALOGUE_PUBLISH,
        target=version,
        after={"valid_from": valid_from, "categories": len(cleaned), "note": version.note},
    )
    return version


def _rules_as_data(version: DispatchVersion | None) -> list[dict[str, Any]]:
    if version is None:
        return []
    return [
        {
            "category": r.category,
            "label": r.label,
            "department": r.department.key,
            "accept_days": r.accept_days,
            "resolve_days": r.resolve_days,
            "urgent_resolve_days": r.urgent_resolve_days,
            "keywords": r.keywords,
        }
        for r in version.rules.select_related("department").order_by("category")
    ]


@transaction.atomic
def frontline_data_load(*, actor: Actor, directory: Path = DATA) -> DispatchVersion | None:
    """Load the departments, the dispatch catalogue and the coverage rules from the data files.

    Idempotent: departments are saved by key; a catalogue the same as the latest version publishes
    nothing (returns None); a changed one is a new version.
    """
    data = yaml.safe_load((directory / "dispatch.yaml").read_text(encoding="utf-8"))
    for d in data.get("departments", []):
        department_save(
            actor=actor,
            key=d["key"],
            name=d["name"],
            kind=d.get("kind", "regulator"),
            phone=str(d.get("phone", "")),
        )
    for c in (yaml.safe_load((directory / "coverage.yaml").read_text(encoding="utf-8")) or {}).get(
        "rules", []
    ):
        coverage_rule_save(actor=actor, **c)
    latest = DispatchVersion.objects.order_by("-number").first()
    wanted = sorted(
        (
            {k: r.get(k) if k != "keywords" else " ".join(str(r.get(k) or "").split()) for k in RULE_FIELDS}
            for r in data["rules"]
        ),
        key=lambda r: str(r["category"]),
    )
    if latest is not None and _rules_as_data(latest) == wanted:
        return None
    valid_from = data.get("valid_from")
    if not isinstance(valid_from, dt.date):
        valid_from = dt.date.fromisoformat(str(valid_from))
    return dispatch_catalogue_publish(
        actor=actor,
        valid_from=valid_from,
        rules=list(data["rules"]),
        note=str(data.get("note", "")),
        source="frontline/data/dispatch.yaml",
    )


@transaction.atomic
def coverage_rule_save(
    *,
    actor: Actor,
    key: str,
    label: str,
    selector: dict[str, Any],
    period: str,
    at_least: int = 1,
    active: bool = True,
) -> CoverageRule:
    require_manage_catalogue(actor)
    if period not in CoverageRule.Period.values:
        raise ValidationError({"period": [_("周期不正确。")]})
    if not isinstance(selector, dict) or set(selector) - {
        "in_cluster",
        "is_startup",
        "district",
        "sector",
        "stage",
    }:
        raise ValidationError({"selector": [_("适用企业只能按集聚区、初创、所在区、行业、孵化阶段划定。")]})
    if isinstance(at_least, bool) or not isinstance(at_least, int) or not 1 <= at_least <= 12:
        raise ValidationError({"at_least": [_("至少走访次数须在 1 至 12 之间。")]})
    rule = CoverageRule.objects.select_for_update().filter(key=key).first()
    fields = ["label", "selector", "period", "at_least", "active"]
    before = snapshot(rule, fields) if rule else None
    rule = rule or CoverageRule(key=key)
    rule.label, rule.selector, rule.period, rule.at_least, rule.active = (
        label,
        selector,
        period,
        at_least,
        active,
    )
    rule.save()
    after = snapshot(rule, fields)
    if before != after:
        audit_record(actor=actor, action=aa.COVERAGE_SAVE, target=rule, before=before, after=after)
    return rule

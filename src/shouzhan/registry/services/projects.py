"""An enterprise's projects and works, with the further facts the catalogue asks of some of them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record, audited_update, snapshot
from shouzhan.registry import audit_actions as A
from shouzhan.registry.choices import PROJECT_EXTRA_FACTS, VOUCHER_ITEMS
from shouzhan.registry.models import Enterprise, Project, TrainingCourse
from shouzhan.registry.permissions import require_enterprise_write
from shouzhan.registry.services._fields import (
    enterprise_row_delete,
    full_clean_merged,
    set_fen,
    unknown_fields,
)

PROJECT_FIELDS = (
    "kind",
    "title",
    "description",
    "year",
    "rd_investment_yuan",
    "self_developed",
    "market_recognized",
    "national_selection",
    "excellent",
    "promotes_city_image",
    "trainees",
)
PROJECT_EXTRA_NAMES = tuple(name for name, _label, _type in PROJECT_EXTRA_FACTS)


EXTRA_INT_NAMES = frozenset(name for name, _label, kind in PROJECT_EXTRA_FACTS if kind == "int")


def _extra_fact_set(extra: dict[str, Any], key: str, value: Any, errors: dict[str, list[str]]) -> None:
    """A further fact: yes, no, or unknown (removed); the voucher item one of the known kinds; a count a
    whole number from 0 (the asset registry's counts)."""
    if value is None or value == "":
        extra.pop(key, None)
    elif key in EXTRA_INT_NAMES:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**9:
            errors[key] = [_("请填写 0 到 1000000000 之间的整数")]
        else:
            extra[key] = value
    elif key == "voucher_item":
        if value not in dict(VOUCHER_ITEMS):
            errors[key] = [_("“%(v)s”不是有效的券种") % {"v": value}]
        else:
            extra[key] = value
    elif isinstance(value, bool):
        extra[key] = value
    else:
        errors[key] = [_("请选择 是、否 或 未知")]


def project_trainees_locked(project: Project) -> bool:
    """A training course applies with this project: its trainees are counted from the course's attendance
    (registry.talent.course_services.course_project_sync), never typed."""
    return project.pk is not None and TrainingCourse.objects.filter(project_id=project.pk).exists()


def _apply_project_data(project: Project, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    unknown = unknown_fields(data, (*PROJECT_FIELDS, *PROJECT_EXTRA_NAMES))
    if unknown:
        errors["__all__"] = unknown
    extra = dict(project.extra_facts or {})
    locked = "trainees" in data and project_trainees_locked(project)
    for key, value in data.items():
        if key == "trainees" and locked:
            if value != project.trainees:  # the same number sent back (a read-only field) is no change
                errors[key] = [_("参训人数按课程考勤自动计算，不能手工填写。")]
        elif key == "rd_investment_yuan":
            set_fen(project, "rd_investment_fen", key, value, errors)
        elif key in ("title", "description", "kind"):
            setattr(project, key, "" if value is None else str(value).strip())
        elif key in PROJECT_FIELDS:
            setattr(project, key, value)
        elif key in PROJECT_EXTRA_NAMES:
            _extra_fact_set(extra, key, value, errors)
    project.extra_facts = extra
    if "kind" in data and project.kind != "course" and project_trainees_locked(project):
        errors["kind"] = [_("该项目是培训课程的申报项目，类型只能是培训课程。")]
    if "title" in data and not project.title:
        errors["title"] = [_("名称不能为空")]
    for key in ("year", "trainees"):
        value = getattr(project, key)
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            errors[key] = [_("不能为负数")]
    full_clean_merged(
        project, errors, exclude=["enterprise"], mapping={"rd_investment_fen": "rd_investment_yuan"}
    )


@transaction.atomic
def project_create(*, actor: Actor, enterprise: Enterprise, data: dict[str, Any]) -> Project:
    require_enterprise_write(actor, enterprise.pk)
    project = Project(enterprise=enterprise)
    _apply_project_data(project, data)
    project.save()
    audit_record(
        actor=actor,
        action=A.PROJECT_CREATE,
        target=project,
        after=snapshot(project),
        enterprise_id=enterprise.pk,
    )
    return project


@transaction.atomic
def project_update(*, actor: Actor, project: Project, data: dict[str, Any]) -> Project:
    require_enterprise_write(actor, project.enterprise_id)
    return audited_update(
        actor=actor,
        instance=project,
        action=A.PROJECT_UPDATE,
        apply=lambda locked: _apply_project_data(locked, data),
        enterprise_id=project.enterprise_id,
        clean=False,  # _apply_project_data validated
    )


@transaction.atomic
def project_delete(*, actor: Actor, project: Project) -> None:
    require_enterprise_write(actor, project.enterprise_id)
    enterprise_row_delete(actor=actor, instance=project, action=A.PROJECT_DELETE)

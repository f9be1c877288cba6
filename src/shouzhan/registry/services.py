"""Writes to the registry. Each function is keyword-only, atomic, and records its own audit entry."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shouzhan.core.audit import audit_record, snapshot
from shouzhan.registry import credit_code as cc
from shouzhan.registry.choices import Stage
from shouzhan.registry.models import Enterprise


@transaction.atomic
def enterprise_create(
    *,
    actor: Any,
    name: str,
    organisation: Any = None,
    credit_code: str | None = None,
    stage: str = Stage.IDEA,
    **facts: Any,
) -> Enterprise:
    enterprise = Enterprise(
        name=name.strip(),
        organisation=organisation,
        credit_code=cc.validate(credit_code) if credit_code else None,
        stage=stage,
        **facts,
    )
    enterprise.full_clean()
    enterprise.save()
    audit_record(
        actor=actor,
        action="enterprise.create",
        target=enterprise,
        after=snapshot(enterprise),
        enterprise_id=enterprise.pk,
    )
    return enterprise

"""Enterprises: create, change the profile (optimistic locking), move along the incubation stages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shouzhan.accounts.models import Organisation
from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record, audited_update, snapshot
from shouzhan.core.errors import Conflict
from shouzhan.registry import audit_actions as A
from shouzhan.registry import credit_code as cc
from shouzhan.registry.choices import Stage
from shouzhan.registry.models import Enterprise
from shouzhan.registry.permissions import require_enterprise_write
from shouzhan.registry.services._fields import full_clean_merged, is_empty, set_fen, unknown_fields

ENTERPRISE_FIELDS = (
    "name",
    "credit_code",
    "district",
    "registered_on",
    "employees",
    "annual_revenue_yuan",
    "is_one_person_company",
    "sector",
    "in_cluster",
    "is_startup",
    "stage",
    "legal_representative",
    "address",
    "phone",
    "description",
)
_TEXT_FIELDS = {"district", "sector", "legal_representative", "address", "phone", "description"}

STALE_MESSAGE = gettext_noop("该企业信息已被他人修改，请刷新后重试")  # translated where raised
STALE_API_ERROR = "the enterprise was changed by someone else; reload and retry"


class StaleVersionError(Conflict):
    """The enterprise changed since the caller read it (optimistic locking): the one Conflict, with the
    version a client should reload."""

    def __init__(self, *, current_version: int | None) -> None:
        super().__init__(
            _(STALE_MESSAGE),
            detail={"current_version": current_version},
            api_error=STALE_API_ERROR,
            code="stale",
        )


def _check_credit_code_free(code: str | None, *, exclude_pk: int | None) -> None:
    if not code:
        return
    others = Enterprise.objects.filter(credit_code=code)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    other = others.first()
    if other is not None:
        raise ValidationError(
            {"credit_code": _("该统一社会信用代码已被企业“%(name)s”使用") % {"name": other.name}}
        )


def _set_field(enterprise: Enterprise, key: str, value: Any, errors: dict[str, list[str]]) -> None:
    """One field from service data (money in yuan); a refusal goes into `errors`."""
    if key == "name":
        name = (value or "").strip() if isinstance(value, str) else value
        if not name:
            errors["name"] = [_("企业名称不能为空")]
        enterprise.name = name or ""
    elif key == "credit_code":
        try:
            enterprise.credit_code = None if is_empty(value) else cc.validate(str(value))
        except cc.CreditCodeError as exc:
            errors["credit_code"] = [str(exc)]
    elif key == "annual_revenue_yuan":
        set_fen(enterprise, "annual_revenue_fen", key, value, errors)
    elif key == "employees" and isinstance(value, int) and not isinstance(value, bool) and value < 0:
        errors["employees"] = [_("员工人数不能为负数")]
    elif key in _TEXT_FIELDS:
        setattr(enterprise, key, "" if value is None else str(value).strip())
    else:
        setattr(enterprise, key, value)


def enterprise_data_apply(enterprise: Enterprise, data: dict[str, Any]) -> None:
    """Set fields from `data` (service names; money in yuan) and validate; raises ValidationError."""
    errors: dict[str, list[str]] = {}
    unknown = unknown_fields(data, ENTERPRISE_FIELDS)
    if unknown:
        errors["__all__"] = unknown
    for key, value in data.items():
        if key in ENTERPRISE_FIELDS:
            _set_field(enterprise, key, value, errors)
    if "registered_on" in data and isinstance(enterprise.registered_on, dt.date):
        if enterprise.registered_on > timezone.localdate():
            errors["registered_on"] = [_("成立日期不能晚于今天")]
    full_clean_merged(
        enterprise,
        errors,
        exclude=["organisation", "credit_code"],
        mapping={"annual_revenue_fen": "annual_revenue_yuan"},
    )
    _check_credit_code_free(enterprise.credit_code, exclude_pk=enterprise.pk)


@transaction.atomic
def enterprise_create(
    *,
    actor: Actor,
    name: str,
    organisation: Organisation | None = None,
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
        action=A.ENTERPRISE_CREATE,
        target=enterprise,
        after=snapshot(enterprise),
        enterprise_id=enterprise.pk,
    )
    return enterprise


def enterprise_changed(
    *,
    actor: Actor,
    enterprise: Enterprise,
    action: str,
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    expected_version: int | None = None,
    fields: list[str] | None = None,
) -> Enterprise:
    """Lock, apply `data` (validated, service names) or plain `changes`, save and audit what changed; the
    version moves on when anything did.

    A stale `expected_version` is a StaleVersionError; a credit code a concurrent writer took first is a
    ValidationError on that field."""
    try:
        return audited_update(
            actor=actor,
            instance=enterprise,
            action=action,
            apply=(lambda locked: enterprise_data_apply(locked, data)) if data is not None else None,
            changes=changes,
            fields=fields,
            expected_version=expected_version,
            enterprise_id=enterprise.pk,
            clean=False,  # enterprise_data_apply validated, and says which field in the caller's names
        )
    except Conflict as exc:
        raise StaleVersionError(current_version=exc.detail.get("current_version")) from None
    except IntegrityError as exc:
        raise ValidationError({"credit_code": _("该统一社会信用代码已被其他企业使用")}) from exc


@transaction.atomic
def enterprise_update(
    *, actor: Actor, enterprise: Enterprise, data: dict[str, Any], expected_version: int | None = None
) -> Enterprise:
    """Change an enterprise's profile; `data` uses service names, money as yuan (Decimal or text)."""
    require_enterprise_write(actor, enterprise.pk)
    return enterprise_changed(
        actor=actor,
        enterprise=enterprise,
        action=A.ENTERPRISE_UPDATE,
        data=data,
        expected_version=expected_version,
    )


@transaction.atomic
def enterprise_stage_set(
    *, actor: Actor, enterprise: Enterprise, stage: str, expected_version: int | None = None
) -> Enterprise:
    require_enterprise_write(actor, enterprise.pk)
    if stage not in Stage.values:
        raise ValidationError({"stage": _("“%(s)s”不是有效的孵化阶段") % {"s": stage}})
    return enterprise_changed(
        actor=actor,
        enterprise=enterprise,
        action=A.ENTERPRISE_STAGE_SET,
        changes={"stage": stage},
        expected_version=expected_version,
        fields=["stage"],
    )

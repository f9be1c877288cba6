"""Tenancies: desks, offices and floors rented by the month — move in, grow into a larger space, move out.
Only the centre's staff run them (spaces.permissions)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record, audited_update, snapshot
from shouzhan.registry.models import Enterprise
from shouzhan.spaces import fees, permissions
from shouzhan.spaces.models import Resource, Tenancy
from shouzhan.spaces.services.slots import lock_resource


def relief_decide(*, enterprise: Enterprise, resource: Resource, on: dt.date) -> fees.Relief:
    """Desk-fee relief, decided by the rules engine (clause xuhui.desk_fee_relief); desks only."""
    if resource.kind != Resource.Kind.DESK:
        return fees.NO_RELIEF
    from shouzhan.policies.selectors import calculate
    from shouzhan.registry.selectors import enterprise_facts

    result = calculate(facts=enterprise_facts(enterprise=enterprise), on=on)
    clause = next((r for r in result.results if r.id == fees.DESK_FEE_RELIEF_CLAUSE), None)
    if clause is None or clause.status != "eligible":
        return fees.NO_RELIEF
    return fees.Relief(
        percent=fees.DESK_FEE_RELIEF_PERCENT,
        months=fees.DESK_FEE_RELIEF_MONTHS,
        clause=clause.id,
        reason=fees.relief_reason(clause),
    )


def _validate_tenancy(resource: Resource, start_on: dt.date, months: int) -> None:
    errors: dict[str, list[str]] = {}
    if not resource.is_tenancy:
        errors["resource"] = [_("该空间按时段预约，不能按月租用")]
    if not 1 <= months <= 60:
        errors["months"] = [_("租期须为 1 至 60 个月")]
    if start_on < timezone.localdate() - dt.timedelta(days=31):
        errors["start_on"] = [_("起租日期不能早于一个月前")]
    if errors:
        raise ValidationError(errors)


def _refuse_overlap(resource: Resource, start_on: dt.date, end_on: dt.date) -> None:
    clash = Tenancy.objects.filter(resource=resource, start_on__lt=end_on, end_on__gt=start_on).first()
    if clash is not None:
        raise ValidationError(
            _("%(name)s 在 %(begin)s 至 %(end)s 已有租用，请选择其他空间或日期")
            % {"name": resource.name, "begin": clash.start_on, "end": clash.end_on - dt.timedelta(days=1)}
        )


def _tenancy_create(
    *,
    actor: Actor,
    enterprise: Enterprise,
    resource: Resource,
    start_on: dt.date,
    months: int,
    previous: Tenancy | None,
) -> Tenancy:
    lock_resource(resource.pk)
    end_on = fees.add_months(start_on, months)
    _refuse_overlap(resource, start_on, end_on)
    relief = relief_decide(enterprise=enterprise, resource=resource, on=start_on)
    tenancy = Tenancy(
        enterprise=enterprise,
        resource=resource,
        start_on=start_on,
        end_on=end_on,
        months=months,
        monthly_fee_fen=resource.price_month_fen,
        relief_percent=relief.percent,
        relief_months=relief.months,
        relief_clause=relief.clause,
        relief_reason=relief.reason,
        previous=previous,
    )
    try:
        with transaction.atomic():
            tenancy.save()
    except IntegrityError as exc:
        raise ValidationError(_("%(name)s 在该期间已有租用") % {"name": resource.name}) from exc
    audit_record(
        actor=actor,
        action="spaces.tenancy_start",
        target=tenancy,
        after=snapshot(tenancy),
        note=relief.reason,
        enterprise_id=enterprise.pk,
    )
    return tenancy


@transaction.atomic
def tenancy_start(
    *, actor: Actor, enterprise: Enterprise, resource: Resource, start_on: dt.date, months: int
) -> Tenancy:
    """Move in: a desk, an office or a whole floor from a date for whole months."""
    permissions.require_tenancy_staff(actor)
    _validate_tenancy(resource, start_on, months)
    return _tenancy_create(
        actor=actor, enterprise=enterprise, resource=resource, start_on=start_on, months=months, previous=None
    )


def _close(*, actor: Actor, tenancy: Tenancy, on: dt.date, status: str, action: str) -> Tenancy:
    if tenancy.status != Tenancy.Status.ACTIVE:
        raise ValidationError(_("该租用已结束"))
    if not tenancy.start_on < on <= tenancy.end_on:
        raise ValidationError(
            _("日期须在 %(begin)s 之后、%(end)s 之前（含）")
            % {"begin": tenancy.start_on, "end": tenancy.end_on}
        )
    return audited_update(
        actor=actor,
        instance=tenancy,
        action=action,
        changes={"status": status, "end_on": on},
        fields=["status", "end_on"],
        enterprise_id=tenancy.enterprise_id,
        clean=False,
    )


@transaction.atomic
def tenancy_move(*, actor: Actor, tenancy: Tenancy, resource: Resource, on: dt.date, months: int) -> Tenancy:
    """Grow: from desk to office to a floor. The old tenancy ends on `on` and the new one points back to
    it, so the chain is kept as the enterprise's incubation history."""
    permissions.require_tenancy_staff(actor)
    tenancy = Tenancy.objects.select_for_update().get(pk=tenancy.pk)
    if resource.pk == tenancy.resource_id:
        raise ValidationError({"resource": [_("请选择另一处空间")]})
    _validate_tenancy(resource, on, months)
    old = _close(
        actor=actor, tenancy=tenancy, on=on, status=Tenancy.Status.MOVED, action="spaces.tenancy_move_out"
    )
    return _tenancy_create(
        actor=actor,
        enterprise=old.enterprise,
        resource=resource,
        start_on=on,
        months=months,
        previous=old,
    )


@transaction.atomic
def tenancy_end(*, actor: Actor, tenancy: Tenancy, on: dt.date) -> Tenancy:
    permissions.require_tenancy_staff(actor)
    tenancy = Tenancy.objects.select_for_update().get(pk=tenancy.pk)
    return _close(
        actor=actor, tenancy=tenancy, on=on, status=Tenancy.Status.ENDED, action="spaces.tenancy_end"
    )
